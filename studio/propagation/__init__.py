"""Compromise propagation, functional cascade and defender playbook: the simulation engine.

Public API (semantics in docs/propagation.md):

* ``run_timeline(scenario, *, seed=0, playbook=None, nominal=False)`` -> schema ``timeline`` dict
* ``state_at(scenario, timeline, minute)`` -> {system id: NodeState}
* ``timeline_rows(scenario, timeline)`` -> rows for a table
* ``monte_carlo(scenario, *, runs, seed=0, playbook=None, progress=None)`` -> MonteCarloResult
* ``compare_playbooks(scenario, a, b, *, runs, seed=0, progress=None)`` -> PlaybookComparison

The scenario is assumed valid: run studio.scenario.validate first.
"""

from studio.propagation.montecarlo import MonteCarloResult, PlaybookComparison, compare_playbooks, monte_carlo
from studio.propagation.timeline import ENGINE_VERSION, NodeState, run_timeline, state_at, timeline_rows

__all__ = [
    "ENGINE_VERSION",
    "MonteCarloResult",
    "NodeState",
    "PlaybookComparison",
    "compare_playbooks",
    "monte_carlo",
    "run_timeline",
    "state_at",
    "timeline_rows",
]
