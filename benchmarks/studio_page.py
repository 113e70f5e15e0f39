"""How fast the studio's Systems page reruns with a large scenario, measured with Streamlit's AppTest.

    python benchmarks/studio_page.py [--systems 500] [--reruns 10]

The scenario is a synthetic hospital (studio.propagation.synthetic) uploaded through the Scenario
page, as a designer would. Three figures are printed, in seconds:

- first display of the Systems page (tables built, validation cached from the upload run);
- a plain rerun (what every widget interaction costs): median and worst of ``--reruns``;
- the first table edit (it also converts the rows the editors were shown, once per document) and
  then the median of ``--reruns`` further edits (each changes the document, so it is validated
  again and journaled as a draft).

AppTest runs the script in-process without a browser, so the figures are the server-side cost of a
rerun; the browser adds its own rendering time on top.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _timed_run(at: Any) -> float:
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    return elapsed


def measure(systems: int, reruns: int) -> dict[str, float]:
    """Seconds for the first display, plain reruns (median, max) and a rerun after an edit."""
    from streamlit.testing.v1 import AppTest

    import studio.ui
    from studio.propagation.synthetic import hospital_scenario
    from studio.ui.widgets import editor_key

    scenario = hospital_scenario(systems)
    at = AppTest.from_file(str(Path(studio.ui.__file__).parent / "app.py"), default_timeout=120)
    at.run()
    at.file_uploader(key="upload").upload("big.json", json.dumps(scenario).encode(), "application/json")
    at.run()
    at.switch_page("views/systems.py")
    first = _timed_run(at)
    plain = [_timed_run(at) for _ in range(reruns)]
    key = editor_key("systems", at.session_state["doc_generation"])
    edits = []
    for number in range(1 + reruns):
        name = f"Internet (edit {number})"
        at.session_state[key] = {"edited_rows": {0: {"name": name}}, "added_rows": [], "deleted_rows": []}
        edits.append(_timed_run(at))
        if at.session_state["doc"]["systems"][0]["name"] != name:
            raise RuntimeError("the edit was not applied")
    return {
        "systems": float(len(scenario["systems"])),
        "first display": first,
        "rerun median": statistics.median(plain),
        "rerun max": max(plain),
        "first edit": edits[0],
        "rerun after an edit": statistics.median(edits[1:]),
    }


def baseline_rerun(reruns: int) -> float:
    """Median rerun of a one-line Streamlit page under AppTest: the fixed cost of any rerun here."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string('import streamlit as st\nst.write("baseline")', default_timeout=60)
    at.run()
    return statistics.median(_timed_run(at) for _ in range(reruns))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", type=int, default=500)
    parser.add_argument("--reruns", type=int, default=10)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workspace:
        os.environ["CRISIS_STUDIO_WORKSPACE"] = workspace
        figures = measure(args.systems, args.reruns)
        baseline = baseline_rerun(args.reruns)
    print(f"Systems page, {int(figures.pop('systems'))} systems (AppTest, seconds; target: rerun < 1 s):")
    print(f"  {'baseline: empty page':<22} {baseline:6.3f}")
    for name, seconds in figures.items():
        print(f"  {name:<22} {seconds:6.3f}  ({seconds / baseline:5.1f}x the empty page)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
