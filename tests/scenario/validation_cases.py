"""Randomly broken scenarios whose problems were recorded before the validation speed work.

``golden/validation_before_speedup.json`` holds two base scenarios (a shipped one with a simulated
timeline and a generated MSEL, and the minimal fixture), and for each case a seed: ``broken(base, seed)``
rebuilds the same broken document from it (``random.Random`` is stable across Python versions), and the
file holds the problems the validator of commit e012c87 reported on it. The rules were restructured for
speed afterwards; these cases pin every message, path, rule, hint and severity to what they were.

Regenerate only on purpose (it records the *current* validator):
``python tests/scenario/validation_cases.py`` from the repository root.
"""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

from mutations import mutate, value_at, value_paths

GOLDEN = Path(__file__).parent / "golden" / "validation_before_speedup.json"

ODD_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    0.5,
    10**13,
    1e-12,
    1e300,
    "",
    "nowhere",
    "ends with a line break\n",
    "lone \ud800 surrogate",
    "P99999D",
    "PT90000H",
    "PT2H",
    "1800-01-01T00:00:00+00:00",
    "2999-12-31",
    "2025-02-10T02:00:00",
    "player",
    "animation",
    "credential",
    "backup",
    "depends",
    "reach",
    "k_of_n",
    "isolate_zone",
    "reset_credentials",
    "credential_obtained",
    [],
    {},
    {"dist": "uniform", "min": "PT5H", "max": "PT1H"},
    {"type": "k_of_n", "k": 9},
    {"kind": "depends", "target": "nowhere"},
]


def broken(base: dict[str, Any], seed: int) -> dict[str, Any]:
    """``base`` with one to four random mutations chosen by ``seed``: values replaced by odd values or
    by ids found elsewhere in the document, values deleted, list items duplicated."""
    rng = random.Random(seed)
    document = copy.deepcopy(base)
    paths = [path for path in value_paths(base) if path]
    ids = sorted(
        {value for path in paths if isinstance(value := value_at(base, path), str) and len(value) < 24}
    )
    for _ in range(rng.randint(1, 4)):
        path = paths[rng.randrange(len(paths))]
        action = rng.choice(["replace", "replace", "replace", "delete", "duplicate"])
        value = rng.choice(ids) if rng.random() < 0.5 else copy.deepcopy(rng.choice(ODD_VALUES))
        mutate(document, path, action, value)
    return document


def load_golden() -> dict[str, Any]:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


def _record() -> None:  # pragma: no cover - run by hand, see the module docstring
    from studio.injects.generator import generate_msel
    from studio.propagation import run_timeline
    from studio.scenario.validate import validate_scenario

    library = Path(__file__).parents[2] / "scenario_library" / "ch-rancongiciel-nuit.json"
    shipped = json.loads(library.read_text(encoding="utf-8"))
    timeline = run_timeline(shipped, seed=3)
    packed = generate_msel({**shipped, "timeline": timeline}, timeline, seed=3).scenario
    minimal = json.loads((Path(__file__).parent / "minimal.json").read_text(encoding="utf-8"))
    # as the test reads them back: keys sorted, so that the mutations land on the same paths
    bases = json.loads(json.dumps({"packed": packed, "minimal": minimal}, sort_keys=True))
    cases = []
    for name, base in bases.items():
        assert not [problem for problem in validate_scenario(base) if problem.is_error], name
        for seed in range(150):
            problems = validate_scenario(broken(base, seed))
            cases.append({"base": name, "seed": seed, "problems": [p.to_dict() for p in problems]})
    GOLDEN.parent.mkdir(exist_ok=True)
    data = {"bases": bases, "cases": cases}
    GOLDEN.write_text(json.dumps(data, ensure_ascii=True, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1]))
    _record()
