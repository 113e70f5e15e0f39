"""Revision history of a workspace, kept in a git repository written with dulwich (no git binary).

The repository is bare and sits inside the workspace as ``.history.git``; it never touches a git
repository the user may keep around the workspace folder. One branch (``main``) holds a tree with
every scenario as ``<name>.json``; each save is one commit that changes one file, with the author,
the time and a message. Two trailers in the message tie a commit to the workspace:

    Scenario: <name>
    Crisis-Revision: <revision token of the saved bytes>

so that the studio can list one scenario's revisions, and say who saved the revision now on disk
when a save conflicts. A workspace has history when the repository exists (``History.init`` creates
it and imports the scenarios already there); ``crisis-studio ui --team`` does that.

The module also compares two scenarios in domain terms (systems, links, injects added, removed or
changed), which the History page shows between two revisions.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dulwich.objects import Blob, Commit, Tree
from dulwich.repo import Repo

REPOSITORY_NAME = ".history.git"
BRANCH = b"refs/heads/main"
SYSTEM_AUTHOR = "Crisis Studio <crisis-studio@localhost>"
_MAX_WALK = 100_000  # a guard against a corrupted, cyclic parent chain


class HistoryError(RuntimeError):
    """The history repository is missing, unreadable, or has no such revision."""


@dataclass(frozen=True)
class HistoryRevision:
    """One saved revision of a scenario: a commit of the history repository."""

    commit: str  # hex id of the commit
    scenario: str
    token: str  # the workspace revision token of the saved bytes
    author: str
    time: float  # seconds since the epoch (UTC)
    message: str

    @property
    def short(self) -> str:
        return self.commit[:10]

    @property
    def when(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(self.time))


def _token(data: bytes) -> str:
    # Same digest as studio.scenario.store.revision_token (kept here to avoid an import cycle).
    return hashlib.sha256(data).hexdigest()[:16]


def _trailers(message: str) -> dict[str, str]:
    found = {}
    for line in message.splitlines():
        key, sep, value = line.partition(": ")
        if sep and key in ("Scenario", "Crisis-Revision"):
            found[key] = value.strip()
    return found


def _summary(message: str) -> str:
    lines = [
        line for line in message.splitlines() if not line.startswith(("Scenario: ", "Crisis-Revision: "))
    ]
    return "\n".join(lines).strip()


class History:
    """The revision history of the workspace at ``root`` (its ``.history.git`` repository)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.path = self.root / REPOSITORY_NAME

    @classmethod
    def open(cls, root: str | Path) -> History | None:
        """The history of the workspace at ``root``, or None when it has none."""
        history = cls(root)
        return history if history.path.is_dir() else None

    @classmethod
    def init(cls, root: str | Path, author: str = SYSTEM_AUTHOR) -> History:
        """Create the repository if needed and commit the scenarios not in it yet; return the history."""
        history = cls(root)
        history.root.mkdir(parents=True, exist_ok=True)
        if not history.path.is_dir():
            Repo.init_bare(str(history.path), mkdir=True)
        for path in sorted(history.root.glob("*.json")):
            if not history.revisions(path.stem):
                history.commit(path.stem, path.read_bytes(), author, "Imported from the workspace")
        return history

    # ------------------------------------------------------------------------------------ writing

    def commit(self, scenario: str, data: bytes, author: str, message: str, at: float | None = None) -> str:
        """Record ``data`` as the new content of ``scenario``; return the commit id (hex)."""
        with self._locked():
            repo = Repo(str(self.path))
            try:
                parent = repo.refs[BRANCH] if BRANCH in repo.refs else None  # noqa: SIM401 (no .get)
                tree = Tree()
                if parent is not None:
                    for entry in repo[repo[parent].tree].items():
                        tree.add(entry.path, entry.mode, entry.sha)
                blob = Blob.from_string(data)
                tree.add(f"{scenario}.json".encode(), 0o100644, blob.id)
                store = repo.object_store
                store.add_object(blob)
                store.add_object(tree)
                stamp = int(at if at is not None else time.time())
                commit = Commit()
                commit.tree = tree.id
                commit.parents = [parent] if parent is not None else []
                commit.author = commit.committer = _person(author)
                commit.author_time = commit.commit_time = stamp
                commit.author_timezone = commit.commit_timezone = 0
                commit.encoding = b"UTF-8"
                body = (message or "Save").strip()
                commit.message = (
                    f"{body}\n\nScenario: {scenario}\nCrisis-Revision: {_token(data)}\n"
                ).encode()
                store.add_object(commit)
                if not repo.refs.set_if_equals(BRANCH, parent, commit.id):
                    raise HistoryError("the history changed during the commit; try again")
                if parent is None:
                    repo.refs.set_symbolic_ref(b"HEAD", BRANCH)
                return commit.id.decode()
            finally:
                repo.close()

    def lock(self, scenario: str, commit_id: str) -> str:
        """Mark revision ``commit_id`` of ``scenario`` as locked (a git tag); return the tag name."""
        revision = self._one(scenario, commit_id)
        name = f"locked/{scenario}/{revision.short}"
        with self._locked():
            repo = Repo(str(self.path))
            try:
                repo.refs[f"refs/tags/{name}".encode()] = revision.commit.encode()
            finally:
                repo.close()
        return name

    def locked(self, scenario: str) -> set[str]:
        """Commit ids of the locked versions of ``scenario``."""
        if not self.path.is_dir():
            return set()
        repo = Repo(str(self.path))
        try:
            prefix = f"refs/tags/locked/{scenario}/".encode()
            return {repo.refs[ref].decode() for ref in repo.refs.allkeys() if ref.startswith(prefix)}
        finally:
            repo.close()

    # ------------------------------------------------------------------------------------ reading

    def _walk(self, repo: Repo) -> Iterator[Commit]:
        if BRANCH not in repo.refs:
            return
        current: bytes | None = repo.refs[BRANCH]
        for _ in range(_MAX_WALK):
            if current is None:
                return
            commit = repo[current]
            yield commit
            current = commit.parents[0] if commit.parents else None

    def revisions(self, scenario: str) -> list[HistoryRevision]:
        """The revisions of ``scenario``, newest first."""
        if not self.path.is_dir():
            return []
        repo = Repo(str(self.path))
        try:
            found = []
            for commit in self._walk(repo):
                message = commit.message.decode("utf-8", "replace")
                trailers = _trailers(message)
                if trailers.get("Scenario") != scenario:
                    continue
                found.append(
                    HistoryRevision(
                        commit=commit.id.decode(),
                        scenario=scenario,
                        token=trailers.get("Crisis-Revision", ""),
                        author=commit.author.decode("utf-8", "replace"),
                        time=float(commit.author_time),
                        message=_summary(message),
                    )
                )
            return found
        finally:
            repo.close()

    def revision_with_token(self, scenario: str, token: str) -> HistoryRevision | None:
        """The newest revision of ``scenario`` whose saved bytes have revision token ``token``."""
        return next((rev for rev in self.revisions(scenario) if rev.token == token), None)

    def saved_since(self, scenario: str, token: str | None) -> list[HistoryRevision]:
        """Revisions of ``scenario`` saved after the newest one with ``token``, newest first."""
        newer = []
        for revision in self.revisions(scenario):
            if revision.token == token:
                break
            newer.append(revision)
        return newer

    def read(self, scenario: str, commit_id: str) -> bytes:
        """The bytes of ``scenario`` as saved in commit ``commit_id`` (a full or abbreviated hex id)."""
        revision = self._one(scenario, commit_id)
        repo = Repo(str(self.path))
        try:
            tree = repo[repo[revision.commit.encode()].tree]
            _mode, sha = tree[f"{scenario}.json".encode()]
            return repo[sha].data
        finally:
            repo.close()

    def _one(self, scenario: str, commit_id: str) -> HistoryRevision:
        matches = [rev for rev in self.revisions(scenario) if rev.commit.startswith(commit_id)]
        if len(matches) != 1 or len(commit_id) < 4:
            raise HistoryError(f"no single revision {commit_id!r} of {scenario!r}")
        return matches[0]

    def load(self, scenario: str, commit_id: str) -> dict[str, Any]:
        """The scenario document saved in ``commit_id``."""
        return json.loads(self.read(scenario, commit_id))

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        # One lock for the whole repository: every save moves the same branch.
        with open(self.path / "crisis-studio.lock", "a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _person(author: str) -> bytes:
    """A git identity ``Name <email>``: ``author`` as given if it has that shape, else built from it."""
    text = " ".join(str(author).split())[:300] or "unknown"
    if text.endswith(">") and " <" in text:
        return text.encode()
    if "@" in text and " " not in text:
        return f"{text} <{text}>".encode()
    return f"{text.replace('<', '').replace('>', '')} <>".encode()


# ------------------------------------------------------------------------------- domain differences


@dataclass
class ItemChanges:
    """What changed in one kind of item (systems, links, injects) between two scenarios."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)  # item -> names of changed fields

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


@dataclass
class ScenarioDiff:
    """The difference between two scenarios in domain terms."""

    systems: ItemChanges
    links: ItemChanges
    injects: ItemChanges
    other: list[str]  # other top-level parts that changed (exercise, cells, timeline...)

    @property
    def empty(self) -> bool:
        return not (self.systems or self.links or self.injects or self.other)

    def lines(self) -> list[str]:
        """A readable summary, one line per item added, removed or changed."""
        lines = []
        for label, changes in (("System", self.systems), ("Link", self.links), ("Inject", self.injects)):
            lines += [f"{label} added: {item}" for item in changes.added]
            lines += [f"{label} removed: {item}" for item in changes.removed]
            lines += [
                f"{label} changed: {item} ({', '.join(fields)})" for item, fields in changes.changed.items()
            ]
        lines += [f"Changed: {part}" for part in self.other]
        return lines


def _by_id(items: Any) -> dict[str, Mapping[str, Any]]:
    if not isinstance(items, list):
        return {}
    return {str(item["id"]): item for item in items if isinstance(item, Mapping) and "id" in item}


def _labelled(item: Mapping[str, Any], key: str) -> str:
    title = item.get("title") or item.get("name")
    return f"{key} ({title})" if title else key


def _compare(
    before: Mapping[str, Mapping[str, Any]], after: Mapping[str, Mapping[str, Any]], ignore: frozenset[str]
) -> ItemChanges:
    changes = ItemChanges(
        added=[_labelled(after[key], key) for key in after if key not in before],
        removed=[_labelled(before[key], key) for key in before if key not in after],
    )
    for key in before.keys() & after.keys():
        old, new = before[key], after[key]
        fields = sorted(name for name in (old.keys() | new.keys()) - ignore if old.get(name) != new.get(name))
        if fields:
            changes.changed[_labelled(new, key)] = fields
    changes.changed = dict(sorted(changes.changed.items()))
    return changes


def _links(systems: Mapping[str, Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    links = {}
    for source, system in systems.items():
        for link in system.get("links") or []:
            if isinstance(link, Mapping):
                links[f"{source} -> {link.get('target')} ({link.get('kind', 'reach')})"] = link
    return links


def scenario_diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> ScenarioDiff:
    """Systems, links and injects added, removed or changed from ``before`` to ``after``."""
    old_systems, new_systems = _by_id(before.get("systems")), _by_id(after.get("systems"))
    other = sorted(
        key
        for key in before.keys() | after.keys()
        if key not in ("systems", "injects") and before.get(key) != after.get(key)
    )
    return ScenarioDiff(
        systems=_compare(old_systems, new_systems, frozenset({"links"})),
        links=_compare(_links(old_systems), _links(new_systems), frozenset()),
        injects=_compare(_by_id(before.get("injects")), _by_id(after.get("injects")), frozenset()),
        other=other,
    )
