"""compile_scenario shares a compiled scenario between calls on the same content, and never returns
a stale one after an edit, in place or not."""

from __future__ import annotations

import copy
import json

from studio.propagation.compiled import clear_cache, compile_scenario, scenario_key
from studio.propagation.synthetic import hospital_scenario
from studio.propagation.timeline import run_timeline


def test_the_same_content_shares_one_compiled_scenario() -> None:
    scenario = hospital_scenario(80, seed=3)
    compile_scenario(hospital_scenario(20))  # the first compilation of a process is not keyed
    first = compile_scenario(scenario)
    assert compile_scenario(scenario) is first
    assert compile_scenario(json.loads(json.dumps(scenario))) is first  # equal content, new objects
    assert compile_scenario(scenario, cache=False) is not first
    clear_cache()
    assert compile_scenario(scenario) is not first


def test_an_edit_in_place_gives_a_new_compiled_scenario() -> None:
    scenario = hospital_scenario(80, seed=3)
    compile_scenario(hospital_scenario(20))
    before = compile_scenario(scenario)
    link = next(link for link in scenario["systems"][1]["links"] if link["kind"] == "reach")
    link["delay"] = {"dist": "fixed", "value": "PT9H"}  # deep inside, in place
    after = compile_scenario(scenario)
    assert after is not before
    assert after.reach_delay.tolist() != before.reach_delay.tolist()
    scenario["playbooks"][0]["actions"].pop()
    assert compile_scenario(scenario) is not after
    fresh = copy.deepcopy(scenario)
    assert run_timeline(scenario, seed=4) == run_timeline(fresh, seed=4)


def test_the_key_covers_what_compile_reads_and_only_plain_data() -> None:
    scenario = hospital_scenario(30)
    key = scenario_key(scenario)
    assert scenario_key(copy.deepcopy(scenario)) == key
    for change in (
        lambda s: s["attack"].update(dwell="PT1H"),
        lambda s: s["exercise"]["time_model"].update(scenario_start="2026-01-01T22:00:00"),
        lambda s: s["systems"][0].update(stops_when_compromised=True),
    ):
        edited = copy.deepcopy(scenario)
        change(edited)
        assert scenario_key(edited) != key
    untouched = copy.deepcopy(scenario)
    untouched["injects"] = [{"id": "i1"}]  # not read by compile_scenario
    assert scenario_key(untouched) == key
    cyclic = {"systems": []}
    cyclic["systems"].append(cyclic)
    assert scenario_key(cyclic) is None
