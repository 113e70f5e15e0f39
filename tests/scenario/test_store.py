"""The workspace: canonical bytes, atomic saves under kill, revisions, conflicts, no secrets."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import pytest

from studio.scenario.canonical import canonical_bytes
from studio.scenario.store import SaveConflict, SecretInDocument, Workspace, check_name


def test_canonical_bytes_are_stable_whatever_the_key_order(minimal_scenario: dict[str, Any]) -> None:
    shuffled = json.loads(json.dumps(minimal_scenario), object_pairs_hook=lambda pairs: dict(reversed(pairs)))
    assert list(shuffled) != list(minimal_scenario)
    first, second = canonical_bytes(minimal_scenario), canonical_bytes(shuffled)
    assert first == second
    assert first.endswith(b"\n") and not first.endswith(b"\n\n")
    assert "rançongiciel".encode() in first, "non-ASCII text is kept readable, not escaped"
    assert canonical_bytes(json.loads(first)) == first


def test_save_load_round_trip_gives_same_bytes(tmp_path: Path, minimal_scenario: dict[str, Any]) -> None:
    workspace = Workspace(tmp_path)
    token = workspace.save("mini", minimal_scenario, None)
    assert workspace.path("mini").read_bytes() == canonical_bytes(minimal_scenario)
    document, loaded_token = workspace.load("mini")
    assert document == minimal_scenario and loaded_token == token
    assert workspace.save("mini", document, token) == token, "saving unchanged content is a no-op"
    assert workspace.revisions("mini") == []


def test_revisions_are_kept_up_to_the_limit(tmp_path: Path, minimal_scenario: dict[str, Any]) -> None:
    workspace = Workspace(tmp_path, keep=3)
    token = workspace.save("mini", minimal_scenario, None)
    titles = []
    for number in range(5):
        titles.append(minimal_scenario["exercise"]["title"])
        minimal_scenario["exercise"]["title"] = f"Version {number}"
        token = workspace.save("mini", minimal_scenario, token)
    revisions = workspace.revisions("mini")
    assert len(revisions) == 3
    assert [workspace.load_revision("mini", r.token)["exercise"]["title"] for r in revisions] == titles[::-1][
        :3
    ]


def test_save_from_outdated_revision_is_refused(tmp_path: Path, minimal_scenario: dict[str, Any]) -> None:
    workspace = Workspace(tmp_path)
    base = workspace.save("mini", minimal_scenario, None)
    alice, bob = json.loads(json.dumps(minimal_scenario)), json.loads(json.dumps(minimal_scenario))
    alice["exercise"]["title"] = "Alice"
    bob["exercise"]["title"] = "Bob"
    workspace.save("mini", alice, base)
    with pytest.raises(SaveConflict, match="changed by someone else"):
        workspace.save("mini", bob, base)
    assert workspace.load("mini")[0]["exercise"]["title"] == "Alice"
    with pytest.raises(SaveConflict, match="already exists"):
        workspace.save("mini", bob, None)


def _save_from(root: str, document: dict[str, Any], base: str, barrier: Any) -> str:
    barrier.wait()
    try:
        Workspace(root).save("mini", document, base)
    except SaveConflict:
        return "conflict"
    return "saved"


def test_two_processes_saving_from_same_base_one_wins(
    tmp_path: Path, minimal_scenario: dict[str, Any]
) -> None:
    base = Workspace(tmp_path).save("mini", minimal_scenario, None)
    context = get_context("spawn")
    barrier = context.Manager().Barrier(2)
    documents = []
    for name in ("Alice", "Bob"):
        document = json.loads(json.dumps(minimal_scenario))
        document["exercise"]["title"] = name
        documents.append(document)
    with context.Pool(2) as pool:
        outcomes = pool.starmap(_save_from, [(str(tmp_path), doc, base, barrier) for doc in documents])
    assert sorted(outcomes) == ["conflict", "saved"]


_WRITER = """
import sys, json
from studio.scenario.store import Workspace
root, size = sys.argv[1], int(sys.argv[2])
workspace = Workspace(root, keep=2)
token = workspace.current_token("big")
number = workspace.load("big")[0]["n"] if token else 0
while True:
    number += 1
    document = {"schema_version": "1.1", "id": "big", "n": number, "pad": ["x" * 100] * size}
    token = workspace.save("big", document, token)
"""


def test_writer_killed_at_random_moments_never_leaves_a_broken_file(tmp_path: Path) -> None:
    rng = random.Random(1234)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    last_seen = 0
    for _ in range(12):
        writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path), "3000"], env=env)
        time.sleep(0.25 + rng.random() * 0.5)
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        path = tmp_path / "big.json"
        if not path.exists():
            assert last_seen == 0, "once written, the file must never disappear"
            continue
        document = json.loads(path.read_bytes())  # raises if truncated or mixed
        assert document["n"] >= last_seen
        assert path.read_bytes() == canonical_bytes(document)
        last_seen = document["n"]
    assert last_seen > 0, "the writer never completed a save; the test proved nothing"


def test_api_key_is_never_written(tmp_path: Path, minimal_scenario: dict[str, Any], monkeypatch: Any) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-1234567890abcdef")
    minimal_scenario["injects"][0]["message"] += " sk-test-1234567890abcdef"
    with pytest.raises(SecretInDocument):
        Workspace(tmp_path).save("mini", minimal_scenario, None)
    assert not (tmp_path / "mini.json").exists()


@pytest.mark.parametrize("name", ["", "../x", "a/b", "x.json", ".hidden", "a" * 200])
def test_unsafe_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="not a valid scenario name"):
        check_name(name)
