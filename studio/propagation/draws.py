"""Random draws of one run, made up front from the seed.

Every random quantity of a run is drawn here, before the event loop starts, from independent
streams keyed by (seed, stream): reach-link delays, recovery times, EDR alerts, attacker triggers
and playbook triggers. Each value is the inverse CDF of one uniform number, so:

* the engines themselves are deterministic functions of (scenario, draws): the pure-Python
  reference and the compiled kernel consume the same arrays and cannot drift apart;
* two playbooks run with the same seed see the same attacker (common random numbers): the
  attacker's streams do not depend on the playbook;
* the *nominal* run replaces every uniform number by 0.5, i.e. every quantity takes its median
  (fixed value, uniform midpoint, triangular median, lognormal median, median number of attempts).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from studio.propagation.compiled import EXPONENTIAL, FIXED, LOGNORMAL, TRIANGULAR, UNIFORM, CompiledScenario

# Stream numbers; never renumber them, or every stored timeline would change.
STREAM_REACH, STREAM_RECOVERY, STREAM_EDR, STREAM_ATTACK_TRIGGERS, STREAM_PLAYBOOK = range(5)
# "Retried until success" has no cap: the number of attempts is an exact geometric draw. Each attempt
# has its own delay draw, up to this many extra attempts on one link in one run (the cost stays that of
# the former cap of 1,000 attempts); the delays of the attempts beyond are summed as one normal draw
# with their exact mean and variance (the central limit theorem over 1,000+ terms). Validation warns on
# links where that happens in more than one run in a thousand (warn.retries_approximated).
EXACT_EXTRA_ATTEMPTS = 1_000


def stream(seed: int, number: int) -> np.random.Generator:
    """The random generator of one stream of one run."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([int(seed), number])))


