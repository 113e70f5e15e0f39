"""Follow-ups: what a cell hears as the crisis lasts, so that no active cell sits idle.

Once the crisis has started (the first inject), no player cell goes more than ``max_quiet``
minutes of a played session without an inject, from the moment it is active. Each quiet stretch
gets a follow-up as late as it may come, within the pacing limit, telling the situation of that
moment read from the timeline: services still down or degraded, restoration progress, the care
network, authorities' situation requests, media and staff. Follow-ups obey the information model
like every other inject: their sender knows, their cells are active.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from studio.injects.context import ScenarioContext
from studio.injects.generation.pacing import PACING_STEP, cell_times, counts_for_pacing, fits
from studio.injects.generation.plan import WORDS, Beat, Candidate, Plan, make_inject_id
from studio.injects.generation.routing import choose_sender, route, sender_ready
from studio.injects.generation.story import event_lookups, is_critical, lost_systems
from studio.injects.kinds import CRITICAL_CARE_SERVICE, EMERGENCY_SERVICE, KINDS
from studio.injects.prompts import inject_templates
from studio.injects.wording import rough_duration, short_list

SUSTAIN_KINDS: dict[str, tuple[str, ...]] = {
    "technical": (
        "restore_progress",
        "cert_sante",
        "anssi",
        "vendor_call",
        "tech_followup",
        "user_followup",
        "recovery_setback",
    ),
    "strategic": (
        "situation",
        "situation_request",
        "decision_prompt",
        "restoration",
        "police",
        "noise",
        "union",
        "fatigue_followup",
        "nurse_manager",
        "field_followup",
        "supplies_short",
        "shift_handover",
    ),
    "care": (
        "service",
        "fatigue_followup",
        "nurse_manager",
        "family_reception",
        "field_followup",
        "shift_handover",
        "transfer_news",
        "supplies_short",
    ),
    "communication": (
        "media_followup",
        "journalist_call",
        "social_rumour",
        "patient_phishing",
        "press_followup",
    ),
    "territorial_ars": ("corruss_request", "press_authority", "prefecture"),
    "territorial_prefecture": ("cod_question", "press_authority"),
    "territorial_samu": ("network",),
}
LONG_CRISIS_HOURS: dict[str, float] = {
    "supplies_short": 4.0,
    "transfer_news": 5.0,
    "recovery_setback": 0.0,
    "shift_handover": 0.0,
}
"""Follow-ups of a crisis that lasts: hours since the first alarm before each may be told (paper
forms run short after hours of copying, transferred patients have news after a while)."""
SHIFT_CHANGES: tuple[tuple[int, int], ...] = ((6 * 60 + 30, 9 * 60), (18 * 60 + 30, 21 * 60 + 30))
"""Local minutes of the day when teams hand over (morning and evening): a handover follow-up is
told only then."""
"""Follow-ups that keep each role of player cell busy, taken in turn (see :func:`sustain`): the
current state of the services (``service``, ``situation``), restoration progress
(``restoration``, ``restore_progress``), the care network's requests for a service still down
(``network``), the follow-up kinds written for it (situation request, decision prompt, fatigue,
press calling back) and kinds whose text stands on its own at any point of the crisis
(authorities, media, staff)."""


_DYNAMIC_FOLLOW_UPS = frozenset(
    {
        "service",
        "situation",
        "network",
        "restoration",
        "restore_progress",
        "field_followup",
        "tech_followup",
        "press_followup",
        "user_followup",
    }
)
"""Follow-ups whose text tells the situation of their time: they may come back as often as needed.
The others are told at most once per variant in an MSEL, and once per cell and session while the
cell has other kinds to hear."""


_ONCE_PER_SESSION = frozenset({"police", "noise", "union"})
"""Background calls a cell hears at most once per session, even when nothing else fits."""


_FIRST_CONTACT = frozenset({"journalist_call"})
"""Follow-ups that are a first contact (« On nous signale que … pouvez-vous confirmer ? »): not told
once the MSEL holds one, when the caller would be asking again what it already knows."""


_SITUATION_SIZE = 8
"""Most services listed in one follow-up situation point."""


class _Situation:
    """The state of the crisis at scenario minutes, from the timeline (studio.propagation.state_at).

    Every question is asked at a minute, i.e. of the events at or before it (a prefix of the sorted
    timeline): the indexes below are built once, so that each answer costs what it looks at, not the
    length of the timeline (follow-ups ask hundreds of questions of long timelines)."""

    def __init__(self, plan: Plan) -> None:
        from studio.propagation import state_at

        ctx, events = plan.ctx, plan.events
        self.ctx = ctx
        self.events = events
        self.by_id, self.first_hit = event_lookups(plan)
        self._state_at = state_at
        self._minutes = [event["minute"] for event in events]
        # Positions in ``events``, per system, per establishment (systems of the scenario only) and
        # per kind of event the follow-ups look for.
        at_node: dict[str, list[int]] = {}
        at_establishment: dict[str | None, list[int]] = {}
        of_kind: dict[str, list[int]] = {}
        establishment_of = ctx.establishments
        for index, event in enumerate(events):
            node = event.get("node")
            if node:
                at_node.setdefault(node, []).append(index)
                if node in establishment_of:
                    at_establishment.setdefault(establishment_of[node], []).append(index)
            of_kind.setdefault(event["kind"], []).append(index)
        self._at_node, self._at_establishment, self._of_kind = at_node, at_establishment, of_kind
        self._clinical = [sid for sid, spec in ctx.systems.items() if spec.get("kind") == "clinical_service"]
        self._node_states: dict[tuple[str, int], Any] = {}
        self._affected: dict[tuple[int, str | None], list[tuple[str, str]]] = {}
        self._latest: dict[tuple[int, str | None, str | None], dict[str, Any] | None] = {}
        self._lost: dict[tuple[str, str], str] = {}
        self._scopes: dict[str | None, list[str]] = {}
        self._scope_sets: dict[str | None, set[str]] = {}
        self._by_criticality: dict[str | None, list[str]] = {}
        self._critical: dict[str, bool] = {}
        self.forget()

    def forget(self) -> None:
        """Start a new MSEL draft: nothing told yet (the indexes and answers are kept)."""
        self.told_restored: set[str] = set()
        self.told_progress: set[str] = set()
        self.told_pending: dict[str | None, list[str]] = {}
        self.told: set[Any] = set()
        """What clinical follow-ups already told: (service, report kind) pairs and the sets of them
        situation points listed, so that no report is told twice in the same words."""
        self.impacts_left = len(self._clinical) - 1
        """Impact reports (clinical and business) the MSEL may still hold: fewer than services."""

    def tell(self, beat: Beat) -> None:
        """Note what a clinical beat tells (see :attr:`told`)."""
        if beat.kind.category in {"clinical_impact", "business_impact"}:
            self.impacts_left -= 1
        pairs = frozenset((m.node, m.kind.name) for m in beat.members or [beat] if m.node)
        self.told.update(pairs)
        if beat.members:
            self.told.add(pairs)

    def node_state(self, node: str, minute: float) -> Any:
        """The state (studio.propagation.NodeState) of system ``node`` at ``minute``: state_at
        replaying that system's own events only, cached per number of them."""
        positions = self._at_node.get(node, [])
        seen = bisect.bisect_left(positions, self._count(minute))
        key = (node, seen)
        if key not in self._node_states:
            own = {"events": [self.events[index] for index in positions[:seen]]}
            self._node_states[key] = self._state_at({"systems": [{"id": node}]}, own, math.inf)[node]
        return self._node_states[key]

    def _count(self, minute: float) -> int:
        return bisect.bisect_right(self._minutes, minute + 1e-9)

    def happened(self, kind: str, minute: float) -> list[dict[str, Any]]:
        """Events of ``kind`` at or before ``minute``, in timeline order."""
        positions = self._of_kind.get(kind, [])
        before = bisect.bisect_left(positions, self._count(minute))
        return [self.events[index] for index in positions[:before]]

    def first_of(self, kind: str) -> dict[str, Any] | None:
        """The first event of ``kind`` in the timeline, if any."""
        positions = self._of_kind.get(kind)
        return self.events[positions[0]] if positions else None

    def latest(self, minute: float, node: str | None = None, est: str | None = None) -> dict[str, Any] | None:
        """The latest event at or before ``minute``: on ``node``, else on a system of ``est``, else any."""
        key = (self._count(minute), node, est)
        if key not in self._latest:
            self._latest[key] = self._find_latest(key[0], node, est)
        return self._latest[key]

    def critical(self, node: str) -> bool:
        """Whether the service ``node`` is critical (see :func:`is_critical`), cached."""
        if node not in self._critical:
            self._critical[node] = is_critical(self.ctx, self.ctx.systems[node])
        return self._critical[node]

    def scope(self, est: str | None) -> list[str]:
        """The systems of ``est`` (all when None), id order, cached."""
        if est not in self._scopes:
            if None not in self._scopes:
                self._scopes[None] = sorted(self.ctx.systems)
            of = self.ctx.establishment_of
            self._scopes[est] = [sid for sid in self._scopes[None] if est is None or of(sid) == est]
        return self._scopes[est]

    def in_scope(self, est: str | None) -> set[str]:
        """:meth:`scope` as a set, cached."""
        if est not in self._scope_sets:
            self._scope_sets[est] = set(self.scope(est))
        return self._scope_sets[est]

    def blocked(self, est: str | None, minute: float, most: int) -> list[str]:
        """At most ``most`` systems of ``est`` other than clinical services that are encrypted, being
        restored or down at ``minute``, most critical first (then by id)."""
        if est not in self._by_criticality:
            # The scope is in id order: bucketed by criticality, most critical first, it is in
            # (-criticality, id) order without sorting every system again.
            systems = self.ctx.systems
            buckets: dict[Any, list[str]] = {}
            for sid in self.scope(est):
                system = systems[sid]
                if system.get("kind") != "clinical_service":
                    buckets.setdefault(system.get("criticality", 3), []).append(sid)
            self._by_criticality[est] = [
                sid for level in sorted(buckets, reverse=True) for sid in buckets[level]
            ]
        found = []
        for sid in self._by_criticality[est]:
            if len(found) == most:
                break
            state = self.node_state(sid, minute)
            if state.security in {"encrypted", "restoring"} or state.function == "down":
                found.append(sid)
        return found

    def lost_systems(self, node: str, cause: dict[str, Any]) -> str:
        """Ids of the systems ``node`` lost by ``cause``, comma separated (:func:`lost_systems`), cached."""
        key = (node, cause["id"])
        if key not in self._lost:
            lost = lost_systems(self.ctx, node, cause, self.by_id, self.first_hit)
            self._lost[key] = ",".join(lost)
        return self._lost[key]

    def _find_latest(self, count: int, node: str | None, est: str | None) -> dict[str, Any] | None:
        for positions in (
            self._at_node.get(node, []) if node else None,
            self._at_establishment.get(est, []) if est else None,
        ):
            if positions is None:
                continue
            before = bisect.bisect_left(positions, count)
            if before:
                return self.events[positions[before - 1]]
        return self.events[count - 1] if count else None

    def affected_services(self, minute: float, est: str | None) -> list[tuple[str, str]]:
        """Clinical services of ``est`` (any establishment when None) down or degraded at ``minute``,
        most critical first, with the kind of report their state gives."""
        key = (self._count(minute), est)
        if key not in self._affected:
            self._affected[key] = self._affected_services(minute, est)
        return self._affected[key]

    def _affected_services(self, minute: float, est: str | None) -> list[tuple[str, str]]:
        expired = {e["node"] for e in self.happened("degraded_mode_expired", minute)}
        found = []
        for sid in self._clinical:
            if est is not None and self.ctx.establishment_of(sid) != est:
                continue
            state = self.node_state(sid, minute)
            function = state.function
            if function == "up" and not state.isolated:
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
    # Reports of one service come back only while some service has not been told yet; a situation
    # point lists the services as they stand, so it may come back as long as the list changes.
    if name == "service" and situation.impacts_left <= 0:
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
            member.extra["lost_nodes"] = situation.lost_systems(sid, cause)
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
        scope = situation.in_scope(est)
        restored = [
            e
            for e in situation.happened("restored", minute)
            if e.get("node") in scope and e["node"] not in situation.told_restored
        ]
        if restored:
            event = max(restored, key=lambda e: (ctx.systems[e["node"]].get("criticality", 3), e["minute"]))
            situation.told_restored.add(event["node"])
            return Beat(KINDS["restored"], minute, event, ctx.establishment_of(event["node"]), event["node"])
        blocked = situation.blocked(est, minute, 5)
        if not blocked:
            return None
        node = blocked[turn % len(blocked)]
        cause = situation.latest(minute, node)
        if cause is None:
            return None
        return Beat(KINDS["backup_blocked"], minute, cause, ctx.establishment_of(node), node)
    if name == "restore_progress":
        return _progress_beat(ctx, situation, minute, est)
    if name == "patient_phishing" and not situation.happened("exfiltration", minute):
        return None
    if name == "recovery_setback":
        return _setback_beat(ctx, situation, minute, est)
    cause = situation.latest(minute, None, est)
    if cause is None:
        return None
    beat = Beat(KINDS[name], minute, cause, est)
    # Counted from the first alarm (the attacker's quiet weeks before it do not tire anyone).
    alarms = [situation.first_of(kind) for kind in ("detected", "encrypted")]
    start = min(
        (e["minute"] for e in alarms if e is not None),
        default=situation.events[0]["minute"] if situation.events else minute,
    )
    hours = (minute - start) / 60
    if hours < LONG_CRISIS_HOURS.get(name, 0.0):
        return None
    if name == "shift_handover":
        when = ctx.time_model.scenario_origin + timedelta(minutes=minute)
        of_day = when.hour * 60 + when.minute
        if not any(low <= of_day <= high for low, high in SHIFT_CHANGES):
            return None
    if name == "transfer_news" and not any(
        CRITICAL_CARE_SERVICE.search(ctx.systems[sid]["name"])
        for sid, _ in situation.affected_services(minute, est)
    ):
        # Only a hospital that had to send patients away hears about them.
        return None
    if name in {"fatigue_followup", "shift_handover", "transfer_news"}:
        beat.extra["hours_on_duty"] = str(max(1, round(hours)))
        beat.extra["crisis_age"] = rough_duration(max(60.0, hours * 60), ctx.language)
    return beat


