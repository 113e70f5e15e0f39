"""Compile a scenario's systems, links, attack and playbooks into flat arrays for the engines.

networkx stays the authoring and display layer (studio.graph.model); the engines never touch it.
Nodes are numbered in the order of ``scenario["systems"]``; reach arcs and depends arcs are numbered
in the order they are written (system by system, link by link). Every duration is in minutes.

The scenario is assumed valid (studio.scenario.validate runs first); this module does not repeat
the validator's checks.
"""

from __future__ import annotations

import hashlib
import io
import math
import pickle
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property, lru_cache
from itertools import compress, pairwise
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
    """Flat, index-based view of a scenario for the engines (see module docstring for numbering).

    Adjacency is held as CSR pairs (pointer per node, then arc numbers): what the kernel takes as
    is; the reference engine reads the same as lists of lists (``reach_out``, ``gated_by``,
    ``dep_out``, ``dep_in``), built on first use only."""

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
    reach_out_csr: tuple[np.ndarray, np.ndarray]  # per node, its outgoing reach arcs
    gated_by_csr: tuple[np.ndarray, np.ndarray]  # per credential node, the reach arcs it unlocks
    # depends arcs (dependency -> dependent)
    dep_src: list[int]
    dep_dst: list[int]
    dep_grace: list[float]
    dep_out_csr: tuple[np.ndarray, np.ndarray]  # per dependency, arcs to its dependents
    dep_in_csr: tuple[np.ndarray, np.ndarray]  # per dependent, arcs from its dependencies
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

    @cached_property
    def reach_out(self) -> list[list[int]]:
        return _lists(self.reach_out_csr)

    @cached_property
    def gated_by(self) -> list[list[int]]:
        return _lists(self.gated_by_csr)

    @cached_property
    def dep_out(self) -> list[list[int]]:
        return _lists(self.dep_out_csr)

    @cached_property
    def dep_in(self) -> list[list[int]]:
        return _lists(self.dep_in_csr)

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


def compile_scenario(scenario: dict[str, Any], *, cache: bool = True) -> CompiledScenario:
    """Compile a valid scenario (see the module docstring). Links to unknown ids are skipped.

    The result is shared by later calls on a scenario with the same content (``cache``; see
    ``scenario_key``): the studio and Monte Carlo compile the same scenario again and again. The
    first compilation of a process is not keyed (the CLI compiles once: the key would cost it ~40 %
    more); from the second on, every one is. Callers treat a CompiledScenario as read-only; its own
    caches (kernel arrays, samplers) are derived from it and the same for every caller."""
    global _compiled_before
    key = scenario_key(scenario) if cache and _compiled_before else None
    _compiled_before = True
    if key is not None:
        with _CACHE_LOCK:
            model = _CACHE.get(key)
            if model is not None:
                _CACHE.move_to_end(key)
                return model
    with paused_gc():
        model = _compile(scenario)
    if key is not None:
        with _CACHE_LOCK:
            _CACHE[key] = model
            while len(_CACHE) > COMPILED_CACHE_SIZE:
                _CACHE.popitem(last=False)
    return model


# Compiled scenarios kept (least recently used dropped first): a 100k-system model holds ~40 MB.
COMPILED_CACHE_SIZE = 4
_CACHE: OrderedDict[bytes, CompiledScenario] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_compiled_before = False  # whether this process compiled a scenario already (see compile_scenario)


