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

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields

import numpy as np
from numpy.random.bit_generator import ISeedSequence
from scipy.special import ndtri

from studio.limits import EXACT_EXTRA_ATTEMPTS
from studio.propagation.compiled import EXPONENTIAL, FIXED, LOGNORMAL, TRIANGULAR, UNIFORM, CompiledScenario

# Stream numbers; never renumber them, or every stored timeline would change.
STREAM_REACH, STREAM_RECOVERY, STREAM_EDR, STREAM_ATTACK_TRIGGERS, STREAM_PLAYBOOK = range(5)
# "Retried until success" has no cap: the number of attempts is an exact geometric draw. Each attempt
# has its own delay draw, up to this many extra attempts on one link in one run (the cost stays that of
# the former cap of 1,000 attempts); the delays of the attempts beyond are summed as one normal draw
# with their exact mean and variance (the central limit theorem over 1,000+ terms). Validation warns on
# links where that happens in more than one run in a thousand (warn.retries_approximated).
# (EXACT_EXTRA_ATTEMPTS lives in studio.limits: the validation reads it without importing the engine.)


STREAMS = 5
# SeedSequence's hashing constants (numpy.random.SeedSequence, pool of 4 words): _stream_block hashes
# the entropy of many streams at once and gives exactly the words SeedSequence([seed, number]) gives
# (tests/propagation/test_draw_block.py compares them).
_INIT_A, _MULT_A, _INIT_B, _MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
_MIX_MULT_L, _MIX_MULT_R, _XSHIFT = 0xCA01F9DD, 0x4973F715, 16


class _SeedWords(ISeedSequence):
    """A seed sequence whose state words are already computed (PCG64 only asks for four uint64)."""

    def __init__(self, words: np.ndarray) -> None:
        self.words = words

    def generate_state(self, n_words: int, dtype: type = np.uint32) -> np.ndarray:
        return self.words


def seed_words(seeds: np.ndarray, numbers: np.ndarray) -> np.ndarray:
    """SeedSequence([seed, number]).generate_state(4, np.uint64) for each pair (seeds and numbers
    below 2**32, broadcast together), computed on all pairs at once: (..., 4) uint64."""
    seeds, numbers = np.broadcast_arrays(
        np.asarray(seeds, dtype=np.uint32), np.asarray(numbers, dtype=np.uint32)
    )
    u32 = np.uint32
    zero = np.zeros(seeds.shape, dtype=u32)
    hash_const = u32(_INIT_A)

    def hashmix(value: np.ndarray) -> np.ndarray:
        nonlocal hash_const
        value = value ^ hash_const
        hash_const = u32(hash_const * u32(_MULT_A))
        value = value * hash_const
        return value ^ (value >> u32(_XSHIFT))

    with np.errstate(over="ignore"):  # 32-bit arithmetic wraps on purpose
        pool = [hashmix(word) for word in (seeds, numbers, zero, zero)]
        for source in range(4):
            for target in range(4):
                if source != target:
                    mixed = u32(_MIX_MULT_L) * pool[target] - u32(_MIX_MULT_R) * hashmix(pool[source])
                    pool[target] = mixed ^ (mixed >> u32(_XSHIFT))
        words = np.empty((*seeds.shape, 8), dtype=u32)
        hash_const = u32(_INIT_B)
        for index in range(8):
            value = pool[index % 4] ^ hash_const
            hash_const = u32(hash_const * u32(_MULT_B))
            value = value * hash_const
            words[..., index] = value ^ (value >> u32(_XSHIFT))
    return words.view(np.uint64)


def _stream_block(seeds: Sequence[int]) -> list[list[np.random.Generator | None]]:
    """``stream(seed, number)`` of every seed, per stream number: the seeds' hashing done together
    (a run opens five streams; SeedSequence one by one took a fifth of the draws' time)."""
    if not all(0 <= int(seed) < 2**32 for seed in seeds):
        return [[stream(seed, number) for seed in seeds] for number in range(STREAMS)]
    words = seed_words(np.array([int(seed) for seed in seeds])[None, :], np.arange(STREAMS)[:, None])
    return [
        [np.random.Generator(np.random.PCG64(_SeedWords(row))) for row in per_number] for per_number in words
    ]


