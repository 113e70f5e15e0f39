"""The workspace: a folder of scenarios saved as canonical JSON, atomically, with revisions.

Layout of a workspace folder::

    <name>.json                     the current revision of scenario <name>
    .history/<name>/<n>-<token>.json previous revisions, newest has the highest n
    .locks/<name>.lock              held while a save checks and replaces the file

A *revision token* is a digest of the file's bytes. Because files are canonical JSON, the token
names the content: a reviewer who loaded revision R can save only while the file is still R. A save
based on an outdated revision raises SaveConflict instead of overwriting someone else's work.

Saves are atomic: the new bytes go to a temporary file in the same folder, are flushed to disk
(fsync), and replace the old file with one rename, so a crash at any moment leaves either the old
or the new file, never a truncated one. The check-then-replace runs under an exclusive lock, so two
processes saving from the same base get one success and one conflict.

Invalid scenarios can be saved: work in progress must never be lost to validation.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.config import Settings, api_key
from studio.scenario.canonical import canonical_bytes
from studio.scenario.document import load_scenario
from studio.scenario.history import SYSTEM_AUTHOR, History

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_MIN_SECRET_LENGTH = 8


class SaveConflict(Exception):
    """The scenario changed on disk since the revision the save was based on."""


class SecretInDocument(ValueError):
    """The document contains the configured API key; it is never written to disk."""


@dataclass(frozen=True)
class Revision:
    number: int
    token: str
    path: Path


def revision_token(data: bytes) -> str:
    """The revision token of a file's bytes (first 16 hex digits of its SHA-256)."""
    return hashlib.sha256(data).hexdigest()[:16]


def check_name(name: str) -> str:
    """Return ``name`` if it is a safe scenario name (a file stem), else raise ValueError."""
    if not isinstance(name, str) or not _NAME.match(name) or name.endswith(".json"):
        raise ValueError(
            f"{name!r} is not a valid scenario name: use letters, digits, '.', '_' or '-' (no folders)"
        )
    return name


