"""Drafts: every unsaved edit of the studio, journaled to the workspace so that none is lost.

Each editing session owns one draft file, ``<workspace>/.drafts/<draft id>.json``, rewritten
atomically (studio.scenario.store.write_atomic) after every change with the whole document and what
it is based on (workspace name, revision, origin, time). Saving the scenario, or deliberately
discarding it, removes the draft. A draft still there when the studio is opened again belongs to
an interrupted session (tab closed, browser or machine crashed): the studio offers to recover it.

Drafts are compact JSON (written after every edit, read back only by the studio), and the API key
is refused in them too.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from studio.scenario.document import MAX_FILE_BYTES, ScenarioReadError, parse_scenario, read_regular_file
from studio.scenario.store import refuse_secrets, write_atomic

DRAFTS_FOLDER = ".drafts"
_DRAFT_ID = re.compile(r"^[0-9a-f]{32}$")


def new_draft_id() -> str:
    """A fresh, unguessable id for one editing session's draft."""
    return uuid.uuid4().hex


def _check_id(draft_id: str) -> str:
    if not isinstance(draft_id, str) or not _DRAFT_ID.match(draft_id):
        raise ValueError(f"{draft_id!r} is not a draft id")
    return draft_id


@dataclass(frozen=True)
class Draft:
    """One journaled draft: the document and what it is based on."""

    draft_id: str
    document: dict[str, Any]
    name: str | None
    """Workspace name the document was opened from or will be saved as (None: not chosen yet)."""
    revision: str | None
    """Revision token of the workspace file the document is based on (None: new)."""
    origin: str
    saved_at: str
    """When the draft was written (ISO 8601, UTC)."""

    @property
    def title(self) -> str:
        exercise = self.document.get("exercise") if isinstance(self.document, dict) else None
        title = (exercise or {}).get("title") if isinstance(exercise, dict) else None
        return str(title or self.document.get("id") or "(untitled)")

    def to_json(self) -> dict[str, Any]:
        return {
            "draft_id": self.draft_id,
            "document": self.document,
            "name": self.name,
            "revision": self.revision,
            "origin": self.origin,
            "saved_at": self.saved_at,
        }


class DraftStore:
    """The drafts of one workspace folder."""

    def __init__(self, workspace_root: str | Path) -> None:
        self.folder = Path(workspace_root) / DRAFTS_FOLDER

    def path(self, draft_id: str) -> Path:
        return self.folder / f"{_check_id(draft_id)}.json"

    def write(
        self,
        draft_id: str,
        document: dict[str, Any],
        *,
        name: str | None,
        revision: str | None,
        origin: str,
        now: datetime | None = None,
    ) -> Draft:
        """Journal the current state of a session's document (replacing its previous draft)."""
        stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
        draft = Draft(draft_id, document, name, revision, origin, stamp)
        # Compact JSON from the C encoder, not the canonical form: a draft is written after every
        # edit and only read back by the studio, so it need not diff well, and the canonical writer
        # cost a quarter of a studio rerun at 2,000 systems.
        data = json.dumps(draft.to_json(), allow_nan=False, separators=(",", ":")).encode("ascii")
        refuse_secrets(data)
        write_atomic(self.path(draft_id), data)
        return draft

    def read(self, draft_id: str) -> Draft:
        """The draft ``draft_id``; raises FileNotFoundError or ValueError (damaged file).

        Read as scenario files are (a regular file within the size limit, no duplicate key, no NaN):
        a draft is offered back as the designer's work, and a pipe among the drafts would otherwise
        hang the studio when it lists them.
        """
        try:
            raw = parse_scenario(read_regular_file(self.path(draft_id), MAX_FILE_BYTES), "the file")
        except (ValueError, ScenarioReadError) as exc:
            raise ValueError(f"draft {draft_id} is damaged: {exc}") from None
        if not isinstance(raw.get("document"), dict):
            raise ValueError(f"draft {draft_id} is damaged: no document in it")
        if any(not isinstance(raw.get(key), str | None) for key in ("name", "revision")):
            raise ValueError(f"draft {draft_id} is damaged: its name and revision must be texts")
        return Draft(
            draft_id,
            raw["document"],
            raw.get("name"),
            raw.get("revision"),
            str(raw.get("origin") or ""),
            str(raw.get("saved_at") or ""),
        )

    def discard(self, draft_id: str) -> None:
        """Remove a draft (after a save, or when its changes are given up); no error if absent."""
        self.path(draft_id).unlink(missing_ok=True)

    def pending(self, exclude: str | None = None) -> list[Draft]:
        """Drafts left in the workspace, newest first, except ``exclude`` (the session's own).

        A damaged draft file is skipped, not fatal: the others can still be recovered.
        """
        if not self.folder.is_dir():
            return []
        found = []
        for path in self.folder.glob("*.json"):
            if not _DRAFT_ID.match(path.stem) or path.stem == exclude:
                continue
            try:
                found.append(self.read(path.stem))
            except (OSError, ValueError):
                continue
        return sorted(found, key=lambda draft: (draft.saved_at, draft.draft_id), reverse=True)
