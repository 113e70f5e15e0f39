"""Small hand-written scenarios for the engine tests (imported by the test modules)."""

from __future__ import annotations

from typing import Any

from studio.propagation import run_timeline
from studio.propagation.synthetic import scenario_shell


def fixed(duration: str) -> dict[str, str]:
    return {"dist": "fixed", "value": duration}


def reach(target: str, delay: str = "PT1H", **extra: Any) -> dict[str, Any]:
    return {"kind": "reach", "target": target, "delay": fixed(delay), **extra}


def depends(target: str, **extra: Any) -> dict[str, Any]:
    return {"kind": "depends", "target": target, **extra}


def system(system_id: str, kind: str = "server", *links: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"id": system_id, "name": system_id, "kind": kind, **fields, "links": list(links)}


def action(
    action_id: str, kind: str, at: str | None = None, trigger: dict | None = None, **fields: Any
) -> dict:
    return {"id": action_id, "action": kind, "trigger": trigger or {"at": at}, **fields}


class Tiny:
    """Builds a valid scenario around a list of systems and runs it on ``engine``; on the kernel,
    also on the reference engine, and checks that both wrote the same timeline."""

    def __init__(self, engine: str = "reference") -> None:
        self.engine = engine

    def scenario(
        self,
        systems: list[dict[str, Any]],
        *,
        initial: str = "a",
        at: str = "PT0S",
        detonation: dict[str, Any] | None = None,
        actions: list[dict[str, Any]] | None = None,
        detection: list[dict[str, Any]] | None = None,
        dwell: str | None = None,
    ) -> dict[str, Any]:
        scenario = scenario_shell("tiny")
        scenario["systems"] = systems
        # Without a detonation rule the trigger waits for an exfiltration that never comes.
        scenario["attack"] = {
            "initial_access": [{"node": initial, "at": at}],
            "detonation": detonation or {"trigger": {"on": "exfiltration"}, "scope": ["compromised"]},
        }
        if dwell:
            scenario["attack"]["dwell"] = dwell
        if detection:
            scenario["attack"]["detection"] = detection
        if actions is not None:
            scenario["playbooks"] = [{"id": "pb", "name": "Playbook", "default": True, "actions": actions}]
        return scenario

    def run(self, systems: list[dict[str, Any]], *, seed: int = 0, **kwargs: Any) -> dict[str, Any]:
        scenario = self.scenario(systems, **kwargs)
        timeline = run_timeline(scenario, seed=seed, engine=self.engine)
        if self.engine != "reference":
            assert timeline == run_timeline(scenario, seed=seed, engine="reference")
        return timeline


def minute_of(timeline: dict[str, Any], kind: str, node: str | None = None) -> float | None:
    """Minute of the first event of ``kind`` (about ``node``), None if there is none."""
    for event in timeline["events"]:
        if event["kind"] == kind and (node is None or event.get("node") == node):
            return event["minute"]
    return None


def kinds_of(timeline: dict[str, Any], node: str) -> list[str]:
    return [event["kind"] for event in timeline["events"] if event.get("node") == node]
