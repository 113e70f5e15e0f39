"""Crisis Studio: draft, simulate, review and ship cyber-crisis exercises for hospitals.

The package is a plain library (no Streamlit import outside ``studio.ui``):

- ``studio.scenario``: the scenario document, its schema, validation, canonical JSON and the workspace;
- ``studio.graph``: the systems graph (networkx) and its catalogue;
- ``studio.propagation``: the compromise and cascade simulation;
- ``studio.injects``: MSEL generation (offline and LLM), review and lint;
- ``studio.exports``: Word packs, spreadsheets, OpenBAS;
- ``studio.cli`` and ``studio.ui``: the thin shells.
"""

__version__ = "0.1.0"
