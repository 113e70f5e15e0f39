"""One zip of every built export file, for the Exports page's "download all" button.

Deterministic like the files inside it: entries in the given order, a fixed timestamp and
permissions, so the same files always give the same zip bytes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

_FIXED_TIME = (2000, 1, 1, 0, 0, 0)


def zip_bytes(files: Iterable[tuple[str, bytes]]) -> bytes:
    """A zip holding ``(file name, data)`` pairs; a repeated name is refused (ValueError)."""
    buffer = io.BytesIO()
    seen: set[str] = set()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            if name in seen:
                raise ValueError(f"two export files are both named {name!r}")
            seen.add(name)
            entry = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, data)
    return buffer.getvalue()
