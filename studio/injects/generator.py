"""The MSEL generator: from a timeline (the simulated ground truth) to a chronogramme of injects.

Pipeline, each step a pure function of the scenario, the timeline and the seed:

1. **Beats.** Timeline events are read as the story players live through: the first detection gives
   the SOC alert; the first encryption in each establishment gives the call from the field, the ransom
   note, the authorities' calls, the press and the families; each clinical service that goes down or
   degraded gives an impact report, and the care network steps in for emergency and critical-care
   services; exfiltration gives the leak post, the article and phishing of patients; blocked restores
   and restarts give technical follow-ups. Each beat is a kind of :mod:`studio.injects.kinds` at a
   scenario minute, with its causing event. Non-critical services (and applications) of one
   establishment that fall together are folded into one situation point for the crisis cell
   (:func:`group_impacts`); critical services keep their own reports.
2. **Clock.** The scenario minute is mapped to the exercise clock by the time model (compression and
   jumps: something that happens inside a jump is told when play resumes), then to the played
   sessions (``exercise.sessions``: something that happens while play is paused is told when the
   next session starts). Injects that would fall outside [STARTEX, ENDEX] or after the last session
   are not produced (listed in ``skipped``).
3. **Routing.** A sender persona and recipient cells are chosen from the scenario (never invented):
   impact reports come from people who can speak for the service; recipients follow the cell's role,
   its establishment or GHT, and the territorial organisations that play (SAMU, ARS, préfecture).
4. **Pacing.** No player cell receives more than ``max_injects_per_cell_per_15min`` injects in any
   15-minute window (contingency injects, held in reserve, do not count), nor two injects less than
   :data:`STAGGER` minutes apart. Core injects are placed first, then in story order; an inject that
   does not fit is moved later by 5-minute steps of play; optional ones keep room under the limit
   and are dropped when moved more than an hour, core ones only when ENDEX is reached. While more
   than half of the injects would fall in the first quarter of the played time, optional ones of
   that quarter are held back to its end (:func:`_spread`). Then quiet periods are filled: once
   the crisis has started, no player cell goes more than ``max_quiet`` minutes of a session without
   an inject; follow-ups tell the situation of that moment (:func:`sustain`).
5. **Text.** The offline provider renders the kind's template in the exercise language, the variant
   chosen by the seed; every message starts with the safety marking. Impact reports are filled with
   the service's degraded mode, lost systems and the lines of its service profile
   (``prompts/injects/clinical_impact/services.<lang>.md``), taken in turn per kind of service.
6. **Objectives, numbers, contingencies.** Objectives are linked by theme; an objective left without
   an inject is attached to the earliest core inject of its cells. Injects are numbered ``g.k`` by
   event group and sorted by offset. Core injects of some kinds get a contingency inject.

Regeneration keeps every inject a person edited, reviewed, approved or rejected, and every manual or
imported one (:func:`is_protected`); generated injects are placed around them.
"""

from __future__ import annotations

import bisect
import copy
import hashlib
import itertools
import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from studio.durations import format_minutes, parse_minutes
from studio.injects.context import ScenarioContext
from studio.injects.kinds import (
    CATEGORY_THEMES,
    CONTINGENCY_FOLDER,
    CRITICAL_CARE_SERVICE,
    EMERGENCY_SERVICE,
    KINDS,
    THEMES,
    InjectKind,
)
from studio.injects.prompts import (
    InjectTemplate,
    ServiceProfile,
    inject_templates,
    render,
    service_profiles,
)
from studio.injects.wording import channel_for, name_list, preposition_values
from studio.scenario.timemodel import next_played_minute, played_windows

Progress = Callable[[int, int, str], None]
"""progress(done, total, label): called as each inject is written (label: its id). Contingency
injects ride along with the inject they back up and are not counted."""

DEFAULT_MAX_PER_15MIN = 4
PACING_WINDOW = 15.0
PACING_STEP = 5.0
OPTIONAL_MAX_SHIFT = 60.0
STAGGER = 5.0
"""Exercise minutes between two injects to the same player cell: injects that fall on the same
minutes (a compressed segment, the start of a session) are told one after the other."""
FRONT_MAX_HOLD = 180.0
"""Exercise minutes an optional inject may be held back so that the MSEL is not front-loaded."""
DEFAULT_MAX_QUIET = 60.0
"""Default longest stretch of play (exercise minutes) a player cell goes without an inject once the
crisis has started; quiet periods are filled with follow-ups of the situation (see :func:`sustain`)."""
CONTINGENCY_DELAY = 20.0
"""Exercise minutes after an inject at which its contingency is played if nothing happened."""

_APPLICATION_KINDS = frozenset({"application", "database", "messaging", "telephony", "interface"})
_CLINICAL_EVENT_KINDS = {
    "down": "service_down",
    "degraded": "service_degraded",
    "degraded_mode_expired": "degraded_expired",
}
_POINT_LINES = {"service_down": "down", "service_degraded": "degraded", "degraded_expired": "expired"}
_LOST_EVENT_KINDS = frozenset({"down", "encrypted", "isolated", "shutdown", "degraded", "internet_cut"})
_GENERIC_PROFILES = frozenset({"default", "situation_point", "wards"})
"""Profiles whose people (nurse managers, ward nurses) may speak for any service."""
GROUP_WINDOW = 30.0
"""Exercise minutes: impacts of non-critical services of one establishment starting within this
window of each other are told in one situation point."""

_WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "actor": "un groupe non identifié",
        "amount": "une somme non précisée",
        "hours": "{n} heures",
        "days": "{n} jours",
        "data": "des données de patients et de personnels",
        "leak_site": "leur site de revendication",
        "fallback": "l'établissement de repli désigné par l'ARS",
        "samu": "le SAMU",
        "unknown": "non précisé",
        "information_system": "le système d'information",
        "volume": "volume non précisé",
        "gb": "{n:g} Go",
        "date": "%d/%m/%Y",
        "time": "{h:02d}h{m:02d}",
        "minutes": "{n} minutes",
        "hour": "{n} heure",
        "day": "{n} jour",
        "no_limit": "sans limite fixée",
        "no_procedure": "aucune procédure dégradée n'est décrite dans le plan de continuité.",
        "no_delay": "non précisé",
        "none_yet": "aucun pour l'instant",
        "none_left": "plus aucun",
    },
    "en": {
        "actor": "an unidentified group",
        "amount": "an unspecified sum",
        "hours": "{n} hours",
        "days": "{n} days",
        "data": "patient and staff data",
        "leak_site": "their leak site",
        "fallback": "the fallback hospital designated by the health agency",
        "samu": "the emergency medical service",
        "unknown": "unknown",
        "information_system": "the information system",
        "volume": "undisclosed volume",
        "gb": "{n:g} GB",
        "date": "%Y-%m-%d",
        "time": "{h:02d}:{m:02d}",
        "minutes": "{n} minutes",
        "hour": "{n} hour",
        "day": "{n} day",
        "no_limit": "no set limit",
        "no_procedure": "no downtime procedure is described in the continuity plan.",
        "no_delay": "unspecified",
        "none_yet": "none yet",
        "none_left": "none left",
    },
}


class GenerationError(Exception):
    """The generator cannot run on this scenario (e.g. no timeline can be obtained)."""


@dataclass
class Beat:
    """A planned inject before routing and text: a kind, a scenario minute and what caused it."""

    kind: InjectKind
    minute: float
    cause: dict[str, Any]
    establishment: str | None
    node: str | None = None
    systems: list[str] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)
    priority_override: str | None = None
    members: list[Beat] = field(default_factory=list)
    """The service beats a situation point gathers (empty for other beats)."""
    rotation: int = 0
    """Which variant of the service lines to use (set when the MSEL is written)."""
    variant_turn: int | None = None
    """Which template variant to use, for kinds that take turns (None: drawn with the seed)."""

    @property
    def priority(self) -> str:
        return self.priority_override or self.kind.priority

    @property
    def cause_ids(self) -> list[str]:
        """The events that cause the beat: its own, or those of the beats it gathers."""
        if not self.members:
            return [self.cause["id"]]
        return sorted({member.cause["id"] for member in self.members})


