"""JSON that parses in Python but would lose or hide something: refused with the place named.

Python's parser keeps the last of two equal keys without a word, so a file where a designer (or a
merge tool) wrote ``"message"`` twice would silently lose the first text; and a number of more than
4,300 digits raises an error about ``sys.set_int_max_str_digits`` that says nothing a designer can use.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studio.cli import main
from studio.scenario.document import ScenarioReadError, parse_scenario

MINIMAL = (Path(__file__).parent / "minimal.json").read_text(encoding="utf-8")


def _with_second_title(text: str) -> str:
    document = json.loads(text)
    title = json.dumps(document["exercise"]["title"], ensure_ascii=False)
    # The same key twice in /exercise: the first value is what a reader of the file sees first.
    return text.replace(f'"title": {title}', f'"title": "Premier titre", "title": {title}', 1)


def test_a_duplicate_key_is_refused_with_its_path_and_nothing_kept() -> None:
    text = _with_second_title(json.dumps(json.loads(MINIMAL), ensure_ascii=False))
    assert text.count('"title": "Premier titre"') == 1
    with pytest.raises(ScenarioReadError) as caught:
        parse_scenario(text, "dup.json")
    message = str(caught.value)
    assert message.startswith("dup.json: /exercise: ")
    assert "'title'" in message and "twice" in message and "duplicate key" in message


@pytest.mark.parametrize(
    "text, where",
    [
        ('{"id": "a", "id": "b"}', "dup.json: /: "),
        ('{"systems": [{"id": "x"}, {"id": "y", "links": [], "links": []}]}', "dup.json: /systems/1: "),
        ('{"a": {"b": {"c": 1, "c": 1}}}', "dup.json: /a/b: "),
    ],
)
def test_duplicate_keys_are_found_at_any_depth(text: str, where: str) -> None:
    with pytest.raises(ScenarioReadError, match="duplicate key") as caught:
        parse_scenario(text, "dup.json")
    assert str(caught.value).startswith(where)


def test_equal_keys_in_different_objects_are_fine() -> None:
    expected = {"a": {"id": 1}, "b": {"id": 2}, "id": 3}
    assert parse_scenario('{"a": {"id": 1}, "b": {"id": 2}, "id": 3}') == expected


def test_cli_validate_exits_2_on_a_duplicate_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "dup.json"
    path.write_text(_with_second_title(MINIMAL), encoding="utf-8")
    before = path.read_bytes()
    assert main(["validate", str(path)]) == 2
    captured = capsys.readouterr()
    said = captured.out + captured.err
    assert "/exercise" in said and "duplicate key" in said and "Traceback" not in said
    assert path.read_bytes() == before


def test_a_long_run_of_digits_inside_a_text_is_fine() -> None:
    assert parse_scenario('{"phone": "' + "1" * 5000 + '"}')["phone"] == "1" * 5000


@pytest.mark.parametrize("digits", [4301, 50_000])
def test_a_number_too_long_for_python_names_its_line_and_column(digits: int) -> None:
    text = '{\n  "id": "x",\n  "systems": [{"units": ' + "7" * digits + "}]\n}"
    with pytest.raises(ScenarioReadError) as caught:
        parse_scenario(text, "big.json")
    message = str(caught.value)
    assert message.startswith("big.json: ")
    assert "line 3 column 25" in message and f"{digits:,} digits" in message
    assert "set_int_max_str_digits" not in message
