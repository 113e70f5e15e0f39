"""Interface labels from files (both languages complete) and the "download all" zip."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from studio.ui import labels
from studio.ui.bundle import zip_bytes

UI_DIR = Path(labels.__file__).parent


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    english, french = labels.catalogue("en"), labels.catalogue("fr")
    assert english.keys() == french.keys()
    for key, text in english.items():
        assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", french[key])), key


def test_every_label_used_in_the_pages_exists() -> None:
    used = set()
    for path in UI_DIR.rglob("*.py"):
        used |= set(re.findall(r"labels\.text\(\s*f?\"([\w.]+)\"", path.read_text(encoding="utf-8")))
    missing = {key for key in used if key not in labels.catalogue("en")}
    assert not missing


def test_default_language_is_the_environment_s_else_the_scenario_s_else_french() -> None:
    english = {"exercise": {"language": "en"}}
    assert labels.default_language("fr_FR", english) == "fr"
    assert labels.default_language("de", english) == "en"
    assert labels.default_language(None, english) == "en"
    assert labels.default_language(None, {"exercise": {}}) == "fr"
    assert labels.default_language("", None) == "fr"


def test_lookup_fills_fields_and_falls_back_to_english_then_the_key() -> None:
    assert labels.lookup("fr", "inj.shown", shown=2, total=5) == "2 stimuli sur 5"
    assert labels.lookup("en", "inj.shown", shown=2, total=5) == "2 of 5 injects"
    assert labels.lookup("fr", "no.such.key") == "no.such.key"


def test_zip_holds_every_file_and_is_deterministic() -> None:
    files = [("pack.docx", b"word"), ("msel.xlsx", b"excel" * 100)]
    data = zip_bytes(files)
    assert data == zip_bytes(files)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["pack.docx", "msel.xlsx"]
        assert archive.read("msel.xlsx") == b"excel" * 100


def test_zip_refuses_two_files_with_one_name() -> None:
    with pytest.raises(ValueError, match=r"pack\.docx"):
        zip_bytes([("pack.docx", b"a"), ("pack.docx", b"b")])
