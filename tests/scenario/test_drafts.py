"""Drafts: every unsaved edit journaled atomically to the workspace, offered back after a crash."""

from __future__ import annotations

import json
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
