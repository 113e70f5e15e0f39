"""The story's rules for the assisted (LLM) path: what the model is told, and what its answers must pass.

The model drafts or rewrites one inject at a time. It receives what the offline generator knows
about that inject (:func:`assisted_context`): who the sender is and what its function lets it see,
whether it knows of an attack yet, which storyline beat is in play, the phase of the exercise, and
the rules of the text. Its answer then passes the same checks as the offline text
(:func:`answer_problems`); an answer that fails keeps the offline text of that inject only.
"""

from __future__ import annotations

from typing import Any

from studio.durations import parse_minutes
from studio.injects.generation.pacing import PHASE_NAMES, phase_at
from studio.injects.generation.text import ISO_DURATION, KEEP_ORIGINAL_WORDS, body
from studio.injects.prompts import function_voices
from studio.scenario.information import compute_knowledge, persona_function
from studio.scenario.timemodel import TimeModel, played_windows

MAX_SYSTEMS = 3


def assisted_context(scenario: dict[str, Any], inject: dict[str, Any]) -> dict[str, Any]:
    """What the model must respect when it writes ``inject`` (see the module doc)."""
    language = scenario["exercise"].get("language", "fr")
    organisations = {o["id"]: o for o in scenario.get("organisations", [])}
    personas = {p["id"]: p for p in scenario.get("personas", [])}
    sender = personas.get(inject.get("from", ""), {})
    function = persona_function(sender, organisations) if sender else "other"
    voice = function_voices(language).get(function)
    offset = parse_minutes(inject["offset"])
    events = (scenario.get("timeline") or {}).get("events") or []
    knows_attack = None
    if events and sender:
        knowledge = compute_knowledge(scenario, events)
        said_at = TimeModel.from_scenario(scenario).scenario_minute(offset)
        knows_attack = knowledge.knows_attack_at(sender["id"]) <= said_at
    windows = played_windows(scenario)
    beat = next(
        (
            story
            for story in (scenario.get("storyline") or {}).get("beats", [])
            if parse_minutes(story.get("start", "PT0S")) <= offset <= parse_minutes(story.get("end", "P99D"))
        ),
        None,
    )
    context: dict[str, Any] = {
        "sender_function": function,
        "sender_group": voice.group if voice else "other",
        "sender_knows_it_is_an_attack": knows_attack,
        "phase": PHASE_NAMES.get(language, PHASE_NAMES["en"])[phase_at(offset, windows)],
        "rules": [
            "say only what the sender can see or has been told at this time",
            "name at most three information systems, in the sender's own words",
            "people on the wards, at the desks, the public and the press describe symptoms and needs, "
            "never servers, backups, directories or the extent of the encryption",
            "no identifiers, no ISO durations: write times and durations as people say them",
        ],
    }
    if voice is not None:
        context["how_the_sender_speaks"] = list(voice.lines.get("symptoms", ())[:3])
    if beat is not None:
        context["storyline_beat"] = {"title": beat["title"], "dilemma": beat.get("dilemma", "")}
    return context


def answer_problems(scenario: dict[str, Any], before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Why an assisted answer for an inject cannot replace its offline text (empty: it can).

    The answer may not change who sends it, to whom or when; may not name more information systems
    than three (nor more than the offline text did); may not hold ISO durations or identifiers; in a
    French exercise may not leave engine or English terms in a player text (the attacker's own words
    excepted); may not repeat another inject's message word for word.
    """
    from studio.injects.lint_story import (
        _system_phrases,
        _term_pattern,
        _untranslated,
        named_systems,
        raw_ids,
    )

    problems = []
    for field in ("from", "to", "offset", "channel"):
        if before.get(field) != after.get(field):
            problems.append(f"the answer changed {field}")
    phrases = _system_phrases(scenario)
    count = len(named_systems(after.get("message", ""), phrases))
    if count > max(MAX_SYSTEMS, len(named_systems(before.get("message", ""), phrases))):
        problems.append(f"the answer names {count} information systems")
    language = scenario["exercise"].get("language", "fr")
    for field in ("title", "message"):
        text = after.get(field, "")
        iso = ISO_DURATION.search(text)
        if iso:
            problems.append(f"the answer's {field} holds the ISO duration {iso.group(0)}")
            continue
        if language == "fr" and after.get("category") not in KEEP_ORIGINAL_WORDS:
            found = _untranslated(text, _term_pattern(language), raw_ids(scenario))
            if found and not _untranslated(before.get(field, ""), _term_pattern(language), raw_ids(scenario)):
                problems.append(f"the answer's {field} holds {found}")
    others = {body(i) for i in scenario.get("injects", []) if i.get("id") != after.get("id")}
    if body(after) in others:
        problems.append("the answer repeats another inject's message")
    return problems
