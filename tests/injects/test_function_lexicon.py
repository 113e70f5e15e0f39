"""The persona lexicon files (prompts/functions/): one block per schema persona function, French and
English aligned line for line, symptoms without diagnosis for those who cannot make one, staff words
for every catalogue system, and the French rendering of engine terms."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from studio.injects.prompts import function_voices, staff_tools, term_renderings

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("fr", "en")
SECTIONS = ("group", "label", "opening", "symptoms", "needs", "follow_up", "diagnosis")
MINIMUM = {"group": 1, "label": 1, "opening": 4, "symptoms": 8, "needs": 6, "follow_up": 8}
ALLOWED = {
    "group": set(),
    "label": set(),
    "opening": {"name", "first_name", "label", "establishment_short", "service"},
    "symptoms": {"tool", "service", "since"},
    "needs": {"tool", "service"},
    "follow_up": {"service", "tool", "name"},
    "diagnosis": {"tool", "service", "since"},
}
GROUPS = {"field", "technical", "management", "authority", "care_network", "media", "public", "attacker"}
GROUPS |= {"other"}
DIAGNOSING = {"technical", "authority"}
# What people who only see symptoms never talk about (exercise-dynamics.md §7 rule 5).
INFRASTRUCTURE = {
    "fr": re.compile(
        r"serveur|sauvegarde|hyperviseur|annuaire|domaine|chiffr(é|ée|és|ées|ement|er)\b|rançongiciel|malware",
        re.I,
    ),
    "en": re.compile(r"server|backup|hypervisor|directory|domain|encrypt|ransomware|malware", re.I),
}
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _blocks(language: str) -> dict[str, dict[str, list[str]]]:
    return {
        name: {section: list(lines) for section, lines in voice.lines.items()}
        for name, voice in function_voices(language).items()
    }


def _persona_functions() -> list[str]:
    schema = json.loads((ROOT / "schemas" / "scenario.schema.json").read_text(encoding="utf-8"))
    return schema["$defs"]["persona_function"]["enum"]


def test_every_persona_function_has_a_block_in_both_languages_aligned_line_for_line() -> None:
    french, english = _blocks("fr"), _blocks("en")
    assert list(french) == list(english) == _persona_functions()
    for function, sections in french.items():
        assert tuple(sections) == SECTIONS, function
        assert {s: len(lines) for s, lines in sections.items()} == {
            s: len(lines) for s, lines in english[function].items()
        }, function
        for section, minimum in MINIMUM.items():
            assert len(sections[section]) >= minimum, (function, section)


@pytest.mark.parametrize("language", LANGUAGES)
def test_only_technical_and_authority_functions_diagnose(language: str) -> None:
    for function, sections in _blocks(language).items():
        (group,) = sections["group"]
        assert group in GROUPS, function
        if group in DIAGNOSING:
            assert len(sections["diagnosis"]) >= 4, function
        else:
            assert sections["diagnosis"] == [], function


@pytest.mark.parametrize("language", LANGUAGES)
def test_lines_use_their_sections_placeholders_and_symptom_givers_no_infrastructure(language: str) -> None:
    seen: set[str] = set()
    for function, sections in _blocks(language).items():
        group = sections["group"][0]
        for section, lines in sections.items():
            for line in lines:
                assert set(PLACEHOLDER.findall(line)) <= ALLOWED[section], (function, line)
                if section not in {"group", "label"}:
                    assert line not in seen, ("repeated line", line)
                    seen.add(line)
                if group in {"field", "public", "media", "management"} and section != "label":
                    assert not INFRASTRUCTURE[language].search(line), (function, line)
                # {tool} carries its article: never at the start of a sentence.
                assert not line.startswith("{tool}"), (function, line)


def test_french_and_english_lines_share_their_placeholders() -> None:
    french, english = _blocks("fr"), _blocks("en")
    for function, sections in french.items():
        for section, lines in sections.items():
            for fr_line, en_line in zip(lines, english[function][section], strict=True):
                assert set(PLACEHOLDER.findall(fr_line)) == set(PLACEHOLDER.findall(en_line)), fr_line


def test_tools_files_name_every_catalogue_system_and_kind_in_staff_words() -> None:
    catalogue_path = ROOT / "scenario_library" / "catalogue" / "systems.json"
    catalogue = json.loads(catalogue_path.read_text(encoding="utf-8"))
    expected = [entry["id"] for entry in catalogue["entries"]]
    expected += [f"kind:{kind}" for kind in sorted({entry["kind"] for entry in catalogue["entries"]})]
    for language in LANGUAGES:
        words = staff_tools(language)
        assert list(words) == expected, language
        assert all(value.strip() and value == value.strip() for value in words.values()), language


def test_terms_give_a_french_rendering_that_does_not_repeat_the_english_term() -> None:
    terms = term_renderings("fr")
    assert len(terms) >= 40
    # Acronyms French staff use as they are: kept alone or after a plain-words explanation.
    kept = {
        term
        for term, rendering in terms.items()
        if rendering in {term, f"({term})"} or rendering.endswith(f"({term})")
    }
    assert kept <= {"VPN", "PACS", "EDR", "SOC"}
    for term, rendering in terms.items():
        if term not in kept:
            assert term.lower() not in rendering.lower(), term
