"""Semantics of the reference engine on small scenarios whose answer can be worked out by hand."""

from __future__ import annotations

import itertools
import json

import pytest
from propagation_helpers import action, depends, fixed, kinds_of, minute_of, reach, system

from studio.durations import parse_minutes
from studio.propagation import run_timeline, state_at
from studio.propagation.synthetic import hospital_scenario
from studio.scenario.schema import validator

H = 60.0


def test_credential_is_an_and_precondition(tiny) -> None:
    systems = [
        system(
            "a",
            "workstation",
            reach("cred", "PT5H"),
            reach("b", "PT1H", requires="cred"),
            reach("c", "PT10H"),
        ),
        system("cred", "credential"),
        system("b"),
        system("c", "server", reach("b", "PT3H")),
    ]
    timeline = tiny.run(systems)
    assert minute_of(timeline, "credential_obtained", "cred") == 5 * H
    # max(a at 0, credential at 5h) + 1h beats the credential-free path a -> c -> b (13h)
    assert minute_of(timeline, "compromised", "b") == 6 * H
    event = next(e for e in timeline["events"] if e.get("node") == "b")
    causes = {timeline["events"][int(c[2:]) - 1]["node"] for c in event["causes"]}
    assert causes == {"a", "cred"}


def test_credential_obtained_before_the_source_is_compromised(tiny) -> None:
    systems = [
        system("a", "workstation", reach("cred", "PT1H"), reach("s", "PT4H")),
        system("cred", "credential"),
        system("s", "server", reach("b", "PT30M", requires="cred")),
        system("b"),
    ]
    assert minute_of(tiny.run(systems), "compromised", "b") == 4.5 * H


@pytest.mark.parametrize(
    ("gate", "isolated_before_down"),
    [({"type": "all"}, 1), ({"type": "any"}, 3), ({"type": "k_of_n", "k": 2}, 2)],
)
def test_gates(tiny, gate, isolated_before_down) -> None:
    """Isolating x at 1h, y at 2h and z at 3h: the service fails at the hour its gate says."""
    systems = [
        system("a", "workstation"),
        system("x"),
        system("y"),
        system("z"),
        system("svc", "clinical_service", depends("x"), depends("y"), depends("z"), gate=gate),
    ]
    actions = [
        action(f"iso-{n}", "isolate_node", f"PT{h}H", targets=[n]) for h, n in ((1, "x"), (2, "y"), (3, "z"))
    ]
    timeline = tiny.run(systems, actions=actions)
    assert minute_of(timeline, "down", "svc") == isolated_before_down * H


def test_grace_period_delays_the_cascade_and_a_quick_return_cancels_it(tiny) -> None:
    systems = [
        system("a", "workstation"),
        system("net", "network", recovery_time=fixed("PT30M")),
        system("app", "application", depends("net", grace="PT1H")),
        system("app2", "application", depends("net", grace="PT4H")),
    ]
    actions = [
        action("iso", "isolate_node", "PT2H", targets=["net"]),
        action("back", "restore", "PT2H30M", targets=["net"]),
    ]
    timeline = tiny.run(systems, actions=actions)
    assert minute_of(timeline, "down", "net") == 2 * H
    assert minute_of(timeline, "down", "app") == 3 * H  # 2h + 1h grace
    assert minute_of(timeline, "restored", "net") == 3 * H
    assert minute_of(timeline, "up", "app") == 3 * H
    assert kinds_of(timeline, "app2") == []  # net came back within its 4h grace


def test_degraded_mode_activation_and_expiry(tiny) -> None:
    mode = {"description": "paper", "activation_delay": "PT30M", "capacity": 40, "max_duration": "PT2H"}
    systems = [
        system("a", "workstation"),
        system("dpi", "application"),
        system("ed", "clinical_service", depends("dpi"), degraded_mode=mode),
    ]
    timeline = tiny.run(systems, actions=[action("iso", "isolate_node", "PT1H", targets=["dpi"])])
    assert kinds_of(timeline, "ed") == ["down", "degraded", "degraded_mode_expired", "down"]
    assert [e["minute"] for e in timeline["events"] if e.get("node") == "ed"] == [60, 90, 210, 210]


