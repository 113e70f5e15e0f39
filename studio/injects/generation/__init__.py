"""The MSEL generator: from the scenario and its simulated timeline to a chronogramme of injects.

A pipeline of stages over one :class:`~studio.injects.generation.plan.Plan` (each stage reads what
the previous ones added and adds its own part; see each module's doc):

1. :func:`~studio.injects.generation.story.add_beats` — the storyline, the simulated events and
   the alerts that activate cells, as beats;
2. :func:`~studio.injects.generation.routing.route_beats` — sender and recipients of each beat,
   gated by the information model (nobody speaks before they know, no cell hears anything before
   it is active);
3. :func:`~studio.injects.generation.schedule.schedule` — pacing over every played session, the
   follow-ups of quiet periods, no crowded hour;
4. :func:`~studio.injects.generation.text.write_text` — the words, the contingencies and the checks
   (human durations, French terms, no repeated text).

Regeneration keeps every inject a person edited, reviewed, approved or rejected, every manual or
imported one (:func:`is_protected`), and the contingencies that back them up; generated injects are
placed around them.
"""

from __future__ import annotations

import copy
from typing import Any

from studio.durations import parse_minutes
from studio.injects.batch import collector_paused
from studio.injects.context import ScenarioContext
from studio.injects.generation.pacing import DEFAULT_MAX_QUIET
from studio.injects.generation.plan import (
    DEFAULT_MAX_PER_15MIN,
    GenerationError,
    GenerationResult,
    Plan,
    Progress,
    Settings,
    is_protected,
)
from studio.injects.generation.routing import cell_activation_minutes, route_beats
from studio.injects.generation.schedule import schedule
from studio.injects.generation.story import add_beats
from studio.injects.generation.text import link_objectives, number_injects, write_text
from studio.scenario.information import Knowledge, compute_knowledge
from studio.scenario.timemodel import played_windows

__all__ = [
    "GenerationError",
    "GenerationResult",
    "build_plan",
    "generate_msel",
    "is_protected",
    "kept_injects",
    "obtain_timeline",
    "settings_of",
]


def settings_of(scenario: dict[str, Any], max_quiet: float | None = None) -> Settings:
    """The generation settings of ``scenario`` with their defaults; ``max_quiet`` overrides."""
    generation = scenario.get("generation", {})
    quiet = parse_minutes(generation["max_quiet"]) if generation.get("max_quiet") else DEFAULT_MAX_QUIET
    return Settings(
        limit=generation.get("max_injects_per_cell_per_15min", DEFAULT_MAX_PER_15MIN),
        max_quiet=quiet if max_quiet is None else max_quiet,
        per_hour=generation.get("stimuli_per_cell_per_hour", 3.0),
        noise_share=generation.get("noise_share", 0.12),
        contingency=generation.get("contingency", True),
    )