def stream(seed: int, number: int) -> np.random.Generator:
    """The random generator of one stream of one run (draws open a block's streams together:
    _stream_block, the same generators)."""
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


DRAW_FIELDS = tuple(item.name for item in fields(Draws))


class DelayTable:
    """Inverse CDFs of a fixed array of delay specs, prepared once so that each run only pays for
    the arithmetic (the Monte Carlo draws the same specs thousands of times).

    The specs whose value depends on the uniform number are evaluated grouped by distribution
    (``drawn``: uniform, then triangular, lognormal and exponential columns): one gather of their
    uniforms, contiguous arithmetic per group, one scatter back."""

    def __init__(self, specs: np.ndarray) -> None:
        code, a, b, c = np.asarray(specs, dtype=float).reshape(-1, 4).T
        tri = (code == TRIANGULAR) & (c > a)
        # fixed values (a triangular with min == max is one too); 0 where the uniform decides
        self.base = np.where((code == FIXED) | ((code == TRIANGULAR) & ~tri), a, 0.0)
        uniform = np.flatnonzero(code == UNIFORM)
        self.uniform_low, self.uniform_width = a[uniform], (b - a)[uniform]
        triangular = np.flatnonzero(tri)
        low, mode, high = a[triangular], b[triangular], c[triangular]
        width = high - low
        self.tri_low, self.tri_high = low, high
        self.tri_split = (mode - low) / width
        self.tri_left, self.tri_right = width * (mode - low), width * (high - mode)
        logn = np.flatnonzero(code == LOGNORMAL)
        self.logn_mu, self.logn_sigma = a[logn], b[logn]
        expo = np.flatnonzero(code == EXPONENTIAL)
        self.expo_mean = a[expo]
        groups = (uniform, triangular, logn, expo)
        self.drawn = np.concatenate(groups)
        bounds = np.cumsum([0, *(len(group) for group in groups)])
        self.uniform, self.tri, self.logn, self.expo = (
            slice(int(start), int(stop)) for start, stop in itertools.pairwise(bounds)
        )

    def __call__(self, uniforms: np.ndarray, fill: TableFill | None = None) -> np.ndarray:
        """Values at ``uniforms``: one per spec, or a (runs, specs) block of several runs at once
        (elementwise the same arithmetic, hence the same values as run by run).

        ``fill``: the compiled kernel's table_fill (Monte Carlo on the kernel), which does the
        fixed, uniform and triangular arithmetic of a block in one pass; the same operations in the
        same order, hence the same values. The lognormal and exponential values stay numpy's."""
        if fill is not None and uniforms.ndim == 2 and len(self.drawn):
            return self._filled(np.ascontiguousarray(uniforms), fill)
        values = np.empty(uniforms.shape)
        values[...] = self.base
        if not len(self.drawn):
            return values
        u = uniforms[..., self.drawn]
        drawn = np.empty(u.shape)
        uniform, tri, logn, expo = self.uniform, self.tri, self.logn, self.expo
        drawn[..., uniform] = self.uniform_low + self.uniform_width * u[..., uniform]
        if tri.stop > tri.start:
            t = u[..., tri]
            rising = self.tri_low + np.sqrt(t * self.tri_left)
            falling = self.tri_high - np.sqrt((1 - t) * self.tri_right)
            drawn[..., tri] = np.where(t < self.tri_split, rising, falling)
        if logn.stop > logn.start:
            drawn[..., logn] = self._lognormal(u[..., logn])
        if expo.stop > expo.start:
            drawn[..., expo] = self._exponential(u[..., expo])
        values[..., self.drawn] = drawn
        return values

    def _filled(self, uniforms: np.ndarray, fill: TableFill) -> np.ndarray:
        values = np.empty(uniforms.shape)
        transcendental = np.empty((len(uniforms), len(self.drawn) - self.logn.start))
        fill(uniforms, self, values, transcendental)
        lognormal = self.logn.stop - self.logn.start
        if lognormal:
            values[:, self.drawn[self.logn]] = self._lognormal(transcendental[:, :lognormal])
        if self.expo.stop > self.expo.start:
            values[:, self.drawn[self.expo]] = self._exponential(transcendental[:, lognormal:])
        return values

    def _lognormal(self, u: np.ndarray) -> np.ndarray:
        # exp(mu + sigma * ndtri(u)) in one buffer: the same operations, without two temporaries
        values = ndtri(u)
        values *= self.logn_sigma
        values += self.logn_mu
        return np.exp(values, out=values)

    def _exponential(self, u: np.ndarray) -> np.ndarray:
        return -self.expo_mean * np.log1p(-u)


