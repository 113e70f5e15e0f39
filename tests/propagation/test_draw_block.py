"""Monte Carlo draws its runs in blocks: each run keeps its own streams, so a block gives exactly
the values run by run (and ``run_timeline(seed=s + i)`` replays run i of a batch)."""

from __future__ import annotations

import numpy as np
import pytest
from propagation_helpers import Tiny, system

from studio.propagation.compiled import compile_scenario
from studio.propagation.draws import draw, draw_block
from studio.propagation.engines import kernel_available
from studio.propagation.synthetic import hospital_scenario


def _same(block, seeds, model, playbook, *, nominal: bool = False) -> None:
    for seed, got in zip(seeds, block, strict=True):
        alone = draw(model, playbook, seed, nominal=nominal)
        for name in ("reach_delay", "recovery", "edr_alert", "edr_delay", "trigger_delay"):
            assert np.array_equal(getattr(alone, name), getattr(got, name)), (seed, name)
            assert getattr(alone, name).shape == getattr(got, name).shape


@pytest.mark.parametrize("playbook", ["early", None])
def test_a_block_of_runs_draws_what_each_run_draws_alone(playbook) -> None:
    model = compile_scenario(hospital_scenario(300, seed=4))
    seeds = list(range(11, 11 + 37))
    _same(draw_block(model, playbook, seeds), seeds, model, playbook)
    _same(draw_block(model, playbook, [0], nominal=True), [0], model, playbook, nominal=True)


def test_blocks_keep_rare_retries_and_their_normal_tail() -> None:
    # p = 1e-6: every arc needs more than EXACT_EXTRA_ATTEMPTS extra attempts (the normal tail);
    # p = 0.3 with a limit of 2: many give up (inf), the rest draw a few extra attempts
    targets = [system(f"t{i}", "workstation") for i in range(40)]
    links = [
        {"kind": "reach", "target": f"t{i}", "delay": {"dist": "uniform", "min": "PT1M", "max": "PT9M"}}
        | ({"p_success": 1e-6} if i % 2 else {"p_success": 0.3, "max_attempts": 2})
        for i in range(40)
    ]
    model = compile_scenario(Tiny().scenario([system("a", "workstation", *links), *targets]))
    seeds = list(range(20))
    block = draw_block(model, None, seeds)
    _same(block, seeds, model, None)
    delays = np.stack([run.reach_delay for run in block])
    assert np.isinf(delays).any() and (delays[np.isfinite(delays)] > 1e5).any()


@pytest.mark.skipif(not kernel_available(), reason="numba is not importable")
def test_the_compiled_table_fill_draws_the_same_values() -> None:
    from studio.propagation import kernel
    from studio.propagation.draws import DRAW_FIELDS, draw_stacked

    model = compile_scenario(hospital_scenario(300, seed=9))
    for playbook in ("early", None):
        plain = draw_stacked(model, playbook, range(3, 14))
        filled = draw_stacked(model, playbook, range(3, 14), fill=kernel.table_fill)
        for name in DRAW_FIELDS:
            assert np.array_equal(getattr(plain, name), getattr(filled, name)), name


def test_delay_tables_give_the_inverse_cdfs_of_quantiles() -> None:
    from studio.propagation.compiled import EXPONENTIAL, FIXED, LOGNORMAL, TRIANGULAR, UNIFORM
    from studio.propagation.draws import AttemptTable, DelayTable, quantiles

    rng = np.random.default_rng(5)
    count = 400
    code = rng.choice([FIXED, UNIFORM, TRIANGULAR, LOGNORMAL, EXPONENTIAL], count).astype(float)
    low = rng.uniform(0, 60, count)
    middle = low + rng.uniform(0, 60, count)  # a triangular's mode, a uniform's max, a lognormal's sigma
    specs = np.column_stack([code, low, middle, middle + rng.uniform(0, 60, count)])
    specs[::17, 2:] = specs[::17, 1:2]  # triangulars (and others) with min == mode == max
    uniforms = rng.random((6, count))
    uniforms[0, ::9] = 0.0
    table = DelayTable(specs)
    for row in uniforms:
        assert np.allclose(table(row), quantiles(specs, row), rtol=1e-12, equal_nan=True)
    assert np.array_equal(table(uniforms), np.stack([table(row) for row in uniforms]))
    columns = rng.integers(0, count, 3000)
    values = rng.random(3000)
    assert np.array_equal(AttemptTable(specs)(columns, values), quantiles(specs[columns], values))


def test_streams_opened_together_are_the_seed_sequence_streams() -> None:
    from studio.propagation.draws import STREAMS, _stream_block, seed_words

    rng = np.random.default_rng(2)
    seeds = [0, 1, 2**32 - 1, *map(int, rng.integers(0, 2**32, 300))]
    words = seed_words(np.array(seeds)[None, :], np.arange(STREAMS)[:, None])
    for number in range(STREAMS):
        for seed, got in zip(seeds, words[number], strict=True):
            assert np.array_equal(got, np.random.SeedSequence([seed, number]).generate_state(4, np.uint64))
    for block_seeds in (seeds[:9], [5, 2**32, 2**40]):  # the second: seeds beyond 32 bits, one by one
        block = _stream_block(block_seeds)
        for number in range(STREAMS):
            for seed, generator in zip(block_seeds, block[number], strict=True):
                alone = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, number])))
                assert np.array_equal(generator.random(7), alone.random(7)), (seed, number)
