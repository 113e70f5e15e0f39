"""Rebuild the catalogue and the library scenarios: ``python scenario_library/builder/build.py``.

The committed JSON files are what designers edit and what the studio reads; this script is how they
were first produced. It writes canonical JSON (studio.scenario.canonical), so a rebuild reproduces the
committed files byte for byte (tests/library checks it). ``--check`` only compares and exits 1 when
a file would change. The catalogue is written first because the scenarios are instantiated from it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ch_nuit
import chu_double
import supplier
import territoire
from catalogue_data import CATALOGUE

from studio.scenario.canonical import canonical_bytes

LIBRARY = Path(__file__).resolve().parent.parent

SCENARIO_BUILDERS: dict[str, Callable[[], dict]] = {
    ch_nuit.FILE_NAME: ch_nuit.build,
    chu_double.FILE_NAME: chu_double.build,
    territoire.FILE_NAME: territoire.build,
    supplier.FILE_NAME: supplier.build,
}


def catalogue_bytes() -> bytes:
    return canonical_bytes(CATALOGUE)


def scenario_bytes() -> dict[str, bytes]:
    """File name -> canonical bytes of every library scenario (reads the catalogue file as it is)."""
    return {name: canonical_bytes(build()) for name, build in SCENARIO_BUILDERS.items()}


def _sync(path: Path, data: bytes, check: bool) -> bool:
    """Write ``data`` to ``path`` unless it already holds it (or only compare); True when it differed."""
    if path.exists() and path.read_bytes() == data:
        return False
    if not check:
        path.write_bytes(data)
    print(("would rewrite " if check else "wrote ") + path.name)
    return True


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = _sync(LIBRARY / "catalogue" / "systems.json", catalogue_bytes(), check)
    for name, data in scenario_bytes().items():
        stale = _sync(LIBRARY / name, data, check) or stale
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