def _setback_beat(ctx: ScenarioContext, situation: _Situation, minute: float, est: str | None) -> Beat | None:
    """A restart that slips back: the latest system of ``est`` restored by ``minute`` (its restart
    is what the follow-up speaks of); None before anything came back."""
    scope = situation.in_scope(est)
    restored = [e for e in situation.happened("restored", minute) if e.get("node") in scope]
    if not restored:
        return None
    event = max(restored, key=lambda e: (e["minute"], e["id"]))
    return Beat(KINDS["recovery_setback"], minute, event, ctx.establishment_of(event["node"]), event["node"])


def _progress_beat(
    ctx: ScenarioContext, situation: _Situation, minute: float, est: str | None
) -> Beat | None:
    """Restoration progress of ``est``: the systems restored since the last progress told, and
    those still encrypted or down (most critical first); None when there is neither."""
    scope = situation.in_scope(est)
    restored = [
        e
        for e in situation.happened("restored", minute)
        if e.get("node") in scope and e["node"] not in situation.told_progress
    ]
    pending = situation.blocked(est, minute, 4)
    if not restored and (not pending or situation.told_pending.get(est) == pending):
        # Nothing came back and nothing else is waited for: no news is not a progress report.
        return None
    situation.told_pending[est] = list(pending)
    done = list(dict.fromkeys(e["node"] for e in restored))[:4]
    pending = [sid for sid in pending if sid not in done]
    causes = [e for e in restored if e["node"] in done] + [
        c for c in (situation.latest(minute, sid) for sid in pending) if c is not None
    ]
    if not causes:
        return None
    cause = max(causes, key=lambda e: (e["minute"], e["id"]))
    situation.told_progress.update(done)
    words = WORDS[ctx.language]
    beat = Beat(KINDS["restore_progress"], minute, cause, est, (done or pending)[0], [*done, *pending])
    # At most three systems named in one message: two back, one still waited for, the rest counted.
    beat.extra["restored_systems"] = (
        short_list([ctx.systems[n]["name"] for n in done], ctx.language, 2) or words["none_yet"]
    )
    beat.extra["pending_systems"] = (
        short_list([ctx.systems[n]["name"] for n in pending], ctx.language, 1) or words["none_left"]
    )
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
    plan: Plan,
    placed: list[Candidate],
    limit: int,
    max_quiet: float,
    taken: set[str],
    skipped: list[str],
) -> list[Candidate]:
    """Follow-up injects so that, once the crisis has started (the first inject), no player cell
    goes more than ``max_quiet`` minutes of a played session without an inject.

    Each quiet stretch gets a follow-up as late as it may come (at most ``max_quiet`` after the last
    inject or the start of the session), within the pacing limit. Its kind is taken in turn from
    :data:`SUSTAIN_KINDS` for the cell's role; it tells the situation of that moment read from the
    timeline (services still down or degraded, restoration progress, the care network, authorities'
    situation requests, media and staff), cites the latest events it speaks of, is optional and has
    no contingency. A cell for which no kind has a sender or reaches it is left as it is.
    """
    ctx, events, windows = plan.ctx, plan.events, plan.windows
    times_by_cell = cell_times(plan.fixed, placed)
    starts = [t for times in times_by_cell.values() for t in times]
    if not starts or not events:
        return []
    crisis_start = min(starts)
    # The timeline's indexes are built once per plan (the schedule drafts the MSEL several times).
    situation = plan.memo.get("situation")
    if situation is None:
        situation = plan.memo["situation"] = _Situation(plan)
    situation.forget()
    for candidate in placed:
        if candidate.beat.kind.service_voice:
            situation.tell(candidate.beat)
    added: list[Candidate] = []
    turns: dict[str, int] = {}
    told: dict[str, int] = {}
    # First contacts the MSEL already holds (the timeline's own journalist call).
    contacted = {c.beat.kind.name for c in placed} & _FIRST_CONTACT
    for start, end in windows:
        anchor = max(start, crisis_start)
        if anchor >= end:
            continue
        heard: set[tuple[str, str]] = set()
        for cell in ctx.player_cells:
            cell_id = cell["id"]
            # A cell hears follow-ups once it is in play (STARTEX, or the alert that reaches it).
            cell_anchor = max(anchor, plan.activation.get(cell_id, math.inf))
            if cell_anchor >= end:
                continue
            names: list[str] = []
            for role in sorted(ctx.cell_roles(cell)):
                names += [n for n in SUSTAIN_KINDS.get(role, ()) if n not in names]
            if not names:
                continue
            unfillable: set[tuple[float, float]] = set()
            while True:
                times = sorted(t for t in times_by_cell.get(cell_id, []) if cell_anchor <= t <= end)
                points = [cell_anchor, *times, end]
                gap = next(
                    (
                        (a, b)
                        for a, b in itertools.pairwise(points)
                        if b - a > max_quiet and (a, b) not in unfillable
                    ),
                    None,
                )
                if gap is None:
                    break
                candidate = _sustain_candidate(
                    plan,
                    situation,
                    cell,
                    names,
                    gap,
                    max_quiet,
                    times_by_cell,
                    limit,
                    turns,
                    taken,
                    (told, heard, contacted),
                )
                if candidate is None:
                    skipped.append(
                        f"{cell_id}: no follow-up fits between exercise minutes {gap[0]:g} and {gap[1]:g}"
                    )
                    # Nobody can speak to the cell yet; later gaps may still be filled.
                    unfillable.add(gap)
                    continue
                taken.add(candidate.inject_id)
                for target in candidate.to:
                    times_by_cell.setdefault(target, []).append(candidate.exercise_minute)
                added.append(candidate)
    return added


