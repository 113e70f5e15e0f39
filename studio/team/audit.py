"""The audit log: one JSON line per action, appended and never rewritten.

Actions: ``login``, ``save``, ``restore``, ``generate``, ``status change``, ``export``, ``lock``,
``read audit`` and any ``refused`` action (the outcome says so, with the role it needed). Each line
holds the time (UTC), the user's e-mail and name, their roles, the action, the outcome, the scenario
and a short detail, plus ``prev``: the SHA-256 of the previous line. A line edited or removed later
breaks that chain, which :meth:`AuditLog.verify` reports.

Writes use O_APPEND under an exclusive lock, so lines from several studio processes never mix.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import io
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from studio.safety import spreadsheet_text
from studio.team.identity import Actor

FIELDS = ("at", "user", "name", "roles", "action", "outcome", "scenario", "detail")
_GENESIS = "0" * 64
_MAX_DETAIL = 2000


@dataclass(frozen=True)
class AuditEntry:
    at: str
    user: str
    name: str
    roles: str
    action: str
    outcome: str
    scenario: str
    detail: str

    def row(self) -> list[str]:
        return [getattr(self, name) for name in FIELDS]


class AuditLog:
    """The append-only log at ``path`` (its folder is created on the first write, mode 0700)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def record(
        self, actor: Actor, action: str, *, outcome: str = "ok", scenario: str = "", detail: str = ""
    ) -> AuditEntry:
        """Append one line and return it."""
        entry = AuditEntry(
            at=datetime.now(UTC).isoformat(timespec="milliseconds"),
            user=actor.email,
            name=actor.name,
            roles=actor.roles_text,
            action=action,
            outcome=outcome,
            scenario=scenario,
            detail=" ".join(detail.split())[:_MAX_DETAIL],
        )
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            line = json.dumps(
                {**{name: getattr(entry, name) for name in FIELDS}, "prev": self._last_digest()},
                ensure_ascii=False,
                sort_keys=True,
            )
            os.write(fd, (line + "\n").encode("utf-8"))
            os.fsync(fd)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        return entry

    def _lines(self) -> list[bytes]:
        try:
            return self.path.read_bytes().splitlines()
        except FileNotFoundError:
            return []

    def _last_digest(self) -> str:
        lines = self._lines()
        return hashlib.sha256(lines[-1]).hexdigest() if lines else _GENESIS

    def entries(self) -> list[AuditEntry]:
        """Every entry, oldest first."""
        found = []
        for line in self._lines():
            data: dict[str, Any] = json.loads(line)
            found.append(AuditEntry(**{name: str(data.get(name, "")) for name in FIELDS}))
        return found

    def verify(self) -> int | None:
        """The 1-based number of the first line whose chain is broken, or None when the log is intact."""
        previous = _GENESIS
        for number, line in enumerate(self._lines(), start=1):
            try:
                recorded = json.loads(line).get("prev")
            except ValueError:
                return number
            if recorded != previous:
                return number
            previous = hashlib.sha256(line).hexdigest()
        return None

    def csv_bytes(self) -> bytes:
        """The log as CSV (UTF-8 with a BOM so that spreadsheet programs read the accents)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(FIELDS)
        for entry in self.entries():
            writer.writerow([spreadsheet_text(value) for value in entry.row()])
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
