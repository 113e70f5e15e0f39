"""Compile a scenario's systems, links, attack and playbooks into flat arrays for the engines.

networkx stays the authoring and display layer (studio.graph.model); the engines never touch it.
Nodes are numbered in the order of ``scenario["systems"]``; reach arcs and depends arcs are numbered
in the order they are written (system by system, link by link). Every duration is in minutes.

The scenario is assumed valid (studio.scenario.validate runs first); this module does not repeat
the validator's checks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

import numpy as np

from studio.durations import parse_minutes
from studio.gcpause import paused_gc

# Delay distribution codes (columns of CompiledScenario.*_delay arrays: code, a, b, c).
FIXED, UNIFORM, TRIANGULAR, LOGNORMAL, EXPONENTIAL = 0, 1, 2, 3, 4
# z-score of the 90th percentile of the standard normal: p90 = median * exp(sigma * Z90).
Z90 = 1.2815515655446004

# Gate codes.
GATE_ALL, GATE_ANY, GATE_K_OF_N = 0, 1, 2

# A restore of a system without recovery_time takes this long (documented in docs/propagation.md).
DEFAULT_RECOVERY_MINUTES = 240.0

ZERO_DELAY = (FIXED, 0.0, 0.0, 0.0)


@lru_cache(maxsize=4096)
def minutes(text: str) -> float:
    """parse_minutes with a cache: the same few durations recur on thousands of links."""
    return parse_minutes(text)


def compile_delay(delay: dict[str, Any] | None) -> tuple[int, float, float, float]:
    """Return (code, a, b, c) for a schema ``delay``; ``None`` is a zero delay.

    fixed: a=value; uniform: a=min, b=max; triangular: a=min, b=mode, c=max;
    lognormal: a=log(median), b=sigma (from p90), c=median (a zero median means always zero);
    exponential: a=mean (a zero mean means always zero).
    """
    if delay is None:
        return ZERO_DELAY
    dist = delay["dist"]
    if dist == "fixed":
        return (FIXED, minutes(delay["value"]), 0.0, 0.0)
    if dist == "uniform":
        return (UNIFORM, minutes(delay["min"]), minutes(delay["max"]), 0.0)
    if dist == "triangular":
        return (TRIANGULAR, minutes(delay["min"]), minutes(delay["mode"]), minutes(delay["max"]))
    if dist == "exponential":
        mean = minutes(delay["mean"])
        return (EXPONENTIAL, mean, 0.0, 0.0) if mean > 0 else ZERO_DELAY
    median, p90 = minutes(delay["median"]), minutes(delay["p90"])
    if median <= 0:
        return (FIXED, 0.0, 0.0, 0.0)
    sigma = max(math.log(max(p90, median) / median) / Z90, 0.0)
    return (LOGNORMAL, math.log(median), sigma, median)


@dataclass(frozen=True)
class Trigger:
    """A compiled schema ``trigger``: at a fixed minute, or on the first event of a kind (on a node)."""

    at: float | None
    on: str | None = None
    node: int = -1
    delay: tuple[int, float, float, float] = ZERO_DELAY


def compile_trigger(trigger: dict[str, Any], index: dict[str, int]) -> Trigger:
    if "at" in trigger:
        return Trigger(at=minutes(trigger["at"]))
    return Trigger(
        at=None,
        on=trigger["on"],
        node=index.get(trigger.get("node", ""), -1),
        delay=compile_delay(trigger.get("delay")),
    )


@dataclass(frozen=True)
class Action:
    """A compiled playbook action; ``nodes`` are the systems it acts on (zones already expanded)."""

    action_id: str
    action: str
    trigger: Trigger
    nodes: tuple[int, ...]
    label: str


@dataclass
class CompiledScenario:
    """Flat, index-based view of a scenario for the engines (see module docstring for numbering)."""

    ids: list[str]
    index: dict[str, int]
    kind: list[str]
    zone: list[str | None]
    domain_joined: list[bool]
    edr: list[bool]
    bootstrap: list[bool]
    stops: list[bool]  # stops_when_compromised: encrypted at once when compromised
    backup: list[int]
    recovery_delay: np.ndarray  # (n, 4) delay specs
    gate: list[int]
    gate_k: list[int]
    degraded_activation: list[float]  # NaN when the node has no degraded mode
    degraded_max: list[float]  # inf when unbounded
    # reach arcs
    reach_src: np.ndarray
    reach_dst: np.ndarray
    reach_delay: np.ndarray  # (m, 4)
    reach_p: np.ndarray
    reach_max_attempts: np.ndarray  # 0 = retried until success
    reach_requires: np.ndarray  # credential node or -1
    reach_also: dict[int, tuple[int, ...]]  # per arc with several credentials, those besides requires
    reach_technique: list[str]
    reach_out: list[list[int]]  # per node, its outgoing reach arcs
    gated_by: list[list[int]]  # per credential node, the reach arcs it unlocks
    # depends arcs (dependency -> dependent)
    dep_src: list[int]
    dep_dst: list[int]
    dep_grace: list[float]
    dep_out: list[list[int]]  # per dependency, arcs to its dependents
    dep_in: list[list[int]]  # per dependent, arcs from its dependencies
    # attack
    initial_access: list[tuple[int, float]]
    dwell: float
    detonation: Trigger | None
    scope: frozenset[str]
    domain_credential: int
    off_hours: tuple[float, float] | None
    start_minute_of_day: float
    exfiltrations: list[tuple[str, int, Trigger, str]]
    scripted_detections: list[tuple[Trigger, str]]
    edr_sources: list[tuple[float, tuple[int, float, float, float], str]]
    playbooks: dict[str, list[Action]] = field(default_factory=dict)
    default_playbook: str | None = None

    @property
    def kernel_supported(self) -> bool:
        """Whether the compiled kernel implements everything this scenario uses: links that require
        several credentials and systems stopped by a compromise run on the reference engine only."""
        return not self.reach_also and not any(self.stops)

    @property
    def n(self) -> int:
        return len(self.ids)

    def trigger_delays(self, playbook: str | None) -> list[tuple[int, float, float, float]]:
        """Delay specs of every trigger slot, in the slot order the engines use (see ``trigger_slots``)."""
        return [trigger.delay for trigger, _ in self.trigger_slots(playbook)]

    def trigger_slots(self, playbook: str | None) -> list[tuple[Trigger, tuple[str, int]]]:
        """(trigger, (what, index)) for every triggered thing: detonation, exfiltrations, scripted
        detections, then the playbook's actions. The order is fixed so random draws line up."""
        slots: list[tuple[Trigger, tuple[str, int]]] = []
        if self.detonation is not None:
            slots.append((self.detonation, ("detonation", 0)))
        slots += [(trigger, ("exfiltration", i)) for i, (_, _, trigger, _) in enumerate(self.exfiltrations)]
        slots += [(trigger, ("detection", i)) for i, (trigger, _) in enumerate(self.scripted_detections)]
        for i, action in enumerate(self.playbooks.get(playbook, []) if playbook else []):
            slots.append((action.trigger, ("action", i)))
        return slots

    def resolve_playbook(self, playbook: str | None) -> str | None:
        """The playbook a run uses: the one named, else the default one, else none."""
        if playbook is not None:
            if playbook not in self.playbooks:
                raise KeyError(f"unknown playbook {playbook!r}; known: {sorted(self.playbooks)}")
            return playbook
        return self.default_playbook