@dataclass
class GenerationResult:
    """What :func:`generate_msel` did: the new scenario and an account for the designer."""

    scenario: dict[str, Any]
    generated: list[str] = field(default_factory=list)
    """Ids of the injects written by this run."""
    kept: list[str] = field(default_factory=list)
    """Ids of protected injects left as they were."""
    skipped: list[str] = field(default_factory=list)
    """Beats not produced, with the reason (no sender, outside the exercise, pacing)."""
    notes: list[str] = field(default_factory=list)
    """Messages of the text provider (e.g. an LLM answer refused and the offline text kept)."""


def is_protected(inject: dict[str, Any]) -> bool:
    """True when regeneration must leave the inject alone: a person touched it or wrote it."""
    provenance = inject.get("provenance", {})
    return (
        inject.get("status", "draft") != "draft"
        or bool(provenance.get("edited"))
        or provenance.get("source", "manual") in {"manual", "import"}
    )


def _inject_id(*parts: str) -> str:
    """A schema-valid id from parts; long ones are shortened with a hash so they stay stable."""
    raw = "-".join(re.sub(r"[^A-Za-z0-9_.-]", "-", part) for part in parts)
    if len(raw) <= 64:
        return raw
    digest = hashlib.sha1(raw.encode()).hexdigest()[:10]
    return f"{raw[:40]}-{digest}-{parts[-1][:12]}"[:64]


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


def plan_beats(ctx: ScenarioContext, events: list[dict[str, Any]]) -> list[Beat]:
    """Read the timeline events (sorted by minute) as the beats of the story (see the module doc)."""
    beats: list[Beat] = []
    detected = _first(events, "detected")
    if detected:
        beats.append(
            _after("soc_alert", detected, ctx.establishment_of(detected.get("node")), detected.get("node"))
        )

    first_encryption: dict[str | None, dict[str, Any]] = {}
    for event in events:
        if event["kind"] == "encrypted":
            first_encryption.setdefault(ctx.establishment_of(event.get("node")), event)
    for est, event in first_encryption.items():
        # What the field sees in the first hour of encryption in this establishment.
        window = [
            e["node"]
            for e in events
            if e["kind"] == "encrypted"
            and e.get("node") in ctx.systems
            and ctx.establishment_of(e["node"]) == est
            and event["minute"] <= e["minute"] <= event["minute"] + 60
        ]
        systems = sorted(set(window), key=window.index)
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
        if node not in ctx.systems or (node, event["kind"]) in seen:
            continue
        seen.add((node, event["kind"]))
        system_beats.extend(_system_beats(ctx, event, node))
    by_id = {event["id"]: event for event in events}
    for beat in system_beats:
        if beat.node in ctx.systems and beat.kind.service_voice:
            lost = _lost_systems(ctx, beat.node, beat.cause, by_id)
            beat.extra["lost_systems"] = ", ".join(ctx.systems[n]["name"] for n in lost)
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


def _is_critical(ctx: ScenarioContext, system: dict[str, Any]) -> bool:
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
        if beat.kind.name in _POINT_LINES and not _is_critical(ctx, system):
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
    words = _WORDS[ctx.language]
    ransom = ctx.scenario["attack"].get("ransom", {})
    beats = []
    if ransom.get("deadline") and anchor["kind"] == "encrypted":
        deadline = parse_minutes(ransom["deadline"])
        left = 1440.0 if deadline > 1440 else deadline / 2
        extra = {"deadline": _delay_words(left, words)}
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


