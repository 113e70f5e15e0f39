"""The ``pack`` pipeline: simulate, generate the MSEL, validate, then build every export.

``build_pack`` is pure (nothing is written); the CLI command ``crisis-studio pack`` and the studio
write its outputs. The final scenario (with its timeline and injects) is one of the outputs, so the
designer can reopen exactly what the packs were built from. Settings are never written: the API key
is only read by the LLM client, and as a last guard the pipeline refuses to return outputs if the key
(when one is set) appears in the final scenario.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from studio.exports import FORMATS, export_outputs
from studio.exports.common import ExportFile, safe_filename_part
from studio.scenario.problems import Problem
from studio.scenario.store import SecretInDocument

if TYPE_CHECKING:
    from studio.scenario.validate import ScenarioValidator


class PackError(Exception):
    """The pipeline cannot run on this input (unknown playbook, provider unavailable...)."""


@dataclass
class PackResult:
    """What ``build_pack`` produced. ``outputs`` is empty when the final scenario has errors."""

    scenario: dict[str, Any]
    problems: list[Problem]
    outputs: list[ExportFile] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds per step: simulate, generate, validate, lint, export."""
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(problem.is_error for problem in self.problems)


def build_pack(
    scenario: dict[str, Any],
    *,
    seed: int | None = None,
    playbook: str | None = None,
    provider: str = "offline",
    resimulate: bool = False,
    regenerate: bool = False,
    formats: Iterable[str] = FORMATS,
    csv_separator: str | None = None,
    toc_pages: bool = False,
    checker: ScenarioValidator | None = None,
) -> PackResult:
    """Run the whole pipeline on a valid scenario: what was reviewed is what is packed.

    The scenario's stored timeline and MSEL are used as they are. Only what is missing is made: a
    scenario without a timeline is simulated (``seed``, ``playbook``); one without injects gets a
    generated MSEL (``provider``). Simulating again is explicit (``resimulate``: a new timeline and a
    regenerated MSEL that keeps every protected inject), and so is regenerating the MSEL from the
    stored timeline (``regenerate``). The result is validated and its MSEL linted, and, if neither
    found an error, every output of ``formats`` is built plus ``<id>.scenario.json``. ``seed``
    defaults to the scenario's ``generation.seed``, as in ``crisis-studio generate`` and the studio.
    ``csv_separator`` and ``toc_pages`` are the export options (see studio.exports.export_outputs).

    Pass the ``checker`` that validated ``scenario`` (``check_document(document, checker)``): the
    result is then validated only where the pipeline changed it.
    """
    from studio.injects.generator import generate_msel
    from studio.injects.lint import lint_msel
    from studio.propagation import run_timeline
    from studio.scenario.canonical import canonical_bytes
    from studio.scenario.validate import validate_scenario

    if seed is None:
        seed = scenario.get("generation", {}).get("seed", 0)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    simulate = resimulate or not scenario.get("timeline")
    if simulate:
        try:
            timeline = run_timeline(scenario, seed=seed, playbook=playbook)
        except KeyError as exc:
            raise PackError(f"unknown playbook {exc.args[0]!r}") from None
    else:
        timeline = scenario["timeline"]
    timings["simulate"] = time.perf_counter() - started

    started = time.perf_counter()
    notes: list[str] = []
    knowledge = None  # what each cell and sender knows when: the generator's, reused by lint
    if simulate or regenerate or not scenario.get("injects"):
        provider_errors: tuple[type[Exception], ...] = ()
        if provider == "openai":
            from studio.injects.llm import LLMError

            provider_errors = (LLMError,)
        try:
            generation = generate_msel(
                {**scenario, "timeline": timeline}, timeline, seed=seed, provider=provider
            )
        except provider_errors as exc:
            raise PackError(f"the {provider} provider failed: {exc}") from None
        final = generation.scenario
        knowledge = generation.knowledge
        notes = list(generation.notes)
    else:
        final = scenario
        notes.append(
            "packed the stored timeline and MSEL as reviewed (use --regenerate or --resimulate to redo them)"
        )
    timings["generate"] = time.perf_counter() - started

    started = time.perf_counter()
    if checker is None:
        problems = validate_scenario(final)
    else:
        final = share_unchanged_parts(final, scenario)
        problems = checker.validate(final, changed=["/timeline", "/injects", "/generation"])
    timings["validate"] = time.perf_counter() - started
    started = time.perf_counter()
    if not any(problem.is_error for problem in problems):
        # An MSEL with lint errors (an objective no inject serves, a leak of control-only text...)
        # must not reach the packs people hold on the day.
        problems += lint_msel(final, knowledge=knowledge)
    timings["lint"] = time.perf_counter() - started
    result = PackResult(final, problems, timings=timings, notes=notes)
    if not result.ok:
        return result

    started = time.perf_counter()
    scenario_file = ExportFile(f"{safe_filename_part(final['id'])}.scenario.json", canonical_bytes(final))
    try:  # the exports refuse a scenario holding the API key, the scenario file with them
        exports = export_outputs(final, formats, csv_separator=csv_separator, toc_pages=toc_pages)
    except SecretInDocument:
        raise PackError("the API key appears in the generated scenario: nothing written") from None
    result.outputs = [scenario_file, *exports]
    timings["export"] = time.perf_counter() - started
    return result


def share_unchanged_parts(output: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
    """``output`` where each top-level field (each item, for a list) equal to ``source``'s is
    ``source``'s own object.

    The generator returns a deep copy of its input: equal, but new objects, which a ScenarioValidator
    would check again. Comparing is a C loop, far cheaper than validating; nothing changes in the
    output's content, and the pipeline does not modify either afterwards.
    """
    shared: dict[str, Any] = {}
    for key, value in output.items():
        original = source.get(key)
        if original is value or original != value:
            if isinstance(value, list) and isinstance(original, list) and original is not value:
                value = [
                    before if index < len(original) and (before := original[index]) == item else item
                    for index, item in enumerate(value)
                ]
            shared[key] = value
        else:
            shared[key] = original
    return shared
