"""Writing exports to disk: atomic replacement, no temporary file left, no folder in names."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.exports.common import ExportFile, write_outputs


def test_files_are_replaced_whole_and_no_temporary_file_remains(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_bytes(b"old")
    written = write_outputs(tmp_path, [ExportFile("a.csv", b"new"), ExportFile("b.csv", b"bee")])
    assert written == [tmp_path / "a.csv", tmp_path / "b.csv"]
    assert (tmp_path / "a.csv").read_bytes() == b"new"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.csv", "b.csv"]


def test_a_failed_write_keeps_the_previous_file(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_bytes(b"old")
    with pytest.raises(TypeError):
        write_outputs(tmp_path, [ExportFile("a.csv", None)])  # type: ignore[arg-type]
    assert (tmp_path / "a.csv").read_bytes() == b"old"
    assert [path.name for path in tmp_path.iterdir()] == ["a.csv"]


@pytest.mark.parametrize("name", ["../escape.csv", "sub/a.csv"])
def test_names_with_folders_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError):
        write_outputs(tmp_path / "out", [ExportFile(name, b"x")])
    assert not (tmp_path / "escape.csv").exists()
