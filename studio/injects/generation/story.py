"""Stage 1 of the generator: the beats of the story.

Three sources, woven into one list of :class:`~studio.injects.generation.plan.Beat`:

* **the scenario's storyline** (``storyline.beats``): the designer's own moments and dilemmas,
  at a fixed offset of the exercise clock or anchored to a simulated event;
* **the simulated events** (the timeline, the ground truth): the first detection gives the SOC
  alert; the first encryption in each establishment gives the call from the field, the ransom note,
  the authorities' calls, the press and the families; each clinical service that goes down or
  degraded gives an impact report, and the care network steps in for emergency and critical-care
  services; exfiltration gives the leak post, the article and phishing of patients; blocked
  restores and restarts give technical follow-ups. Non-critical services (and applications) of one
  establishment that fall together are folded into one situation point for the crisis cell
  (:func:`group_impacts`); critical services keep their own reports;
* **the alert chain**: each cell that plays from the alert (``activation: alert``) gets the call
  that activates it, from the persona who passes the alert on (see
  :mod:`studio.scenario.information`).

Each beat is a kind of :mod:`studio.injects.kinds` at a scenario minute, with its causing event.
When it is sent, by whom and to whom is decided by the next stage (routing).
"""

from __future__ import annotations

import math
import re
from typing import Any

from studio.durations import parse_minutes
from studio.injects.context import ScenarioContext, Sender
from studio.injects.generation.plan import WORDS, Beat, Plan
from studio.injects.kinds import CRITICAL_CARE_SERVICE, EMERGENCY_SERVICE, KINDS, InjectKind
from studio.injects.prompts import ServiceProfile, service_profiles
from studio.scenario.information import EXTERNAL_FUNCTIONS, FIELD_FUNCTIONS, cell_activation

_APPLICATION_KINDS = frozenset({"application", "database", "messaging", "telephony", "interface"})


_CLINICAL_EVENT_KINDS = {
    "down": "service_down",
    "degraded": "service_degraded",
    "degraded_mode_expired": "degraded_expired",
}


POINT_LINES = {"service_down": "down", "service_degraded": "degraded", "degraded_expired": "expired"}


_LOST_EVENT_KINDS = frozenset({"down", "encrypted", "isolated", "shutdown", "degraded", "internet_cut"})


GROUP_WINDOW = 30.0
"""Exercise minutes: impacts of non-critical services of one establishment starting within this
window of each other are told in one situation point."""


def _first(events: list[dict[str, Any]], kind: str) -> dict[str, Any] | None:
    return next((event for event in events if event["kind"] == kind), None)


def _after(
    kind_name: str,
    event: dict[str, Any],
    est: str | None,
    node: str | None = None,
    systems: list[str] | None = None,
) -> Beat:
    """The beat of kind ``kind_name`` caused by ``event``, its lag after the event."""
    kind = KINDS[kind_name]
    return Beat(kind, event["minute"] + kind.lag, event, est, node, list(systems or ([node] if node else [])))


def event_lookups(plan: Plan) -> tuple[dict[str, dict[str, Any]], dict[str, float]]:
    """The plan's events by id and :func:`first_hit_minutes`, computed once per plan."""
    if "event_lookups" not in plan.memo:
        by_id = {event["id"]: event for event in plan.events}
        plan.memo["event_lookups"] = (by_id, first_hit_minutes(by_id))
    return plan.memo["event_lookups"]


