"""On-demand measurement (not a test): one LLM polish of 150 injects against the local server.

    taskset -c 1 .venv/bin/python benchmarks/llm_batch.py [--runs 5] [--injects 150]

Prints the median wall time of ``Assistant.polish`` (redaction on, as for a remote endpoint) and,
measured in the same run, what building the scenario-wide redactor and control-only texts costs:
once per batch now, once per inject before (session 5).
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))

from hostile_support import night_generated
from llm_server import FakeLLMServer
from timing import median_time

from studio.injects.lint import ControlText
from studio.injects.llm import Assistant, LLMClient
from studio.injects.privacy import Redactor


def batch_of(scenario: dict[str, Any], count: int) -> list[dict[str, Any]]:
    """``count`` player injects of ``scenario``, repeated under new ids when it has fewer."""
    players = [inject for inject in scenario["injects"] if inject.get("visibility", "players") == "players"]
    batch = []
    for index in range(count):
        inject = copy.deepcopy(players[index % len(players)])
        inject["id"] = f"{inject['id'][:40]}-b{index}"
        batch.append(inject)
    return batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--injects", type=int, default=150)
    args = parser.parse_args()
    scenario = night_generated()
    injects = batch_of(scenario, args.injects)
    scenario["injects"] = [*scenario["injects"], *injects]
    with FakeLLMServer() as server:
        client = LLMClient(model="fake-model", base_url=server.base_url, timeout=30, max_retries=0)
        assistant = Assistant(client, redact=True)
        assistant.polish(scenario, injects[:2])  # imports and connection set up outside the figures
        polish = median_time(lambda: assistant.polish(scenario, injects), args.runs, warm=False)
    build = median_time(lambda: (Redactor(scenario), ControlText(scenario)), args.runs, warm=False)
    print(f"polish of {args.injects} injects (redaction on, median of {args.runs}): {polish * 1000:.0f} ms")
    print(f"building redactor + control texts once: {build * 1000:.1f} ms")
    per_inject = build * args.injects
    print(f"  built per inject instead: {per_inject * 1000:.0f} ms, {per_inject / polish:.1f}x this polish")


if __name__ == "__main__":
    main()
