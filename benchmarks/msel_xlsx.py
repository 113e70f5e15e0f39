"""Benchmark of the MSEL .xlsx writer against a plain openpyxl writer of the same cells.

    python benchmarks/msel_xlsx.py [--sizes 600 1200 2400] [--repeat 5]

Target (issue 13): the writer is linear, and at 2,400 injects it takes at most twice as long as a
plain openpyxl writer of the same cells, measured in the same run on one core. The plain writer
gets the very values ``msel_xlsx`` writes (durations, date-times, texts), appends them row by row
with ``Worksheet.append`` and saves with ``Workbook.save``: no styles, no drop-down lists, no second
sheet, no fixed zip dates. Figures are medians of ``--repeat`` runs (at least 5).

The scenario is the library's territorial scenario with its generated MSEL, its injects copied
(new ids, spread over the exercise) up to each size.
"""

from __future__ import annotations

import argparse
import copy
import io
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from openpyxl import Workbook  # noqa: E402
from timing import median_time  # noqa: E402

from studio.durations import format_minutes, parse_minutes  # noqa: E402
from studio.exports.common import sorted_injects  # noqa: E402
from studio.exports.msel import msel_xlsx  # noqa: E402
from studio.exports.msel.export import MselEncoder  # noqa: E402
from studio.injects.generator import generate_msel  # noqa: E402
from studio.scenario.library import load_library  # noqa: E402

TARGET_RATIO = 2.0


def scenario_with(base: dict[str, Any], count: int) -> dict[str, Any]:
    """``base`` with its injects copied (new ids, shifted offsets) up to ``count`` injects."""
    scenario = copy.deepcopy(base)
    sources = [inject for inject in base["injects"] if not inject.get("contingency")]
    copies = 0
    while len(scenario["injects"]) < count:
        clone = copy.deepcopy(sources[copies % len(sources)])
        clone["id"] = f"{clone['id']}-copy{copies}"
        clone["offset"] = format_minutes(parse_minutes(clone["offset"]) + copies % 30)
        clone.pop("number", None)
        scenario["injects"].append(clone)
        copies += 1
    return scenario


def plain_openpyxl(scenario: dict[str, Any]) -> bytes:
    """The same cell values written with openpyxl's documented API and nothing else."""
    encoder = MselEncoder(scenario)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(encoder.headers())
    fields = list(encoder.kinds)
    for inject in sorted_injects(scenario):
        sheet.append([encoder.typed_value(inject, field) for field in fields])
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[600, 1200, 2400])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    repeat = max(args.repeat, 5)
    base = generate_msel(load_library("territoire-insulaire-ght"), seed=0).scenario
    print(f"MSEL .xlsx writer vs plain openpyxl (same cells), median of {repeat} runs, one process")
    print(f"{'injects':>8} {'msel_xlsx s':>12} {'openpyxl s':>11} {'ratio':>6} {'ms/inject':>10}")
    ratio = 0.0
    for size in args.sizes:
        scenario = scenario_with(base, size)
        ours = median_time(lambda scenario=scenario: msel_xlsx(scenario), repeat, warm=False)
        plain = median_time(lambda scenario=scenario: plain_openpyxl(scenario), repeat, warm=False)
        ratio = ours / plain
        print(f"{size:>8} {ours:>12.3f} {plain:>11.3f} {ratio:>6.2f} {1000 * ours / size:>10.3f}")
    verdict = "OK" if ratio <= TARGET_RATIO else "OVER TARGET"
    print(f"largest size: {ratio:.2f}x plain openpyxl (target <= {TARGET_RATIO:.0f}x): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