def test_playbook_can_activate_a_workaround_ahead(tiny) -> None:
    mode = {"description": "paper", "activation_delay": "PT30M", "capacity": 40}
    systems = [
        system("a", "workstation"),
        system("dpi", "application"),
        system("ed", "clinical_service", depends("dpi"), degraded_mode=mode),
    ]
    actions = [
        action("paper", "activate_degraded_mode", "PT10M", targets=["ed"]),
        action("iso", "isolate_node", "PT1H", targets=["dpi"]),
    ]
    timeline = tiny.run(systems, actions=actions)
    assert kinds_of(timeline, "ed") == ["degraded"]
    assert minute_of(timeline, "degraded", "ed") == H


def test_zero_delays_keep_causal_order(tiny) -> None:
    systems = [
        system("a", "workstation", reach("b", "PT0S")),
        system("b", "server", reach("c", "PT0S")),
        system("c"),
    ]
    timeline = tiny.run(systems, at="PT1H")
    events = timeline["events"]
    assert [(e["kind"], e["node"], e["minute"]) for e in events] == [
        ("initial_access", "a", 60),
        ("compromised", "b", 60),
        ("compromised", "c", 60),
    ]
    assert [e["causes"] for e in events] == [[], ["ev0001"], ["ev0002"]]


def test_reach_cycles_and_dependency_cycles(tiny) -> None:
    systems = [
        system("a", "workstation", reach("b", "PT1H")),
        system("b", "server", reach("a", "PT1H"), reach("c", "PT2H")),
        system("c", "server", reach("b", "PT1H")),
        system("ad", "identity", depends("dns")),
        system("dns", "identity", depends("ad")),
    ]
    timeline = tiny.run(systems)
    assert [(e["node"], e["minute"]) for e in timeline["events"]] == [("a", 0), ("b", 60), ("c", 180)]
    # the mutually dependent pair stays up: nothing outside the cycle failed


def test_isolation_stops_the_attacker_and_costs_an_outage(tiny) -> None:
    systems = [
        system("a", "workstation", reach("b", "PT3H")),
        system("b", "server", reach("c", "PT1H")),
        system("c"),
        system("app", "application", depends("b")),
    ]
    timeline = tiny.run(systems, actions=[action("iso", "isolate_node", "PT2H", targets=["b"])])
    assert minute_of(timeline, "compromised", "b") is None
    assert minute_of(timeline, "compromised", "c") is None
    assert minute_of(timeline, "down", "app") == 2 * H
    isolated = next(e for e in timeline["events"] if e["kind"] == "isolated")
    assert timeline["events"][int(isolated["causes"][0][2:]) - 1]["kind"] == "action"


def test_isolating_a_zone_voids_movements_in_flight(tiny) -> None:
    systems = [
        system("a", "workstation", reach("b", "PT1H"), zone="users"),
        system("b", "server", reach("c", "PT5H"), zone="servers"),
        system("c", zone="servers"),
    ]
    timeline = tiny.run(systems, actions=[action("iso", "isolate_zone", "PT2H", zones=["servers"])])
    assert minute_of(timeline, "compromised", "b") == H
    assert minute_of(timeline, "compromised", "c") is None


def test_reset_credentials_invalidates_gated_movements(tiny) -> None:
    systems = [
        system("a", "workstation", reach("da", "PT1H"), reach("b", "PT5H", requires="da")),
        system("da", "credential"),
        system("b"),
    ]
    timeline = tiny.run(systems, actions=[action("reset", "reset_credentials", "PT3H", targets=["da"])])
    assert minute_of(timeline, "credentials_reset", "da") == 3 * H
    assert minute_of(timeline, "compromised", "b") is None


def _encrypted_core(bootstrap_dns: bool) -> list[dict]:
    return [
        system("a", "workstation", reach("ad", "PT1H"), reach("dns", "PT1H"), reach("dpi", "PT1H")),
        system("ad", "identity", depends("dns"), recovery_time=fixed("PT10H")),
        system("dns", "identity", depends("ad"), recovery_time=fixed("PT2H"), bootstrap=bootstrap_dns),
        system("dpi", "application", depends("ad"), recovery_time=fixed("PT5H")),
    ]


DETONATE_AT_3H = {"trigger": {"at": "PT3H"}, "scope": ["compromised"]}