def write_atomic(path: Path, data: bytes, *, new_file_mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` so that readers see the old or the new bytes, never a mix.

    What is already at ``path`` decides how: a symbolic link is followed (the file it points to is
    replaced, the link stays); a device or a pipe (``-o /dev/null``, ``/dev/stdout``, a named pipe)
    is written to as a stream, since renaming over it would replace the device itself; a folder is
    IsADirectoryError. A replaced file keeps its permissions (a save used to turn a shared 0o664
    file into 0o600); a new one gets ``new_file_mode``: private by default (a scenario holds the
    ground truth), 0o644 for the exports, which are made to be handed out.
    """
    path = Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)
    try:
        existing = os.stat(path)
    except FileNotFoundError:
        existing = None
    if existing is not None and stat.S_ISDIR(existing.st_mode):
        raise IsADirectoryError(errno.EISDIR, "a folder is in the way", str(path))
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        with open(path, "wb") as stream:
            stream.write(data)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = stat.S_IMODE(existing.st_mode) if existing is not None else new_file_mode
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    # The rename itself must reach the disk for the new file to survive a power cut.
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def refuse_secrets(data: bytes) -> None:
    """Raise SecretInDocument if the configured API key appears in ``data``."""
    key = api_key()
    if key and len(key) >= _MIN_SECRET_LENGTH and key.encode("utf-8") in data:
        raise SecretInDocument("the document contains the configured API key; remove it before saving")


def refuse_secrets_in(document: Any) -> None:
    """Raise SecretInDocument if the configured API key appears in any text of ``document``.

    For the exporters, which write the document's texts into other formats: the key is looked for
    in the document's JSON (one C-speed dump, only when a key is configured), as JSON writes it."""
    key = api_key()
    if not key or len(key) < _MIN_SECRET_LENGTH:
        return
    if json.dumps(key, ensure_ascii=False)[1:-1] in json.dumps(document, ensure_ascii=False):
        raise SecretInDocument("the scenario contains the configured API key; remove it before exporting")


class Workspace:
    """A folder of scenarios. ``root`` defaults to Settings().workspace."""

    def __init__(self, root: str | Path | None = None, keep: int | None = None) -> None:
        settings = Settings()
        self.root = Path(root) if root is not None else settings.workspace
        self.keep = settings.keep_revisions if keep is None else keep

    def path(self, name: str) -> Path:
        return self.root / f"{check_name(name)}.json"

    def names(self) -> list[str]:
        """Names of the scenarios in the workspace, sorted."""
        if not self.root.is_dir():
            return []
        return sorted(path.stem for path in self.root.glob("*.json") if _NAME.match(path.stem))

    def exists(self, name: str) -> bool:
        return self.path(name).is_file()

    def current_token(self, name: str) -> str | None:
        """Revision token of the file on disk, or None if there is none."""
        try:
            return revision_token(self.path(name).read_bytes())
        except FileNotFoundError:
            return None

    def load(self, name: str) -> tuple[dict[str, Any], str]:
        """Return (document, revision token). Raises ScenarioReadError if the file is unreadable."""
        path = self.path(name)
        document = load_scenario(path)
        return document, revision_token(path.read_bytes())

    def save(
        self,
        name: str,
        document: dict[str, Any],
        base_revision: str | None,
        *,
        author: str = "",
        message: str = "",
    ) -> str:
        """Save ``document`` as ``name`` if the file is still at ``base_revision``; return the new token.

        ``base_revision`` None means "create": it conflicts if the scenario already exists. Saving the
        same bytes again is a no-op that returns the current token. When the workspace keeps a git
        history (studio.scenario.history), the save is also a commit by ``author`` with ``message``.
        """
        data = canonical_bytes(document)
        refuse_secrets(data)
        path = self.path(name)
        with self._locked(name):
            try:
                current = path.read_bytes()
            except FileNotFoundError:
                current = None
            current_token = revision_token(current) if current is not None else None
            if current_token != base_revision:
                raise SaveConflict(
                    self._conflict_message(name, base_revision, current_token)
                    + self._saved_by(name, base_revision)
                )
            new_token = revision_token(data)
            if current is not None and new_token == current_token:
                return new_token
            if current is not None:
                self._archive(name, current)
            write_atomic(path, data)
            # --- issue 14: team history (a commit per save when the workspace has a history repository)
            history = History.open(self.root)
            if history is not None:
                history.commit(name, data, author or SYSTEM_AUTHOR, message)
            # --- end issue 14
            return new_token

    def revisions(self, name: str) -> list[Revision]:
        """Previous revisions of ``name``, newest first."""
        folder = self.root / ".history" / check_name(name)
        found = []
        for path in folder.glob("*.json") if folder.is_dir() else ():
            number, _, token = path.stem.partition("-")
            if number.isdigit():
                found.append(Revision(int(number), token, path))
        return sorted(found, key=lambda revision: revision.number, reverse=True)

    def load_revision(self, name: str, token: str) -> dict[str, Any]:
        for revision in self.revisions(name):
            if revision.token == token:
                return load_scenario(revision.path)
        raise KeyError(f"no revision {token} of {name}")

    def _archive(self, name: str, data: bytes) -> None:
        folder = self.root / ".history" / name
        previous = self.revisions(name)
        number = previous[0].number + 1 if previous else 1
        if self.keep > 0:
            write_atomic(folder / f"{number:06d}-{revision_token(data)}.json", data)
        for old in self.revisions(name)[max(self.keep, 0) :]:
            with contextlib.suppress(FileNotFoundError):
                old.path.unlink()

    def _saved_by(self, name: str, base: str | None) -> str:
        """Who saved since revision ``base``, from the history (empty without one)."""
        history = History.open(self.root)
        newer = history.saved_since(name, base) if history else []
        if not newer:
            return ""
        saves = "; ".join(f"{revision.author} at {revision.when}" for revision in reversed(newer))
        return f" Saved in between by: {saves}."

    @staticmethod
    def _conflict_message(name: str, base: str | None, current: str | None) -> str:
        if base is None:
            return f"'{name}' already exists in the workspace: open it, or save under another name."
        if current is None:
            return f"'{name}' was deleted from the workspace since you opened it: save under a new name."
        return (
            f"'{name}' was changed by someone else since you opened it (your revision {base}, "
            f"now {current}). "
            "Your version was not saved and is still open: download it or save it under another name, "
            "then merge the changes."
        )

    @contextlib.contextmanager
    def _locked(self, name: str) -> Iterator[None]:
        lock_dir = self.root / ".locks"
        lock_dir.mkdir(parents=True, exist_ok=True)
        with open(lock_dir / f"{name}.lock", "a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
