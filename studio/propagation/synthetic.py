"""Synthetic hospital-like scenarios for tests and benchmarks.

``hospital_scenario`` builds a valid scenario document of any size: a core (network, directory and
DNS in a dependency cycle, hypervisor, database, backups, patient-record and admission applications),
clinical services with k-of-n gates and workarounds, then zones of workstations and servers. Every
system holds about ``out_degree`` links (four fifths reach, one fifth depends on average), reach
targets mostly in the same zone. Same arguments, same document.
"""

from __future__ import annotations

import random
from typing import Any

from studio.durations import format_minutes
from studio.scenario.schema import SCHEMA_VERSION

# A few delay shapes, reused so that designers' habits (and the duration cache) are mimicked.
_DELAYS = (
    {"dist": "lognormal", "median": "PT4H", "p90": "PT24H"},
    {"dist": "triangular", "min": "PT1H", "mode": "PT4H", "max": "P1D"},
    {"dist": "uniform", "min": "PT30M", "max": "PT6H"},
    {"dist": "fixed", "value": "PT2H"},
    {"dist": "lognormal", "median": "PT1H", "p90": "PT8H"},
)


def scenario_shell(scenario_id: str = "synthetic") -> dict[str, Any]:
    """The non-graph parts every valid scenario needs (exercise, cells, objectives...)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "id": scenario_id,
        "exercise": {
            "title": "Synthetic hospital",
            "organiser": "Crisis Studio tests",
            "language": "en",
            "type": "operational",
            "format": "tabletop",
            "startex": "2026-03-02T09:00:00+01:00",
            "endex": "2026-03-02T17:00:00+01:00",
            "time_model": {
                "scenario_start": "2026-02-27T18:00:00+01:00",
                "segments": [{"from": "PT0S", "scenario_offset": "PT0S", "speed": 60}],
            },
            "safety": {"marking": "EXERCISE EXERCISE EXERCISE", "stop_code": "REAL STOP"},
        },
        "organisations": [{"id": "hosp", "name": "Synthetic hospital", "type": "hospital"}],
        # Two player cells, an animation cell and two personas: enough for the MSEL generator to
        # write injects, so that `pack` runs end to end on synthetic scenarios (benchmarks/scale.py).
        "cells": [
            {"id": "crisis-cell", "name": "Crisis cell", "type": "player"},
            {"id": "it", "name": "IT department", "type": "player", "level": "technical"},
            {"id": "anim", "name": "Animation", "type": "animation"},
        ],
        "personas": [
            {"id": "soc", "kind": "technical", "name": "SOC analyst", "played_by": "anim", "role": "SOC"},
            {"id": "ars", "kind": "authority", "name": "ARS on call", "played_by": "anim", "role": "ARS"},
        ],
        "objectives": [
            {
                "id": "obj1",
                "title": "Keep care going",
                "criteria": [{"id": "c1", "text": "Degraded modes on"}],
            }
        ],
        "systems": [],
        "attack": {},
        "injects": [],
    }


def _system(system_id: str, kind: str, zone: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": system_id,
        "name": system_id.replace("-", " ").title(),
        "kind": kind,
        "zone": zone,
        **fields,
    }


def hospital_scenario(
    n_systems: int = 200,
    *,
    out_degree: float = 5.0,
    seed: int = 0,
    full: bool = True,
    depth: int | None = None,
) -> dict[str, Any]:
    """A valid scenario with about ``n_systems`` systems and ``out_degree`` links per system.

    ``out_degree`` sets the link density. ``depth`` sets how deep the attack graph is: by default
    the fleet is cut into zones of about 60 systems and a reach link leaving its zone may land on any
    machine, so everything is a few hops from the entry; with ``depth`` = d the fleet is cut into d
    zones in a chain and a link leaving zone i lands in zone i + 1, so the last zone is at least d
    hops deep (the last zone leads back to the first).

    ``full=True`` gives the full semantics: credential-gated links, degraded modes, grace periods,
    detonation with domain-wide scope, EDR and scripted detection, and two playbooks (``early``,
    the default, and ``late``) that isolate the user zones, reset credentials and restore the core.
    ``full=False`` gives a pure OR attack graph with fixed delays and no defender, whose detonation
    never fires: its earliest compromise times are plain shortest paths.
    """
    rng = random.Random(seed)
    scenario = scenario_shell(f"synthetic-{n_systems}-{seed}")
    core = [
        _system("internet", "internet", "dmz"),
        _system("vpn", "network", "dmz", internet_facing=True, edr=full),
        _system("core-net", "network", "core", recovery_time={"dist": "fixed", "value": "PT2H"}),
        _system("ad", "identity", "core", domain_joined=True, edr=full, bootstrap=False),
        _system("dns", "identity", "core", domain_joined=True, bootstrap=True),
        _system("hypervisor", "virtualisation", "core", domain_joined=True),
        _system("db", "database", "core", domain_joined=True),
        _system("backup", "backup", "core", domain_joined=True),
        _system("dpi", "application", "core", domain_joined=True, backup="backup"),
        _system("gam", "application", "core", domain_joined=True, backup="backup"),
        _system("cred-admin", "credential", "core"),
        _system("cred-da", "credential", "core"),
    ]
    core_ids = [system["id"] for system in core]
    services = [
        _system(f"svc-{name}", "clinical_service", "care") for name in ("ed", "lab", "imaging", "surgery")
    ]
    n_zones = depth if depth else max(1, (n_systems - len(core) - len(services)) // 60)
    zones = [f"zone{z:03d}" for z in range(n_zones)]
    fleet = []
    for i in range(max(0, n_systems - len(core) - len(services))):
        zone = zones[i % n_zones]
        kind = "workstation" if rng.random() < 0.75 else "server"
        fleet.append(_system(f"{kind[:2]}{i:06d}", kind, zone, domain_joined=rng.random() < 0.9, edr=full))
    systems = core + services + fleet
    by_zone: dict[str, list[str]] = {}
    for system in fleet:
        by_zone.setdefault(system["zone"], []).append(system["id"])
    fleet_ids = [system["id"] for system in fleet]
    machine_ids = core_ids[1:10] + fleet_ids

    def delay() -> dict[str, Any]:
        if full:
            return rng.choice(_DELAYS)
        return {"dist": "fixed", "value": format_minutes(rng.randint(0, 2880))}

    def add(source: dict[str, Any], link: dict[str, Any]) -> None:
        source.setdefault("links", []).append(link)

    reach_per_system = out_degree * 0.8
    depends_per_system = out_degree - reach_per_system
    for system in [*core[:10], *fleet]:
        own_zone = by_zone.get(system["zone"], fleet_ids)
        away = machine_ids
        if depth and system["zone"] in by_zone:
            away = by_zone.get(zones[(zones.index(system["zone"]) + 1) % n_zones], own_zone)
        count = int(reach_per_system) + (rng.random() < reach_per_system % 1)
        for _ in range(count):
            pool = own_zone if rng.random() < 0.7 else away
            target = rng.choice(pool)
            if target == system["id"]:
                continue
            link: dict[str, Any] = {"kind": "reach", "target": target, "delay": delay()}
            if full:
                roll = rng.random()
                if roll < 0.15:
                    link["requires"] = "cred-admin"
                elif roll < 0.2:
                    link["requires"] = "cred-da"
                if rng.random() < 0.3:
                    link["p_success"] = 0.5
                    link["max_attempts"] = 3
            add(system, link)
    # Credentials: local admin hashes are dumped from servers, domain admin from the directory.
    for system in fleet:
        if system["kind"] == "server" and rng.random() < 0.3:
            add(system, {"kind": "reach", "target": "cred-admin", "delay": delay(), "technique": "dump"})
    add(core[3], {"kind": "reach", "target": "cred-da", "delay": delay(), "technique": "DCSync"})
    add(
        core[1],
        {"kind": "reach", "target": "ad", "delay": delay(), "requires": "cred-admin" if full else None},
    )
    if not full:
        core[1]["links"][-1].pop("requires")
    # Functional dependencies (dependency -> dependent in the graph; held by the dependent here).
    core_depends = {
        "vpn": ["internet"],
        "ad": ["core-net", "dns"],
        "dns": ["core-net", "ad"],
        "hypervisor": ["core-net", "ad"],
        "db": ["hypervisor"],
        "backup": ["hypervisor", "ad"],
        "dpi": ["db", "ad"],
        "gam": ["db", "ad"],
    }
    by_id = {system["id"]: system for system in systems}
    for dependent, dependencies in core_depends.items():
        for dependency in dependencies:
            link = {"kind": "depends", "target": dependency}
            if full and dependency == "ad":
                link["grace"] = "PT1H"
            add(by_id[dependent], link)
    servers = [system["id"] for system in fleet if system["kind"] == "server"] or ["db"]
    for system in fleet:
        add(system, {"kind": "depends", "target": "core-net"})
        extra = int(depends_per_system) + (rng.random() < depends_per_system % 1) - 1
        for _ in range(max(0, extra)):
            target = rng.choice(servers)
            if target != system["id"]:
                add(system, {"kind": "depends", "target": target})
    for service in services:
        needs = ["dpi", "gam", *rng.sample(servers, min(2, len(servers)))]
        for target in needs:
            add(service, {"kind": "depends", "target": target})
        if full:
            service["gate"] = {"type": "k_of_n", "k": len(needs) - 1}
            service["degraded_mode"] = {
                "description": "Paper forms and runners",
                "activation_delay": "PT30M",
                "capacity": 50,
                "max_duration": "P3D",
            }
    if full:
        by_id["dpi"]["degraded_mode"] = {
            "description": "Read-only downtime copy",
            "activation_delay": "PT1H",
            "capacity": 30,
        }
        by_id["ad"]["recovery_time"] = {"dist": "triangular", "min": "PT12H", "mode": "P1D", "max": "P3D"}
    scenario["systems"] = systems
    attack: dict[str, Any] = {
        "initial_access": [{"node": "vpn", "at": "PT1H", "vector": "stolen VPN account"}],
        "dwell": "PT12H" if full else "PT0S",
    }
    if full:
        attack["detonation"] = {
            "trigger": {
                "on": "credential_obtained",
                "node": "cred-da",
                "delay": {"dist": "fixed", "value": "PT6H"},
            },
            "scope": ["compromised", "domain_joined", "backups"],
            "domain_credential": "cred-da",
            "off_hours": {"start": "22:00", "end": "05:00"},
        }
        attack["detection"] = [
            {"type": "edr", "probability": 0.02, "delay": {"dist": "uniform", "min": "PT10M", "max": "PT2H"}},
            {"type": "scripted", "trigger": {"on": "encrypted"}, "source": "Staff calls the service desk"},
        ]
        attack["exfiltration"] = [
            {
                "id": "exfil-db",
                "node": "db",
                "trigger": {"on": "compromised", "node": "db"},
                "data": "patient data",
            }
        ]
        scenario["playbooks"] = [
            _playbook("early", "PT2H", zones, default=True),
            _playbook("late", "PT6H", zones),
        ]
    else:
        # A credential nobody can reach: the detonation never fires and movement never stops.
        systems.append(_system("cred-never", "credential", "core"))
        attack["detonation"] = {
            "trigger": {"on": "credential_obtained", "node": "cred-never"},
            "scope": ["compromised"],
        }
    scenario["attack"] = attack
    return scenario


def _playbook(book_id: str, after: str, zones: list[str], *, default: bool = False) -> dict[str, Any]:
    """Isolate the user zones ``after`` detection, reset credentials, then restore the core in order."""
    on_detect = {"on": "detected", "delay": {"dist": "fixed", "value": after}}
    later = {"on": "detected", "delay": {"dist": "fixed", "value": "P1D"}}
    return {
        "id": book_id,
        "name": f"Isolate {after} after detection",
        "default": default,
        "actions": [
            {"id": "cut", "action": "cut_internet", "trigger": on_detect},
            {"id": "isolate", "action": "isolate_zone", "trigger": on_detect, "zones": zones[:3]},
            {
                "id": "reset",
                "action": "reset_credentials",
                "trigger": on_detect,
                "targets": ["cred-da", "cred-admin"],
            },
            {"id": "paper", "action": "activate_degraded_mode", "trigger": on_detect, "targets": ["dpi"]},
            {
                "id": "restore-core",
                "action": "restore",
                "trigger": later,
                "targets": ["dns", "ad", "hypervisor", "db", "dpi", "gam"],
            },
        ],
    }