def _sustain_candidate(
    plan: Plan,
    situation: _Situation,
    cell: dict[str, Any],
    names: list[str],
    gap: tuple[float, float],
    max_quiet: float,
    times_by_cell: dict[str, list[float]],
    limit: int,
    turns: dict[str, int],
    taken: set[str],
    memory: tuple[dict[str, int], set[tuple[str, str]], set[str]],
) -> Candidate | None:
    """A follow-up for ``cell`` inside the quiet stretch ``gap``: the latest minute that fits the
    pacing (going back by 5-minute steps), the first kind in the cell's turn that has something to
    tell, a sender and reaches the cell.

    ``memory`` holds how many times each kind was told in the MSEL (its variants are taken in turn;
    a fixed-text kind is told again only when nothing else fits, so that texts do not come back) and
    which kinds each cell heard in this session (heard again only when no other kind fits), and the
    first contacts already made (:data:`_FIRST_CONTACT`, never made twice)."""
    ctx = plan.ctx
    told, heard, contacted = memory
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
            if name in contacted:
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
            to, cc = route(ctx, beat)
            if cell_id not in to or not fits(times_by_cell, to, minute, limit):
                continue
            sender = choose_sender(ctx, beat, scenario_minute, strict=True)
            if sender is None or sender_ready(plan, beat, sender) > scenario_minute + 1e-9:
                continue
            to = [c for c in to if plan.activation.get(c, math.inf) <= minute]
            cc = [c for c in cc if plan.activation.get(c, math.inf) <= minute]
            inject_id = make_inject_id("inj", "sustain", cell_id, f"{minute:g}", name)
            if inject_id in taken:
                continue
            turns[cell_id] = turn + step + 1
            heard.add((cell_id, name))
            if not beat.kind.service_voice:
                beat.variant_turn = told.get(beat.kind.name, 0)
                told[beat.kind.name] = beat.variant_turn + 1
            if name in _FIRST_CONTACT:
                contacted.add(name)
            if beat.kind.service_voice:
                situation.tell(beat)
            return Candidate(beat, inject_id, minute, sender, to, cc)
    return None


