"""Canonical JSON: the same scenario always gives the same bytes, so scenarios diff well in git.

Rules: keys sorted, two-space indentation, UTF-8 without escaping non-ASCII text, ``\\n`` line ends
and a final newline. Array order is meaningful and kept.
"""

from __future__ import annotations

import json
from typing import Any


def canonical_text(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, sort_keys=True, indent=2, allow_nan=False) + "\n"


def canonical_bytes(document: Any) -> bytes:
    """Return the canonical UTF-8 encoding of ``document``."""
    return canonical_text(document).encode("utf-8")
