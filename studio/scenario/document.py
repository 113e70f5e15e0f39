"""Reading scenario files without ever raising anything but ScenarioReadError.

A file that cannot be read or parsed is a different failure from a scenario that parses but breaks
rules: the CLI exits 2 for the first and 1 for the second.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import sys
from pathlib import Path
from typing import Any

from studio.gcpause import paused_gc
from studio.scenario.problems import pointer

MAX_FILE_BYTES = 512 * 1024 * 1024
"""Larger files are refused before parsing. A hospital scenario is well under a megabyte, but a
regional model of 100,000 systems with its timeline is about 100 MB (issue 13 asks the CLI to take
it); 512 MiB leaves room for that and still refuses what would take several GiB of memory to parse."""

MAX_JSON_VALUES = 20_000_000
"""More values are refused before parsing. Memory follows the number of values, not the bytes: a
100,000-system scenario holds about 3.1 million values (65 MB, under 1 GB parsed), while 512 MB of
``{},`` would be 170 million dicts, some 11 GB. Counted by their ``,`` separators (a C-speed count,
only for texts longer than the limit itself, since a value takes at least two characters)."""


class ScenarioReadError(Exception):
    """The file could not be read or is not a JSON object."""


def _too_big(source: str, size: int) -> ScenarioReadError:
    return ScenarioReadError(
        f"{source}: {size:,} bytes is over the {MAX_FILE_BYTES:,}-byte limit "
        "(a scenario of 100,000 systems is about 70 MB; is this really a scenario?)"
    )


def parse_scenario(raw: bytes | str, source: str = "<input>") -> dict[str, Any]:
    """Parse JSON text into a scenario dict, or raise ScenarioReadError with a clear message."""
    if len(raw) > MAX_FILE_BYTES:
        raise _too_big(source, len(raw))
    # A lone surrogate can only come from a \ud800-\udfff escape once the bytes are decoded (the
    # decoder refuses encoded ones), and a non-finite number only from a float literal: when the text
    # has neither, the walk of first_unrepresentable (as long as the parse itself) is not needed.
    suspect = isinstance(raw, str) and _SURROGATE.search(raw) is not None
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ScenarioReadError(f"{source}: not UTF-8 text (byte {exc.start})") from None
    if len(raw) > MAX_JSON_VALUES and (values := raw.count(",") + 1) > MAX_JSON_VALUES:
        raise ScenarioReadError(
            f"{source}: about {values:,} values, over the {MAX_JSON_VALUES:,}-value limit (a scenario of "
            "100,000 systems has about 3 million; is this really a scenario?)"
        )
    suspect = suspect or ("\\u" in raw and _SURROGATE_ESCAPE.search(raw) is not None)
    infinite: list[float] = []
    unique_keys = UniqueKeys()

    def parse_float(text: str) -> float:
        value = float(text)
        if not math.isfinite(value):
            infinite.append(value)
        return value

    try:
        with paused_gc():  # a 100k-system file parses 2.5x faster without collections walking it
            document = json.loads(
                raw,
                parse_constant=_refuse_constant,
                parse_float=parse_float,
                object_pairs_hook=unique_keys.hook,
            )
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise ScenarioReadError(f"{source}: not valid JSON: {exc.msg} at {where}") from None
    except RecursionError:
        raise ScenarioReadError(f"{source}: JSON nested too deeply to be a scenario") from None
    except ValueError as exc:
        raise ScenarioReadError(f"{source}: {too_many_digits(raw) or exc}") from None
    if not isinstance(document, dict):
        raise ScenarioReadError(f"{source}: a scenario is a JSON object, found {type(document).__name__}")
    duplicate = unique_keys.problem(document)
    if duplicate is not None:
        raise ScenarioReadError(
            f"{source}: {duplicate}, so the file is refused rather than silently losing the first one: "
            "remove or rename one of them"
        )
    problem = first_unrepresentable(document) if suspect or infinite else None
    if problem is not None:
        raise ScenarioReadError(f"{source}: {problem}")
    return document


_INT_DIGITS = sys.get_int_max_str_digits()
# An integer value (after ':' '[' or ',') longer than Python converts; digits inside a text do not count.
_LONG_INTEGER = re.compile(rf"[:\[,]\s*(-?\d{{{_INT_DIGITS + 1},}})(?![\d.eE])") if _INT_DIGITS else None


def too_many_digits(text: str) -> str | None:
    """Where a number too long for Python's int conversion is, or None when that is not the problem.

    Python refuses integers of more than 4,300 digits (a guard against slow conversions) with a
    message about ``sys.set_int_max_str_digits``; a designer needs the place instead."""
    found = _LONG_INTEGER.search(text) if _LONG_INTEGER is not None else None
    if found is None:
        return None
    start = found.start(1)
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    digits = len(found.group(1).lstrip("-"))
    return (
        f"a number of {digits:,} digits at line {line} column {column}; no value of a scenario needs more "
        "than a few digits"
    )


class UniqueKeys:
    """Notes the first object holding a key twice, through ``hook`` (a ``json.loads`` object_pairs_hook).

    json keeps the last of two equal keys without a word, so the first value would be lost. The
    hook only notes the object (raising inside the parser would lose where it is); ``problem`` then
    names its JSON path and the key once the whole value is parsed.
    """

    def __init__(self) -> None:
        self.duplicated: tuple[dict[str, Any], str] | None = None

    def hook(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs) and self.duplicated is None:
            seen: set[str] = set()
            key = next(key for key, _ in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
            self.duplicated = (obj, key)
        return obj

    def problem(self, parsed: Any) -> str | None:
        """Where the first duplicate key of ``parsed`` is and which key it is; None when there is none."""
        if self.duplicated is None:
            return None
        obj, key = self.duplicated
        return (
            f"{pointer(_path_of(parsed, obj)) or '/'}: the key {key!r} appears twice in this object "
            "(duplicate key); JSON keeps only the last value"
        )


def _path_of(document: Any, target: Any) -> tuple[Any, ...]:
    """The path of the object ``target`` (by identity) inside ``document``; () when it is the root."""
    stack: list[tuple[tuple[Any, ...], Any]] = [((), document)]
    while stack:
        path, value = stack.pop()
        if value is target:
            return path
        if isinstance(value, dict):
            stack.extend(((*path, key), child) for key, child in value.items())
        elif isinstance(value, list):
            stack.extend(((*path, index), child) for index, child in enumerate(value))
    return ()


_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def first_unrepresentable(document: Any) -> str | None:
    """ "<JSON path>: why" for the first value no scenario can hold, else None.

    Python's parser turns ``1e400`` into infinity and ``"\\ud800"`` into a lone surrogate; both
    parse, then break arithmetic or every later write of the text. Refusing them here names the place
    instead of a traceback three commands later.
    """
    stack: list[tuple[tuple[Any, ...], Any]] = [((), document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            return f"{pointer(path) or '/'}: the number is too large to be represented (not finite)"
        if isinstance(value, str) and _SURROGATE.search(value):
            return f"{pointer(path) or '/'}: the text holds a lone surrogate, not valid Unicode"
        if isinstance(value, dict):
            for key, child in value.items():
                if _SURROGATE.search(key):
                    return f"{pointer(path) or '/'}: a key holds a lone surrogate, not valid Unicode"
                stack.append(((*path, key), child))
        elif isinstance(value, list):
            stack.extend(((*path, index), child) for index, child in enumerate(value))
    return None


def load_scenario(path: str | Path) -> dict[str, Any]:
    """Read and parse one scenario file."""
    path = Path(path)
    try:
        raw = read_regular_file(path, MAX_FILE_BYTES)
    except OSError as exc:
        raise ScenarioReadError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ScenarioReadError(f"{path}: {exc}") from None
    return parse_scenario(raw, str(path))


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    Raises ValueError for a device, a pipe or a directory (``/dev/zero`` never ends, a FIFO may never
    answer) and for a file over ``limit`` bytes, checked on the open descriptor and again while
    reading, so a file that grows after the check is still refused. OSError as usual.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)  # opening a FIFO must not wait for a writer
    descriptor = os.open(path, flags)
    with os.fdopen(descriptor, "rb") as stream:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("not a regular file (a device, a pipe or a folder cannot be a scenario)")
        if info.st_size > limit:
            raise ValueError(f"{info.st_size:,} bytes is over the {limit:,}-byte limit")
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"over the {limit:,}-byte limit")
    return data


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not allowed in a scenario (JSON has no NaN or Infinity)")