NOISE_KINDS = frozenset({"noise", "ward_noise", "it_noise", "social_rumour"})
"""Distractions (``generation.noise_share``): an everyday question of the estates staff (``noise``),
of a ward (``ward_noise``: pay, a badge, a relative's visit) or about computers and phones
(``it_noise``), a rumour on social networks; labelled as noise in the animation pack only. Each
variant is told at most once per exercise (see :class:`_Distractions`)."""

_OFFICE = (8 * 60, 18 * 60, True)
_DAYTIME = (8 * 60, 20 * 60, False)
DISTRACTION_HOURS: dict[str, tuple[int, int, bool]] = {
    "staff/noise/c": _OFFICE,  # the fire-alarm contractor's test
    "staff/noise/e": _OFFICE,  # the generator's monthly test
    "staff/noise/f": _OFFICE,  # painters in the outpatients' corridor
    "staff/it_noise/b": _OFFICE,  # a salesman calls the secretariat
    "staff/ward_noise/a": _OFFICE,  # the outpatients' secretary
    "staff/ward_noise/c": _DAYTIME,  # a student nurse on placement
    "staff/ward_noise/d": _DAYTIME,  # a relative asks about visits
    "staff/ward_noise/f": _DAYTIME,  # a new badge today
}
"""Distractions (``category/kind/variant``) that only happen at some hours of the story: (from,
to) minutes of the day and whether on weekdays only. Contractors and secretaries work office hours
on weekdays; visits, placements and the badge office are daytime matters."""