def plan_beats(
    ctx: ScenarioContext,
    events: list[dict[str, Any]],
    lookups: tuple[dict[str, dict[str, Any]], dict[str, float]] | None = None,
) -> list[Beat]:
    """Read the timeline events (sorted by minute) as the beats of the story (see the module doc).
    ``lookups``: :func:`event_lookups` when the caller has them."""
    beats: list[Beat] = []
    detected = _first(events, "detected")
    if detected:
        beats.append(
            _after("soc_alert", detected, ctx.establishment_of(detected.get("node")), detected.get("node"))
        )

    first_encryption: dict[str | None, dict[str, Any]] = {}
    encrypted_by_est: dict[str | None, list[dict[str, Any]]] = {}
    for event in events:
        if event["kind"] == "encrypted":
            est_of_event = ctx.establishment_of(event.get("node"))
            first_encryption.setdefault(est_of_event, event)
            if event.get("node") in ctx.systems:
                encrypted_by_est.setdefault(est_of_event, []).append(event)
    for est, event in first_encryption.items():
        # What the field sees in the first hour of encryption in this establishment.
        window = [
            e["node"]
            for e in encrypted_by_est.get(est, [])
            if event["minute"] <= e["minute"] <= event["minute"] + 60
        ]
        systems = list(dict.fromkeys(window))
        for name in ("encryption", "ars_call", "family_reception", "nurse_manager"):
            beats.append(_after(name, event, est, event.get("node"), systems))

    anchor = next(iter(first_encryption.values()), None) or detected
    if anchor is not None:
        est = ctx.establishment_of(anchor.get("node"))
        global_kinds = ["ransom_note"] if anchor["kind"] == "encrypted" else []
        global_kinds += ["cert_sante", "anssi", "prefecture", "police", "journalist_call", "social_rumour"]
        global_kinds += ["vendor_call", "noise", "union", "corruss_request", "cod_question"]
        global_kinds += ["press_authority"]
        beats.extend(_after(name, anchor, est, anchor.get("node"), []) for name in global_kinds)
        beats.extend(_ransom_beats(ctx, events, anchor, est))
        first_alarm = detected if detected and detected["minute"] <= anchor["minute"] else anchor
        beats.append(_cnil_beat(ctx, first_alarm, est))

    seen: set[tuple[str, str]] = set()
    system_beats: list[Beat] = []
    for event in events:
        node = event.get("node")
        # Only these kinds make system beats (see _system_beats): skip the rest of a long timeline.
        if (
            event["kind"] not in _CLINICAL_EVENT_KINDS
            or node not in ctx.systems
            or (node, event["kind"]) in seen
        ):
            continue
        seen.add((node, event["kind"]))
        system_beats.extend(_system_beats(ctx, event, node))
    if lookups is None:
        by_id = {event["id"]: event for event in events}
        lookups = by_id, first_hit_minutes(by_id)
    by_id, first_hit = lookups
    for beat in system_beats:
        if beat.node in ctx.systems and beat.kind.service_voice:
            lost = lost_systems(ctx, beat.node, beat.cause, by_id, first_hit)
            beat.extra["lost_nodes"] = ",".join(lost)
    beats.extend(group_impacts(ctx, system_beats))

    for event_kinds, kind_name in (
        (("restore_blocked", "restore_deadlock"), "backup_blocked"),
        (("restored",), "restored"),
    ):
        first = next((event for event in events if event["kind"] in event_kinds), None)
        if first:
            node = first.get("node")
            beats.append(_after(kind_name, first, ctx.establishment_of(node), node))
    # A beat's nodes are kept only when they are systems of the scenario (system_refs must resolve).
    for beat in beats:
        beat.systems = [node for node in beat.systems if node in ctx.systems]
        if beat.node not in ctx.systems:
            beat.node = None
    return beats


def _system_beats(ctx: ScenarioContext, event: dict[str, Any], node: str) -> list[Beat]:
    """Beats of a system's first event of a kind: clinical impacts, the care network, business impacts."""
    system = ctx.systems[node]
    est = ctx.establishment_of(node)
    if system.get("kind") == "clinical_service" and event["kind"] in _CLINICAL_EVENT_KINDS:
        beat = _after(_CLINICAL_EVENT_KINDS[event["kind"]], event, est, node)
        # Every ward reporting its outage would drown the crisis cell: only critical services
        # (criticality 4-5, emergency and critical care) are core; the others may be dropped.
        critical_care = CRITICAL_CARE_SERVICE.search(system["name"])
        emergency = EMERGENCY_SERVICE.search(system["name"])
        if system.get("criticality", 3) < 4 and not (critical_care or emergency):
            beat.priority_override = "optional"
        beats = [beat]
        if event["kind"] == "down":
            if emergency:
                beats.append(_after("samu_diversion", event, est, node))
                beats.append(_after("fallback_offer", event, est, node))
            if critical_care:
                beats.append(_after("transfer_request", event, est, node))
        return beats
    if (
        event["kind"] == "down"
        and system.get("kind") in _APPLICATION_KINDS
        and system.get("criticality", 3) >= 4
    ):
        return [_after("application_down", event, est, node)]
    return []


def service_profile(ctx: ScenarioContext, system: dict[str, Any]) -> ServiceProfile:
    """The profile of prompts/injects/clinical_impact/services.<lang>.md a system speaks with: by its
    catalogue id first, then by words of its name and id; ``default`` when nothing matches."""
    profiles = service_profiles(ctx.language)
    candidates = [p for name, p in profiles.items() if name not in {"default", "situation_point"}]
    ref = system.get("catalogue_ref")
    for profile in candidates:
        if ref and ref in profile.catalogue:
            return profile
    text = f"{system.get('name', '')} {system.get('id', '')}"
    for profile in candidates:
        if profile.matches(None, text):
            return profile
    return profiles["default"]


