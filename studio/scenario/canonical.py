"""Canonical JSON: the same scenario always gives the same bytes, so scenarios diff well in git.

Rules: keys sorted, two-space indentation, UTF-8 without escaping non-ASCII text, ``\\n`` line ends
and a final newline. Array order is meaningful and kept.
"""

from __future__ import annotations

import json
import math
from json.encoder import encode_basestring
from typing import Any


def canonical_text(document: Any) -> str:
    """``json.dumps(document, ensure_ascii=False, sort_keys=True, indent=2, allow_nan=False)`` and a
    final newline.

    With ``indent``, the standard library encodes in Python generators (about 3 s for a packed
    10k-system scenario); the plain JSON values a scenario is made of are written here with the C
    string encoder instead, byte for byte the same. Anything else (subclasses, non-string keys,
    non-finite numbers, cycles) goes to ``json.dumps`` itself, which writes or refuses it as always.
    """
    chunks: list[str] = []
    try:
        text = _scalar(document)
        if text is None:
            _write(document, chunks, 0)
        else:
            chunks.append(text)
    except (_NotPlain, RecursionError):
        return json.dumps(document, ensure_ascii=False, sort_keys=True, indent=2, allow_nan=False) + "\n"
    chunks.append("\n")
    return "".join(chunks)


def canonical_bytes(document: Any) -> bytes:
    """Return the canonical UTF-8 encoding of ``document``."""
    return canonical_text(document).encode("utf-8")


class _NotPlain(Exception):
    """A value the fast writer leaves to json.dumps."""


_INDENTS = ["\n" + "  " * level for level in range(64)]


def _indent(level: int) -> str:
    return _INDENTS[level] if level < len(_INDENTS) else "\n" + "  " * level


def _scalar(value: Any) -> str | None:
    """The JSON text of a plain scalar, or None for a container (raises _NotPlain for the rest)."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is int:
        return int.__repr__(value)
    if kind is float and math.isfinite(value):
        return float.__repr__(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is dict or kind is list:
        return None
    raise _NotPlain


def _write(value: Any, out: list[str], level: int) -> None:
    """Append the text of ``value``, a dict or a list, nested ``level`` deep."""
    inner = _indent(level + 1)
    if type(value) is dict:
        if not value:
            out.append("{}")
            return
        try:  # keys that are not text do not sort together or do not encode: json.dumps decides
            keys = sorted(value)
            names = [encode_basestring(key) for key in keys]
        except TypeError:
            raise _NotPlain from None
        separator = "{" + inner
        for key, name in zip(keys, names, strict=True):
            item = value[key]
            # Scalars are most values: written in one piece, without a call of _write.
            text = encode_basestring(item) if type(item) is str else _scalar(item)
            if text is None:
                out.append(separator + name + ": ")
                _write(item, out, level + 1)
            else:
                out.append(separator + name + ": " + text)
            separator = "," + inner
        out.append(_indent(level) + "}")
    else:
        if not value:
            out.append("[]")
            return
        separator = "[" + inner
        for item in value:
            text = encode_basestring(item) if type(item) is str else _scalar(item)
            if text is None:
                out.append(separator)
                _write(item, out, level + 1)
            else:
                out.append(separator + text)
            separator = "," + inner
        out.append(_indent(level) + "]")