def _time_of_day(text: str | None) -> float:
    if not text:
        return 0.0
    stamp = datetime.fromisoformat(text)
    return stamp.hour * 60 + stamp.minute + stamp.second / 60


def _clock(text: str) -> float:
    hours, mins = text.split(":")
    return int(hours) * 60 + int(mins)


def _exfiltration_detail(item: dict[str, Any]) -> str:
    volume = f"{item['volume_gb']:g} GB" if "volume_gb" in item else ""
    return " ".join(part for part in (item.get("data", ""), volume) if part)


def compile_scenario(scenario: dict[str, Any]) -> CompiledScenario:
    """Compile a valid scenario (see the module docstring). Links to unknown ids are skipped."""
    with paused_gc():
        return _compile(scenario)


_GATE_CODES = {"all": GATE_ALL, "any": GATE_ANY, "k_of_n": GATE_K_OF_N}
_ALL_GATE = {"type": "all"}


def _compile(scenario: dict[str, Any]) -> CompiledScenario:
    systems = scenario.get("systems", [])
    ids = [system["id"] for system in systems]
    index = {system_id: i for i, system_id in enumerate(ids)}
    n = len(ids)

    recovery: list[tuple[int, float, float, float]] = []
    gate, gate_k, activation, max_duration, backup = [], [], [], [], []
    r_src, r_dst, r_delay, r_p, r_max, r_req, r_tech = [], [], [], [], [], [], []
    r_also: dict[int, tuple[int, ...]] = {}
    dep_src, dep_dst, dep_grace = [], [], []
    for i, system in enumerate(systems):
        recovery.append(
            compile_delay(system["recovery_time"])
            if "recovery_time" in system
            else (FIXED, DEFAULT_RECOVERY_MINUTES, 0.0, 0.0)
        )
        spec = system.get("gate", _ALL_GATE)
        gate.append(_GATE_CODES[spec["type"]])
        gate_k.append(int(spec.get("k", 1)))
        mode = system.get("degraded_mode")
        activation.append(minutes(mode["activation_delay"]) if mode else math.nan)
        max_duration.append(minutes(mode["max_duration"]) if mode and "max_duration" in mode else math.inf)
        backup.append(index.get(system.get("backup", ""), -1))
        for link in system.get("links", []):
            target = index.get(link["target"])
            if target is None:
                continue
            if link["kind"] == "reach":
                r_src.append(i)
                r_dst.append(target)
                r_delay.append(compile_delay(link["delay"]))
                r_p.append(float(link.get("p_success", 1.0)))
                r_max.append(int(link.get("max_attempts", 0)))
                if "also_requires" in link:
                    credentials = [link["requires"]] if "requires" in link else []
                    credentials += link["also_requires"]
                    held = list(dict.fromkeys(index[c] for c in credentials if c in index))
                    r_req.append(held[0] if held else -1)
                    if len(held) > 1:
                        r_also[len(r_src) - 1] = tuple(held[1:])
                else:
                    r_req.append(index.get(link.get("requires", ""), -1))
                r_tech.append(link.get("technique", ""))
            else:
                dep_src.append(target)
                dep_dst.append(i)
                dep_grace.append(minutes(link["grace"]) if "grace" in link else 0.0)

    reach_out: list[list[int]] = [[] for _ in range(n)]
    gated_by: list[list[int]] = [[] for _ in range(n)]
    for arc, (src, req) in enumerate(zip(r_src, r_req, strict=True)):
        reach_out[src].append(arc)
        if req >= 0:
            gated_by[req].append(arc)
    for arc, others in r_also.items():
        for credential in others:
            gated_by[credential].append(arc)
    dep_out: list[list[int]] = [[] for _ in range(n)]
    dep_in: list[list[int]] = [[] for _ in range(n)]
    for arc, (src, dst) in enumerate(zip(dep_src, dep_dst, strict=True)):
        dep_out[src].append(arc)
        dep_in[dst].append(arc)

    attack = scenario.get("attack", {})
    detonation = attack.get("detonation")
    off_hours = detonation.get("off_hours") if detonation else None
    zones: dict[str, list[int]] = {}
    for i, system in enumerate(systems):
        if "zone" in system:
            zones.setdefault(system["zone"], []).append(i)

    playbooks: dict[str, list[Action]] = {}
    default_playbook = None
    for book in scenario.get("playbooks", []):
        actions = []
        for item in book["actions"]:
            nodes = [index[t] for t in item.get("targets", []) if t in index]
            for zone in item.get("zones", []):
                nodes += zones.get(zone, [])
            actions.append(
                Action(
                    item["id"],
                    item["action"],
                    compile_trigger(item["trigger"], index),
                    tuple(dict.fromkeys(nodes)),
                    item.get("label", ""),
                )
            )
        playbooks[book["id"]] = actions
        if book.get("default") and default_playbook is None:
            default_playbook = book["id"]

    detections = attack.get("detection", [])
    time_model = scenario.get("exercise", {}).get("time_model", {})
    return CompiledScenario(
        ids=ids,
        index=index,
        kind=[system["kind"] for system in systems],
        zone=[system.get("zone") for system in systems],
        domain_joined=[bool(system.get("domain_joined", False)) for system in systems],
        edr=[bool(system.get("edr", False)) for system in systems],
        bootstrap=[bool(system.get("bootstrap", False)) for system in systems],
        stops=[bool(system.get("stops_when_compromised", False)) for system in systems],
        backup=backup,
        recovery_delay=np.asarray(recovery, dtype=float).reshape(n, 4),
        gate=gate,
        gate_k=gate_k,
        degraded_activation=activation,
        degraded_max=max_duration,
        reach_src=np.asarray(r_src, dtype=np.int64),
        reach_dst=np.asarray(r_dst, dtype=np.int64),
        reach_delay=np.asarray(r_delay, dtype=float).reshape(-1, 4),
        reach_p=np.asarray(r_p, dtype=float),
        reach_max_attempts=np.asarray(r_max, dtype=np.int64),
        reach_requires=np.asarray(r_req, dtype=np.int64),
        reach_also=r_also,
        reach_technique=r_tech,
        reach_out=reach_out,
        gated_by=gated_by,
        dep_src=dep_src,
        dep_dst=dep_dst,
        dep_grace=dep_grace,
        dep_out=dep_out,
        dep_in=dep_in,
        initial_access=[
            (index[item["node"]], minutes(item["at"]))
            for item in attack.get("initial_access", [])
            if item["node"] in index
        ],
        dwell=minutes(attack["dwell"]) if "dwell" in attack else 0.0,
        detonation=compile_trigger(detonation["trigger"], index) if detonation else None,
        scope=frozenset(detonation.get("scope", [])) if detonation else frozenset(),
        domain_credential=index.get(detonation.get("domain_credential", ""), -1) if detonation else -1,
        off_hours=(_clock(off_hours["start"]), _clock(off_hours["end"])) if off_hours else None,
        start_minute_of_day=_time_of_day(time_model.get("scenario_start")),
        exfiltrations=[
            (
                item["id"],
                index.get(item["node"], -1),
                compile_trigger(item["trigger"], index),
                _exfiltration_detail(item),
            )
            for item in attack.get("exfiltration", [])
        ],
        scripted_detections=[
            (compile_trigger(item["trigger"], index), item.get("source", ""))
            for item in detections
            if item["type"] == "scripted"
        ],
        edr_sources=[
            (float(item["probability"]), compile_delay(item.get("delay")), item.get("source", ""))
            for item in detections
            if item["type"] == "edr"
        ],
        playbooks=playbooks,
        default_playbook=default_playbook,
    )
