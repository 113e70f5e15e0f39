"""The systems graph: scenario systems and links as a networkx multigraph, and its DOT rendering.

networkx is the authoring, validation and display layer; the propagation engine compiles the same
scenario into arrays of its own (see studio.propagation.compile).
"""

from studio.graph.model import build_graph, dependency_cycles, untouched_systems

__all__ = ["build_graph", "dependency_cycles", "untouched_systems"]
