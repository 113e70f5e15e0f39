"""Where the project's data folders are: schemas/, prompts/ and scenario_library/.

In a source checkout (editable install) they sit beside the ``studio`` package; a wheel carries
copies under ``studio/_data``. Both layouts are looked up, the checkout first, so that a designer
editing a prompt or a library scenario sees the change without reinstalling.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """Return the folder ``name`` (``schemas``, ``prompts`` or ``scenario_library``)."""
    for candidate in (_PACKAGE_DIR.parent / name, _PACKAGE_DIR / "_data" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"data folder {name!r} not found beside the studio package")


def schemas_dir() -> Path:
    return data_dir("schemas")


def prompts_dir() -> Path:
    return data_dir("prompts")


def library_dir() -> Path:
    return data_dir("scenario_library")