def test_restore_order_follows_dependencies(tiny) -> None:
    actions = [action("restore", "restore", "PT4H", targets=["dpi", "ad", "dns"])]
    timeline = tiny.run(_encrypted_core(True), detonation=DETONATE_AT_3H, actions=actions)
    assert minute_of(timeline, "encrypted") == 3 * H
    assert minute_of(timeline, "restore_blocked", "dpi") == 4 * H  # ad is down
    assert minute_of(timeline, "restore_started", "dns") == 4 * H  # bootstrap
    assert minute_of(timeline, "restored", "dns") == 6 * H
    assert minute_of(timeline, "restore_started", "ad") == 6 * H  # once dns is up
    assert minute_of(timeline, "restored", "ad") == 16 * H
    assert minute_of(timeline, "restore_started", "dpi") == 16 * H
    assert minute_of(timeline, "up", "dpi") == 21 * H
    assert minute_of(timeline, "restore_deadlock") is None


def test_restore_deadlock_is_reported_once(tiny) -> None:
    actions = [action("restore", "restore", "PT4H", targets=["ad", "dns"])]
    timeline = tiny.run(_encrypted_core(False), detonation=DETONATE_AT_3H, actions=actions)
    deadlocks = [e for e in timeline["events"] if e["kind"] == "restore_deadlock"]
    assert len(deadlocks) == 1 and deadlocks[0]["minute"] == 4 * H
    assert "ad" in deadlocks[0]["detail"] and "dns" in deadlocks[0]["detail"]
    assert minute_of(timeline, "restored") is None


def test_no_restore_from_an_encrypted_backup(tiny) -> None:
    systems = [
        system("a", "workstation", reach("bk", "PT1H"), reach("dpi", "PT1H")),
        system("bk", "backup"),
        system("dpi", "application", backup="bk"),
    ]
    detonation = {"trigger": {"at": "PT3H"}, "scope": ["compromised", "backups"]}
    timeline = tiny.run(
        systems, detonation=detonation, actions=[action("r", "restore", "PT5H", targets=["dpi"])]
    )
    blocked = next(e for e in timeline["events"] if e["kind"] == "restore_blocked")
    assert blocked["node"] == "dpi" and "bk" in blocked["detail"]
    assert minute_of(timeline, "restore_started") is None


def test_detonation_scope_dwell_and_domain_admin(tiny) -> None:
    systems = [
        system("a", "workstation", reach("da", "PT2H"), domain_joined=True),
        system("da", "credential"),
        system("joined", "server", domain_joined=True),
        system("alone", "server"),
        system("bk", "backup", domain_joined=True),
    ]
    detonation = {
        "trigger": {"on": "credential_obtained", "node": "da"},
        "scope": ["compromised", "domain_joined"],
        "domain_credential": "da",
    }
    timeline = tiny.run(systems, detonation=detonation, dwell="PT10H")
    # dwell: not before 10h after the initial access, although domain admin came at 2h
    assert minute_of(timeline, "encrypted") == 10 * H
    encrypted = {e["node"] for e in timeline["events"] if e["kind"] == "encrypted" and "node" in e}
    assert encrypted == {"a", "joined"}  # backups only when "backups" is in the scope


def test_off_hours_shift_detonation(tiny) -> None:
    scenario = tiny.scenario(
        [system("a", "workstation")],
        detonation={
            "trigger": {"at": "PT1H"},
            "scope": ["compromised"],
            "off_hours": {"start": "22:00", "end": "05:00"},
        },
    )
    # the synthetic shell starts its scenario clock at 18:00: 19:00 waits until 22:00
    assert minute_of(run_timeline(scenario), "encrypted") == 4 * H


def test_edr_and_scripted_detection(tiny) -> None:
    systems = [system("a", "workstation", reach("b", "PT1H")), system("b", "server", edr=True)]
    edr = [{"type": "edr", "probability": 1, "delay": fixed("PT20M"), "source": "EDR"}]
    timeline = tiny.run(systems, detection=edr)
    assert minute_of(timeline, "detected", "b") == 80
    scripted = [{"type": "scripted", "trigger": {"on": "compromised", "node": "b", "delay": fixed("PT2H")}}]
    assert minute_of(tiny.run(systems, detection=scripted), "detected") == 180


