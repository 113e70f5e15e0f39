"""Drafts: every unsaved edit journaled atomically to the workspace, offered back after a crash."""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from studio.scenario.drafts import DRAFTS_FOLDER, DraftStore, new_draft_id
from studio.scenario.store import SecretInDocument


def test_write_read_and_discard(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    draft_id = new_draft_id()
    doc = {"id": "ch", "exercise": {"title": "Nuit blanche"}}
    store.write(draft_id, doc, name="ch", revision="abc", origin="workspace ch")
    path = tmp_path / DRAFTS_FOLDER / f"{draft_id}.json"
    assert json.loads(path.read_text(encoding="utf-8"))["document"] == doc
    # Compact JSON of the C encoder (written at every edit), ASCII so any text can be written.
    assert path.read_bytes() == json.dumps(json.loads(path.read_bytes()), separators=(",", ":")).encode()
    assert path.read_bytes().isascii()
    draft = store.read(draft_id)
    assert (draft.document, draft.name, draft.revision, draft.title) == (doc, "ch", "abc", "Nuit blanche")
    store.discard(draft_id)
    assert not path.exists()
    store.discard(draft_id)  # already gone: no error


def test_each_edit_replaces_the_draft_atomically(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    draft_id = new_draft_id()
    for version in range(3):
        store.write(draft_id, {"id": "ch", "version": version}, name=None, revision=None, origin="")
    assert store.read(draft_id).document["version"] == 2
    # Only the draft itself is left: the temporary files were renamed over it.
    assert [path.name for path in (tmp_path / DRAFTS_FOLDER).iterdir()] == [f"{draft_id}.json"]


def test_pending_lists_other_sessions_newest_first_and_skips_damaged_files(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    mine, older, newer = new_draft_id(), new_draft_id(), new_draft_id()
    store.write(older, {"id": "a"}, name=None, revision=None, origin="", now=datetime(2026, 1, 1, tzinfo=UTC))
    store.write(newer, {"id": "b"}, name=None, revision=None, origin="", now=datetime(2026, 1, 2, tzinfo=UTC))
    store.write(mine, {"id": "c"}, name=None, revision=None, origin="")
    (tmp_path / DRAFTS_FOLDER / f"{new_draft_id()}.json").write_text("{not json", encoding="utf-8")
    (tmp_path / DRAFTS_FOLDER / "notes.json").write_text("{}", encoding="utf-8")
    assert [draft.document["id"] for draft in store.pending(exclude=mine)] == ["b", "a"]


def test_no_drafts_folder_means_nothing_pending(tmp_path: Path) -> None:
    assert DraftStore(tmp_path / "missing").pending() == []


def test_draft_ids_cannot_escape_the_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        DraftStore(tmp_path).path("../../etc/passwd")


def test_the_api_key_is_never_written_to_a_draft(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret-123456")
    with pytest.raises(SecretInDocument):
        DraftStore(tmp_path).write(
            new_draft_id(), {"note": "sk-test-secret-123456"}, name=None, revision=None, origin=""
        )
    assert not list((tmp_path / DRAFTS_FOLDER).glob("*.json"))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_pipe_among_the_drafts_does_not_hang_the_studio(tmp_path: Path) -> None:
    # The studio lists pending drafts when it opens: reading a FIFO nobody writes would wait forever.
    store = DraftStore(tmp_path)
    kept = new_draft_id()
    store.write(kept, {"id": "ch"}, name="ch", revision=None, origin="new")
    fifo = tmp_path / DRAFTS_FOLDER / f"{new_draft_id()}.json"
    os.mkfifo(fifo)
    found: list[list[str]] = []
    listing = threading.Thread(
        target=lambda: found.append([d.draft_id for d in store.pending()]), daemon=True
    )
    listing.start()
    listing.join(10)
    if listing.is_alive():  # release the blocked reader before failing
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    assert found == [[kept]]


@pytest.mark.parametrize(
    "text",
    [
        '{"draft_id": "x", "document": {"id": "a", "id": "b"}, "origin": "new", "saved_at": ""}',
        '{"draft_id": "x", "document": {"id": "a", "units": NaN}, "origin": "new", "saved_at": ""}',
        '{"draft_id": "x", "document": {"id": "a"}, "name": ["not", "a", "name"], "saved_at": ""}',
    ],
)
def test_a_draft_the_studio_would_not_have_written_is_damaged(tmp_path: Path, text: str) -> None:
    store = DraftStore(tmp_path)
    draft_id = new_draft_id()
    (tmp_path / DRAFTS_FOLDER).mkdir()
    store.path(draft_id).write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=f"draft {draft_id}"):
        store.read(draft_id)
    assert store.pending() == []
