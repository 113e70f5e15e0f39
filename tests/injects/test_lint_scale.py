"""Lint at scale: the information model is computed once, searches cost what the texts hold, and a
hostile inject body is linted in time linear in its size (counted in executed lines, not timed)."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from line_count import executed_lines

import studio.injects.lint_story as lint_story
from studio.injects.generator import generate_msel
from studio.injects.lint import ControlText, lint_msel, phrase_splitter
from studio.injects.phrases import occurring
from studio.scenario.information import compute_knowledge

LINT_FILES = {str(Path(lint_story.__file__)), str(Path(lint_story.__file__).with_name("lint.py"))}


def _executed_lines(action: Callable[[], Any]) -> int:
    """Lines of lint.py and lint_story.py executed by ``action``."""
    return executed_lines(action, LINT_FILES.__contains__)


def _hostile(generated: dict[str, Any], size: int) -> dict[str, Any]:
    """The MSEL with ``size`` characters of control-only notes cut every five words by a system's
    name (many short control texts), and a player message of ``size`` characters."""
    document = {**generated, "injects": [dict(inject) for inject in generated["injects"]]}
    name = document["systems"][0]["name"]
    chunk = f"alpha beta gamma delta epsilon {name} "
    notes = (chunk * (size // len(chunk) + 1))[:size]
    words = " ".join(
        random.Random(size).choice(["zeta", "eta", "theta", "iota", "kappa"]) for _ in range(size // 5)
    )
    players = [i for i in document["injects"] if i.get("visibility", "players") == "players"]
    players[0]["animator_notes"] = notes
    players[1]["message"] = players[1]["message"] + " " + words[:size]
    return document


def test_a_hostile_inject_body_lints_in_linear_time(generated: dict[str, Any]) -> None:
    small = _executed_lines(lambda: lint_msel(_hostile(generated, 10_000)))
    large = _executed_lines(lambda: lint_msel(_hostile(generated, 100_000)))
    baseline = _executed_lines(lambda: lint_msel(generated))
    # Ten times the text: at most about ten times the work it adds (a quadratic check gives ~100x).
    assert (large - baseline) <= 12 * (small - baseline), (baseline, small, large)


def test_lint_computes_the_information_model_once_and_takes_it_from_generation(
    generated: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def counted(scenario: dict[str, Any], events: list[dict[str, Any]]) -> Any:
        calls.append(1)
        return compute_knowledge(scenario, events)

    monkeypatch.setattr(lint_story, "compute_knowledge", counted)
    problems = lint_msel(generated)
    assert len(calls) == 1
    knowledge = compute_knowledge(generated, generated["timeline"]["events"])
    assert lint_msel(generated, knowledge=knowledge) == problems
    assert len(calls) == 1


def test_generation_hands_its_information_model_to_lint(scenario: dict[str, Any]) -> None:
    result = generate_msel(scenario)
    assert result.knowledge is not None
    assert (
        result.knowledge.knows
        == compute_knowledge(result.scenario, result.scenario["timeline"]["events"]).knows
    )
    assert lint_msel(result.scenario, knowledge=result.knowledge) == lint_msel(result.scenario)
    again = generate_msel(scenario, knowledge=result.knowledge)
    assert again.scenario["injects"] == result.scenario["injects"]


def _random_text(rng: random.Random, alphabet: str, size: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(size))


def test_occurring_keeps_exactly_the_phrases_found_in_the_texts() -> None:
    rng = random.Random(7)
    alphabet = "abcAB -é"
    for _ in range(200):
        texts = [_random_text(rng, alphabet, rng.randrange(0, 40)) for _ in range(3)]
        phrases = [_random_text(rng, alphabet, rng.randrange(1, 8)) for _ in range(10)]
        assert occurring(phrases, texts) == [p for p in phrases if any(p in t for t in texts)]
        folded = occurring(phrases, texts, str.lower)
        assert folded == [p for p in phrases if any(p.lower() in t.lower() for t in texts)]


def test_the_phrase_splitter_cuts_as_the_full_alternation_does() -> None:
    rng = random.Random(11)
    alphabet = "abAB .İiſs"
    for _ in range(300):
        texts = [_random_text(rng, alphabet, rng.randrange(0, 60)) for _ in range(3)]
        phrases = sorted(
            {_random_text(rng, alphabet, rng.randrange(3, 7)) for _ in range(12)}, key=len, reverse=True
        )
        full = re.compile("|".join(re.escape(p) for p in phrases), re.IGNORECASE)
        splitter = phrase_splitter(phrases, texts)
        for text in texts:
            assert (splitter.split(text) if splitter else [text]) == full.split(text), (phrases, text)


def test_control_text_finds_a_short_control_text_in_a_long_message(generated: dict[str, Any]) -> None:
    document = {**generated, "injects": [dict(inject) for inject in generated["injects"]]}
    name = document["systems"][0]["name"]
    document["injects"][0]["animator_notes"] = f"{name} le groupe paiera demain soir {name}"
    control = ControlText(document)
    assert ("le", "groupe", "paiera", "demain", "soir") in control.short_texts
    assert control.leaks("bonjour " * 500 + "Le groupe paiera demain soir. " + "merci " * 500)
    assert not control.leaks("bonjour " * 500 + "le groupe paiera demain " + "merci " * 500)