def test_triggered_playbook_and_exfiltration_blocked_by_internet_cut(tiny) -> None:
    systems = [
        system("a", "workstation", reach("db", "PT1H")),
        system("db", "database"),
        system("web", "internet"),
    ]
    scenario = tiny.scenario(
        systems,
        detection=[{"type": "scripted", "trigger": {"at": "PT2H"}}],
        actions=[action("cut", "cut_internet", trigger={"on": "detected", "delay": fixed("PT30M")})],
    )
    scenario["attack"]["exfiltration"] = [
        {"id": "x1", "node": "db", "trigger": {"at": "PT2H"}},
        {"id": "x2", "node": "db", "trigger": {"at": "PT3H"}},
    ]
    timeline = run_timeline(scenario)
    assert minute_of(timeline, "internet_cut", "web") == 150
    assert [e["minute"] for e in timeline["events"] if e["kind"] == "exfiltration"] == [120]


def test_timelines_are_valid_deterministic_and_causal() -> None:
    scenario = hospital_scenario(150, seed=4)
    first = run_timeline(scenario, seed=11)
    assert json.dumps(first, sort_keys=True) == json.dumps(run_timeline(scenario, seed=11), sort_keys=True)
    assert run_timeline(scenario, seed=12) != first
    errors = list(validator().iter_errors({**scenario, "timeline": first}))
    assert errors == []
    events = first["events"]
    assert [e["id"] for e in events] == [f"ev{i:04d}" for i in range(1, len(events) + 1)]
    assert all(a["minute"] <= b["minute"] for a, b in itertools.pairwise(events))
    for number, event in enumerate(events, start=1):
        assert all(int(cause[2:]) < number for cause in event["causes"])
    kinds = {e["kind"] for e in events}
    assert {"initial_access", "credential_obtained", "encrypted", "detected", "action", "down"} <= kinds


def test_playbook_choice(tiny) -> None:
    scenario = hospital_scenario(60)
    assert run_timeline(scenario)["playbook"] == "early"
    assert run_timeline(scenario, playbook="late")["playbook"] == "late"
    with pytest.raises(KeyError):
        run_timeline(scenario, playbook="missing")
    del scenario["playbooks"]
    timeline = run_timeline(scenario)
    assert "playbook" not in timeline and all(e["kind"] != "action" for e in timeline["events"])


def test_nominal_run_uses_medians(tiny) -> None:
    scenario = tiny.scenario(
        [
            system(
                "a",
                "workstation",
                {
                    "kind": "reach",
                    "target": "b",
                    "delay": {"dist": "lognormal", "median": "PT4H", "p90": "P1D"},
                },
                {
                    "kind": "reach",
                    "target": "c",
                    "delay": {"dist": "triangular", "min": "PT0S", "mode": "PT0S", "max": "PT8H"},
                },
            ),
            system("b"),
            system("c"),
        ]
    )
    timeline = run_timeline(scenario, nominal=True)
    assert timeline["run"] == "nominal"
    assert minute_of(timeline, "compromised", "b") == pytest.approx(4 * H)
    # median of a right triangle on [0, 8h] with its mode at 0: 8h * (1 - sqrt(1/2))
    assert minute_of(timeline, "compromised", "c") == pytest.approx(8 * H * (1 - 0.5**0.5))


def test_state_at_replays_the_timeline() -> None:
    scenario = hospital_scenario(80, seed=1)
    timeline = run_timeline(scenario, seed=3)
    encryption = minute_of(timeline, "encrypted")
    before = state_at(scenario, timeline, encryption - 1e-6)
    after = state_at(scenario, timeline, encryption)
    assert set(after) == {s["id"] for s in scenario["systems"]}
    assert not any(state.security == "encrypted" for state in before.values())
    encrypted = {e["node"] for e in timeline["events"] if e["kind"] == "encrypted" and "node" in e}
    assert {node for node, state in after.items() if state.security == "encrypted"} == encrypted
    assert all(after[node].function != "up" for node in encrypted)
    assert state_at(scenario, timeline, -1)["vpn"].security == "clean"
    assert parse_minutes("PT1H") == H
