"""The scenario document: schema, loading, canonical JSON, validation, migration and the workspace."""

from studio.scenario.canonical import canonical_bytes
from studio.scenario.document import ScenarioReadError, load_scenario, parse_scenario
from studio.scenario.problems import Problem, Severity

__all__ = [
    "Problem",
    "ScenarioReadError",
    "Severity",
    "canonical_bytes",
    "load_scenario",
    "parse_scenario",
]