def is_critical(ctx: ScenarioContext, system: dict[str, Any]) -> bool:
    """Services reported on their own: critical profiles (emergency, critical care, neonatology,
    theatres, maternity, SAMU), and any service whose name says emergency or critical care."""
    name = system.get("name", "")
    return (
        service_profile(ctx, system).critical
        or bool(EMERGENCY_SERVICE.search(name))
        or bool(CRITICAL_CARE_SERVICE.search(name) and not re.search(r"oncolog|chimio|chemo", name, re.I))
    )


def group_impacts(ctx: ScenarioContext, beats: list[Beat]) -> list[Beat]:
    """Fold the impact reports of non-critical services into situation points.

    When several non-critical clinical services of one establishment fall within
    :data:`GROUP_WINDOW` exercise minutes, the crisis cell gets one ``situation_point`` listing each
    service with its workaround, instead of one call per service; several business applications
    falling together give one ``applications_point``. Critical services keep their own injects, and
    so does a service that falls alone. Care-network beats are never folded.
    """
    folded: dict[tuple[str | None, str], list[Beat]] = {}
    kept: list[Beat] = []
    for beat in beats:
        system = ctx.systems.get(beat.node or "", {})
        if beat.kind.name in POINT_LINES and not is_critical(ctx, system):
            folded.setdefault((beat.establishment, "situation_point"), []).append(beat)
        elif beat.kind.name == "application_down":
            folded.setdefault((beat.establishment, "applications_point"), []).append(beat)
        else:
            kept.append(beat)
    for (est, point_kind), members in folded.items():
        members.sort(key=lambda b: (b.minute, b.cause["id"], b.node or ""))
        groups: list[list[Beat]] = []
        start = -math.inf
        for member in members:
            minute = ctx.time_model.next_exercise_minute(member.minute)
            if groups and minute <= start + GROUP_WINDOW:
                groups[-1].append(member)
            else:
                groups.append([member])
                start = minute
        for group in groups:
            if len(group) == 1:
                kept.append(group[0])
                continue
            kind = KINDS[point_kind]
            last = max(group, key=lambda b: (b.minute, b.cause["id"]))
            point = Beat(
                kind,
                max(b.minute for b in group),
                last.cause,
                est,
                None,
                list(dict.fromkeys(b.node for b in group if b.node)),
                members=group,
            )
            point.priority_override = "core" if any(b.priority == "core" for b in group) else "optional"
            kept.append(point)
    return kept


def _ransom_beats(
    ctx: ScenarioContext, events: list[dict[str, Any]], anchor: dict[str, Any], est: str | None
) -> list[Beat]:
    """The extortion beats: the ultimatum before the ransom deadline, then the leak (published
    ``ransom.leak_after`` after the first encryption, a day by default, never before the theft) with
    the press article and phishing of patients that follow it."""
    words = WORDS[ctx.language]
    ransom = ctx.scenario["attack"].get("ransom", {})
    beats = []
    if ransom.get("deadline") and anchor["kind"] == "encrypted":
        deadline = parse_minutes(ransom["deadline"])
        left = 1440.0 if deadline > 1440 else deadline / 2
        extra = {"deadline": delay_words(left, words)}
        beats.append(Beat(KINDS["ultimatum"], anchor["minute"] + deadline - left, anchor, est, extra=extra))
    exfiltration = _first(events, "exfiltration")
    if exfiltration:
        leak_after = parse_minutes(ransom["leak_after"]) if ransom.get("leak_after") else 1440.0
        leak_minute = max(exfiltration["minute"], anchor["minute"] + leak_after)
        node = exfiltration.get("node")
        extra = {}
        for spec in ctx.scenario["attack"].get("exfiltration", []):
            if spec.get("node") == node:
                extra = {
                    "data": spec.get("data", words["data"]),
                    "volume_gb": words["gb"].format(n=spec["volume_gb"]) if "volume_gb" in spec else "",
                }
                break
        for name in ("leak_post", "leak_article", "patient_phishing"):
            lag = KINDS[name].lag
            beats.append(
                Beat(KINDS[name], leak_minute + lag, exfiltration, est, node, [node] if node else [], extra)
            )
    return beats