# kernel.table_fill(uniforms, table, values, transcendental): see DelayTable.__call__
TableFill = Callable[[np.ndarray, DelayTable, np.ndarray, np.ndarray], None]


class AttemptTable:
    """``quantiles`` of a fixed array of specs at any list of (spec, uniform) pairs, with each spec's
    parameters prepared once: the delays of the extra attempts of retried links (the same arithmetic
    as ``quantiles``, hence the same values)."""

    def __init__(self, specs: np.ndarray) -> None:
        code, a, b, c = np.asarray(specs, dtype=float).reshape(-1, 4).T
        self.code = code
        self.a, self.b, self.c = a, b, c
        width = c - a
        self.width = width
        self.safe = np.where(width > 0, width, 1.0)

    def __call__(self, columns: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
        """The value of spec ``columns[i]`` at ``uniforms[i]``, for every i."""
        code = self.code[columns]
        values = self.a[columns]
        for kind in (UNIFORM, TRIANGULAR, LOGNORMAL, EXPONENTIAL):
            where = np.flatnonzero(code == kind)
            if not len(where):
                continue
            spec, u = columns[where], uniforms[where]
            a = self.a[spec]
            if kind == UNIFORM:
                values[where] = a + (self.b[spec] - a) * u
            elif kind == TRIANGULAR:
                mode, high, safe = self.b[spec], self.c[spec], self.safe[spec]
                rising = a + np.sqrt(u * safe * (mode - a))
                falling = high - np.sqrt((1 - u) * safe * (high - mode))
                sloped = np.where(u < (mode - a) / safe, rising, falling)
                values[where] = np.where(self.width[spec] > 0, sloped, a)
            elif kind == LOGNORMAL:
                values[where] = np.exp(a + self.b[spec] * ndtri(u))
            else:
                values[where] = -a * np.log1p(-u)
        return values


class ReachSampler:
    """Prepared draws of a model's reach arcs: delay table, and retry data of the arcs with
    p_success < 1 (the only ones that draw a number of attempts)."""

    def __init__(self, model: CompiledScenario) -> None:
        self.size = len(model.reach_src)
        self.table = DelayTable(model.reach_delay)
        self.specs = model.reach_delay
        self.retried = np.flatnonzero(model.reach_p < 1)
        self.attempts = AttemptTable(self.specs[self.retried])
        self.log_fail = np.log1p(-model.reach_p[self.retried])
        limits = model.reach_max_attempts[self.retried]
        # as floats: the counts are compared as floats below 2**62 (int64's max becomes 2**63)
        self.limit = np.where(limits > 0, limits, np.iinfo(np.int64).max).astype(float)

    @classmethod
    def of(cls, model: CompiledScenario) -> ReachSampler:
        cache = model.__dict__
        if "_reach_sampler" not in cache:
            cache["_reach_sampler"] = cls(model)
        return cache["_reach_sampler"]

    def __call__(self, rng: np.random.Generator | None) -> np.ndarray:
        """Effective delays (see Draws.reach_delay); ``rng=None`` gives the nominal values."""
        return self.block([rng])[0]

    def block(self, rngs: Sequence[np.random.Generator | None], fill: TableFill | None = None) -> np.ndarray:
        """Effective delays of several runs, one row per run's generator (each exactly what that
        generator alone gives: the uniforms are drawn run by run, the arithmetic once for all).

        The number of attempts of a retried arc is geometric (at least 1, no cap): the inverse CDF
        ceil(log(1 - u) / log(1 - p)) of one uniform. Stream layout: one uniform per arc (first
        attempt), one per retried arc (number of attempts), then one per extra attempt in arc order
        (at most EXACT_EXTRA_ATTEMPTS per arc), then one per arc with more extra attempts than that
        (the normal draw of the rest).
        """
        runs, retried = len(rngs), len(self.retried)
        first = np.empty((runs, self.size))
        count_u = np.empty((runs, retried))
        for run, rng in enumerate(rngs):
            _fill(rng, first[run])
            _fill(rng, count_u[run])
        delays = self.table(first, fill)
        if not retried:
            return delays
        with np.errstate(divide="ignore", invalid="ignore"):
            count = np.ceil(np.log1p(-count_u) / self.log_fail)
        # u = 0 gives 0 attempts (one is the least); counts beyond int64 (and NaN) cannot be held, and
        # no run lasts that long in any case: the movement then never lands.
        endless = ~(count < 2.0**62)
        failed = endless | (count > self.limit)
        extra = np.where(failed, 0.0, np.maximum(count, 1.0) - 1.0).astype(np.int64)
        exact = np.minimum(extra, EXACT_EXTRA_ATTEMPTS)
        rest = extra - exact
        # per run, in its own stream: the extra attempts' uniforms, then the normal draws of the rest
        exact_u, rest_u = [], []
        for run, rng in enumerate(rngs):
            exact_u.append(_uniforms(rng, int(exact[run].sum())))
            if rest[run].any():
                rest_u.append(_uniforms(rng, int(np.count_nonzero(rest[run]))))
        # sums per (run, retried arc) in attempt order, as one float accumulator per pair
        pair = np.repeat(np.arange(runs * retried), exact.reshape(-1))
        if len(pair):
            values = self.attempts(pair % retried, np.concatenate(exact_u))
            sums = np.bincount(pair, values, minlength=runs * retried).reshape(runs, retried)
            delays[:, self.retried] += sums
        if rest_u:
            run, column = np.nonzero(rest)  # in run order, then arc order: the order drawn
            arcs = self.retried[column]
            mean, variance = moments(self.specs[arcs])
            times = rest[run, column]
            spread = np.sqrt(variance * times) * ndtri(np.concatenate(rest_u))
            delays[run, arcs] += np.maximum(mean * times + spread, 0.0)
        run, column = np.nonzero(failed)
        delays[run, self.retried[column]] = math.inf
        return delays


def _fill(rng: np.random.Generator | None, out: np.ndarray) -> None:
    """Fill ``out`` with uniforms of ``rng`` (one call drawing len(out) numbers: the same values as
    _uniforms); the nominal run (``rng=None``) takes every median: 0.5."""
    if rng is None:
        out[...] = 0.5
    else:
        rng.random(out=out)


def _block_uniforms(rngs: Sequence[np.random.Generator | None], size: int) -> np.ndarray:
    """``size`` uniforms of each generator, one row per generator."""
    block = np.empty((len(rngs), size))
    for row, rng in zip(block, rngs, strict=True):
        _fill(rng, row)
    return block


def _uniforms(rng: np.random.Generator | None, size: int) -> np.ndarray:
    """``size`` uniforms of ``rng``; the nominal run (``rng=None``) takes every median: 0.5."""
    return np.full(size, 0.5) if rng is None else rng.random(size)


def reach_delays(model: CompiledScenario, rng: np.random.Generator | None) -> np.ndarray:
    """Effective reach delays of one run; ``rng=None`` gives the nominal (median) values."""
    return ReachSampler.of(model)(rng)


def draw(model: CompiledScenario, playbook: str | None, seed: int, *, nominal: bool = False) -> Draws:
    """All random quantities of the run ``seed`` (or the nominal run) with ``playbook``."""
    return draw_block(model, playbook, [seed], nominal=nominal)[0]


def _tables(model: CompiledScenario, playbook: str | None) -> dict:
    """The delay tables of a model (and of its trigger slots under ``playbook``), kept on it."""
    tables = model.__dict__.setdefault("_delay_tables", {})
    if "recovery" not in tables:
        tables["recovery"] = DelayTable(model.recovery_delay)
        tables["edr"] = [DelayTable(np.tile(spec, (model.n, 1))) for _, spec, _ in model.edr_sources]
    if ("triggers", playbook) not in tables:  # the same for every run of a batch
        slots = model.trigger_slots(playbook)
        tables["triggers", playbook] = (
            len(slots),
            [i for i, (_, (what, _)) in enumerate(slots) if what != "action"],
            [i for i, (_, (what, _)) in enumerate(slots) if what == "action"],
            np.array([trigger.delay for trigger, _ in slots], dtype=float).reshape(-1, 4),
        )
    return tables


def draw_block(
    model: CompiledScenario, playbook: str | None, seeds: Sequence[int], *, nominal: bool = False
) -> list[Draws]:
    """``draw`` of each of ``seeds``, the same values as one by one (each run keeps its own
    streams), with the arithmetic done once for the block: Monte Carlo draws its runs this way."""
    block = draw_stacked(model, playbook, seeds, nominal=nominal)
    return [
        Draws(
            reach_delay=block.reach_delay[run],
            recovery=block.recovery[run],
            edr_alert=block.edr_alert[run],
            edr_delay=block.edr_delay[run],
            trigger_delay=block.trigger_delay[run],
        )
        for run in range(len(seeds))
    ]


def draw_stacked(
    model: CompiledScenario,
    playbook: str | None,
    seeds: Sequence[int],
    *,
    nominal: bool = False,
    fill: TableFill | None = None,
) -> Draws:
    """The draws of ``draw_block`` as one Draws whose arrays have a leading axis of runs (row i:
    run ``seeds[i]``), for the kernel to run a whole block at once (``fill``: see DelayTable)."""
    runs, n = len(seeds), model.n

    streams = [[None] * runs for _ in range(STREAMS)] if nominal else _stream_block(seeds)

    def generators(number: int) -> list[np.random.Generator | None]:
        return streams[number]

    tables = _tables(model, playbook)
    recovery = tables["recovery"](_block_uniforms(generators(STREAM_RECOVERY), n), fill)
    sources = len(model.edr_sources)
    alerts = np.empty((runs, sources, n), dtype=bool)
    alert_delays = np.empty((runs, sources, n))
    if sources:
        # per run, per source: the alert uniforms, then the delay uniforms, from the run's EDR stream
        edr_u = _block_uniforms(generators(STREAM_EDR), 2 * sources * n).reshape(runs, sources, 2, n)
        for source, ((probability, _, _), table) in enumerate(
            zip(model.edr_sources, tables["edr"], strict=True)
        ):
            alerts[:, source] = edr_u[:, source, 0] < probability
            alert_delays[:, source] = table(edr_u[:, source, 1], fill)
    slot_count, attacker_slots, defender_slots, specs = tables["triggers", playbook]
    trigger_u = np.empty((runs, slot_count))
    if attacker_slots:
        trigger_u[:, attacker_slots] = [
            _uniforms(rng, len(attacker_slots)) for rng in generators(STREAM_ATTACK_TRIGGERS)
        ]
    if defender_slots:
        trigger_u[:, defender_slots] = [
            _uniforms(rng, len(defender_slots)) for rng in generators(STREAM_PLAYBOOK)
        ]
    triggers = quantiles(np.tile(specs, (runs, 1)), trigger_u.reshape(-1)).reshape(runs, slot_count)
    reach = ReachSampler.of(model).block(generators(STREAM_REACH), fill)
    return Draws(
        reach_delay=reach, recovery=recovery, edr_alert=alerts, edr_delay=alert_delays, trigger_delay=triggers
    )
