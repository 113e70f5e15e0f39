"""The reference engine: a discrete-event simulation of one run, in plain Python.

It consumes a CompiledScenario and the run's Draws (every random quantity drawn up front) and
returns the run's events in time order, each with the events that caused it. The semantics are
documented in docs/propagation.md; the short version:

* Attack. A compromised system starts every reach link it holds at the moment it is compromised
  (or, for a credential-gated link, when the credential is obtained, whichever is later); the link
  delivers after its effective delay (the sum of its attempts). A system is compromised by the
  first arrival: OR over incoming links, AND with each link's credential. A credential node is
  "obtained" instead of "compromised".
* Cascade. A system is *working* when it is up. Its gate counts its dependencies that are not
  working, each one only after that link's grace period. It is unavailable when its gate fails or
  when it is encrypted, isolated, shut down or being restored; then it goes down, or degraded
  after the activation delay of its workaround, for at most the workaround's maximum duration.
* Detonation encrypts, at one instant, the scope of the scenario's rule; lateral movement stops.
* Detection and the playbook's actions are triggered by a time or by the first event of a kind.

Ties: events at the same minute are handled in the order they were scheduled (a global counter),
so zero delays are well defined and a run is a pure function of (scenario, draws).
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import deque
from dataclasses import dataclass, field

import networkx as nx

from studio.propagation.compiled import GATE_ALL, GATE_ANY, CompiledScenario, paused_gc
from studio.propagation.draws import Draws

UP, DEGRADED, DOWN = 0, 1, 2
FUNCTION_NAMES = ("up", "degraded", "down")

# Queue entry codes: what a scheduled item does when its time comes.
# A waiting restore is retried through the queue (same minute, after what is already scheduled)
# rather than from inside the cascade, so the cascade never re-enters itself.
_INITIAL, _ARRIVE, _FIRE, _EDR_ALERT, _INPUT_LOST, _DEGRADE, _EXPIRE, _RESTORED, _DETONATE, _RETRY = range(10)

# Which trigger kinds (schema `trigger.on`) an emitted event satisfies.
_TRIGGERED_BY = {
    "initial_access": ("initial_access", "compromised"),
    "compromised": ("compromised",),
    "credential_obtained": ("credential_obtained", "compromised"),
    "detected": ("detected",),
    "encrypted": ("encrypted",),
    "down": ("down",),
    "degraded": ("down",),
    "exfiltration": ("exfiltration",),
}

# Systems that are never encrypted: they are not machines.
_NOT_ENCRYPTABLE = frozenset({"credential", "clinical_service"})
_DETAIL_LIMIT = 300


@dataclass
class RunEvents:
    """The events of one run in time order (index = event number): rows of
    (time, kind, node, causes, detail), node -1 for an event about no system."""

    rows: list[tuple[float, str, int, tuple[int, ...], str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, index: int) -> list:
        return [row[index] for row in self.rows]

    @property
    def time(self) -> list[float]:
        return self.column(0)

    @property
    def kind(self) -> list[str]:
        return self.column(1)

    @property
    def node(self) -> list[int]:
        return self.column(2)


def clip_detail(text: str) -> str:
    """An event detail as the timeline stores it: at most 300 characters."""
    return text if len(text) <= _DETAIL_LIMIT else text[: _DETAIL_LIMIT - 1] + "…"


class _Run:
    """State of one run; ``simulate`` below is the only entry point."""

    def __init__(self, model: CompiledScenario, draws: Draws, playbook: str | None) -> None:
        self.model = model
        self.playbook = playbook
        self.actions = model.playbooks.get(playbook, []) if playbook else []
        self.slots = model.trigger_slots(playbook)
        self.reach_delay = draws.reach_delay.tolist()
        self.recovery = draws.recovery.tolist()
        self.edr_alert = draws.edr_alert.tolist()
        self.edr_delay = draws.edr_delay.tolist()
        self.trigger_delay = draws.trigger_delay.tolist()
        self.reach_src = model.reach_src.tolist()
        self.reach_dst = model.reach_dst.tolist()
        self.reach_requires = model.reach_requires.tolist()
        n = model.n
        self.events = RunEvents()
        self.queue: list[tuple] = []
        self.counter = itertools.count()
        # security state
        self.compromised = [False] * n
        self.comp_event = [-1] * n
        self.encrypted = [False] * n
        self.enc_event = [-1] * n
        self.isolated = [False] * n
        self.shut = [False] * n
        self.restoring = [False] * n
        self.epoch = [0] * n  # bumped whenever in-flight movements from/to a node become void
        self.attack_over = False
        self.detected = False
        self.internet_cut = False
        # functional state
        self.func = [UP] * n
        self.func_event = [-1] * n
        self.failed_inputs = [0] * n
        self.counted = [False] * len(model.dep_src)
        self.outage = [0] * n  # bumped at every up <-> not-up transition
        self.expired_in = [-1] * n  # outage number in which the workaround expired
        self.prearmed = [False] * n
        self.own_event = [-1] * n  # event that made the node unavailable by itself
        # restores
        self.waiting = [False] * n
        self.wait_event = [-1] * n
        self.deadlocks_reported: set[frozenset[int]] = set()
        # triggers
        self.fired = [False] * len(self.slots)
        self.watchers: dict[tuple[str, int], list[int]] = {}
        self.pending: dict[str, int] = {}  # per trigger kind, how many slots still wait for it
        self.live_kinds: set[str] = set()

    # -- plumbing -------------------------------------------------------------------------------

    def push(self, time: float, code: int, *payload: object) -> None:
        heapq.heappush(self.queue, (time, next(self.counter), code, payload))

    def emit(self, time: float, kind: str, node: int, causes: tuple[int, ...], detail: str = "") -> int:
        """Record an event and fire the triggers waiting for it; return its number."""
        rows = self.events.rows
        number = len(rows)
        if len(causes) == 1:  # the common case, without building a set
            causes = causes if causes[0] >= 0 else ()
        else:
            causes = tuple(sorted({cause for cause in causes if cause >= 0}))
        rows.append(
            (time, kind, node, causes, clip_detail(detail) if len(detail) > _DETAIL_LIMIT else detail)
        )
        if kind in self.live_kinds:
            for on in _TRIGGERED_BY[kind]:
                if self.pending.get(on):
                    self.fire_watchers(time, on, node, number)
        return number

    def fire_watchers(self, time: float, on: str, node: int, number: int) -> None:
        """Fire the unfired slots waiting for (on, node), then those waiting for (on, any node)."""
        for key in ((on, node), (on, -1)) if node >= 0 else ((on, -1),):
            for slot in self.watchers.get(key, ()):
                if not self.fired[slot]:
                    self.fired[slot] = True
                    self.pending[on] -= 1
                    self.push(time + self.trigger_delay[slot], _FIRE, slot, number)
                    if not self.pending[on]:
                        self.update_live_kinds()

    def update_live_kinds(self) -> None:
        """Event kinds that can still fire a trigger (emit skips the others at once)."""
        self.live_kinds = {
            kind for kind, ons in _TRIGGERED_BY.items() if any(self.pending.get(on) for on in ons)
        }

    def blocked(self, node: int) -> bool:
        """Out of the attacker's reach: isolated, shut down or being rebuilt."""
        return self.isolated[node] or self.shut[node] or self.restoring[node]

    def own_fault(self, node: int) -> bool:
        return self.encrypted[node] or self.blocked(node)

    # -- attack ---------------------------------------------------------------------------------

    def start_move(self, arc: int, time: float, causes: tuple[int, ...]) -> None:
        """Start the lateral movement along reach ``arc`` at ``time`` if nothing forbids it."""
        delay = self.reach_delay[arc]
        dst = self.reach_dst[arc]
        if delay == math.inf or self.compromised[dst] or self.blocked(dst):
            return
        req = self.reach_requires[arc]
        src = self.reach_src[arc]
        also = self.model.reach_also.get(arc) if self.model.reach_also else None
        if also:  # every credential must be held; each one is a cause of the movement
            if not (self.compromised[req] and all(self.compromised[credential] for credential in also)):
                return
            causes = (*causes, self.comp_event[req], *(self.comp_event[credential] for credential in also))
        self.push(
            time + delay,
            _ARRIVE,
            arc,
            self.epoch[src],
            self.epoch[dst],
            self.epoch[req] if req >= 0 else 0,
            causes,
        )

    def compromise(
        self, node: int, time: float, kind: str, causes: tuple[int, ...], detail: str = ""
    ) -> None:
        model = self.model
        is_credential = model.kind[node] == "credential"
        if is_credential and kind == "compromised":
            kind = "credential_obtained"
        self.compromised[node] = True
        event = self.emit(time, kind, node, causes, detail)
        self.comp_event[node] = event
        # start_move inlined for the common case (no credential): this loop is the hot path
        compromised, blocked, requires = self.compromised, self.blocked, self.reach_requires
        reach_delay, reach_dst, epoch, push = self.reach_delay, self.reach_dst, self.epoch, self.push
        own = (event,)
        for arc in model.reach_out[node]:
            req = requires[arc]
            if req < 0:
                delay = reach_delay[arc]
                dst = reach_dst[arc]
                if delay != math.inf and not compromised[dst] and not blocked(dst):
                    push(time + delay, _ARRIVE, arc, epoch[node], epoch[dst], 0, own)
            elif compromised[req]:
                self.start_move(arc, time, (event, self.comp_event[req]))
        if is_credential:
            for arc in model.gated_by[node]:
                src = self.reach_src[arc]
                if self.compromised[src] and src != node and not self.blocked(src):
                    self.start_move(arc, time, (self.comp_event[src], event))
        elif model.edr[node]:
            for source, alerts in enumerate(self.edr_alert):
                if alerts[node]:
                    self.push(time + self.edr_delay[source][node], _EDR_ALERT, source, node, event)
        if model.stops[node] and model.kind[node] not in _NOT_ENCRYPTABLE and not self.encrypted[node]:
            # a wiper, or a host encrypted by hand: the system stops now, not at the detonation
            self.encrypted[node] = True
            self.enc_event[node] = self.emit(time, "encrypted", node, (event,), "stopped when compromised")
            self.own_event[node] = self.enc_event[node]
            self.cascade(time, [node])

    def arrive(self, time: float, arc: int, src_epoch: int, dst_epoch: int, req_epoch: int, causes) -> None:
        if self.attack_over:
            return
        src, dst, req = self.reach_src[arc], self.reach_dst[arc], self.reach_requires[arc]
        if (
            self.compromised[dst]
            or self.epoch[src] != src_epoch
            or self.epoch[dst] != dst_epoch
            or self.blocked(dst)
            or not self.compromised[src]
            or (req >= 0 and (self.epoch[req] != req_epoch or not self.compromised[req]))
        ):
            return
        also = self.model.reach_also.get(arc) if self.model.reach_also else None
        if also and not all(
            self.compromised[credential] and self.comp_event[credential] in causes for credential in also
        ):
            return  # a further credential was reset (and perhaps obtained again) meanwhile
        technique = self.model.reach_technique[arc]
        self.compromise(dst, time, "compromised", causes, technique)

    def detonate(self, time: float, cause: int) -> None:
        if self.attack_over:
            return
        self.attack_over = True
        model = self.model
        scope = model.scope
        credential = model.domain_credential
        domain_wide = "domain_joined" in scope and credential >= 0 and self.compromised[credential]
        targets = []
        encrypted, isolated, shut, restoring = self.encrypted, self.isolated, self.shut, self.restoring
        for node, kind in enumerate(model.kind):
            if kind in _NOT_ENCRYPTABLE or encrypted[node] or isolated[node] or shut[node] or restoring[node]:
                continue
            by_domain = domain_wide and model.domain_joined[node]
            if kind == "backup":
                hit = "backups" in scope and (self.compromised[node] or by_domain)
            else:
                hit = ("compromised" in scope and self.compromised[node]) or by_domain
            if hit:
                targets.append(node)
        if not targets:
            return
        detonation = self.emit(
            time, "encrypted", -1, (cause,), f"detonation: {len(targets)} systems encrypted"
        )
        for node in targets:
            self.encrypted[node] = True
            reason = self.comp_event[node] if self.compromised[node] else self.comp_event[credential]
            self.enc_event[node] = self.emit(time, "encrypted", node, (detonation, reason))
            self.own_event[node] = self.enc_event[node]
        self.cascade(time, targets)

    def fire_detonation(self, time: float, cause: int) -> None:
        model = self.model
        when = time
        if model.initial_access:
            when = max(when, min(at for _, at in model.initial_access) + model.dwell)
        if model.off_hours is not None:
            start, end = model.off_hours
            clock = (model.start_minute_of_day + when) % 1440
            inside = start <= clock < end if start < end else (clock >= start or clock < end)
            if not inside:
                when += (start - clock) % 1440
        if when > time:
            self.push(when, _DETONATE, cause)
        else:
            self.detonate(time, cause)

    def detect(self, time: float, node: int, cause: int, source: str) -> None:
        if not self.detected:
            self.detected = True
            self.emit(time, "detected", node, (cause,), source)

    # -- functional cascade ---------------------------------------------------------------------

    def gate_fails(self, node: int) -> bool:
        """Whether ``node``'s gate fails with the dependency losses counted so far (after grace)."""
        return not self.gate_passes(node, len(self.model.dep_in[node]) - self.failed_inputs[node])

    def cascade(self, time: float, nodes: list[int], cause: int = -1) -> None:
        """Bring the functional state of ``nodes`` (and, in turn, their dependents) up to date."""
        model = self.model
        work = deque((node, cause) for node in nodes)
        own_fault, gate_fails = self.own_fault, self.gate_fails
        while work:
            node, why = work.popleft()
            # a node without dependencies never fails by its gate: skip the gate for it
            available = not own_fault(node) and not (model.dep_in[node] and gate_fails(node))
            state = self.func[node]
            if available == (state == UP):
                continue
            self.outage[node] += 1
            if available:
                self.func[node] = UP
                event = self.emit(time, "up", node, (why,))
                self.func_event[node] = event
                for arc in model.dep_out[node]:
                    if self.counted[arc]:
                        self.counted[arc] = False
                        dependent = model.dep_dst[arc]
                        self.failed_inputs[dependent] -= 1
                        work.append((dependent, event))
                for arc in model.dep_out[node]:
                    dependent = model.dep_dst[arc]
                    if self.waiting[dependent]:
                        self.push(time, _RETRY, dependent, event)
                continue
            if self.own_fault(node) and self.own_event[node] >= 0:
                why = self.own_event[node]
            event = self.go_unavailable(time, node, why)
            for arc in model.dep_out[node]:
                grace = model.dep_grace[arc]
                if grace > 0:
                    self.push(time + grace, _INPUT_LOST, arc, self.outage[node], event)
                else:
                    self.counted[arc] = True
                    dependent = model.dep_dst[arc]
                    self.failed_inputs[dependent] += 1
                    work.append((dependent, event))

    def go_unavailable(self, time: float, node: int, why: int) -> int:
        activation = self.model.degraded_activation[node]
        if activation != activation:  # NaN: no workaround
            self.func[node] = DOWN
            event = self.emit(time, "down", node, (why,))
        elif self.prearmed[node] or activation == 0:
            event = self.enter_degraded(time, node, why)
        else:
            self.func[node] = DOWN
            event = self.emit(time, "down", node, (why,))
            self.push(time + activation, _DEGRADE, node, self.outage[node], event)
        self.func_event[node] = event
        return event

    def enter_degraded(self, time: float, node: int, why: int, detail: str = "") -> int:
        self.func[node] = DEGRADED
        event = self.emit(time, "degraded", node, (why,), detail)
        self.func_event[node] = event
        limit = self.model.degraded_max[node]
        if limit != math.inf:
            self.push(time + limit, _EXPIRE, node, self.outage[node], event)
        return event

    def input_lost(self, time: float, arc: int, outage: int, cause: int) -> None:
        src = self.model.dep_src[arc]
        if self.outage[src] != outage or self.counted[arc]:
            return  # the dependency came back within the grace period
        self.counted[arc] = True
        dependent = self.model.dep_dst[arc]
        self.failed_inputs[dependent] += 1
        self.cascade(time, [dependent], cause)

    # -- defender -------------------------------------------------------------------------------

    def isolate(self, time: float, node: int, cause: int, kind: str) -> None:
        if kind == "shutdown":
            if self.shut[node]:
                return
            self.shut[node] = True
        else:
            if self.isolated[node]:
                return
            self.isolated[node] = True
        self.epoch[node] += 1
        self.own_event[node] = self.emit(time, kind, node, (cause,))
        self.cascade(time, [node])

    def run_action(self, time: float, index: int, cause: int) -> None:
        action = self.actions[index]
        model = self.model
        event = self.emit(
            time, "action", -1, (cause,), f"{action.action_id}: {action.label or action.action}"
        )
        kind = action.action
        if kind in ("isolate_node", "isolate_zone"):
            for node in action.nodes:
                self.isolate(time, node, event, "isolated")
        elif kind == "shutdown":
            for node in action.nodes:
                self.isolate(time, node, event, "shutdown")
        elif kind == "cut_internet":
            self.internet_cut = True
            gateways = [node for node in range(model.n) if model.kind[node] == "internet"]
            if not gateways:
                self.emit(time, "internet_cut", -1, (event,))
            for node in gateways:
                self.isolate(time, node, event, "internet_cut")
        elif kind == "reset_credentials":
            for node in action.nodes:
                if model.kind[node] == "credential":
                    # the attacker loses it; only a system compromised later can obtain it again
                    self.compromised[node] = False
                    self.epoch[node] += 1
                self.emit(time, "credentials_reset", node, (event,))
        elif kind == "activate_degraded_mode":
            for node in action.nodes:
                if model.degraded_activation[node] != model.degraded_activation[node]:
                    continue
                self.prearmed[node] = True
                if self.func[node] == DOWN and self.expired_in[node] != self.outage[node]:
                    self.enter_degraded(time, node, event, "workaround activated by the playbook")
        elif kind == "restore":
            for node in action.nodes:
                self.request_restore(time, node, event)

    def gate_passes(self, node: int, working: int) -> bool:
        """Whether ``node``'s gate passes with ``working`` of its dependencies working."""
        inputs = len(self.model.dep_in[node])
        gate = self.model.gate[node]
        if gate == GATE_ALL:
            return working == inputs
        if gate == GATE_ANY:
            return inputs == 0 or working > 0
        return working >= self.model.gate_k[node]

    def restartable(self, assumed: int = -1) -> list[bool]:
        """Systems that are not up but could all come up together right now.

        Candidates are the systems that are not up and have no fault of their own (plus
        ``assumed``, treated as healthy); the answer is the greatest subset whose gates all pass
        when its members and the up systems count as working. This is what lets a dependency
        cycle such as directory <-> DNS restart once every member is healthy again.
        """
        model = self.model
        func = self.func
        candidate = [
            state != UP and not (encrypted or isolated or shut or restoring)
            for state, encrypted, isolated, shut, restoring in zip(
                func, self.encrypted, self.isolated, self.shut, self.restoring, strict=True
            )
        ]
        if assumed >= 0:
            candidate[assumed] = func[assumed] != UP
        working = [0] * model.n
        for node in range(model.n):
            if candidate[node]:
                working[node] = sum(
                    1
                    for arc in model.dep_in[node]
                    if func[model.dep_src[arc]] == UP or candidate[model.dep_src[arc]]
                )
        # every count is taken before any candidate is dropped: a drop then lowers each count once
        # (dropping while counting lowered a later dependent's count twice, so the answer depended on
        # the order of the systems and could be smaller than the greatest subset)
        dropped = [
            node for node in range(model.n) if candidate[node] and not self.gate_passes(node, working[node])
        ]
        for node in dropped:
            candidate[node] = False
        while dropped:
            node = dropped.pop()
            for arc in model.dep_out[node]:
                dependent = model.dep_dst[arc]
                if candidate[dependent]:
                    working[dependent] -= 1
                    if not self.gate_passes(dependent, working[dependent]):
                        candidate[dependent] = False
                        dropped.append(dependent)
        return candidate

    def restart(self, time: float, cause: int) -> None:
        """Bring up, at once, every healthy system that can come up together (see restartable)."""
        model = self.model
        group = [node for node, ok in enumerate(self.restartable()) if ok]
        released = []
        for node in group:
            self.func[node] = UP
            self.outage[node] += 1
            self.func_event[node] = self.emit(time, "up", node, (cause,))
        for node in group:
            for arc in model.dep_out[node]:
                if self.counted[arc]:
                    self.counted[arc] = False
                    self.failed_inputs[model.dep_dst[arc]] -= 1
                    released.append(model.dep_dst[arc])
        if released:
            self.cascade(time, released, cause)

    def dependencies_up(self, node: int) -> bool:
        """Whether a restore of ``node`` can start: its gate passes with its dependencies that are
        up, or that would come up together with it (a cycle whose other members are healthy)."""
        model = self.model
        arcs = model.dep_in[node]
        if self.gate_passes(node, sum(1 for arc in arcs if self.func[model.dep_src[arc]] == UP)):
            return True
        healthy = sum(
            1 for arc in arcs if self.func[model.dep_src[arc]] == UP or not self.own_fault(model.dep_src[arc])
        )
        return self.gate_passes(node, healthy) and self.restartable(node)[node]

    def request_restore(self, time: float, node: int, cause: int) -> None:
        model = self.model
        if self.restoring[node] or model.kind[node] == "credential":
            return  # credentials are reset, not restored
        if not (self.waiting[node] or self.compromised[node] or self.own_fault(node)):
            return  # nothing to restore
        backup = model.backup[node]
        if backup >= 0 and self.encrypted[backup]:
            self.waiting[node] = False
            self.emit(
                time,
                "restore_blocked",
                node,
                (cause, self.enc_event[backup]),
                f"backup {model.ids[backup]} is encrypted: no restore possible",
            )
            return
        # a system only isolated or shut down is restarted, not rebuilt: it needs no dependency
        rebuild = self.compromised[node] or self.encrypted[node]
        if not rebuild or model.bootstrap[node] or self.dependencies_up(node):
            self.waiting[node] = False
            self.restoring[node] = True
            self.epoch[node] += 1
            event = self.emit(time, "restore_started", node, (cause,))
            self.own_event[node] = event
            self.push(time + self.recovery[node], _RESTORED, node, event)
            self.cascade(time, [node])
            return
        if self.waiting[node]:
            return
        self.waiting[node] = True
        missing = [
            model.ids[model.dep_src[arc]] for arc in model.dep_in[node] if self.func[model.dep_src[arc]] != UP
        ]
        self.wait_event[node] = self.emit(
            time, "restore_blocked", node, (cause,), "waits for its dependencies: " + ", ".join(missing)
        )
        self.check_deadlock(time)

    def restored(self, time: float, node: int, cause: int) -> None:
        self.restoring[node] = False
        self.compromised[node] = self.encrypted[node] = self.isolated[node] = self.shut[node] = False
        self.epoch[node] += 1
        event = self.emit(time, "restored", node, (cause,))
        self.own_event[node] = -1
        self.cascade(time, [node], event)
        if self.func[node] != UP:
            self.restart(time, event)
        for other in range(self.model.n):
            if self.waiting[other]:
                self.push(time, _RETRY, other, event)

    def check_deadlock(self, time: float) -> None:
        """Report groups of waiting restores that can never start because they wait on each other.

        A node *can come back* if it is up, being restored, or (being down only through its gate,
        or waiting for a restore) its gate would pass were every node that can come back up: a least
        fixpoint. Waiting restores that cannot come back and lie on a cycle of not-coming-back
        dependencies form a deadlock, reported once per group.
        """
        model = self.model
        n = model.n
        can = [self.func[node] == UP or self.restoring[node] for node in range(n)]
        working = [0] * n
        frontier = [node for node in range(n) if can[node]]
        while frontier:
            node = frontier.pop()
            for arc in model.dep_out[node]:
                dependent = model.dep_dst[arc]
                working[dependent] += 1
                if can[dependent] or (self.own_fault(dependent) and not self.waiting[dependent]):
                    continue
                if self.gate_passes(dependent, working[dependent]):
                    can[dependent] = True
                    frontier.append(dependent)

        def is_stuck(node: int) -> bool:
            # a node down by itself with no restore asked for blocks others but is no deadlock
            return not can[node] and (self.waiting[node] or not self.own_fault(node))

        # Only what the waiting restores wait for, transitively: every cycle through a waiting
        # restore lies there, so the strongly connected groups found are the same as on all nodes.
        stuck = nx.DiGraph()
        frontier = [node for node in range(n) if self.waiting[node] and is_stuck(node)]
        stuck.add_nodes_from(frontier)
        while frontier:
            node = frontier.pop()
            for arc in model.dep_in[node]:
                dependency = model.dep_src[arc]
                if is_stuck(dependency):
                    if dependency not in stuck:
                        stuck.add_node(dependency)
                        frontier.append(dependency)
                    stuck.add_edge(node, dependency)
        for component in nx.strongly_connected_components(stuck):
            members = sorted(component)
            cyclic = len(members) > 1 or stuck.has_edge(members[0], members[0])
            waiting = [node for node in members if self.waiting[node]]
            key = frozenset(members)
            if not cyclic or not waiting or key in self.deadlocks_reported:
                continue
            self.deadlocks_reported.add(key)
            names = ", ".join(model.ids[node] for node in members)
            self.emit(
                time,
                "restore_deadlock",
                waiting[0],
                tuple(self.wait_event[node] for node in waiting),
                f"restore deadlock: {names} need each other; rebuild one without its dependencies",
            )

    # -- main loop ------------------------------------------------------------------------------

    def run(self) -> RunEvents:
        model = self.model
        for node, at in model.initial_access:
            self.push(at, _INITIAL, node)
        for slot, (trigger, _) in enumerate(self.slots):
            if trigger.at is not None:
                self.fired[slot] = True
                self.push(trigger.at, _FIRE, slot, -1)
            else:
                self.watchers.setdefault((trigger.on, trigger.node), []).append(slot)
                self.pending[trigger.on] = self.pending.get(trigger.on, 0) + 1
        self.update_live_kinds()
        queue = self.queue
        compromised, reach_dst = self.compromised, self.reach_dst
        while queue:
            time, _, code, payload = heapq.heappop(queue)
            if code == _ARRIVE:
                # most arrivals find their target already taken: drop those without a call
                if not compromised[reach_dst[payload[0]]]:
                    self.arrive(time, *payload)
            elif code == _INPUT_LOST:
                self.input_lost(time, *payload)
            elif code == _INITIAL:
                node = payload[0]
                if not self.compromised[node] and not self.blocked(node) and not self.attack_over:
                    self.compromise(node, time, "initial_access", ())
            elif code == _FIRE:
                self.fire(time, *payload)
            elif code == _EDR_ALERT:
                source, node, cause = payload
                self.detect(time, node, cause, model.edr_sources[source][2])
            elif code == _DEGRADE:
                node, outage, cause = payload
                if self.outage[node] == outage and self.func[node] == DOWN:
                    self.enter_degraded(time, node, cause)
            elif code == _EXPIRE:
                node, outage, cause = payload
                if self.outage[node] == outage and self.func[node] == DEGRADED:
                    self.expired_in[node] = outage
                    self.func[node] = DOWN
                    expired = self.emit(time, "degraded_mode_expired", node, (cause,))
                    self.func_event[node] = self.emit(time, "down", node, (expired,))
            elif code == _RESTORED:
                self.restored(time, *payload)
            elif code == _DETONATE:
                self.detonate(time, payload[0])
            elif code == _RETRY:
                self.request_restore(time, *payload)
        return self.events

    def fire(self, time: float, slot: int, cause: int) -> None:
        what, index = self.slots[slot][1]
        model = self.model
        if what == "detonation":
            self.fire_detonation(time, cause)
        elif what == "exfiltration":
            _, node, _, detail = model.exfiltrations[index]
            if node >= 0 and self.compromised[node] and not self.blocked(node) and not self.internet_cut:
                self.emit(time, "exfiltration", node, (cause, self.comp_event[node]), detail)
        elif what == "detection":
            self.detect(time, -1, cause, model.scripted_detections[index][1])
        else:
            self.run_action(time, index, cause)


def simulate(model: CompiledScenario, draws: Draws, playbook: str | None) -> RunEvents:
    """Run the reference engine once; ``playbook`` is a playbook id of ``model`` or None."""
    with paused_gc():
        return _Run(model, draws, playbook).run()