def delay_words(minutes: float, words: dict[str, str]) -> str:
    """A delay as people write it: whole days from 48 hours on, hours below."""
    hours = round(minutes / 60)
    if hours >= 48 and hours % 24 == 0:
        return words["days"].format(n=hours // 24)
    return words["hours"].format(n=hours)


def duration_words(minutes: float, words: dict[str, str]) -> str:
    """A short duration in words: minutes below an hour, then hours, then whole days."""
    if minutes < 60:
        return words["minutes"].format(n=round(minutes))
    if minutes < 1440 or minutes % 1440:
        hours = round(minutes / 60)
        return words["hour" if hours == 1 else "hours"].format(n=hours)
    days = round(minutes / 1440)
    return words["day" if days == 1 else "days"].format(n=days)


def first_hit_minutes(by_id: dict[str, dict[str, Any]]) -> dict[str, float]:
    """The first minute each system is hit (down, encrypted, isolated...), for :func:`lost_systems`."""
    first: dict[str, float] = {}
    for e in by_id.values():
        node = e.get("node")
        if node and e["kind"] in _LOST_EVENT_KINDS and e["minute"] < first.get(node, math.inf):
            first[node] = e["minute"]
    return first


def lost_systems(
    ctx: ScenarioContext,
    node: str,
    event: dict[str, Any],
    by_id: dict[str, dict[str, Any]],
    first_hit: dict[str, float],
) -> list[str]:
    """The dependencies a service lost by the time of ``event``: the nodes of the events that caused
    it, then its linked systems hit (down, encrypted, isolated...) before it, in link order.
    ``first_hit`` is :func:`first_hit_minutes` of ``by_id`` (computed once per timeline)."""
    lost = [
        by_id[cause]["node"]
        for cause in event.get("causes", [])
        if cause in by_id and by_id[cause].get("node") in ctx.systems
    ]
    for link in ctx.systems[node].get("links", []):
        target = link.get("target") if isinstance(link, dict) else None
        if (
            target in ctx.systems
            and first_hit.get(target, math.inf) <= event["minute"]
            and target not in lost
        ):
            lost.append(target)
    return [n for n in dict.fromkeys(lost) if n != node]


def _cnil_beat(ctx: ScenarioContext, first_alarm: dict[str, Any], est: str | None) -> Beat:
    """The 72-hour CNIL clock: a reminder at 48 h when play lasts that long, else six hours in."""
    minute = first_alarm["minute"]
    end_minute = ctx.time_model.scenario_minute(ctx.duration)
    elapsed = 2880.0 if minute + 2880 <= end_minute else 360.0
    hours_left = str(round(72 - elapsed / 60))
    return Beat(KINDS["cnil_clock"], minute + elapsed, first_alarm, est, extra={"hours_left": hours_left})


# --- the scenario's storyline -------------------------------------------------------------------

_STORY_CATEGORIES = {
    "attacker": "attacker",
    "journalist": "media",
    "social_media_watcher": "media",
    "family_member": "public",
    "patient": "public",
    "samu_regulator": "care_network",
    "fallback_hospital_manager": "care_network",
    "software_vendor": "supplier",
    "hosting_provider": "supplier",
    "telecom_provider": "supplier",
    "insurer": "supplier",
    "soc_analyst": "technical_alert",
    "managed_service_engineer": "technical_alert",
    "it_on_call": "technical_alert",
    "it_manager": "technical_alert",
    "ciso": "technical_alert",
}
"""Category of a storyline stimulus by the function of its sender (others: by group below)."""


def story_category(function: str) -> str:
    """The inject category of a stimulus sent by someone of ``function``."""
    if function in _STORY_CATEGORIES:
        return _STORY_CATEGORIES[function]
    if function in FIELD_FUNCTIONS:
        return "clinical_impact"
    if function in EXTERNAL_FUNCTIONS or function in {
        "zone_staff_officer",
        "elected_official",
        "grades_operator",
    }:
        return "authority"
    return "staff"


def _cause_at(events: list[dict[str, Any]], minute: float) -> dict[str, Any] | None:
    """The latest event at or before scenario ``minute`` (the first one when none is)."""
    past = [event for event in events if event["minute"] <= minute + 1e-9]
    return past[-1] if past else (events[0] if events else None)


def _anchor_minute(plan: Plan, anchor: dict[str, Any]) -> tuple[float, dict[str, Any]] | None:
    """Scenario minute and event of a storyline anchor, or None when the event does not happen."""
    ctx = plan.ctx
    for event in plan.events:
        if event.get("kind") != anchor.get("event"):
            continue
        if anchor.get("node") and event.get("node") != anchor["node"]:
            continue
        if anchor.get("organisation") and ctx.establishment_of(event.get("node")) != anchor["organisation"]:
            continue
        delay = parse_minutes(anchor["delay"]) if anchor.get("delay") else 0.0
        return event["minute"] + delay, event
    return None


def storyline_beats(plan: Plan) -> list[Beat]:
    """The scenario's declared beats, each as a core (or optional) stimulus from its sender.

    An anchored beat happens ``delay`` after its event on the scenario clock; when the event does not
    happen in this run, the beat falls back to its ``start`` (or is left out, noted in ``skipped``).
    """
    ctx = plan.ctx
    beats = []
    functions = plan.knowledge.functions
    for story in (plan.scenario.get("storyline") or {}).get("beats", []):
        anchored = _anchor_minute(plan, story["anchor"]) if story.get("anchor") else None
        if anchored is not None:
            minute, cause = anchored
        elif story.get("start") is not None:
            minute = ctx.time_model.scenario_minute(parse_minutes(story["start"]))
            cause = _cause_at(plan.events, minute)
        else:
            plan.skipped.append(f"story-{story['id']}: its anchor event does not happen in this run")
            continue
        if cause is None:
            plan.skipped.append(f"story-{story['id']}: the timeline has no event to rest on")
            continue
        function = functions.get(story["from"], "other")
        kind = InjectKind(
            f"story_{story['id']}",
            story_category(function),
            story.get("channel", "phone"),
            Sender(()),
            (),
            priority=story.get("priority", "core"),
        )
        sender = next((p for p in ctx.personas if p["id"] == story["from"]), None)
        establishment = (
            ctx.establishment_of(cause.get("node"))
            if sender is None or sender.get("organisation") not in ctx.organisations
            else (plan.knowledge.establishment.get(story["from"]) or ctx.establishment_of(cause.get("node")))
        )
        beat = Beat(kind, minute, cause, establishment, story=story, sender_id=story["from"])
        beat.window_end = parse_minutes(story["end"]) if story.get("end") else None
        beats.append(beat)
    return beats


# --- activation by the alert chain ----------------------------------------------------------------

_RELAY_FUNCTIONS = EXTERNAL_FUNCTIONS | {"zone_staff_officer", "elected_official", "grades_operator"}
_NETWORK_FUNCTIONS = frozenset({"samu_regulator", "fallback_hospital_manager"})
_OUTSIDE_ALERTS = {
    **dict.fromkeys(("social_media_watcher", "journalist", "family_member", "patient"), "alert_public"),
    **dict.fromkeys(
        ("hosting_provider", "software_vendor", "managed_service_engineer", "telecom_provider"),
        "alert_supplier",
    ),
}
"""People outside the hospital who alert a cell say what they read or what their own systems show,
not what staff see (« les équipes me demandent quoi faire » is neither a social-network watcher's
line nor a hosting provider's)."""


def activation_beats(plan: Plan) -> list[Beat]:
    """The call that brings each ``alert`` cell into play, from the persona who passes the alert on.

    A cell alerted by another player cell gets no inject: its players are expected to call; lint
    and the animation pack show when (an alert that does not come is the animators' cue).
    """
    beats = []
    knowledge = plan.knowledge
    personas = {p["id"]: p for p in plan.ctx.personas}
    for cell in plan.ctx.player_cells:
        if cell_activation(plan.scenario, cell) != "alert":
            continue
        minute = knowledge.knows.get(cell["id"], math.inf)
        source = knowledge.learns_from.get(cell["id"])
        if not math.isfinite(minute) or source not in personas:
            continue
        function = knowledge.functions.get(source, "other")
        if function == "attacker":
            continue
        name = _OUTSIDE_ALERTS.get(function) or (
            "alert_relay"
            if function in _RELAY_FUNCTIONS
            else "alert_network"
            if function in _NETWORK_FUNCTIONS
            else "alert_call"
        )
        cause = _cause_at(plan.events, minute)
        if cause is None:
            continue
        establishment = knowledge.establishment.get(source) or plan.ctx.establishment_of(cause.get("node"))
        if name in _OUTSIDE_ALERTS.values() and cell.get("organisation") in plan.ctx.organisations:
            # A supplier or a watcher alerts each hospital about itself, not about the first one hit.
            establishment = cell["organisation"]
        beat = Beat(KINDS[name], minute, cause, establishment, recipient=cell["id"], sender_id=source)
        beat.extra["channel"] = knowledge.channel.get(cell["id"], "phone")
        beats.append(beat)
    return beats


def add_beats(plan: Plan) -> None:
    """Stage 1: fill ``plan.beats`` from the storyline, the timeline and the alert chain."""
    plan.beats = (
        storyline_beats(plan)
        + activation_beats(plan)
        + plan_beats(plan.ctx, plan.events, event_lookups(plan))
    )
