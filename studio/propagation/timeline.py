"""One run as a schema ``timeline``, and the state of every system at a minute of it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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


def _rounded_minutes(times: list[float]) -> list[float]:
    """round(time, 5) of every event; computed once per distinct minute (a detonation puts
    thousands of events at the same minute)."""
    memo: dict[float, float] = {}
    out = []
    append = out.append
    for time in times:
        value = memo.get(time)
        if value is None:
            value = memo[time] = round(time, 5)
        append(value)
    return out


def _render(
    model: CompiledScenario,
    times: list[float],
    kinds: list[str],
    nodes: list[int],
    causes: list[list[str]],
    details: list[str],
) -> list[dict[str, Any]]:
    """Schema timeline events from the columns of an event log (``causes``: event ids)."""
    ids = event_ids(len(times))
    names: list[str | None] = [*model.ids, None]  # node -1 (no system) -> None
    rendered = []
    append = rendered.append
    for number, minute, kind, node, reasons, detail in zip(
        range(len(times)), _rounded_minutes(times), kinds, nodes, causes, details, strict=True
    ):
        name = names[node]
        if name is None:
            item = {"id": ids[number], "minute": minute, "kind": kind}
        else:
            item = {"id": ids[number], "minute": minute, "kind": kind, "node": name}
        item["causes"] = reasons
        if detail:
            item["detail"] = detail
        append(item)
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
            columns = [list(column) for column in zip(*rows, strict=True)] if rows else [[]] * 5
            times, kinds, nodes, numbers, details = columns
            ids = event_ids(len(times))
            causes = [[ids[cause] for cause in reasons] for reasons in numbers]
        else:
            times, kinds, nodes, details = events.time.tolist(), events.kind, events.node, events.details()
            causes = events.cause_ids(event_ids(len(times)))
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
