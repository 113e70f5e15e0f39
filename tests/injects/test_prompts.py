"""Prompt files: the loader's checks, every template parses, and golden inputs render well."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from studio.injects.kinds import CONTINGENCY_FOLDER, KINDS
from studio.injects.prompts import (
    ACTION_VARIABLES,
    INJECT_VARIABLES,
    PromptError,
    action_names,
    action_prompt,
    inject_templates,
    parse_inject_templates,
    render,
    template_categories,
)

GOLDEN = Path(__file__).parent / "golden"
LANGUAGES = ("fr", "en")


def test_render_fills_named_variables() -> None:
    assert render("{a} et {b}", {"a": "1", "b": "2"}) == "1 et 2"
    assert render("{{littéral}}", {}) == "{littéral}"


def test_render_reports_a_missing_variable_by_name() -> None:
    with pytest.raises(PromptError, match=r"\{persona_name\}"):
        render("Bonjour {persona_name}", {}, "test")


def test_loading_reports_an_unknown_variable_with_the_file() -> None:
    text = "=== soc_alert / a ===\n[title]\nT {sytem}\n[message]\nM\n[synopsis]\nS\n[expected_actions]\n- A\n"
    with pytest.raises(PromptError, match=r"demo\.md.*unknown variable \{sytem\}"):
        parse_inject_templates(text, "technical_alert", "fr", "demo.md")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("no block at all", "no '=== kind"),
        ("=== k / a ===\n[title]\nT\n[message]\nM\n[expected_actions]\n- A\n", r"\[synopsis\] is missing"),
        ("=== k / a ===\n[title]\nT\n[colour]\nM\n", r"unknown section \[colour\]"),
        ("=== k / a ===\n[title]\n{oops\n", "malformed braces"),
        (
            "=== k / a ===\n[title]\nT\n[message]\nM\n[synopsis]\nS\n[expected_actions]\nno dash\n",
            "needs '- ' items",
        ),
    ],
)
def test_malformed_template_files_fail_clearly(text: str, reason: str) -> None:
    with pytest.raises(PromptError, match=reason):
        parse_inject_templates(text, "technical_alert", "fr", "demo.md")


def test_every_kind_has_templates_in_both_languages() -> None:
    for kind in KINDS.values():
        for language in LANGUAGES:
            assert inject_templates(kind.category, language).get(kind.name), (kind.name, language)


def test_both_languages_offer_the_same_kinds_and_variants() -> None:
    for category in template_categories():
        french, english = (inject_templates(category, language) for language in LANGUAGES)
        assert {k: len(v) for k, v in french.items()} == {k: len(v) for k, v in english.items()}, category


def test_contingency_templates_cover_every_category_that_gets_contingencies() -> None:
    needed = {kind.category for kind in KINDS.values() if kind.contingency}
    for language in LANGUAGES:
        assert needed <= set(inject_templates(CONTINGENCY_FOLDER, language))


def test_every_action_loads_in_both_languages_with_known_variables() -> None:
    assert {"draft", "rewrite", "contingency", "discussion", "summary", "format"} <= set(action_names())
    values = dict.fromkeys(ACTION_VARIABLES, "VALUE")
    for action in action_names():
        for language in LANGUAGES:
            messages = action_prompt(action, language).messages(values)
            assert [m["role"] for m in messages] == ["system", "user"]
            assert all(m["content"].strip() for m in messages)


def _golden_cases() -> list[tuple[str, str]]:
    return [(path.stem, language) for path in sorted(GOLDEN.glob("*.json")) for language in LANGUAGES]


def test_golden_inputs_exist_for_every_template_folder() -> None:
    assert {path.stem for path in GOLDEN.glob("*.json")} == set(template_categories())


@pytest.mark.parametrize(("category", "language"), _golden_cases())
def test_golden_inputs_render_concrete_complete_text(category: str, language: str) -> None:
    """Every variant renders with the golden values, leaves no brace behind and cites the scenario."""
    golden = json.loads((GOLDEN / f"{category}.json").read_text(encoding="utf-8"))
    values = golden["values"][language]
    assert set(values) == set(INJECT_VARIABLES)
    templates = inject_templates(category, language)
    assert set(golden["mentions"]) == set(templates), "golden file lists every kind"
    for kind, variants in templates.items():
        for template in variants:
            filled = template.render(values)
            player_text = filled["title"] + "\n" + filled["message"]
            pieces = [
                piece
                for value in filled.values()
                for piece in (value if isinstance(value, list) else [value])
            ]
            assert not any(re.search(r"[{}]", piece) for piece in pieces), template.name
            assert all(filled[name] for name in ("title", "message", "synopsis", "expected_actions"))
            assert len(filled["title"]) <= 300
            # The message speaks about this scenario: it cites at least one of the kind's key facts.
            facts = [values[name] for name in golden["mentions"][kind]]
            assert any(fact in player_text for fact in facts), (template.name, facts)


def test_french_and_english_texts_differ() -> None:
    golden = json.loads((GOLDEN / "authority.json").read_text(encoding="utf-8"))
    french = inject_templates("authority", "fr")["ars_call"][0].render(golden["values"]["fr"])
    english = inject_templates("authority", "en")["ars_call"][0].render(golden["values"]["en"])
    assert french["message"] != english["message"]
