"""Monte Carlo hands the kernel a block of runs at once: each run of a block gives what it gives alone,
and the shortcuts taken for speed (restartable checks on a node's dependencies only, dropping the
attack's pending entries when it ends) change nothing."""

from __future__ import annotations

import numpy as np
import pytest
from propagation_helpers import minute_of

from studio.propagation.compiled import compile_scenario
from studio.propagation.draws import draw_stacked
from studio.propagation.engines import kernel_available, reference_summary
from studio.propagation.summary import BLOCK_FIELDS, MetricLayout
from studio.propagation.synthetic import hospital_scenario

needs_numba = pytest.mark.skipif(not kernel_available(), reason="numba is not importable")


def _same(expected, got) -> None:
    for name in BLOCK_FIELDS:
        assert np.array_equal(getattr(expected, name), getattr(got, name), equal_nan=True), name


@needs_numba
@pytest.mark.parametrize("playbook", ["early", None])
def test_a_block_gives_each_run_what_the_reference_gives(playbook) -> None:
    from studio.propagation.kernel import kernel_block_summary

    model = compile_scenario(hospital_scenario(300, seed=7))
    layout = MetricLayout.of(model)
    seeds = range(40, 53)
    block = kernel_block_summary(model, layout, playbook, draw_stacked(model, playbook, seeds))
    assert len(block) == len(seeds)
    for row, seed in enumerate(seeds):
        expected = reference_summary(model, layout, playbook, seed)
        for name in BLOCK_FIELDS:
            assert np.array_equal(getattr(expected, name), getattr(block, name)[row], equal_nan=True), (
                seed,
                name,
            )


@needs_numba
def test_a_run_that_overflows_its_heap_in_a_block_is_rerun_alone() -> None:
    from studio.propagation.kernel import kernel_block_summary

    model = compile_scenario(hospital_scenario(200, seed=3))
    layout = MetricLayout.of(model)
    draws = draw_stacked(model, "early", range(8))
    roomy = kernel_block_summary(model, layout, "early", draws)
    model.__dict__["_kernel_heap"] = 4  # every run of the block overflows the first time
    cramped = kernel_block_summary(model, layout, "early", draws)
    _same(roomy, cramped)
    assert model.__dict__["_kernel_heap"] > 4  # the rerun grew the heap and kept the size


@needs_numba
def test_restartable_from_a_node_matches_the_whole_graph_check() -> None:
    from studio.propagation import kernel

    rng = np.random.default_rng(11)
    for size in (60, 250):
        model = compile_scenario(hospital_scenario(size, seed=size))
        arrays = kernel._arrays(model, None)
        n = model.n
        for _ in range(30):
            state = np.zeros((kernel.S_ROWS, n), dtype=np.int64)
            state[kernel.S_FUNC] = rng.choice([kernel.UP, kernel.DEGRADED, kernel.DOWN], n, p=[0.3, 0.2, 0.5])
            for row in (kernel.S_ENC, kernel.S_ISO, kernel.S_SHUT, kernel.S_RESTORING):
                state[row] = rng.random(n) < 0.08
            state[kernel.S_BLOCKED] = state[kernel.S_ISO] + state[kernel.S_SHUT] + state[kernel.S_RESTORING]
            for node in range(n):
                whole = bool(kernel._restartable(arrays, state, node)[node])
                assert bool(kernel._restartable_from(arrays, state, node)) == whole, (size, node)


def test_restartable_is_the_greatest_subset_whatever_the_order_of_the_systems(tiny) -> None:
    # x cannot come back (its only dependency is encrypted); y works with any one of x and w, and w is
    # up: y can come back. Counting y after x was dropped, then dropping x from y's count again,
    # once answered "no".
    from propagation_helpers import depends, system

    from studio.propagation.draws import draw
    from studio.propagation.reference import DOWN, _Run

    systems = [
        system("a", "workstation"),
        system("x", "server", depends("e")),
        system("y", "server", depends("x"), depends("w"), gate={"type": "any"}),
        system("w", "server"),
        system("e", "server"),
    ]
    model = compile_scenario(tiny.scenario(systems))
    index = {node: i for i, node in enumerate(model.ids)}
    assert index["x"] < index["y"]
    run = _Run(model, draw(model, None, 0), None)
    for node in ("x", "y", "e"):
        run.func[index[node]] = DOWN
    run.encrypted[index["e"]] = True
    assert [node for node, ok in zip(model.ids, run.restartable(), strict=True) if ok] == ["y"]
    if kernel_available():
        from studio.propagation import kernel

        state = np.zeros((kernel.S_ROWS, model.n), dtype=np.int64)
        state[kernel.S_FUNC, [index["x"], index["y"], index["e"]]] = kernel.DOWN
        state[kernel.S_ENC, index["e"]] = 1
        arrays = kernel._arrays(model, None)
        assert [model.ids[i] for i in np.flatnonzero(kernel._restartable(arrays, state, -1))] == ["y"]
        assert kernel._restartable_from(arrays, state, index["y"])
        assert not kernel._restartable_from(arrays, state, index["x"])


@pytest.mark.parametrize(("isolated_at", "taken_at"), [(None, 90), ("PT1H15M", 140)])
def test_an_arrival_held_behind_an_earlier_one_lands_when_the_earlier_one_fails(
    tiny, isolated_at, taken_at
) -> None:
    """t is reached from a (lands at 5 h), then from b (started at 1 h, lands at 1 h 30: earlier, it
    takes the queue's place of a's), then from c (started at 1 h 20, lands at 2 h 20: held behind
    b's). Isolating b before 1 h 30 voids its movement: the held ones must still land, c's first."""
    from propagation_helpers import action, reach, system

    systems = [
        system("a", "workstation", reach("b", "PT1H"), reach("c", "PT1H20M"), reach("t", "PT5H")),
        system("b", "server", reach("t", "PT30M")),
        system("c", "server", reach("t", "PT1H")),
        system("t", "server"),
    ]
    actions = [action("cut", "isolate_node", at=isolated_at, targets=["b"])] if isolated_at else []
    timeline = tiny.run(systems, actions=actions)
    assert minute_of(timeline, "compromised", "t") == taken_at