def _delay_words(minutes: float, words: dict[str, str]) -> str:
    """A delay as people write it: whole days from 48 hours on, hours below."""
    hours = round(minutes / 60)
    if hours >= 48 and hours % 24 == 0:
        return words["days"].format(n=hours // 24)
    return words["hours"].format(n=hours)


def _duration_words(minutes: float, words: dict[str, str]) -> str:
    """A short duration in words: minutes below an hour, then hours, then whole days."""
    if minutes < 60:
        return words["minutes"].format(n=round(minutes))
    if minutes < 1440 or minutes % 1440:
        hours = round(minutes / 60)
        return words["hour" if hours == 1 else "hours"].format(n=hours)
    days = round(minutes / 1440)
    return words["day" if days == 1 else "days"].format(n=days)


def _lost_systems(
    ctx: ScenarioContext, node: str, event: dict[str, Any], by_id: dict[str, dict[str, Any]]
) -> list[str]:
    """The dependencies a service lost by the time of ``event``: the nodes of the events that caused
    it, then its linked systems hit (down, encrypted, isolated...) before it, in link order."""
    lost = [
        by_id[cause]["node"]
        for cause in event.get("causes", [])
        if cause in by_id and by_id[cause].get("node") in ctx.systems
    ]
    hit = {
        e["node"]
        for e in by_id.values()
        if e["kind"] in _LOST_EVENT_KINDS and e["minute"] <= event["minute"] and e.get("node")
    }
    for link in ctx.systems[node].get("links", []):
        target = link.get("target") if isinstance(link, dict) else None
        if target in ctx.systems and target in hit and target not in lost:
            lost.append(target)
    return [n for n in dict.fromkeys(lost) if n != node]


def _cnil_beat(ctx: ScenarioContext, first_alarm: dict[str, Any], est: str | None) -> Beat:
    """The 72-hour CNIL clock: a reminder at 48 h when play lasts that long, else six hours in."""
    minute = first_alarm["minute"]
    end_minute = ctx.time_model.scenario_minute(ctx.duration)
    elapsed = 2880.0 if minute + 2880 <= end_minute else 360.0
    hours_left = str(round(72 - elapsed / 60))
    return Beat(KINDS["cnil_clock"], minute + elapsed, first_alarm, est, extra={"hours_left": hours_left})


@dataclass
class _Candidate:
    """A beat with its id, exercise minute, sender and recipients, waiting for pacing and text."""

    beat: Beat
    inject_id: str
    exercise_minute: float
    sender: dict[str, Any]
    to: list[str]
    cc: list[str]


def _route(ctx: ScenarioContext, beat: Beat) -> tuple[list[str], list[str]]:
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


def _sender(ctx: ScenarioContext, beat: Beat) -> dict[str, Any] | None:
    """The persona who sends a beat: for impact reports, someone who can speak for the service
    (see :meth:`ScenarioContext.service_sender`), else the kind's usual sender."""
    if beat.kind.service_voice:
        system = ctx.systems.get(beat.node or "") or ctx.systems.get((beat.systems or [""])[0], {})
        profile = service_profile(ctx, system) if system and not beat.members else None
        words = profile.sender_words if profile else ""
        others = "|".join(
            f"(?:{p.sender_words})"
            for p in service_profiles(ctx.language).values()
            if p.sender_words and p.name not in _GENERIC_PROFILES and p is not profile
        )
        rotation = _service_rank(ctx, beat.node, beat.establishment) if not beat.members else 0
        found = ctx.service_sender(beat.establishment, words, rotation, others)
        if found is not None:
            return found
    return ctx.sender(beat.kind.sender, beat.establishment)


def _service_rank(ctx: ScenarioContext, node: str | None, establishment: str | None) -> int:
    """Position of a system among the establishment's systems of its kind (id order): a stable
    spread of services over the people who can report them."""
    if node not in ctx.systems:
        return 0
    kind = ctx.systems[node].get("kind")
    same = sorted(
        sid
        for sid, spec in ctx.systems.items()
        if spec.get("kind") == kind and ctx.establishment_of(sid) == establishment
    )
    return same.index(node) if node in same else 0


def _window_load(times: list[float], extra: float) -> int:
    """Largest number of injects in a half-open 15-minute window that contains ``extra``."""
    all_times = sorted([*times, extra])
    return max(
        sum(1 for t in all_times if start <= t < start + PACING_WINDOW)
        for start in all_times
        if extra - PACING_WINDOW < start <= extra
    )


def paced_minutes(times_by_cell: dict[str, list[float]], cells: list[str], minute: float, limit: int) -> bool:
    """True when adding an inject at ``minute`` for ``cells`` keeps every cell within ``limit``."""
    return all(_window_load(times_by_cell.get(cell, []), minute) <= limit for cell in cells)


def _offset_minutes(inject: dict[str, Any]) -> float:
    return parse_minutes(inject["offset"])


def counts_for_pacing(inject: dict[str, Any]) -> bool:
    """Injects delivered to players count towards a cell's load; reserve and control ones do not."""
    return not inject.get("contingency") and inject.get("visibility", "players") == "players"


def _fits(times_by_cell: dict[str, list[float]], cells: list[str], minute: float, limit: int) -> bool:
    """True when ``minute`` keeps every cell within ``limit`` per 15 minutes and at least
    :data:`STAGGER` minutes away from the cell's other injects."""
    return all(
        all(abs(t - minute) >= STAGGER - 1e-9 for t in times_by_cell.get(cell, [])) for cell in cells
    ) and paced_minutes(times_by_cell, cells, minute, limit)


def _cell_times(fixed: list[dict[str, Any]], placed: list[_Candidate]) -> dict[str, list[float]]:
    """Exercise minutes of the injects each player cell receives (those that count for pacing)."""
    times_by_cell: dict[str, list[float]] = {}
    for inject in fixed:
        if counts_for_pacing(inject):
            for cell in inject["to"]:
                times_by_cell.setdefault(cell, []).append(_offset_minutes(inject))
    for candidate in placed:
        for cell in candidate.to:
            times_by_cell.setdefault(cell, []).append(candidate.exercise_minute)
    return times_by_cell


def _place(
    ctx: ScenarioContext,
    candidates: list[_Candidate],
    fixed: list[dict[str, Any]],
    limit: int,
    skipped: list[str],
    windows: list[tuple[float, float]],
) -> list[_Candidate]:
    """Stagger the candidates: core ones first, then in the order of the story (scenario minute,
    event); each at its minute or the first later one, by 5-minute steps inside the played sessions,
    where its cells stay within the pacing limit and :data:`STAGGER` minutes apart. Optional ones
    moved more than :data:`OPTIONAL_MAX_SHIFT` minutes of play are dropped."""
    times_by_cell = _cell_times(fixed, [])
    order = sorted(
        candidates,
        key=lambda c: (
            c.beat.priority != "core",
            c.exercise_minute,
            c.beat.minute,
            c.beat.cause["id"],
            c.inject_id,
        ),
    )
    placed = []
    for candidate in order:
        minute: float | None = candidate.exercise_minute
        optional = candidate.beat.priority == "optional"
        max_shift = OPTIONAL_MAX_SHIFT if optional else ctx.duration
        # Optional injects leave room under the limit: a burst of the story is told by its core
        # injects first, the rest comes a little later.
        room = max(1, limit - 1) if optional else limit
        shift = 0.0
        while minute is not None and minute <= ctx.duration and shift <= max_shift:
            if _fits(times_by_cell, candidate.to, minute, room):
                break
            # Pauses between sessions do not count in the shift: only minutes of play do.
            following = next_played_minute(windows, minute + PACING_STEP)
            shift += PACING_STEP
            minute = following
        if minute is None or minute > ctx.duration or shift > max_shift:
            skipped.append(f"{candidate.inject_id}: no room for cells {', '.join(candidate.to)} (pacing)")
            continue
        candidate.exercise_minute = minute
        for cell in candidate.to:
            times_by_cell.setdefault(cell, []).append(minute)
        placed.append(candidate)
    return placed


_SUSTAIN_KINDS: dict[str, tuple[str, ...]] = {
    "technical": ("restore_progress", "cert_sante", "anssi", "vendor_call"),
    "strategic": (
        "situation",
        "situation_request",
        "decision_prompt",
        "restoration",
        "police",
        "noise",
        "union",
    ),
    "care": ("service", "fatigue_followup", "nurse_manager", "family_reception"),
    "communication": ("media_followup", "journalist_call", "social_rumour", "patient_phishing"),
    "territorial_ars": ("corruss_request", "press_authority"),
    "territorial_prefecture": ("cod_question", "press_authority"),
    "territorial_samu": ("network",),
}
"""Follow-ups that keep each role of player cell busy, taken in turn (see :func:`sustain`): the
current state of the services (``service``, ``situation``), restoration progress
(``restoration``, ``restore_progress``), the care network's requests for a service still down
(``network``), the follow-up kinds written for it (situation request, decision prompt, fatigue,
press calling back) and kinds whose text stands on its own at any point of the crisis
(authorities, media, staff)."""
_DYNAMIC_FOLLOW_UPS = frozenset({"service", "situation", "network", "restoration", "restore_progress"})
"""Follow-ups whose text tells the situation of their time: they may come back as often as needed.
The others are told at most once per variant in an MSEL, and once per cell and session while the
cell has other kinds to hear."""
_ONCE_PER_SESSION = frozenset({"police", "noise", "union"})
"""Background calls a cell hears at most once per session, even when nothing else fits."""
_SITUATION_SIZE = 8
"""Most services listed in one follow-up situation point."""


class _Situation:
    """The state of the crisis at scenario minutes, from the timeline (studio.propagation.state_at)."""

    def __init__(self, ctx: ScenarioContext, events: list[dict[str, Any]]) -> None:
        from studio.propagation import state_at

        self.ctx = ctx
        self.events = events
        self.by_id = {event["id"]: event for event in events}
        self._state_at = state_at
        self._timeline = {"events": events}
        self._minutes = [event["minute"] for event in events]
        self._states: dict[int, dict[str, Any]] = {}
        self._affected: dict[tuple[int, str | None], list[tuple[str, str]]] = {}
        self._latest: dict[tuple[int, str | None, str | None], dict[str, Any] | None] = {}
        self._lost: dict[tuple[str, str], str] = {}
        self._scopes: dict[str | None, list[str]] = {}
        self._critical: dict[str, bool] = {}
        self.told_restored: set[str] = set()
        self.told_progress: set[str] = set()
        self.told: set[Any] = set()
        self.impacts_left = (
            sum(1 for spec in ctx.systems.values() if spec.get("kind") == "clinical_service") - 1
        )
        """Impact reports (clinical and business) the MSEL may still hold: fewer than services."""
        """What clinical follow-ups already told: (service, report kind) pairs and the sets of them
        situation points listed, so that no report is told twice in the same words."""

    def tell(self, beat: Beat) -> None:
        """Note what a clinical beat tells (see :attr:`told`)."""
        if beat.kind.category in {"clinical_impact", "business_impact"}:
            self.impacts_left -= 1
        pairs = frozenset((m.node, m.kind.name) for m in beat.members or [beat] if m.node)
        self.told.update(pairs)
        if beat.members:
            self.told.add(pairs)

    def state(self, minute: float) -> dict[str, Any]:
        count = self._count(minute)
        if count not in self._states:
            self._states[count] = self._state_at(self.ctx.scenario, self._timeline, minute + 1e-9)
        return self._states[count]

    def _count(self, minute: float) -> int:
        return bisect.bisect_right(self._minutes, minute + 1e-9)

    def past(self, minute: float) -> list[dict[str, Any]]:
        """Events at or before ``minute`` (the timeline is sorted), latest last."""
        return self.events[: self._count(minute)]

    def latest(self, minute: float, node: str | None = None, est: str | None = None) -> dict[str, Any] | None:
        """The latest event at or before ``minute``: on ``node``, else on a system of ``est``, else any."""
        key = (self._count(minute), node, est)
        if key not in self._latest:
            self._latest[key] = self._find_latest(minute, node, est)
        return self._latest[key]

    def critical(self, node: str) -> bool:
        """Whether the service ``node`` is critical (see :func:`_is_critical`), cached."""
        if node not in self._critical:
            self._critical[node] = _is_critical(self.ctx, self.ctx.systems[node])
        return self._critical[node]

    def scope(self, est: str | None) -> list[str]:
        """The systems of ``est`` (all when None), id order, cached."""
        if est not in self._scopes:
            of = self.ctx.establishment_of
            self._scopes[est] = [sid for sid in sorted(self.ctx.systems) if est is None or of(sid) == est]
        return self._scopes[est]

    def lost_systems(self, node: str, cause: dict[str, Any]) -> str:
        """Names of the systems ``node`` lost by ``cause`` (see :func:`_lost_systems`), cached."""
        key = (node, cause["id"])
        if key not in self._lost:
            lost = _lost_systems(self.ctx, node, cause, self.by_id)
            self._lost[key] = ", ".join(self.ctx.systems[n]["name"] for n in lost)
        return self._lost[key]

    def _find_latest(self, minute: float, node: str | None, est: str | None) -> dict[str, Any] | None:
        past = self.past(minute)[::-1]
        for keep in (
            (lambda e: e.get("node") == node) if node else None,
            (lambda e: self.ctx.establishment_of(e.get("node")) == est and e.get("node") in self.ctx.systems)
            if est
            else None,
            lambda e: True,
        ):
            if keep is None:
                continue
            found = next((event for event in past if keep(event)), None)
            if found is not None:
                return found
        return None

    def affected_services(self, minute: float, est: str | None) -> list[tuple[str, str]]:
        """Clinical services of ``est`` (any establishment when None) down or degraded at ``minute``,
        most critical first, with the kind of report their state gives."""
        key = (self._count(minute), est)
        if key not in self._affected:
            self._affected[key] = self._affected_services(minute, est)
        return self._affected[key]

    def _affected_services(self, minute: float, est: str | None) -> list[tuple[str, str]]:
        states = self.state(minute)
        expired = {e["node"] for e in self.past(minute) if e["kind"] == "degraded_mode_expired"}
        found = []
        for sid, system in self.ctx.systems.items():
            if system.get("kind") != "clinical_service" or sid not in states:
                continue
            if est is not None and self.ctx.establishment_of(sid) != est:
                continue
            function = states[sid].function
            if function == "up" and not states[sid].isolated:
                continue
            kind = "service_degraded" if function == "degraded" else "service_down"
            if sid in expired and function != "up":
                kind = "degraded_expired"
            found.append((sid, kind))
        return sorted(found, key=lambda item: (-self.ctx.systems[item[0]].get("criticality", 3), item[0]))


def _sustain_beat(
    ctx: ScenarioContext, situation: _Situation, name: str, minute: float, est: str | None, turn: int
) -> Beat | None:
    """The follow-up beat ``name`` at scenario ``minute`` for establishment ``est``, built from the
    situation at that minute (None when it has nothing to tell); its cause is the latest event it
    speaks of, never a later one."""
    if name in {"service", "situation"} and situation.impacts_left <= 0:
        return None
    if name in {"service", "situation", "network"}:
        affected = situation.affected_services(minute, None if name == "network" else est)
        if name == "network":
            affected = [
                (sid, kind)
                for sid, kind in affected
                if EMERGENCY_SERVICE.search(ctx.systems[sid]["name"])
                or CRITICAL_CARE_SERVICE.search(ctx.systems[sid]["name"])
            ]
        if not affected:
            return None
        members = []
        for sid, kind in affected:
            cause = situation.latest(minute, sid)
            if cause is None:
                continue
            member = Beat(KINDS[kind], minute, cause, ctx.establishment_of(sid), sid, [sid])
            member.extra["lost_systems"] = situation.lost_systems(sid, cause)
            members.append(member)
        # As in the first reports: critical services speak for themselves, the others are told
        # together in a situation point (of two services at least).
        critical = {m.node for m in members if situation.critical(m.node or "")}
        if name == "service":
            members = [
                m for m in members if m.node in critical and (m.node, m.kind.name) not in situation.told
            ]
        elif name == "situation":
            members = [m for m in members if m.node not in critical][:_SITUATION_SIZE]
            if len(members) < 2 or frozenset((m.node, m.kind.name) for m in members) in situation.told:
                return None
        if not members:
            return None
        if name == "situation":
            last = max(members, key=lambda b: (b.cause["minute"], b.cause["id"]))
            return Beat(
                KINDS["situation_point"],
                minute,
                last.cause,
                est,
                None,
                [m.node for m in members if m.node],
                members=members,
                priority_override="optional",
            )
        member = members[turn % len(members)]
        if name == "network":
            emergency = EMERGENCY_SERVICE.search(ctx.systems[member.node or ""]["name"])
            kind = KINDS["fallback_offer" if emergency else "transfer_request"]
            return Beat(kind, minute, member.cause, member.establishment, member.node, [member.node or ""])
        member.priority_override = "optional"
        return member
    if name == "restoration":
        states = situation.state(minute)
        scope = situation.scope(est)
        restored = [
            e
            for e in situation.past(minute)
            if e["kind"] == "restored" and e.get("node") in scope and e["node"] not in situation.told_restored
        ]
        if restored:
            event = max(restored, key=lambda e: (ctx.systems[e["node"]].get("criticality", 3), e["minute"]))
            situation.told_restored.add(event["node"])
            return Beat(KINDS["restored"], minute, event, ctx.establishment_of(event["node"]), event["node"])
        blocked = [
            sid
            for sid in scope
            if ctx.systems[sid].get("kind") != "clinical_service"
            and states.get(sid) is not None
            and (states[sid].security in {"encrypted", "restoring"} or states[sid].function == "down")
        ]
        if not blocked:
            return None
        blocked.sort(key=lambda sid: (-ctx.systems[sid].get("criticality", 3), sid))
        node = blocked[turn % min(len(blocked), 5)]
        cause = situation.latest(minute, node)
        if cause is None:
            return None
        return Beat(KINDS["backup_blocked"], minute, cause, ctx.establishment_of(node), node)
    if name == "restore_progress":
        return _progress_beat(ctx, situation, minute, est)
    if name == "patient_phishing" and not any(e["kind"] == "exfiltration" for e in situation.past(minute)):
        return None
    cause = situation.latest(minute, None, est)
    if cause is None:
        return None
    beat = Beat(KINDS[name], minute, cause, est)
    if name == "fatigue_followup":
        # Counted from the first alarm (the attacker's quiet weeks before it do not tire anyone).
        alarms = [e["minute"] for e in situation.events if e["kind"] in {"detected", "encrypted"}]
        start = min(alarms, default=situation.events[0]["minute"] if situation.events else minute)
        beat.extra["hours_on_duty"] = str(max(1, round((minute - start) / 60)))
    return beat


def _progress_beat(
    ctx: ScenarioContext, situation: _Situation, minute: float, est: str | None
) -> Beat | None:
    """Restoration progress of ``est``: the systems restored since the last progress told, and
    those still encrypted or down (most critical first); None when there is neither."""
    states = situation.state(minute)
    scope = situation.scope(est)
    restored = [
        e
        for e in situation.past(minute)
        if e["kind"] == "restored" and e.get("node") in scope and e["node"] not in situation.told_progress
    ]
    pending = sorted(
        (
            sid
            for sid in scope
            if ctx.systems[sid].get("kind") != "clinical_service"
            and states.get(sid) is not None
            and (states[sid].security in {"encrypted", "restoring"} or states[sid].function == "down")
        ),
        key=lambda sid: (-ctx.systems[sid].get("criticality", 3), sid),
    )[:4]
    if not restored and not pending:
        return None
    done = list(dict.fromkeys(e["node"] for e in restored))[:4]
    pending = [sid for sid in pending if sid not in done]
    causes = [e for e in restored if e["node"] in done] + [
        c for c in (situation.latest(minute, sid) for sid in pending) if c is not None
    ]
    if not causes:
        return None
    cause = max(causes, key=lambda e: (e["minute"], e["id"]))
    situation.told_progress.update(done)
    words = _WORDS[ctx.language]
    beat = Beat(KINDS["restore_progress"], minute, cause, est, (done or pending)[0], [*done, *pending])
    beat.extra["restored_systems"] = name_list([ctx.systems[n]["name"] for n in done]) or words["none_yet"]
    beat.extra["pending_systems"] = name_list([ctx.systems[n]["name"] for n in pending]) or words["none_left"]
    return beat


def _cell_establishment(
    ctx: ScenarioContext, cell: dict[str, Any], situation: _Situation, minute: float
) -> str | None:
    """The establishment a cell's follow-ups speak of: its own hospital, else the most affected one."""
    org = cell.get("organisation")
    if ctx.org_type(org) in {"hospital", "university_hospital"}:
        return org
    affected = situation.affected_services(minute, None)
    counts: dict[str | None, int] = {}
    for sid, _ in affected:
        est = ctx.establishment_of(sid)
        counts[est] = counts.get(est, 0) + 1
    if counts:
        return min(counts, key=lambda est: (-counts[est], est or ""))
    return ctx.main_establishment


def sustain(
    ctx: ScenarioContext,
    events: list[dict[str, Any]],
    placed: list[_Candidate],
    fixed: list[dict[str, Any]],
    limit: int,
    windows: list[tuple[float, float]],
    max_quiet: float,
    taken: set[str],
    skipped: list[str],
) -> list[_Candidate]:
    """Follow-up injects so that, once the crisis has started (the first inject), no player cell
    goes more than ``max_quiet`` minutes of a played session without an inject.

    Each quiet stretch gets a follow-up as late as it may come (at most ``max_quiet`` after the last
    inject or the start of the session), within the pacing limit. Its kind is taken in turn from
    :data:`_SUSTAIN_KINDS` for the cell's role; it tells the situation of that moment read from the
    timeline (services still down or degraded, restoration progress, the care network, authorities'
    situation requests, media and staff), cites the latest events it speaks of, is optional and has
    no contingency. A cell for which no kind has a sender or reaches it is left as it is.
    """
    times_by_cell = _cell_times(fixed, placed)
    starts = [t for times in times_by_cell.values() for t in times]
    if not starts or not events:
        return []
    crisis_start = min(starts)
    situation = _Situation(ctx, events)
    for candidate in placed:
        if candidate.beat.kind.service_voice:
            situation.tell(candidate.beat)
    added: list[_Candidate] = []
    turns: dict[str, int] = {}
    told: dict[str, int] = {}
    for start, end in windows:
        anchor = max(start, crisis_start)
        if anchor >= end:
            continue
        heard: set[tuple[str, str]] = set()
        for cell in ctx.player_cells:
            cell_id = cell["id"]
            names: list[str] = []
            for role in sorted(ctx.cell_roles(cell)):
                names += [n for n in _SUSTAIN_KINDS.get(role, ()) if n not in names]
            if not names:
                continue
            while True:
                times = sorted(t for t in times_by_cell.get(cell_id, []) if anchor <= t <= end)
                points = [anchor, *times, end]
                gap = next(((a, b) for a, b in itertools.pairwise(points) if b - a > max_quiet), None)
                if gap is None:
                    break
                candidate = _sustain_candidate(
                    ctx,
                    situation,
                    cell,
                    names,
                    gap,
                    max_quiet,
                    times_by_cell,
                    limit,
                    turns,
                    taken,
                    (told, heard),
                )
                if candidate is None:
                    skipped.append(
                        f"{cell_id}: no follow-up fits between exercise minutes {gap[0]:g} and {gap[1]:g}"
                    )
                    break
                taken.add(candidate.inject_id)
                for target in candidate.to:
                    times_by_cell.setdefault(target, []).append(candidate.exercise_minute)
                added.append(candidate)
    return added


def _sustain_candidate(
    ctx: ScenarioContext,
    situation: _Situation,
    cell: dict[str, Any],
    names: list[str],
    gap: tuple[float, float],
    max_quiet: float,
    times_by_cell: dict[str, list[float]],
    limit: int,
    turns: dict[str, int],
    taken: set[str],
    memory: tuple[dict[str, int], set[tuple[str, str]]],
) -> _Candidate | None:
    """A follow-up for ``cell`` inside the quiet stretch ``gap``: the latest minute that fits the
    pacing (going back by 5-minute steps), the first kind in the cell's turn that has something to
    tell, a sender and reaches the cell.

    ``memory`` holds how many times each kind was told in the MSEL (its variants are taken in turn;
    a fixed-text kind is told again only when nothing else fits, so that texts do not come back) and
    which kinds each cell heard in this session (heard again only when no other kind fits)."""
    told, heard = memory
    low, high = gap
    top = math.floor(min(low + max_quiet, high))
    # As late as the gap allows, going back to its start; else later (the gap at least shrinks).
    steps = int((top - low) // PACING_STEP)
    minutes = [float(top - PACING_STEP * n) for n in range(steps + 1)]
    minutes += [float(top + PACING_STEP * n) for n in range(1, int((high - top) // PACING_STEP) + 1)]
    cell_id = cell["id"]
    turn = turns.get(cell_id, 0)
    # Kinds the cell has not heard in this session, then those it has (each while its variants last),
    # at each minute from the latest; a text told again only when nothing else fits at all.
    tries = [*itertools.product(minutes, (0, 1)), *((minute, 2) for minute in minutes)]
    for minute, reuse in tries:
        scenario_minute = ctx.time_model.scenario_minute(minute)
        est = _cell_establishment(ctx, cell, situation, scenario_minute)
        for step in range(len(names)):
            name = names[(turn + step) % len(names)]
            dynamic = name in _DYNAMIC_FOLLOW_UPS
            if (reuse == 0 or name in _ONCE_PER_SESSION) and (cell_id, name) in heard:
                continue
            worn = not dynamic and told.get(name, 0) >= len(
                inject_templates(KINDS[name].category, ctx.language)[name]
            )
            if (reuse == 2) != worn or (reuse == 1 and (cell_id, name) not in heard):
                continue
            beat = _sustain_beat(ctx, situation, name, scenario_minute, est, turn // len(names))
            if beat is None:
                continue
            if beat.kind.skip_when_playing and ctx.plays(beat.kind.skip_when_playing):
                continue
            beat.priority_override = "optional"
            beat.systems = [node for node in beat.systems if node in ctx.systems]
            if beat.node not in ctx.systems:
                beat.node = None
            to, cc = _route(ctx, beat)
            if cell_id not in to or not _fits(times_by_cell, to, minute, limit):
                continue
            sender = _sender(ctx, beat)
            if sender is None:
                continue
            inject_id = _inject_id("inj", "sustain", cell_id, f"{minute:g}", name)
            if inject_id in taken:
                continue
            turns[cell_id] = turn + step + 1
            heard.add((cell_id, name))
            if not beat.kind.service_voice:
                beat.variant_turn = told.get(beat.kind.name, 0)
                told[beat.kind.name] = beat.variant_turn + 1
            if beat.kind.service_voice:
                situation.tell(beat)
            return _Candidate(beat, inject_id, minute, sender, to, cc)
    return None


def quarter_minute(windows: list[tuple[float, float]]) -> float:
    """Exercise minute at which a quarter of the played time (the sessions) has gone by."""
    left = sum(end - start for start, end in windows) / 4
    for start, end in windows:
        if left <= end - start:
            return start + left
        left -= end - start
    return windows[-1][1] if windows else 0.0


def _spread(
    ctx: ScenarioContext,
    events: list[dict[str, Any]],
    candidates: list[_Candidate],
    fixed: list[dict[str, Any]],
    limit: int,
    windows: list[tuple[float, float]],
    max_quiet: float,
    taken: set[str],
    skipped: list[str],
) -> list[_Candidate]:
    """Place the candidates (:func:`_place`), add the follow-ups of quiet periods (:func:`sustain`)
    and, while more than half of the injects fall in the first quarter of the played time, hold
    back optional injects of that quarter until it ends (the latest first), or drop those that
    would then move more than :data:`FRONT_MAX_HOLD` minutes."""
    base = {candidate.inject_id: candidate.exercise_minute for candidate in candidates}
    quarter = quarter_minute(windows)
    held: set[str] = set()
    dropped: set[str] = set()
    placed: list[_Candidate] = []
    notes: list[str] = []
    for _ in range(len(candidates) + 1):
        notes = [
            f"{inject_id}: dropped, too many injects in the first quarter" for inject_id in sorted(dropped)
        ]
        kept = [c for c in candidates if c.inject_id not in dropped]
        for candidate in kept:
            minute = base[candidate.inject_id]
            candidate.exercise_minute = max(minute, quarter) if candidate.inject_id in held else minute
        placed = _place(ctx, kept, fixed, limit, notes, windows)
        if max_quiet > 0:
            placed_ids = taken | {candidate.inject_id for candidate in placed}
            placed = placed + sustain(
                ctx, events, placed, fixed, limit, windows, max_quiet, placed_ids, notes
            )
        counted = [m for c in placed for m in [c.exercise_minute]] + [
            _offset_minutes(i) for i in fixed if counts_for_pacing(i)
        ]
        early = sum(1 for minute in counted if minute < quarter)
        excess = early - len(counted) // 2
        movable = sorted(
            (
                c
                for c in placed
                if c.exercise_minute < quarter
                and c.beat.priority == "optional"
                and c.inject_id in base
                and c.inject_id not in held
            ),
            key=lambda c: (-c.exercise_minute, c.inject_id),
        )
        if excess <= 0 or not movable:
            break
        for candidate in movable[:excess]:
            if quarter - base[candidate.inject_id] > FRONT_MAX_HOLD:
                dropped.add(candidate.inject_id)
            else:
                held.add(candidate.inject_id)
    skipped.extend(notes)
    return placed


def choose_template(
    category: str, kind: str, language: str, seed: int, inject_id: str, turn: int | None = None
) -> InjectTemplate:
    """The template variant for one inject: a draw seeded by (seed, inject id), stable across runs;
    with ``turn``, the variants are taken in turn from a start drawn with the seed (impact reports of
    one kind alternate their wording)."""
    variants = inject_templates(category, language)[kind]
    if turn is None:
        return random.Random(f"{seed}:{inject_id}").choice(variants)
    start = random.Random(f"{seed}:{kind}").randrange(len(variants))
    return variants[(start + turn) % len(variants)]


def _values(
    ctx: ScenarioContext, beat: Beat, sender: dict[str, Any], to: list[str], minute: float
) -> dict[str, str]:
    words = _WORDS[ctx.language]
    est = beat.establishment
    attack = ctx.scenario["attack"]
    ransom = attack.get("ransom", {})
    when = ctx.time_model.scenario_datetime(minute)
    site, city = ctx.site_and_city(beat.node, est)
    group = ctx.organisations.get(est or "", {}).get("member_of")
    node_name = ctx.systems[beat.node]["name"] if beat.node else None
    system_names = [ctx.systems[node]["name"] for node in beat.systems]
    service = node_name if beat.node and ctx.systems[beat.node].get("kind") == "clinical_service" else None
    degraded = ctx.systems.get(beat.node or "", {}).get("degraded_mode", {})
    fallback = ctx.fallback_for(est)
    samu = next((o for o, spec in sorted(ctx.organisations.items()) if spec.get("type") == "samu"), None)
    amount = ransom.get("amount")
    establishment = ctx.org_name(est) or ctx.scenario["exercise"]["organiser"]
    values = {
        "establishment": establishment,
        "establishment_short": ctx.org_name(est, short=True) or establishment,
        "site": site or establishment,
        "city": city or words["unknown"],
        "ght": ctx.org_name(group) or establishment,
        "system": node_name or (system_names[0] if system_names else words["information_system"]),
        "systems": ", ".join(system_names) or node_name or words["information_system"],
        "count": str(max(len(system_names), 1)),
        "service": service or node_name or establishment,
        "capacity": f"{degraded.get('capacity', 50):g}",
        "degraded_description": degraded.get("description", words["unknown"]),
        "time": words["time"].format(h=when.hour, m=when.minute),
        "date": when.strftime(words["date"]),
        "sender_name": sender["name"],
        "sender_role": sender["role"],
        "sender_org": ctx.org_name(sender.get("organisation")) or sender["role"],
        "recipient": ctx.cell_names(to),
        "actor": attack.get("actor", words["actor"]),
        "ransom_amount": f"{amount:,.0f} {ransom.get('currency', '')}".replace(",", " ").strip()
        if amount
        else words["amount"],
        "deadline": _delay_words(
            parse_minutes(ransom["deadline"]) if ransom.get("deadline") else 4320, words
        ),
        "leak_site": ransom.get("leak_site", words["leak_site"]),
        "data": words["data"],
        "volume_gb": words["volume"],
        "fallback": ctx.org_name(fallback) or words["fallback"],
        "samu": ctx.org_name(samu) or words["samu"],
        "hours_left": "72",
        "restored_systems": words["none_yet"],
        "pending_systems": ", ".join(system_names) or words["none_left"],
        "hours_on_duty": "1",
        "original_title": "",
        "expected_action": "",
    }
    values.update(_service_values(ctx, beat.node, beat.extra.get("lost_systems", ""), words))
    values.update({key: value for key, value in beat.extra.items() if value})
    values.update(preposition_values(ctx.language, values))
    values.update(_profile_lines(ctx, beat, values))
    return values


def _dependent_services(
    ctx: ScenarioContext, node: str | None, establishment: str | None = None
) -> list[str]:
    """The clinical services an application serves (those that link to it, id order); a clinical
    service is its own. With ``establishment``, only that establishment's services when it has any
    (a shared application is told from the point of view of the hospital that reports it)."""
    if node not in ctx.systems:
        return []
    if ctx.systems[node].get("kind") == "clinical_service":
        return [node]
    found = [
        sid
        for sid in sorted(ctx.systems)
        if ctx.systems[sid].get("kind") == "clinical_service"
        and any(
            isinstance(link, dict) and link.get("target") == node
            for link in ctx.systems[sid].get("links", [])
        )
    ]
    own = [sid for sid in found if establishment and ctx.establishment_of(sid) == establishment]
    return own or found


def _dependent_service(ctx: ScenarioContext, node: str | None) -> str | None:
    """The clinical service an application serves: the first (id order) that links to it."""
    found = _dependent_services(ctx, node)
    return found[0] if found else None


def _service_values(
    ctx: ScenarioContext, node: str | None, lost: str, words: dict[str, str]
) -> dict[str, str]:
    """Values that describe a service: its name, degraded mode (workaround, capacity, delays) and
    what it lost. For an application, the clinical service that depends on it."""
    service_id = _dependent_service(ctx, node)
    service = ctx.systems.get(service_id or "", {})
    degraded = service.get("degraded_mode", {})
    values = {
        "lost_systems": lost
        or (ctx.systems[node]["name"] if node in ctx.systems else "")
        or words["information_system"],
        "activation_delay": _duration_words(parse_minutes(degraded["activation_delay"]), words)
        if degraded.get("activation_delay")
        else words["no_delay"],
        "max_duration": _duration_words(parse_minutes(degraded["max_duration"]), words)
        if degraded.get("max_duration")
        else words["no_limit"],
    }
    if service:
        values["capacity"] = f"{degraded.get('capacity', 50):g}"
        values["degraded_description"] = degraded.get("description", words["no_procedure"])
        values["service"] = service["name"]
    return values


def _pick(lines: tuple[str, ...], turn: int, step: int = 0) -> str:
    """Line ``turn`` of a profile section, shifted by ``step`` turns of the first section so that
    services of the same kind get different combinations."""
    return lines[(turn + step) % len(lines)] if lines else ""


def _profile_lines(ctx: ScenarioContext, beat: Beat, values: dict[str, str]) -> dict[str, str]:
    """The service lines of an impact inject (services.<lang>.md), rendered with ``values``; for a
    situation point, one line per service it gathers."""
    profiles = service_profiles(ctx.language)
    source = f"prompts/injects/clinical_impact/services.{ctx.language}.md"
    out = {"service_contact": "", "service_scene": "", "service_ask": "", "service_action": ""}
    out["services_list"] = values.get("systems", "")
    if beat.members:
        lines = []
        point = profiles["situation_point"].lines
        words = _WORDS[ctx.language]
        # One line per service, in its latest state (down then degraded within the window: degraded).
        latest = {member.node: member for member in beat.members}
        for member in latest.values():
            member_values = dict(values)
            name = ctx.systems[member.node]["name"] if member.node else values["service"]
            member_values.update(service=name, system=name)
            member_values.update(
                _service_values(ctx, member.node, member.extra.get("lost_systems", ""), words)
            )
            line = _POINT_LINES.get(member.kind.name)
            if line is None:
                users = _dependent_services(ctx, member.node, beat.establishment)
                line = (
                    "application"
                    if len(users) == 1
                    else "application_shared"
                    if users
                    else "application_alone"
                )
                if len(users) > 1:
                    member_values["service"] = name_list([ctx.systems[u]["name"] for u in users])
            section = point[line]
            lines.append("- " + render(section[0], member_values, source))
        out["services_list"] = "\n".join(lines)
        out["count"] = str(len(latest))
        # The most critical service of the point voices its most pressing question.
        top = _top_member(ctx, beat)
        top_values = dict(values)
        top_values.update(_service_values(ctx, top.node, top.extra.get("lost_systems", ""), words))
        top_system = ctx.systems.get(_dependent_service(ctx, top.node) or "")
        if top_system:
            out["service"] = top_values["service"]
            out.update(_service_lines(ctx, top_system, top.node, beat.rotation, top_values))
        return out
    system = ctx.systems.get(_dependent_service(ctx, beat.node) or "")
    if system:
        out.update(_service_lines(ctx, system, beat.node, beat.rotation, values))
    return out


def _top_member(ctx: ScenarioContext, beat: Beat) -> Beat:
    """The gathered beat of the most critical service (first one on ties)."""
    return max(
        beat.members,
        key=lambda member: ctx.systems.get(member.node or "", {}).get("criticality", 3),
    )


def _service_lines(
    ctx: ScenarioContext, system: dict[str, Any], node: str | None, turn: int, values: dict[str, str]
) -> dict[str, str]:
    """Contact, scene, question and action of ``system``'s profile, line ``turn`` of each section
    (the question shifted once the scenes are used up, so that combinations keep changing). For an
    application, its own profile when its name says one (the lab system), else its service's."""
    profiles = service_profiles(ctx.language)
    source = f"prompts/injects/clinical_impact/services.{ctx.language}.md"
    profile = service_profile(ctx, system)
    if node in ctx.systems and ctx.systems[node].get("kind") != "clinical_service":
        own = service_profile(ctx, ctx.systems[node])
        profile = own if own.name != "default" else profile
    sections = {**profiles["default"].lines, **profile.lines}
    scenes = len(sections["scene"])
    out = {}
    for key, section, step in (
        ("service_contact", "contact", 0),
        ("service_scene", "scene", 0),
        ("service_ask", "ask", turn // max(scenes, 1)),
        ("service_action", "action", 0),
    ):
        out[key] = render(_pick(sections[section], turn, step), values, source)
    return out


def _objective_text(objective: dict[str, Any]) -> str:
    criteria = " ".join(c["text"] for c in objective.get("criteria", []))
    return f"{objective['title']} {objective.get('description', '')} {criteria}"


def link_objectives(scenario: dict[str, Any], injects: list[dict[str, Any]]) -> None:
    """Set ``objective_ids`` of generated injects in place (see the module docstring, step 6).

    An inject gets an objective when one of its category's themes matches the objective's text and,
    for objectives scoped to cells, when it reaches one of those cells. Each objective nobody serves
    is then given to the earliest core inject reaching its cells (or the earliest core inject).
    """
    served: set[str] = set()
    for inject in injects:
        for objective_id in inject.get("objective_ids", []):
            served.add(objective_id)
    generated = [i for i in injects if not is_protected(i) and not i.get("contingency")]
    for objective in scenario.get("objectives", []):
        text = _objective_text(objective)
        cells = set(objective.get("cells", []))
        for inject in generated:
            if cells and not cells & set(inject["to"]):
                continue
            if any(THEMES[theme].search(text) for theme in CATEGORY_THEMES.get(inject["category"], ())):
                inject.setdefault("objective_ids", [])
                if objective["id"] not in inject["objective_ids"]:
                    inject["objective_ids"].append(objective["id"])
                    served.add(objective["id"])
    core = sorted((i for i in generated if i.get("priority", "core") == "core"), key=_offset_minutes)
    for objective in scenario.get("objectives", []):
        if objective["id"] in served or not core:
            continue
        cells = set(objective.get("cells", []))
        target = next((i for i in core if cells & set(i["to"])), core[0])
        target.setdefault("objective_ids", []).append(objective["id"])


def number_injects(injects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sort injects by offset and give generated ones ``number`` ``g.k`` by event group.

    Groups are numbered in order of their first inject; protected injects keep their number.
    """
    ordered = sorted(injects, key=lambda i: (_offset_minutes(i), bool(i.get("contingency")), i["id"]))
    group_numbers: dict[str, int] = {}
    counters: dict[int, int] = {}
    for inject in ordered:
        group = inject.get("event_id", inject["id"])
        number = group_numbers.setdefault(group, len(group_numbers) + 1)
        counters[number] = counters.get(number, 0) + 1
        if not is_protected(inject):
            inject["number"] = f"{number}.{counters[number]}"
    return ordered


def _phase(ctx: ScenarioContext, minute: float) -> str | None:
    segments = [seg for seg in ctx.time_model.segments if seg.start <= minute]
    return segments[-1].label or None if segments else None


def _render_inject(
    ctx: ScenarioContext,
    candidate: _Candidate,
    seed: int,
    template_folder: str,
    kind_name: str,
    extra_values: dict[str, str] | None = None,
) -> tuple[dict[str, Any], InjectTemplate]:
    beat = candidate.beat
    turn = beat.variant_turn if template_folder == beat.kind.category else None
    template = choose_template(template_folder, kind_name, ctx.language, seed, candidate.inject_id, turn)
    values = _values(ctx, beat, candidate.sender, candidate.to, candidate.exercise_minute)
    values.update(extra_values or {})
    text = template.render(values)
    inject: dict[str, Any] = {
        "id": candidate.inject_id,
        "event_id": beat.cause["id"],
        "offset": format_minutes(candidate.exercise_minute),
        "scenario_time": ctx.time_model.scenario_datetime(candidate.exercise_minute).isoformat(),
        "from": candidate.sender["id"],
        "to": candidate.to,
        "channel": channel_for(
            ctx.scenario,
            beat.kind.channel,
            None
            if beat.kind.to_territorial and ctx.territorial_cells(beat.kind.to_territorial)
            else beat.establishment,
            ctx.time_model.scenario_minute(candidate.exercise_minute),
            internal=candidate.sender.get("organisation")
            in {beat.establishment, ctx.group_of(beat.establishment)},
        ),
        "category": beat.kind.category,
        "title": text["title"][:300],
        "message": f"{ctx.marking}\n\n{text['message']}",
        "synopsis": text["synopsis"],
        "expected_actions": text["expected_actions"],
        "system_refs": beat.systems or ([beat.node] if beat.node else []),
        "cause_refs": beat.cause_ids,
        "priority": beat.priority,
        "visibility": "players",
        "language": ctx.language,
        "status": "draft",
        "provenance": {"source": "offline", "template": template.name},
    }
    if text.get("animator_notes"):
        inject["animator_notes"] = text["animator_notes"]
    if text.get("discussion_questions") and ctx.scenario["exercise"].get("format") == "tabletop":
        inject["discussion_questions"] = text["discussion_questions"]
    if candidate.cc:
        inject["cc"] = candidate.cc
    if beat.establishment in ctx.organisations:
        inject["establishment"] = beat.establishment
    phase = _phase(ctx, candidate.exercise_minute)
    if phase:
        inject["phase"] = phase
    played_by = candidate.sender.get("played_by")
    cell_names = {c["id"]: c["name"] for c in ctx.scenario.get("cells", [])}
    if played_by in cell_names:
        inject["delivered_by"] = cell_names[played_by]
    return inject, template


def _contingency(
    ctx: ScenarioContext, candidate: _Candidate, original: dict[str, Any], seed: int
) -> dict[str, Any] | None:
    minute = next_played_minute(played_windows(ctx.scenario), candidate.exercise_minute + CONTINGENCY_DELAY)
    if minute is None or minute > ctx.duration:
        return None
    backup = _Candidate(
        candidate.beat, _inject_id(original["id"], "c"), minute, candidate.sender, candidate.to, []
    )
    extra = {"original_title": original["title"], "expected_action": original["expected_actions"][0]}
    inject, _ = _render_inject(ctx, backup, seed, CONTINGENCY_FOLDER, original["category"], extra)
    inject.update(
        contingency=True,
        contingency_for=original["id"],
        priority="optional",
        expected_actions=list(original["expected_actions"]),
    )
    return inject


def build_injects(
    scenario: dict[str, Any],
    timeline: dict[str, Any],
    *,
    seed: int = 0,
    existing: list[dict[str, Any]] | None = None,
    skipped: list[str] | None = None,
    progress: Progress | None = None,
    max_quiet: float = DEFAULT_MAX_QUIET,
) -> list[dict[str, Any]]:
    """Generate offline injects for ``timeline`` around the protected ``existing`` injects.

    Returns the generated injects only (not the protected ones), unsorted and unnumbered; see
    :func:`generate_msel` for the whole MSEL. ``skipped`` collects the beats not produced and why.
    ``max_quiet``: longest stretch of play (exercise minutes) a player cell goes without an inject
    once the crisis has started (see :func:`sustain`); 0 turns the follow-ups off.
    """
    skipped = [] if skipped is None else skipped
    ctx = ScenarioContext(scenario)
    fixed = [inject for inject in existing or [] if is_protected(inject)]
    taken = {inject["id"] for inject in fixed}
    events = sorted(timeline.get("events", []), key=lambda e: (e["minute"], e["id"]))
    generation = scenario.get("generation", {})
    limit = generation.get("max_injects_per_cell_per_15min", DEFAULT_MAX_PER_15MIN)
    windows = played_windows(scenario)
    candidates = []
    for beat in plan_beats(ctx, events):
        if beat.members:
            # A service a person already kept an inject for (an approved report) is not told again.
            beat.members = [m for m in beat.members if _beat_inject_id(m) not in taken]
            beat.systems = list(dict.fromkeys(m.node for m in beat.members if m.node))
            if not beat.members:
                continue
            beat.cause = max(beat.members, key=lambda m: (m.minute, m.cause["id"])).cause
        inject_id = _beat_inject_id(beat)
        if inject_id in taken or any(c.inject_id == inject_id for c in candidates):
            continue
        exercise_minute = math.ceil(ctx.time_model.next_exercise_minute(beat.minute) - 1e-9)
        if not 0 <= exercise_minute <= ctx.duration:
            skipped.append(f"{inject_id}: outside [STARTEX, ENDEX]")
            continue
        # Something that happens while play is paused (the night between two days) is told when
        # the next session starts.
        played = next_played_minute(windows, exercise_minute)
        if played is None:
            skipped.append(f"{inject_id}: falls while play is paused, after the last session")
            continue
        exercise_minute = math.ceil(played - 1e-9)
        if beat.kind.skip_when_playing and ctx.plays(beat.kind.skip_when_playing):
            skipped.append(f"{inject_id}: the {beat.kind.skip_when_playing} cell plays this part itself")
            continue
        sender = _sender(ctx, beat)
        if sender is None:
            skipped.append(f"{inject_id}: no persona can send a {beat.kind.name} inject")
            continue
        to, cc = _route(ctx, beat)
        if not to:
            skipped.append(f"{inject_id}: no player cell to receive it")
            continue
        candidates.append(_Candidate(beat, inject_id, float(exercise_minute), sender, to, cc))
    placed = _spread(ctx, events, candidates, fixed, limit, windows, max_quiet, taken, skipped)
    injects = []
    with_contingency = generation.get("contingency", True)
    ordered = sorted(placed, key=lambda c: (c.exercise_minute, c.inject_id))
    # Services of the same kind (three emergency departments of a GHT...) take turns through the
    # lines of their profile, so that no two of them tell the same story.
    turns: dict[str, int] = {}
    for candidate in ordered:
        beat = candidate.beat
        if not beat.kind.service_voice:
            continue
        node = _top_member(ctx, beat).node if beat.members else beat.node
        if node in ctx.systems:
            key = f"{service_profile(ctx, ctx.systems[node]).name}/{beat.kind.name}"
            beat.rotation = seed + turns.get(key, 0)
            turns[key] = turns.get(key, 0) + 1
        beat.variant_turn = turns.get(beat.kind.name, 0)
        turns[beat.kind.name] = beat.variant_turn + 1
    for done, candidate in enumerate(ordered, start=1):
        inject, _ = _render_inject(
            ctx, candidate, seed, candidate.beat.kind.category, candidate.beat.kind.name
        )
        injects.append(inject)
        if progress:
            progress(done, len(ordered), inject["id"])
        if with_contingency and candidate.beat.kind.contingency and inject["priority"] == "core":
            backup = _contingency(ctx, candidate, inject, seed)
            if backup is not None and backup["id"] not in taken:
                injects.append(backup)
    return injects


def _beat_inject_id(beat: Beat) -> str:
    """The stable id of a beat's inject: from its event, node and kind (a situation point: from
    its first service's)."""
    if beat.members:
        first = beat.members[0]
        return _inject_id("inj", first.cause["id"], first.node or "", beat.kind.name)
    if beat.node:
        return _inject_id("inj", beat.cause["id"], beat.node, beat.kind.name)
    return _inject_id("inj", beat.cause["id"], beat.kind.name)


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
    max_quiet: float = DEFAULT_MAX_QUIET,
) -> GenerationResult:
    """Generate the MSEL of a valid scenario and return a new scenario carrying it.

    ``timeline`` defaults to the scenario's own, else a run of the propagation engine; the one used
    is stored in the returned scenario so that ``cause_refs`` resolve. ``seed`` defaults to
    ``generation.seed`` or 0.
    ``provider`` is ``offline`` (templates, no network) or ``openai``: the offline draft is then
    rewritten by the LLM through ``assistant`` (an :class:`studio.injects.llm.Assistant`, built from
    the settings when None); an answer that fails validation leaves the offline text and adds a note.
    Protected injects (:func:`is_protected`) are kept unchanged. The input is not modified.
    ``max_quiet`` (exercise minutes, default :data:`DEFAULT_MAX_QUIET`): once the crisis has
    started, no player cell goes longer than this without an inject during a played session
    (quiet periods get follow-ups, see :func:`sustain`); 0 turns the follow-ups off.
    """
    if provider not in {"offline", "openai"}:
        raise ValueError(f"unknown provider {provider!r}: offline or openai")
    result_doc = copy.deepcopy(scenario)
    if seed is None:
        seed = scenario.get("generation", {}).get("seed", 0)
    if timeline is None:
        timeline = obtain_timeline(scenario, seed)
    # The injects cite events of this timeline: it is stored so that their causes resolve.
    result_doc["timeline"] = copy.deepcopy(timeline)
    existing = result_doc.get("injects", [])
    kept = [inject for inject in existing if is_protected(inject)]
    result = GenerationResult(result_doc, kept=[inject["id"] for inject in kept])
    offline_progress = progress if provider == "offline" else None
    generated = build_injects(
        result_doc,
        timeline,
        seed=seed,
        existing=existing,
        skipped=result.skipped,
        progress=offline_progress,
        max_quiet=max_quiet,
    )
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
