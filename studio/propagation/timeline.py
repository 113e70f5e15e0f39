"""One run as a schema ``timeline``, and the state of every system at a minute of it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from studio.durations import format_clock
from studio.propagation.compiled import CompiledScenario, compile_scenario, paused_gc
from studio.propagation.draws import draw
from studio.propagation.engines import run_events
from studio.propagation.reference import RunEvents

if TYPE_CHECKING:  # the kernel imports numba: only when it runs
    from studio.propagation.kernel import KernelEvents

ENGINE_VERSION = "crisis-studio-propagation 1.0"
NOMINAL_RUN = "nominal"


def event_id(number: int) -> str:
    """Id of event ``number`` (0-based) of a timeline: ev0001, ev0002... (more digits past 9999)."""
    return f"ev{number + 1:04d}"


_EVENT_IDS: list[str] = []


def event_ids(count: int) -> list[str]:
    """Ids of events 0 .. count-1 (made once per process and shared: the strings never change)."""
    if len(_EVENT_IDS) < count:
        _EVENT_IDS.extend(event_id(number) for number in range(len(_EVENT_IDS), count))
    return _EVENT_IDS


# Beyond this many hundred-thousandths numpy's product times * 1e5 may be off by more than the
# distance to a rounding boundary that _rounded_minutes trusts (2**40 hundred-thousandths: 20 years).
_EXACT_SCALED = 2.0**40


def _rounded_minutes(times: np.ndarray) -> list[float]:
    """round(time, 5) of every event, exactly as Python's round gives it, computed with numpy.

    numpy's rint(time * 1e5) / 1e5 is the double nearest to k / 1e5, like Python's round, whenever it
    picks the same integer k: always, unless time * 1e5 lies within 1e-3 of a half-integer (where
    the product's own rounding error could tip it) or is huge. Those few go through Python's round."""
    scaled = np.asarray(times, dtype=float) * 1e5
    rounded = np.rint(scaled) / 1e5
    fraction = scaled - np.floor(scaled)
    doubtful = ~(np.abs(fraction - 0.5) > 1e-3) | ~(np.abs(scaled) < _EXACT_SCALED)
    values = rounded.tolist()
    if doubtful.any():
        for number in np.flatnonzero(doubtful).tolist():
            values[number] = round(float(times[number]), 5)
    return values


def _causes(first: np.ndarray, second: np.ndarray, longer: dict[int, tuple[int, ...]]) -> list[list[str]]:
    """Per event, the ids of its causes: up to two (sorted event numbers, -1: none) from the
    columns, or the list given in ``longer`` for the few events with more."""
    longest = [max(causes) for causes in longer.values() if causes]
    top = max([int(first.max(initial=-1)), int(second.max(initial=-1)), *longest])
    names = np.empty(top + 2, dtype=object)
    names[:-1] = event_ids(top + 1)[: top + 1]  # index -1: None
    found = [
        [one, two] if two is not None else ([one] if one is not None else [])
        for one, two in zip(names[np.maximum(first, -1)].tolist(), names[second].tolist(), strict=True)
    ]
    ids = event_ids(top + 1)
    for number, causes in longer.items():
        found[number] = [ids[cause] for cause in causes]
    return found


def _render(
    model: CompiledScenario,
    times: np.ndarray,
    kinds: list[str],
    nodes: np.ndarray,
    causes: list[list[str]],
    details: dict[int, str],
) -> list[dict[str, Any]]:
    """Schema timeline events from the columns of an event log (``causes``: event ids;
    ``details``: the non-empty ones by event number). One dict literal per event, then the few
    events about no system lose their ``node`` and the few with a detail get it (same key order)."""
    ids = event_ids(len(times))
    names = model.__dict__.get("_node_names")
    if names is None:
        names = model.__dict__["_node_names"] = np.array([*model.ids, None], dtype=object)
    node_names = names[nodes].tolist()  # node -1 (no system) -> None
    rendered = [
        {"id": number, "minute": minute, "kind": kind, "node": name, "causes": reasons}
        for number, minute, kind, name, reasons in zip(
            ids, _rounded_minutes(times), kinds, node_names, causes, strict=False
        )
    ]
    for number in np.flatnonzero(nodes < 0).tolist():
        del rendered[number]["node"]
    for number, detail in details.items():
        rendered[number]["detail"] = detail
    return rendered


def to_timeline(
    model: CompiledScenario,
    events: RunEvents | KernelEvents,
    *,
    seed: int,
    playbook: str | None,
    run: int | str | None = None,
) -> dict[str, Any]:
    """Render an event log (either engine's: same events, same dict) as a dict valid against
    ``$defs/timeline``.

    Minutes are rounded to 1e-5 (under a millisecond) so that the JSON is short and stable.
    """
    timeline: dict[str, Any] = {"seed": int(seed)}
    if playbook is not None:
        timeline["playbook"] = playbook
    if run is not None:
        timeline["run"] = run
    timeline["engine_version"] = ENGINE_VERSION
    with paused_gc():
        if isinstance(events, RunEvents):
            rows = events.rows
            ids = event_ids(len(rows))
            times = np.array([row[0] for row in rows], dtype=float)
            kinds = [row[1] for row in rows]
            nodes = np.array([row[2] for row in rows], dtype=np.int64)
            causes = [[ids[cause] for cause in row[3]] for row in rows]
            details = {number: row[4] for number, row in enumerate(rows) if row[4]}
        else:
            times, kinds, nodes = events.time, events.kind, events.node_codes
            causes = _causes(*events.cause_codes, events.long_causes())
            details = events.sparse_details()
        timeline["events"] = _render(model, times, kinds, nodes, causes, details)
    return timeline


def run_timeline(
    scenario: dict[str, Any],
    *,
    seed: int = 0,
    playbook: str | None = None,
    nominal: bool = False,
    run: int | str | None = None,
    engine: str = "auto",
) -> dict[str, Any]:
    """Simulate one run of a valid scenario and return it as a schema ``timeline``.

    ``seed`` fixes every random draw (same scenario and seed, same timeline, same bytes).
    ``playbook`` names the defender playbook; None uses the playbook marked ``default`` if any,
    else no defender at all. ``nominal=True`` ignores the seed's randomness and takes the median of
    every distribution (the timeline's ``run`` is then "nominal"). ``run`` is recorded as is (the
    Monte Carlo module sets it to the run index). Raises KeyError for an unknown playbook.

    ``engine``: "reference" (pure Python), "kernel" (numba; compiles on first use if its cache is
    empty) or "auto" (the kernel for big scenarios when it is ready, see engines.timeline_engine).
    Both write the same timeline, byte for byte.
    """
    model = compile_scenario(scenario)
    chosen = model.resolve_playbook(playbook)
    events = run_events(model, draw(model, chosen, seed, nominal=nominal), chosen, engine)
    return to_timeline(model, events, seed=seed, playbook=chosen, run=NOMINAL_RUN if nominal else run)


@dataclass(frozen=True)
class NodeState:
    """State of one system at a minute of a timeline.

    ``security``: clean, compromised (for a credential: held), encrypted, restoring, restored or
    reset (credential reset by the defender). ``function``: up, degraded or down. ``isolated`` and
    ``shut_down`` are the defender's containment (an isolated system is also down).
    """

    security: str = "clean"
    function: str = "up"
    isolated: bool = False
    shut_down: bool = False


_SECURITY_BY_KIND = {
    "initial_access": "compromised",
    "compromised": "compromised",
    "credential_obtained": "compromised",
    "encrypted": "encrypted",
    "restore_started": "restoring",
    "restored": "restored",
    "credentials_reset": "reset",
}
_FUNCTION_BY_KIND = {"up": "up", "down": "down", "degraded": "degraded"}


def state_at(scenario: dict[str, Any], timeline: dict[str, Any], minute: float) -> dict[str, NodeState]:
    """State of every system of ``scenario`` once every event of ``timeline`` at or before ``minute``
    has happened. Systems the timeline does not mention are clean and up; events about systems
    that are no longer in the scenario are ignored."""
    states = {system["id"]: NodeState() for system in scenario.get("systems", [])}
    for event in timeline.get("events", []):
        if event["minute"] > minute:
            break
        node = event.get("node")
        if node not in states:
            continue
        state, kind = states[node], event["kind"]
        if kind in _SECURITY_BY_KIND:
            if kind == "credentials_reset" and state.security == "clean":
                continue
            restored = kind == "restored"
            state = NodeState(
                _SECURITY_BY_KIND[kind],
                state.function,
                state.isolated and not restored,
                state.shut_down and not restored,
            )
        elif kind in _FUNCTION_BY_KIND:
            state = NodeState(state.security, _FUNCTION_BY_KIND[kind], state.isolated, state.shut_down)
        elif kind in ("isolated", "internet_cut"):
            state = NodeState(state.security, state.function, True, state.shut_down)
        elif kind == "shutdown":
            state = NodeState(state.security, state.function, state.isolated, True)
        states[node] = state
    return states


def timeline_rows(scenario: dict[str, Any], timeline: dict[str, Any]) -> list[dict[str, Any]]:
    """Table rows for display: id, minute, clock (T+hh:mm from the scenario start), kind, node,
    node name, causes (comma-separated ids) and detail."""
    names = {system["id"]: system.get("name", system["id"]) for system in scenario.get("systems", [])}
    return [
        {
            "id": event["id"],
            "minute": event["minute"],
            "clock": format_clock(event["minute"]),
            "kind": event["kind"],
            "node": event.get("node", ""),
            "node_name": names.get(event.get("node", ""), ""),
            "causes": ", ".join(event["causes"]),
            "detail": event.get("detail", ""),
        }
        for event in timeline.get("events", [])
    ]