def quantiles(specs: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """Inverse CDF of each delay spec (rows code, a, b, c; see compiled.compile_delay) at ``uniforms``."""
    specs = np.asarray(specs, dtype=float).reshape(-1, 4)
    uniforms = np.asarray(uniforms, dtype=float)
    code, a, b, c = specs.T
    values = a.copy()
    is_uniform = code == UNIFORM
    values[is_uniform] = a[is_uniform] + (b[is_uniform] - a[is_uniform]) * uniforms[is_uniform]
    tri = code == TRIANGULAR
    if tri.any():
        lo, mode, hi, u = a[tri], b[tri], c[tri], uniforms[tri]
        width = hi - lo
        safe = np.where(width > 0, width, 1.0)
        left = u < (mode - lo) / safe
        rising = lo + np.sqrt(u * safe * (mode - lo))
        falling = hi - np.sqrt((1 - u) * safe * (hi - mode))
        values[tri] = np.where(width > 0, np.where(left, rising, falling), lo)
    logn = code == LOGNORMAL
    if logn.any():
        values[logn] = np.exp(a[logn] + b[logn] * ndtri(uniforms[logn]))
    expo = code == EXPONENTIAL
    if expo.any():
        values[expo] = -a[expo] * np.log1p(-uniforms[expo])
    return values


def moments(specs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of each delay spec (rows code, a, b, c)."""
    code, a, b, c = np.asarray(specs, dtype=float).reshape(-1, 4).T
    mean, variance = a.copy(), np.zeros(len(code))
    is_uniform = code == UNIFORM
    mean[is_uniform] = (a + b)[is_uniform] / 2
    variance[is_uniform] = (b - a)[is_uniform] ** 2 / 12
    tri = code == TRIANGULAR
    mean[tri] = (a + b + c)[tri] / 3
    variance[tri] = (a * a + b * b + c * c - a * b - a * c - b * c)[tri] / 18
    logn = code == LOGNORMAL
    mean[logn] = np.exp(a[logn] + b[logn] ** 2 / 2)
    variance[logn] = np.expm1(b[logn] ** 2) * np.exp(2 * a[logn] + b[logn] ** 2)
    expo = code == EXPONENTIAL
    variance[expo] = a[expo] ** 2
    return mean, variance


@dataclass
class Draws:
    """Everything random in one run (see module docstring)."""

    reach_delay: np.ndarray
    """Effective delay of each reach arc: sum of its attempts' delays; inf when every attempt fails."""
    recovery: np.ndarray
    edr_alert: np.ndarray
    """(sources, nodes) bools: would a compromise of this node raise an alert from this source."""
    edr_delay: np.ndarray
    trigger_delay: np.ndarray
    """Per trigger slot (CompiledScenario.trigger_slots order)."""


class DelayTable:
    """Inverse CDFs of a fixed array of delay specs, prepared once so that each run only pays for
    the arithmetic (the Monte Carlo draws the same specs thousands of times)."""

    def __init__(self, specs: np.ndarray) -> None:
        code, a, b, c = np.asarray(specs, dtype=float).reshape(-1, 4).T
        self.base = np.where(code == FIXED, a, 0.0)
        self.uniform = np.flatnonzero(code == UNIFORM)
        self.uniform_low, self.uniform_width = a[self.uniform], (b - a)[self.uniform]
        tri = (code == TRIANGULAR) & (c > a)
        self.base = np.where((code == TRIANGULAR) & ~tri, a, self.base)  # min == max: a fixed value
        self.tri = np.flatnonzero(tri)
        low, mode, high = a[self.tri], b[self.tri], c[self.tri]
        width = high - low
        self.tri_low, self.tri_high = low, high
        self.tri_split = (mode - low) / width
        self.tri_left, self.tri_right = width * (mode - low), width * (high - mode)
        self.logn = np.flatnonzero(code == LOGNORMAL)
        self.logn_mu, self.logn_sigma = a[self.logn], b[self.logn]
        self.expo = np.flatnonzero(code == EXPONENTIAL)
        self.expo_mean = a[self.expo]

    def __call__(self, uniforms: np.ndarray) -> np.ndarray:
        values = self.base.copy()
        values[self.uniform] = self.uniform_low + self.uniform_width * uniforms[self.uniform]
        if len(self.tri):
            u = uniforms[self.tri]
            rising = self.tri_low + np.sqrt(u * self.tri_left)
            falling = self.tri_high - np.sqrt((1 - u) * self.tri_right)
            values[self.tri] = np.where(u < self.tri_split, rising, falling)
        if len(self.logn):
            values[self.logn] = np.exp(self.logn_mu + self.logn_sigma * ndtri(uniforms[self.logn]))
        if len(self.expo):
            values[self.expo] = -self.expo_mean * np.log1p(-uniforms[self.expo])
        return values


class ReachSampler:
    """Prepared draws of a model's reach arcs: delay table, and retry data of the arcs with
    p_success < 1 (the only ones that draw a number of attempts)."""

    def __init__(self, model: CompiledScenario) -> None:
        self.size = len(model.reach_src)
        self.table = DelayTable(model.reach_delay)
        self.specs = model.reach_delay
        self.retried = np.flatnonzero(model.reach_p < 1)
        self.log_fail = np.log1p(-model.reach_p[self.retried])
        limits = model.reach_max_attempts[self.retried]
        self.limit = np.where(limits > 0, limits, np.iinfo(np.int64).max)

    @classmethod
    def of(cls, model: CompiledScenario) -> ReachSampler:
        cache = model.__dict__
        if "_reach_sampler" not in cache:
            cache["_reach_sampler"] = cls(model)
        return cache["_reach_sampler"]

    def __call__(self, rng: np.random.Generator | None) -> np.ndarray:
        """Effective delays (see Draws.reach_delay); ``rng=None`` gives the nominal values.

        The number of attempts of a retried arc is geometric (at least 1, no cap): the inverse CDF
        ceil(log(1 - u) / log(1 - p)) of one uniform. Stream layout: one uniform per arc (first
        attempt), one per retried arc (number of attempts), then one per extra attempt in arc order
        (at most EXACT_EXTRA_ATTEMPTS per arc), then one per arc with more extra attempts than that
        (the normal draw of the rest).
        """
        first = np.full(self.size, 0.5) if rng is None else rng.random(self.size)
        delays = self.table(first)
        if not len(self.retried):
            return delays
        count_u = np.full(len(self.retried), 0.5) if rng is None else rng.random(len(self.retried))
        with np.errstate(divide="ignore", invalid="ignore"):
            count = np.ceil(np.log1p(-count_u) / self.log_fail)
        # u = 0 gives 0 attempts (one is the least); float counts beyond int64 cannot be held, and no run
        # lasts that long in any case: the movement then never lands.
        endless = ~(count < 2.0**62)
        count = np.where(endless, 1, np.maximum(np.nan_to_num(count, nan=1.0), 1)).astype(np.int64)
        failed = endless | (count > self.limit)
        extra = np.where(failed, 0, count - 1)
        exact = np.minimum(extra, EXACT_EXTRA_ATTEMPTS)
        if exact.any():
            arcs = np.repeat(self.retried, exact)
            more_u = np.full(len(arcs), 0.5) if rng is None else rng.random(len(arcs))
            delays += np.bincount(arcs, quantiles(self.specs[arcs], more_u), minlength=self.size)
        rest = extra - exact
        if rest.any():
            many = np.flatnonzero(rest)
            arcs = self.retried[many]
            normal_u = np.full(len(arcs), 0.5) if rng is None else rng.random(len(arcs))
            mean, variance = moments(self.specs[arcs])
            spread = np.sqrt(variance * rest[many]) * ndtri(normal_u)
            delays[arcs] += np.maximum(mean * rest[many] + spread, 0.0)
        delays[self.retried[failed]] = math.inf
        return delays


def reach_delays(model: CompiledScenario, rng: np.random.Generator | None) -> np.ndarray:
    """Effective reach delays of one run; ``rng=None`` gives the nominal (median) values."""
    return ReachSampler.of(model)(rng)


def draw(model: CompiledScenario, playbook: str | None, seed: int, *, nominal: bool = False) -> Draws:
    """All random quantities of the run ``seed`` (or the nominal run) with ``playbook``."""

    def generator(number: int) -> np.random.Generator | None:
        return None if nominal else stream(seed, number)

    def uniforms(rng: np.random.Generator | None, size: int) -> np.ndarray:
        return np.full(size, 0.5) if rng is None else rng.random(size)

    n = model.n
    tables = model.__dict__.setdefault("_delay_tables", {})
    if "recovery" not in tables:
        tables["recovery"] = DelayTable(model.recovery_delay)
        tables["edr"] = [DelayTable(np.tile(spec, (n, 1))) for _, spec, _ in model.edr_sources]
    recovery = tables["recovery"](uniforms(generator(STREAM_RECOVERY), n))
    edr_rng = generator(STREAM_EDR)
    alerts, alert_delays = [], []
    for (probability, _, _), table in zip(model.edr_sources, tables["edr"], strict=True):
        alerts.append(uniforms(edr_rng, n) < probability)
        alert_delays.append(table(uniforms(edr_rng, n)))
    if ("triggers", playbook) not in tables:  # the same for every run of a batch
        slots = model.trigger_slots(playbook)
        tables["triggers", playbook] = (
            len(slots),
            [i for i, (_, (what, _)) in enumerate(slots) if what != "action"],
            [i for i, (_, (what, _)) in enumerate(slots) if what == "action"],
            np.array([trigger.delay for trigger, _ in slots], dtype=float).reshape(-1, 4),
        )
    slot_count, attacker_slots, defender_slots, specs = tables["triggers", playbook]
    trigger_u = np.empty(slot_count)
    trigger_u[attacker_slots] = uniforms(generator(STREAM_ATTACK_TRIGGERS), len(attacker_slots))
    trigger_u[defender_slots] = uniforms(generator(STREAM_PLAYBOOK), len(defender_slots))
    return Draws(
        reach_delay=reach_delays(model, generator(STREAM_REACH)),
        recovery=recovery,
        edr_alert=np.array(alerts, dtype=bool).reshape(len(model.edr_sources), n),
        edr_delay=np.array(alert_delays, dtype=float).reshape(len(model.edr_sources), n),
        trigger_delay=quantiles(specs, trigger_u),
    )