def clear_cache() -> None:
    """Forget every compiled scenario (benchmarks measure a first compilation with it)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def scenario_key(scenario: dict[str, Any]) -> bytes | None:
    """A digest of everything compile_scenario reads (systems, attack, playbooks, the scenario's
    start time), or None for a document that cannot be written out that way (cyclic, say).

    The parts are pickled without the memo (``Pickler.fast``): every object is written out in full,
    so the bytes depend on the content only (not on which objects are shared), and they read back
    to equal values, so equal digests mean equal inputs: an edit anywhere in those parts, in place
    or not, gives a new key. Keying costs about 40 % of compiling (a C pass and blake2b over ~0.5 kB
    per system); a hit also saves the derived arrays (kernel, samplers). Two equal scenarios written
    differently (key order, 1 vs 1.0) get different keys: only a cache miss."""
    parts = (
        scenario.get("systems", []),
        scenario.get("attack", {}),
        scenario.get("playbooks", []),
        scenario.get("exercise", {}).get("time_model", {}),
    )
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    try:
        pickler.dump(parts)
    except Exception:  # not plain data (a cycle, an object pickle refuses): compile uncached
        return None
    return hashlib.blake2b(buffer.getbuffer(), digest_size=32).digest()


_GATE_CODES = {"all": GATE_ALL, "any": GATE_ANY, "k_of_n": GATE_K_OF_N}
_DEFAULT_RECOVERY = (FIXED, DEFAULT_RECOVERY_MINUTES, 0.0, 0.0)


def _lists(csr: tuple[np.ndarray, np.ndarray]) -> list[list[int]]:
    """The lists of lists a CSR pair stands for (the reference engine indexes them in Python)."""
    pointer, flat = csr
    items, bounds = flat.tolist(), pointer.tolist()
    return [items[start:end] for start, end in pairwise(bounds)]


def _grouped(keys: np.ndarray, n: int, arcs: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """CSR of ``arcs`` (default: 0, 1, ...) grouped by ``keys`` (0..n-1), keeping their order
    within a group: the order in which the engines push, hence the order ties resolve in."""
    pointer = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=n), out=pointer[1:])
    arcs = np.arange(len(keys), dtype=np.int64) if arcs is None else arcs
    return pointer, arcs[np.argsort(keys, kind="stable")]


def _delay_rows(delays: list[dict[str, Any]]) -> np.ndarray:
    """(len(delays), 4) specs; each distinct delay (the same few recur on thousands of links) is
    compiled once, keyed by its items."""
    keys = [tuple(delay.items()) for delay in delays]
    slot: dict[tuple, int] = {}
    rows = []
    for key in dict.fromkeys(keys):
        slot[key] = len(rows)
        rows.append(compile_delay(dict(key)))
    table = np.asarray(rows, dtype=float).reshape(-1, 4)
    return table[np.fromiter(map(slot.__getitem__, keys), dtype=np.int64, count=len(keys))]


def _optional(systems: list[dict[str, Any]], key: str) -> list[tuple[int, Any]]:
    """(position, value) of the systems that have ``key`` (most have none of the rare ones)."""
    return [(i, system[key]) for i, system in enumerate(systems) if key in system]


def _flags(systems: list[dict[str, Any]], key: str) -> list[bool]:
    return [bool(system.get(key, False)) for system in systems]


def _compile(scenario: dict[str, Any]) -> CompiledScenario:
    """Gather each field of every system and link with one list comprehension per field (no
    per-link Python objects), then group and index with numpy."""
    systems = scenario.get("systems", [])
    ids = [system["id"] for system in systems]
    index = {system_id: i for i, system_id in enumerate(ids)}
    n = len(ids)

    recovery = np.tile(np.asarray(_DEFAULT_RECOVERY, dtype=float), (n, 1))
    for i, delay in _optional(systems, "recovery_time"):
        recovery[i] = compile_delay(delay)
    gate, gate_k = [GATE_ALL] * n, [1] * n
    for i, spec in _optional(systems, "gate"):
        gate[i], gate_k[i] = _GATE_CODES[spec["type"]], int(spec.get("k", 1))
    activation, max_duration = [math.nan] * n, [math.inf] * n
    for i, mode in _optional(systems, "degraded_mode"):
        activation[i] = minutes(mode["activation_delay"])
        if "max_duration" in mode:
            max_duration[i] = minutes(mode["max_duration"])
    backup = [index.get(system.get("backup", ""), -1) for system in systems]

    link_lists = [system.get("links", ()) for system in systems]
    owner = np.repeat(np.arange(n, dtype=np.int64), np.fromiter(map(len, link_lists), np.int64, n))
    links = [link for group in link_lists for link in group]
    count = len(links)
    target = np.array([index.get(link["target"], -1) for link in links], dtype=np.int64).reshape(count)
    is_reach = np.array([link["kind"] == "reach" for link in links], dtype=bool).reshape(count)
    known = target >= 0  # links to unknown ids are skipped
    reach_mask, dep_mask = is_reach & known, ~is_reach & known

    reach_links = list(compress(links, reach_mask.tolist()))
    arcs = len(reach_links)
    r_src, r_dst = owner[reach_mask], target[reach_mask]
    r_delay = _delay_rows([link["delay"] for link in reach_links])
    r_p = np.array([link.get("p_success", 1.0) for link in reach_links], dtype=float).reshape(arcs)
    r_max = np.array([link.get("max_attempts", 0) for link in reach_links], dtype=np.int64).reshape(arcs)
    r_req = np.array(
        [index.get(link.get("requires", ""), -1) for link in reach_links], dtype=np.int64
    ).reshape(arcs)
    r_also: dict[int, tuple[int, ...]] = {}
    for arc in [arc for arc, link in enumerate(reach_links) if "also_requires" in link]:
        link = reach_links[arc]
        credentials = [link["requires"]] if "requires" in link else []
        credentials += link["also_requires"]
        held = list(dict.fromkeys(index[c] for c in credentials if c in index))
        r_req[arc] = held[0] if held else -1
        if len(held) > 1:
            r_also[arc] = tuple(held[1:])
    r_tech = [link.get("technique", "") for link in reach_links]
    primary = np.flatnonzero(r_req >= 0)
    also_arcs = np.array([arc for arc, others in r_also.items() for _ in others], dtype=np.int64)
    also_keys = np.array([node for others in r_also.values() for node in others], dtype=np.int64)

    dep_links = list(compress(links, dep_mask.tolist()))
    dep_src, dep_dst = target[dep_mask], owner[dep_mask]
    dep_grace = [minutes(link["grace"]) if "grace" in link else 0.0 for link in dep_links]

    attack = scenario.get("attack", {})
    detonation = attack.get("detonation")
    off_hours = detonation.get("off_hours") if detonation else None
    zone_of = [system.get("zone") for system in systems]
    zones: dict[str, list[int]] = {}
    for i, name in enumerate(zone_of):
        if name is not None:
            zones.setdefault(name, []).append(i)

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
        zone=zone_of,
        domain_joined=_flags(systems, "domain_joined"),
        edr=_flags(systems, "edr"),
        bootstrap=_flags(systems, "bootstrap"),
        stops=_flags(systems, "stops_when_compromised"),
        backup=backup,
        recovery_delay=recovery,
        gate=gate,
        gate_k=gate_k,
        degraded_activation=activation,
        degraded_max=max_duration,
        reach_src=r_src,
        reach_dst=r_dst,
        reach_delay=r_delay,
        reach_p=r_p,
        reach_max_attempts=r_max,
        reach_requires=r_req,
        reach_also=r_also,
        reach_technique=r_tech,
        reach_out_csr=_grouped(r_src, n),
        gated_by_csr=_grouped(
            np.concatenate([r_req[primary], also_keys]), n, np.concatenate([primary, also_arcs])
        ),
        dep_src=dep_src.tolist(),
        dep_dst=dep_dst.tolist(),
        dep_grace=dep_grace,
        dep_out_csr=_grouped(dep_src, n),
        dep_in_csr=_grouped(dep_dst, n),
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
