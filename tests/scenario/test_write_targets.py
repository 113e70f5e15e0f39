"""Atomic writes onto what is already at the path: a device, a pipe, a symbolic link, a file's mode.

The atomic write puts the bytes in a temporary file beside the target and renames it over the target.
Over a device or a pipe that rename *replaces the device*: as root, ``crisis-studio generate x.json -o
/dev/null`` turned /dev/null into a regular file holding the scenario, and ``-o /dev/stdout`` replaced
the /dev/stdout link. Over a symbolic link it replaced the link, not the file it points to. Now a
device or a pipe is written to as a stream (atomicity means nothing there), a link is followed and
its target replaced atomically, and a replaced file keeps its permissions (a save turned a shared
0o664 scenario into 0o600).

The tests use a named pipe in a temporary folder, never a real device of this machine.
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path
from typing import Any

import pytest

from studio.cli import main
from studio.exports.common import ExportFile, write_outputs
from studio.scenario.canonical import canonical_bytes
from studio.scenario.library import load_library
from studio.scenario.store import write_atomic


def _read_fifo_in_background(fifo: Path) -> tuple[threading.Thread, list[bytes]]:
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as stream:
            received.append(stream.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return reader, received


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.json"
    os.mkfifo(path)
    return path


def test_a_pipe_is_written_to_not_replaced(fifo: Path) -> None:
    reader, received = _read_fifo_in_background(fifo)
    write_atomic(fifo, b'{"id": "x"}')
    reader.join(timeout=10)
    assert received == [b'{"id": "x"}']
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert [path.name for path in fifo.parent.iterdir()] == [fifo.name]  # no temporary file left


def test_an_export_onto_a_pipe_writes_into_it(fifo: Path) -> None:
    reader, received = _read_fifo_in_background(fifo)
    write_outputs(fifo.parent, [ExportFile(fifo.name, b"id;title\r\n")])
    reader.join(timeout=10)
    assert received == [b"id;title\r\n"] and stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_cli_generate_onto_a_pipe(fifo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = fifo.parent / "s.json"
    scenario: dict[str, Any] = load_library("ch-rancongiciel-nuit")
    source.write_bytes(canonical_bytes(scenario))
    reader, received = _read_fifo_in_background(fifo)
    assert main(["generate", str(source), "-o", str(fifo)]) == 0
    reader.join(timeout=30)
    assert received and received[0].startswith(b"{") and b'"injects"' in received[0]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert "Traceback" not in capsys.readouterr().err


def test_a_symbolic_link_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real" / "scenario.json"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_atomic(link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"
    assert sorted(path.name for path in real.parent.iterdir()) == ["scenario.json"]


def test_a_replaced_file_keeps_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "shared.json"
    path.write_bytes(b"old")
    path.chmod(0o664)
    write_atomic(path, b"new")
    assert stat.S_IMODE(path.stat().st_mode) == 0o664


def test_a_new_scenario_is_private_and_a_new_export_readable(tmp_path: Path) -> None:
    write_atomic(tmp_path / "new.json", b"{}")
    write_outputs(tmp_path / "out", [ExportFile("pack.docx", b"x")])
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o600  # it holds the ground truth
    assert stat.S_IMODE((tmp_path / "out" / "pack.docx").stat().st_mode) == 0o644


def test_a_folder_in_the_way_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "taken.json").mkdir()
    with pytest.raises(IsADirectoryError):
        write_atomic(tmp_path / "taken.json", b"{}")
