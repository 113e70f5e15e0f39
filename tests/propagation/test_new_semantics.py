"""Links that need several credentials, and systems a compromise stops (wiper, host encrypted by hand)."""

from __future__ import annotations

from propagation_helpers import action, depends, minute_of, reach, system

from studio.propagation.compiled import compile_scenario
from studio.propagation.engines import timeline_engine
from studio.scenario.validate import validate_scenario

H = 60.0


def _two_credentials() -> list[dict]:
    return [
        system(
            "a",
            "workstation",
            reach("vpn-account", "PT5H"),
            reach("da", "PT8H"),
            reach("b", "PT1H", requires="vpn-account", also_requires=["da"]),
        ),
        system("vpn-account", "credential"),
        system("da", "credential"),
        system("b"),
    ]


def _causes(timeline: dict, node: str) -> set[str]:
    event = next(e for e in timeline["events"] if e.get("node") == node and e["kind"] == "compromised")
    return {timeline["events"][int(c[2:]) - 1]["node"] for c in event["causes"]}


def test_a_link_waits_for_every_credential_it_requires(tiny) -> None:
    timeline = tiny.run(_two_credentials())
    assert minute_of(timeline, "credential_obtained", "vpn-account") == 5 * H
    assert minute_of(timeline, "credential_obtained", "da") == 8 * H
    assert minute_of(timeline, "compromised", "b") == 9 * H  # max(0, 5h, 8h) + 1h
    assert _causes(timeline, "b") == {"a", "vpn-account", "da"}


def test_a_link_waits_for_its_first_credential_too(tiny) -> None:
    # the further credential first (5h), the one named by ``requires`` last (8h): the movement
    # starts at 8h only, not at 5h to land at 9h once the last credential happens to be held
    systems = _two_credentials()
    systems[0]["links"] = [
        reach("da", "PT5H"),
        reach("vpn-account", "PT8H"),
        reach("b", "PT4H", requires="vpn-account", also_requires=["da"]),
    ]
    timeline = tiny.run(systems)
    assert minute_of(timeline, "compromised", "b") == 12 * H
    assert _causes(timeline, "b") == {"a", "vpn-account", "da"}


def test_resetting_one_of_the_credentials_voids_the_movement(tiny) -> None:
    actions = [action("reset", "reset_credentials", "PT8H30M", targets=["vpn-account"])]
    timeline = tiny.run(_two_credentials(), actions=actions)
    assert minute_of(timeline, "credentials_reset") == 8.5 * H
    assert minute_of(timeline, "compromised", "b") is None


def test_several_credentials_are_validated_as_credentials(tiny) -> None:
    scenario = tiny.scenario(_two_credentials())
    assert not [problem for problem in validate_scenario(scenario) if problem.is_error]
    scenario["systems"][0]["links"][2]["also_requires"] = ["b"]
    found = [(p.path, p.rule) for p in validate_scenario(scenario) if p.is_error]
    assert found == [("/systems/0/links/2/also_requires/0", "ref.credential")]


def _stopping_host(**flags: object) -> list[dict]:
    return [
        system("a", "workstation", reach("srv", "PT2H")),
        system("srv", "server", **flags),
        system("app", "application", depends("srv")),
    ]


def test_a_compromise_stops_a_system_at_once(tiny) -> None:
    timeline = tiny.run(_stopping_host(stops_when_compromised=True))
    assert minute_of(timeline, "compromised", "srv") == 2 * H
    assert minute_of(timeline, "encrypted", "srv") == 2 * H
    stop = next(e for e in timeline["events"] if e["kind"] == "encrypted" and e.get("node") == "srv")
    assert stop["detail"] == "stopped when compromised"
    assert minute_of(timeline, "down", "srv") == 2 * H
    assert minute_of(timeline, "down", "app") == 2 * H  # the cascade follows
    assert minute_of(timeline, "encrypted", None) == 2 * H  # no detonation: only this system


def test_without_the_flag_a_compromised_system_keeps_working(tiny) -> None:
    timeline = tiny.run(_stopping_host())
    assert minute_of(timeline, "compromised", "srv") == 2 * H
    assert minute_of(timeline, "encrypted", "srv") is None
    assert minute_of(timeline, "down", "app") is None


def test_a_stopped_system_is_rebuilt_by_a_restore(tiny) -> None:
    actions = [action("restore", "restore", "PT3H", targets=["srv"])]
    timeline = tiny.run(
        _stopping_host(stops_when_compromised=True, recovery_time={"dist": "fixed", "value": "PT5H"}),
        actions=actions,
    )
    assert minute_of(timeline, "restore_started", "srv") == 3 * H
    assert minute_of(timeline, "restored", "srv") == 8 * H
    assert minute_of(timeline, "up", "app") == 8 * H


def test_the_kernel_runs_these_scenarios_itself(tiny) -> None:
    for systems in (_two_credentials(), _stopping_host(stops_when_compromised=True)):
        model = compile_scenario(tiny.scenario(systems))
        assert timeline_engine(model, "kernel") == "kernel"