_DISTRACTIONS: dict[str, tuple[str, ...]] = {
    "communication": ("social_rumour", "ward_noise"),
    "strategic": ("noise", "ward_noise", "it_noise"),
    "technical": ("it_noise", "noise"),
    "care": ("ward_noise", "noise"),
}
"""The distractions a cell of each role may be given, best first; territorial cells (ARS,
prefecture, SAMU) have none: the hospital's staff do not call them."""


class _Distractions:
    """The distraction variants already told in an MSEL draft: a planner prefers fewer distractions
    to the same one twice, so a variant (same kind and wording) is never told again, whoever its
    sender and whichever its cell."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.told: set[str] = {
            str((i.get("provenance") or {}).get("template", "")).rsplit(".", 1)[0]
            for i in plan.fixed
            if _template_kind(i) in NOISE_KINDS
        }

    def template(self, candidate: Candidate, turn: int | None) -> str:
        """The template (``category/kind/variant``) ``candidate`` is told with at ``turn``."""
        from studio.injects.generation.text import choose_template

        kind = candidate.beat.kind
        chosen = choose_template(
            kind.category, kind.name, self.plan.ctx.language, self.plan.seed, candidate.inject_id, turn
        )
        return chosen.name.rsplit(".", 1)[0]

    def placed(self, candidate: Candidate) -> str | None:
        """The template of a placed distraction (None for a storyline beat, the designer's words)."""
        if candidate.beat.story is not None:
            return None
        return self.template(candidate, candidate.beat.variant_turn)

    def fresh_turn(self, candidate: Candidate) -> int | None:
        """A turn that tells ``candidate`` with a variant not told yet that fits its hour (None:
        none left)."""
        kind = candidate.beat.kind
        count = len(inject_templates(kind.category, self.plan.ctx.language).get(kind.name, ()))
        return next(
            (
                turn
                for turn in range(count)
                if (template := self.template(candidate, turn)) not in self.told
                and self.fits_hour(candidate, template)
            ),
            None,
        )

    def fits_hour(self, candidate: Candidate, template: str) -> bool:
        """True when distraction ``template`` can happen at ``candidate``'s time of the story
        (:data:`DISTRACTION_HOURS`)."""
        hours = DISTRACTION_HOURS.get(template)
        if hours is None:
            return True
        start, end, weekdays = hours
        when = self.plan.ctx.time_model.scenario_datetime(candidate.exercise_minute)
        return start <= when.hour * 60 + when.minute < end and not (weekdays and when.weekday() >= 5)

    def left(self, name: str) -> int:
        """How many variants of distraction ``name`` were not told yet."""
        category = KINDS[name].category
        names = inject_templates(category, self.plan.ctx.language).get(name, ())
        return sum(1 for variant in names if variant.name.rsplit(".", 1)[0] not in self.told)


def _share_target(share: float, played: int) -> int:
    """Noise injects a cell of ``played`` injects gets: the share rounded half up."""
    return math.floor(share * played + 0.5)


def balance_noise(plan: Plan, placed: list[Candidate]) -> list[Candidate]:
    """Give each player cell ``generation.noise_share`` of distractions among its played injects
    (:data:`NOISE_KINDS`), within rounding, never telling the same distraction twice.

    A distraction already told (same kind and variant) is told again as another follow-up of the
    cell's role at the same minute, or dropped. A cell with too many loses its latest optional
    distractions the same way; a cell with too few has its latest follow-ups (one every few, so that
    distractions are spread over the exercise; a follow-up told to several cells only when each may
    hear a distraction) told as a distraction not told yet instead, to the same cells at the same
    minute: the pacing does not change. A cell for which no distraction is left, or none has a
    sender who knows by then, is left short and listed in ``plan.skipped``."""
    ctx, share = plan.ctx, plan.settings.noise_share
    situation = plan.memo.get("situation")
    taken = plan.taken | {c.inject_id for c in placed}
    told = _Distractions(plan)
    # A follow-up told to several cells becomes a distraction only when each of them may hear one.
    distracted = {
        cell["id"]: [n for role in sorted(ctx.cell_roles(cell)) for n in _DISTRACTIONS.get(role, ())]
        for cell in ctx.player_cells
    }
    cells = {cell["id"]: cell for cell in ctx.player_cells}
    # Positions of the candidates in ``slots`` (a dropped one leaves None), so that replacing one
    # costs the same however long the MSEL.
    slots: list[Candidate | None] = list(placed)
    position = {id(candidate): index for index, candidate in enumerate(slots)}

    def undistract(candidate: Candidate, reason: str) -> None:
        """Tell ``candidate`` as another follow-up of its first cell's role, else drop it."""
        cell = cells.get(candidate.to[0])
        roles = sorted(ctx.cell_roles(cell)) if cell else []
        others = [n for role in roles for n in SUSTAIN_KINDS.get(role, ()) if n not in NOISE_KINDS]
        replacement = None
        if situation is not None:
            replacement = _retell(plan, situation, candidate, list(dict.fromkeys(others)), taken, told)
        if replacement is None:
            plan.skipped.append(f"{candidate.inject_id}: dropped, {reason}")
            slots[position.pop(id(candidate))] = None
        else:
            _replace(slots, position, candidate, replacement)

    # Distractions placed before (story beats, follow-ups): the first of each variant stays.
    for candidate in sorted(
        (c for c in placed if c.beat.kind.name in NOISE_KINDS), key=lambda c: (c.exercise_minute, c.inject_id)
    ):
        template = told.placed(candidate)
        if template is None:
            continue
        if not told.fits_hour(candidate, template) and candidate.beat.priority == "optional":
            undistract(candidate, f"{template} does not happen at this hour")
        elif template not in told.told:
            told.told.add(template)
        elif candidate.beat.priority == "optional":
            undistract(candidate, f"the same distraction ({template}) was told before")
    for cell in ctx.player_cells:
        placed = [c for c in slots if c is not None]
        cell_id = cell["id"]
        fixed = [i for i in plan.fixed if counts_for_pacing(i) and cell_id in i["to"]]
        fixed_noise = sum(1 for i in fixed if _template_kind(i) in NOISE_KINDS)
        mine = [c for c in placed if cell_id in c.to]
        noise = [c for c in mine if c.beat.kind.name in NOISE_KINDS]
        target = _share_target(share, len(mine) + len(fixed))
        excess = len(noise) + fixed_noise - target
        if excess > 0:
            # The latest optional distractions are told as another follow-up of the cell's role at
            # the same minute, or dropped when none fits.
            over = sorted(
                (c for c in noise if c.beat.priority == "optional"),
                key=lambda c: (-c.exercise_minute, c.inject_id),
            )[:excess]
            for candidate in over:
                undistract(candidate, f"over the noise share of {cell_id}")
            continue
        missing = -excess
        names = distracted[cell_id]
        if missing <= 0 or situation is None:
            continue
        if not names:
            plan.skipped.append(f"{cell_id}: no distraction reaches this cell (noise share not applied)")
            continue
        follow_ups = sorted(
            (
                c
                for c in mine
                if c.inject_id.startswith("inj-sustain-")
                and all(distracted.get(other) for other in c.to)
                and c.beat.kind.name not in NOISE_KINDS
            ),
            key=lambda c: (-c.exercise_minute, c.inject_id),
        )
        # Every step-th follow-up from the latest first, so that distractions are spread over the
        # exercise; then the others.
        step = max(1, len(follow_ups) // (missing + 1))
        spread_first = follow_ups[::step]
        chosen = {id(c) for c in spread_first}
        for candidate in spread_first + [c for c in follow_ups if id(c) not in chosen]:
            if missing == 0:
                break
            # The kind with the most variants left first, so that a cell hears several kinds.
            fresh = sorted((n for n in names if told.left(n)), key=lambda n: -told.left(n))
            if not fresh:
                break
            replacement = _retell(plan, situation, candidate, fresh, taken, told)
            if replacement is not None:
                _replace(slots, position, candidate, replacement)
                missing -= 1
        if missing:
            plan.skipped.append(
                f"{cell_id}: {missing} distraction(s) short of the noise share (no distinct distraction left)"
            )
    return [c for c in slots if c is not None]


def _replace(slots: list[Candidate | None], position: dict[int, int], old: Candidate, new: Candidate) -> None:
    """Put ``new`` in the slot of ``old``."""
    index = position.pop(id(old))
    slots[index] = new
    position[id(new)] = index


def _template_kind(inject: dict[str, Any]) -> str:
    """The kind an inject was written from (``category/kind/variant`` of its template), if any."""
    parts = str((inject.get("provenance") or {}).get("template", "")).split("/")
    return parts[1] if len(parts) > 2 else ""


def other_follow_ups(plan: Plan, candidate: Candidate, taken: set[str]) -> Iterator[Candidate]:
    """Follow-ups of another kind that may take the place of ``candidate`` (a follow-up whose text
    repeats an earlier one), to the same cells at the same minute so that the pacing holds: the
    kinds of its first cell's role, neither distractions nor background calls (told once)."""
    situation = plan.memo.get("situation")
    cell = next((c for c in plan.ctx.player_cells if c["id"] == candidate.to[0]), None)
    if situation is None or cell is None or not candidate.inject_id.startswith("inj-sustain-"):
        return
    names = [
        name
        for role in sorted(plan.ctx.cell_roles(cell))
        for name in SUSTAIN_KINDS.get(role, ())
        if name not in NOISE_KINDS | _ONCE_PER_SESSION and name != candidate.beat.kind.name
    ]
    for name in dict.fromkeys(names):
        retold = _retell(plan, situation, candidate, [name], taken, None)
        if retold is not None:
            yield retold


def _retell(
    plan: Plan,
    situation: _Situation,
    candidate: Candidate,
    names: list[str],
    taken: set[str],
    told: _Distractions | None,
) -> Candidate | None:
    """``candidate``'s follow-up told instead as the first kind of ``names`` someone can tell then,
    to the same cells at the same minute (``taken``: inject ids in use); a distraction only with a
    variant not told yet (``told``)."""
    ctx, cell_id = plan.ctx, candidate.to[0]
    minute = candidate.exercise_minute
    scenario_minute = ctx.time_model.scenario_minute(minute)
    for name in names:
        inject_id = make_inject_id("inj", "sustain", cell_id, f"{minute:g}", name)
        if inject_id in taken:
            continue
        beat = _sustain_beat(ctx, situation, name, scenario_minute, candidate.beat.establishment, 0)
        if beat is None or (beat.kind.skip_when_playing and ctx.plays(beat.kind.skip_when_playing)):
            continue
        sender = choose_sender(ctx, beat, scenario_minute, strict=True)
        if sender is None or sender_ready(plan, beat, sender) > scenario_minute + 1e-9:
            continue
        beat.priority_override = "optional"
        beat.node = beat.node if beat.node in ctx.systems else None
        retold = Candidate(beat, inject_id, minute, sender, list(candidate.to), list(candidate.cc))
        if name in NOISE_KINDS:
            if told is None:
                continue
            beat.variant_turn = told.fresh_turn(retold)
            if beat.variant_turn is None:
                continue
            told.told.add(told.template(retold, beat.variant_turn))
        taken.add(inject_id)
        return retold
    return None