def kept_injects(existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The injects regeneration keeps: protected ones and the contingencies that back them up (a
    person approved the inject, so its safety net stays with it)."""
    protected = {inject["id"] for inject in existing if is_protected(inject)}
    return [
        inject
        for inject in existing
        if inject["id"] in protected
        or (inject.get("contingency") and inject.get("contingency_for") in protected)
    ]


def build_plan(
    scenario: dict[str, Any],
    timeline: dict[str, Any],
    *,
    seed: int = 0,
    existing: list[dict[str, Any]] | None = None,
    progress: Progress | None = None,
    max_quiet: float | None = None,
    knowledge: Knowledge | None = None,
) -> Plan:
    """Run every stage and return the plan: ``plan.injects`` holds the generated injects (not the
    kept ones), unsorted and unnumbered; ``plan.skipped`` the beats not produced and why.
    ``knowledge``: :func:`compute_knowledge` of the scenario over ``timeline``'s events, when the
    caller has it."""
    ctx = ScenarioContext(scenario)
    events = sorted(timeline.get("events", []), key=lambda e: (e["minute"], e["id"]))
    fixed = kept_injects(existing or [])
    plan = Plan(
        scenario=scenario,
        ctx=ctx,
        events=events,
        seed=seed,
        settings=settings_of(scenario, max_quiet),
        windows=played_windows(scenario),
        knowledge=compute_knowledge(scenario, events) if knowledge is None else knowledge,
        activation={},
        fixed=fixed,
        taken={inject["id"] for inject in fixed},
        progress=progress,
    )
    plan.activation = cell_activation_minutes(plan)
    for stage in (add_beats, route_beats, schedule, write_text):
        stage(plan)
    return plan


def obtain_timeline(scenario: dict[str, Any], seed: int) -> dict[str, Any]:
    """The scenario's stored timeline, or a fresh run of the propagation engine."""
    if scenario.get("timeline"):
        return scenario["timeline"]
    try:
        from studio.propagation import run_timeline
    except ImportError as exc:
        raise GenerationError(
            f"the scenario has no timeline and the propagation engine is unavailable ({exc})"
        ) from None
    return run_timeline(scenario, seed=seed)


def generate_msel(
    scenario: dict[str, Any],
    timeline: dict[str, Any] | None = None,
    *,
    seed: int | None = None,
    provider: str = "offline",
    assistant: Any = None,
    progress: Progress | None = None,
    max_quiet: float | None = None,
    knowledge: Knowledge | None = None,
) -> GenerationResult:
    """Generate the MSEL of a valid scenario and return a new scenario carrying it.

    ``timeline`` defaults to the scenario's own, else a run of the propagation engine; the one used
    is stored in the returned scenario so that ``cause_refs`` resolve. ``seed`` defaults to
    ``generation.seed`` or 0.
    ``provider`` is ``offline`` (templates, no network) or ``openai``: the offline draft is then
    rewritten by the LLM through ``assistant`` (an :class:`studio.injects.llm.Assistant`, built from
    the settings when None); an answer that fails validation or the content checks leaves the
    offline text of that inject and adds a note. Protected injects (:func:`is_protected`) and their
    contingencies are kept unchanged. The input is not modified; the returned scenario shares the
    parts generation does not change (systems, personas, the timeline passed in...) with it, so copy
    a part before editing it in place. ``max_quiet`` (exercise minutes) overrides
    ``generation.max_quiet``; 0 turns the follow-ups off. ``knowledge`` is the scenario's
    :func:`~studio.scenario.information.compute_knowledge` over the timeline's events when the
    caller has it; the one used is ``result.knowledge``, which ``lint_msel(result.scenario,
    knowledge=result.knowledge)`` takes instead of computing it again.
    """
    if provider not in {"offline", "openai"}:
        raise ValueError(f"unknown provider {provider!r}: offline or openai")
    # A new document that shares the parts generation only reads (systems, personas...) with the
    # input instead of copying them: at 10k systems a deep copy cost more than the generation itself.
    # What it changes (the injects) is copied; the input is never modified (docs/decisions.md).
    result_doc = dict(scenario)
    if seed is None:
        seed = scenario.get("generation", {}).get("seed", 0)
    if timeline is None:
        timeline = obtain_timeline(scenario, seed)
    # The injects cite events of this timeline: it is stored so that their causes resolve.
    result_doc["timeline"] = timeline
    existing = copy.deepcopy(scenario.get("injects", []))
    if "injects" in scenario:
        result_doc["injects"] = existing
    kept = kept_injects(existing)
    result = GenerationResult(result_doc, kept=[inject["id"] for inject in kept])
    with collector_paused():
        plan = build_plan(
            result_doc,
            timeline,
            seed=seed,
            existing=existing,
            progress=progress if provider == "offline" else None,
            max_quiet=max_quiet,
            knowledge=knowledge,
        )
    result.knowledge = plan.knowledge
    result.skipped.extend(plan.skipped)
    generated = plan.injects
    if provider == "openai":
        from studio.injects.llm import Assistant

        assistant = assistant or Assistant.from_settings(result_doc)
        generated, notes = assistant.polish(result_doc, generated, progress=progress)
        result.notes.extend(notes)
    merged = kept + generated
    link_objectives(result_doc, merged)
    result_doc["injects"] = number_injects(merged)
    result.generated = [inject["id"] for inject in generated]
    return result
