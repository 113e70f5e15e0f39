"""Stage 2 of the generator: who sends each beat, to whom, and from when it may be sent.

Senders and recipients are chosen from the scenario, never invented: a persona by its function
(``persona.function``; see :class:`studio.injects.context.Sender`), recipient cells by their role,
establishment and the territorial organisations that play (SAMU, ARS, préfecture).

Then the **information model** (:mod:`studio.scenario.information`) gates every beat:

* the sender must know what it says: of the crisis (the alert chain has reached it, or it sees the
  symptoms itself), and, for authorities and the media who speak of an attack, of the diagnosis;
  regional and national actors stay silent during ``information.external_silence`` after the first
  symptom; a beat whose sender does not know yet is told when it does;
* every recipient cell must be active (from STARTEX, or from the alert that reaches it); a beat for
  cells none of which is active waits for the first one to be; inactive cells are dropped from the
  recipients and copies; an activation alert goes to its one cell when the chain reaches it;
* the beat is then placed on the exercise clock (time model, then played sessions: what happens
  during a pause is told when play resumes); beats outside [STARTEX, ENDEX] are skipped.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from studio.injects.context import ScenarioContext
from studio.injects.generation.plan import Beat, Candidate, Plan, make_inject_id
from studio.injects.generation.story import service_profile
from studio.injects.prompts import service_profiles
from studio.scenario.information import Knowledge, cell_activation, ready_at
from studio.scenario.timemodel import TimeModel, next_played_minute

DIAGNOSIS_CATEGORIES = frozenset({"authority", "media"})
"""Categories whose senders speak of an attack: they need the diagnosis, not only the alert."""

GENERIC_PROFILES = frozenset({"default", "situation_point", "wards"})
"""Profiles whose people (nurse managers, ward nurses) may speak for any service."""


def route(ctx: ScenarioContext, beat: Beat) -> tuple[list[str], list[str]]:
    """Recipient and copied cells of a beat (see the module doc, step 3)."""
    kind = beat.kind
    if kind.to_territorial and ctx.territorial_cells(kind.to_territorial):
        to = ctx.territorial_cells(kind.to_territorial)
    elif kind.only_territorial:
        return [], []
    elif kind.all_roles:
        to = []
        for role in kind.roles:
            for cell in ctx.recipients((role,), beat.establishment):
                if cell not in to:
                    to.append(cell)
    else:
        to = ctx.recipients(kind.roles, beat.establishment)
    if kind.also_territorial:
        to += [c for c in ctx.territorial_cells(kind.also_territorial) if c not in to]
    cc: list[str] = []
    own = [c["id"] for c in ctx.player_cells if c.get("organisation") == beat.establishment]
    if own and not set(own) & set(to) and set(to) & {c["id"] for c in ctx.group_cells(beat.establishment)}:
        # Sent to a cell of the group (the GHT's IT cell): the establishment's crisis cell is copied.
        cc += ctx.own_cells(("strategic",), beat.establishment)
    if kind.cc_roles:
        cc += [c for c in ctx.own_cells(kind.cc_roles, beat.establishment) if c not in to]
    if kind.cc_territorial:
        cc += [c for c in ctx.territorial_cells(kind.cc_territorial) if c not in to and c not in cc]
    return to, cc


def choose_sender(
    ctx: ScenarioContext, beat: Beat, scenario_minute: float | None = None, strict: bool = False
) -> dict[str, Any] | None:
    """The persona who sends a beat at ``scenario_minute`` (default: the beat's): someone at work
    then (:meth:`ScenarioContext.on_duty`: the night nurse manager does not call at 11:20 in the
    day); when nobody fitting is, the same choice among everyone, unless ``strict`` (None then)."""
    absent = ctx.off_duty(beat.minute if scenario_minute is None else scenario_minute)
    found = _sender_among(ctx, beat, absent)
    if found is None and absent and not strict:
        found = _sender_among(ctx, beat, frozenset())
    return found


def _sender_among(ctx: ScenarioContext, beat: Beat, absent: frozenset[str]) -> dict[str, Any] | None:
    """For impact reports, someone who can speak for the service (see
    :meth:`ScenarioContext.service_sender`), else the kind's usual sender; never one of ``absent``."""
    if beat.kind.service_voice:
        by_function = profile_sender(ctx, beat, absent)
        if by_function is not None:
            return by_function
        system = ctx.systems.get(beat.node or "") or ctx.systems.get((beat.systems or [""])[0], {})
        profile = service_profile(ctx, system) if system and not beat.members else None
        words = profile.sender_words if profile else ""
        others = "|".join(
            f"(?:{p.sender_words})"
            for p in service_profiles(ctx.language).values()
            if p.sender_words and p.name not in GENERIC_PROFILES and p is not profile
        )
        rotation = _service_rank(ctx, beat.node, beat.establishment) if not beat.members else 0
        found = ctx.service_sender(beat.establishment, words, rotation, others, absent)
        if found is not None:
            return found
    return ctx.sender(beat.kind.sender, beat.establishment, absent)


def _service_rank(ctx: ScenarioContext, node: str | None, establishment: str | None) -> int:
    """Position of a system among the establishment's systems of its kind (id order): a stable
    spread of services over the people who can report them."""
    if node not in ctx.systems:
        return 0
    return ctx.kind_ranks(ctx.systems[node].get("kind"), establishment).get(node, 0)


def profile_sender(
    ctx: ScenarioContext, beat: Beat, absent: frozenset[str] = frozenset()
) -> dict[str, Any] | None:
    """Who reports a service by function: the people of the service's profile (``[functions]`` of
    the services file: the biologist for the lab), else the establishment's care managers."""
    system = ctx.systems.get(beat.node or "") or ctx.systems.get((beat.systems or [""])[0], {})
    profile = service_profile(ctx, system) if system and not beat.members else None
    wanted = profile.functions if profile else ()
    rotation = _service_rank(ctx, beat.node, beat.establishment) if not beat.members else 0
    return ctx.function_sender(beat.establishment, wanted, rotation, absent)


def beat_inject_id(beat: Beat) -> str:
    """The stable id of a beat's inject: from its event, node and kind (a situation point: from
    its first service's; a storyline beat: from its id; an alert: from the cell it activates)."""
    if beat.story is not None:
        return make_inject_id("inj", "story", beat.story["id"])
    if beat.recipient:
        return make_inject_id("inj", "alert", beat.recipient)
    if beat.members:
        first = beat.members[0]
        return make_inject_id("inj", first.cause["id"], first.node or "", beat.kind.name)
    if beat.node:
        return make_inject_id("inj", beat.cause["id"], beat.node, beat.kind.name)
    return make_inject_id("inj", beat.cause["id"], beat.kind.name)


def exercise_minute_of(
    time_model: TimeModel, windows: list[tuple[float, float]], scenario_minute: float
) -> float | None:
    """The first whole exercise minute, inside a played session, at which something that happens at
    ``scenario_minute`` can be told (None: after the last session)."""
    minute = (
        max(0.0, time_model.next_exercise_minute(scenario_minute)) if scenario_minute > -math.inf else 0.0
    )
    played = next_played_minute(windows, math.ceil(minute - 1e-9))
    return None if played is None else float(math.ceil(played - 1e-9))


def exercise_minute(plan: Plan, scenario_minute: float) -> float | None:
    """:func:`exercise_minute_of` with the plan's time model and sessions."""
    return exercise_minute_of(plan.ctx.time_model, plan.windows, scenario_minute)


def sender_ready(plan: Plan, beat: Beat, sender: dict[str, Any]) -> float:
    """Scenario minute from which ``sender`` knows enough to send ``beat`` (``inf``: never)."""
    # An alert passes on symptoms, not a diagnosis: it goes out as soon as its sender knows.
    needs_diagnosis = (
        beat.story is None and beat.recipient is None and beat.kind.category in DIAGNOSIS_CATEGORIES
    )
    return ready_at(plan.knowledge, plan.scenario, sender["id"], needs_diagnosis)


def activation_minutes(
    scenario: dict[str, Any], knowledge: Knowledge, time_model: TimeModel, windows: list[tuple[float, float]]
) -> dict[str, float]:
    """Exercise minute from which each player cell is active: 0 (STARTEX), or when the alert
    reaches it (``activation: alert``); a cell the alert never reaches is absent."""
    active: dict[str, float] = {}
    for cell in scenario.get("cells", []):
        if cell.get("type") != "player":
            continue
        if cell_activation(scenario, cell) != "alert":
            active[cell["id"]] = 0.0
            continue
        known = knowledge.knows.get(cell["id"], math.inf)
        minute = exercise_minute_of(time_model, windows, known) if math.isfinite(known) else None
        if minute is not None:
            active[cell["id"]] = minute
    return active


def cell_activation_minutes(plan: Plan) -> dict[str, float]:
    """:func:`activation_minutes` for the plan."""
    return activation_minutes(plan.scenario, plan.knowledge, plan.ctx.time_model, plan.windows)


def _recipients(plan: Plan, beat: Beat) -> tuple[list[str], list[str]]:
    if beat.recipient:
        return [beat.recipient], []
    if beat.story is not None:
        players = {cell["id"] for cell in plan.ctx.player_cells}
        return [cell for cell in beat.story["cells"] if cell in players], []
    return route(plan.ctx, beat)


def gate(
    plan: Plan, beat: Beat, sender: dict[str, Any], to: list[str], cc: list[str]
) -> tuple[float, list[str], list[str]] | str:
    """The exercise minute, recipients and copies of a beat once the information model allows it,
    or the reason it cannot be sent (see the module doc)."""
    ready = max(beat.minute, sender_ready(plan, beat, sender))
    if not math.isfinite(ready):
        return f"{sender['id']} never learns of the crisis (information.alert_chain)"
    minute = exercise_minute(plan, ready)
    if minute is None:
        return "outside [STARTEX, ENDEX]: it falls after the last session"
    if beat.recipient is None:
        active = {cell: plan.activation.get(cell, math.inf) for cell in to}
        first = min(active.values(), default=math.inf)
        if not math.isfinite(first):
            return f"no recipient is ever active ({', '.join(to)})"
        minute = max(minute, first)
        to = [cell for cell in to if active[cell] <= minute]
        cc = [cell for cell in cc if plan.activation.get(cell, math.inf) <= minute]
    if minute > plan.ctx.duration:
        return "outside [STARTEX, ENDEX]"
    if beat.window_end is not None and minute > beat.window_end:
        return "its sender or recipients learn of the crisis after the end of its window"
    return minute, to, cc


def route_beats(plan: Plan) -> None:
    """Stage 2: turn ``plan.beats`` into ``plan.candidates`` (sender, recipients, exercise minute)."""
    ctx = plan.ctx
    personas = {p["id"]: p for p in ctx.personas}
    for beat in plan.beats:
        if beat.members:
            # A service a person already kept an inject for (an approved report) is not told again.
            beat.members = [m for m in beat.members if beat_inject_id(m) not in plan.taken]
            beat.systems = list(dict.fromkeys(m.node for m in beat.members if m.node))
            if not beat.members:
                continue
            beat.cause = max(beat.members, key=lambda m: (m.minute, m.cause["id"])).cause
        inject_id = beat_inject_id(beat)
        if inject_id in plan.taken or any(c.inject_id == inject_id for c in plan.candidates):
            continue
        if beat.kind.skip_when_playing and ctx.plays(beat.kind.skip_when_playing):
            plan.skipped.append(f"{inject_id}: the {beat.kind.skip_when_playing} cell plays this part itself")
            continue
        sender = personas.get(beat.sender_id or "") if beat.sender_id else choose_sender(ctx, beat)
        if sender is None:
            plan.skipped.append(f"{inject_id}: no persona can send a {beat.kind.name} inject")
            continue
        to, cc = _recipients(plan, beat)
        if not to:
            plan.skipped.append(f"{inject_id}: no player cell to receive it")
            continue
        gated = gate(plan, beat, sender, to, cc)
        if not beat.sender_id and not isinstance(gated, str):
            # Told later than its cause (the sender learns later, play resumes...): whoever is at
            # work at that time tells it.
            sent_at = ctx.time_model.scenario_minute(gated[0])
            if sender["id"] in ctx.off_duty(sent_at):
                on_duty = choose_sender(ctx, beat, sent_at, strict=True)
                regated = gate(plan, beat, on_duty, to, cc) if on_duty is not None else None
                if regated is not None and not isinstance(regated, str) and regated[0] == gated[0]:
                    sender, gated = on_duty, regated
        if isinstance(gated, str):
            plan.skipped.append(f"{inject_id}: {gated}")
            continue
        minute, to, cc = gated
        plan.candidates.append(Candidate(beat, inject_id, minute, sender, to, cc))


def senders_on_duty(plan: Plan) -> None:
    """Give each placed beat whose sender is off duty at its final time (pacing moved it, a pause
    delayed it) someone of the same choice who is at work then and knows by then; a sender the
    designer named (storyline, alert chain) is kept."""
    ctx = plan.ctx
    for index, candidate in enumerate(plan.placed):
        beat = candidate.beat
        if beat.sender_id or beat.recipient:
            continue
        sent_at = ctx.time_model.scenario_minute(candidate.exercise_minute)
        if candidate.sender["id"] not in ctx.off_duty(sent_at):
            continue
        on_duty = choose_sender(ctx, beat, sent_at, strict=True)
        if on_duty is not None and sender_ready(plan, beat, on_duty) <= sent_at + 1e-9:
            plan.placed[index] = replace(candidate, sender=on_duty)
