"""Lint rules of the story: who knows what, what players read, how the MSEL is paced.

Rules (``Problem.rule``), each reported with the inject's id:

- ``info.before_activation`` (error; a warning for an inject a person wrote or reviewed): an inject
  reaches a cell before that cell is in play (its ``activation`` is ``alert`` and the alert chain
  has not reached it yet); the alert that activates it is the one exception.
- ``info.unknown_to_sender`` (error; a warning for an inject a person wrote or reviewed): the sender
  cannot know yet what it says: the alert chain has not reached it, or (authorities, media) nobody
  has diagnosed an attack yet, or a regional or national actor speaks during
  ``information.external_silence``.
- ``text.duplicate_body`` (error): the same message as an earlier player inject, or the same with a
  line added at the end.
- ``text.duplicate_title`` (error; a warning when a person wrote or reviewed either inject): the same
  title from the same sender as an earlier player inject: players and animators read "the same
  message again" even when the body tells something new.
- ``info.off_duty`` (warning): the sender is not at work at the inject's scenario time (the night
  nurse manager calling at 11:20 in the day; :data:`studio.injects.context.DUTY_HOURS`).
- ``text.system_list`` (error): a player message names more than three information systems.
- ``text.untranslated`` (error): a French player message holds an ISO duration (PT1H), a raw
  identifier of the scenario, an engine or English term of ``prompts/functions/terms.fr.md``, or an
  English sentence (the attacker's own words excepted).
- ``pacing.hour_spike`` (warning): a played hour holds more than 2.5 times the injects of the
  median hour (:mod:`studio.injects.generation.pacing`, shared with the generator).
- ``pacing.session_tail`` (warning): a session's final hour holds no inject: the story stops before
  ENDEX.
- ``pacing.density_gap`` (warning): an active player cell gets less than half the
  ``generation.stimuli_per_cell_per_hour`` target in a played hour once the crisis has started.

Information rules need the stored timeline (the ground truth says when each actor learns).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import datetime
from functools import cache
from typing import Any

from studio.durations import parse_minutes
from studio.injects.context import ScenarioContext
from studio.injects.generation.pacing import empty_tails, hour_counts, hour_of, spikes
from studio.injects.generation.routing import DIAGNOSIS_CATEGORIES, activation_minutes, exercise_minute_of
from studio.injects.generation.text import ISO_DURATION, KEEP_ORIGINAL_WORDS, body, proper_names
from studio.injects.phrases import occurring
from studio.injects.prompts import staff_tools, term_renderings
from studio.scenario.information import Knowledge, compute_knowledge, ready_at
from studio.scenario.problems import Problem, Severity, pointer
from studio.scenario.timemodel import TimeModel, played_windows

MAX_SYSTEMS = 3
_NOT_SYSTEMS = frozenset({"clinical_service", "credential"})
_ENGLISH = re.compile(
    r"\b(the|and|your|you|we|our|has|have|been|with|this|that|will|from|please|data|files?)\b", re.I
)
ENGLISH_WORDS = 4
"""An English sentence: this many English function words or more in one French message."""


def _human(inject: dict[str, Any]) -> bool:
    """A person wrote, imported, edited or reviewed it: the information rules only warn (the designer
    may know better than the model), where a generated draft breaking them is an error."""
    from studio.injects.generation import is_protected

    return is_protected(inject)


def _problem(index: int, field: str, rule: str, message: str, hint: str, warning: bool = False) -> Problem:
    return Problem(
        pointer(("injects", index, field)),
        rule,
        message,
        hint,
        Severity.WARNING if warning else Severity.ERROR,
    )


def _to_players(inject: dict[str, Any]) -> bool:
    return inject.get("visibility", "players") == "players" and not inject.get("contingency")


def story_problems(scenario: dict[str, Any], knowledge: Knowledge | None = None) -> list[Problem]:
    """Every rule of the module doc over the scenario's MSEL. ``knowledge``: the scenario's
    :func:`~studio.scenario.information.compute_knowledge` when the caller has it (computed here
    otherwise, once for every rule)."""
    injects = scenario.get("injects", [])
    if knowledge is None:
        knowledge = scenario_knowledge(scenario)
    problems = list(_information(scenario, injects, knowledge))
    problems += list(_texts(scenario, injects))
    problems += list(_off_duty(scenario, injects))
    problems += list(_pacing(scenario, injects, knowledge))
    return problems


def scenario_knowledge(scenario: dict[str, Any]) -> Knowledge | None:
    """:func:`~studio.scenario.information.compute_knowledge` over the stored timeline; None without
    one (the information rules need the ground truth)."""
    events = (scenario.get("timeline") or {}).get("events") or []
    return compute_knowledge(scenario, events) if events else None


# --- information ----------------------------------------------------------------------------------


def _off_duty(scenario: dict[str, Any], injects: list[dict[str, Any]]) -> Iterator[Problem]:
    ctx = ScenarioContext(scenario)
    personas = {p["id"]: p for p in ctx.personas}
    for index, inject in enumerate(injects):
        sender = personas.get(inject.get("from", ""))
        if sender is None or not _to_players(inject) or not inject.get("scenario_time"):
            continue
        try:
            when = datetime.fromisoformat(inject["scenario_time"])
        except ValueError:
            continue
        if not ctx.on_duty(sender, when):
            yield _problem(
                index,
                "from",
                "info.off_duty",
                f"inject {inject['id']!r}: {sender['name']} ({ctx.function_of(sender)}) is not at work "
                f"at {when:%H:%M} on the scenario clock",
                "have someone of that shift send it (add a day or night persona), or move it",
                warning=True,
            )


def _information(
    scenario: dict[str, Any], injects: list[dict[str, Any]], knowledge: Knowledge | None
) -> Iterator[Problem]:
    if knowledge is None:
        return
    time_model = TimeModel.from_scenario(scenario)
    windows = played_windows(scenario)
    active = activation_minutes(scenario, knowledge, time_model, windows)
    players = {c["id"] for c in scenario.get("cells", []) if c.get("type") == "player"}
    personas = {p["id"] for p in scenario.get("personas", [])}
    for index, inject in enumerate(injects):
        if inject.get("visibility", "players") != "players":
            continue
        offset = parse_minutes(inject["offset"])
        label = f"inject {inject['id']!r}"
        alert = inject["id"].startswith("inj-alert-")
        for cell in inject.get("to", []):
            if cell not in players:
                continue
            start = active.get(cell, math.inf)
            if offset + 1e-6 < start and not (alert and len(inject["to"]) == 1):
                when = "never" if not math.isfinite(start) else f"at exercise minute {start:g}"
                yield _problem(
                    index,
                    "to",
                    "info.before_activation",
                    f"{label} reaches cell {cell!r} at exercise minute {offset:g}; "
                    f"the alert reaches it {when}",
                    "play it after the cell is alerted, or change the alert chain or the cell's activation",
                    warning=_human(inject),
                )
        sender = inject.get("from")
        if sender not in personas or inject.get("contingency"):
            continue
        story = str((inject.get("provenance") or {}).get("template", "")).startswith("storyline/")
        needs_diagnosis = not story and not alert and inject.get("category") in DIAGNOSIS_CATEGORIES
        ready = ready_at(knowledge, scenario, sender, needs_diagnosis)
        said_at = time_model.scenario_minute(offset)
        if said_at + 1.0 < ready:
            what = "never learns of the crisis" if not math.isfinite(ready) else "does not know it yet"
            yield _problem(
                index,
                "from",
                "info.unknown_to_sender",
                f"{label}: {sender!r} {what} (scenario minute {said_at:g})",
                "send it later, from someone who knows, or extend information.alert_chain",
                warning=_human(inject),
            )


def involvement_minutes(scenario: dict[str, Any], knowledge: Knowledge | None = None) -> dict[str, float]:
    """Exercise minute from which each player cell is both active and aware of the crisis (the
    alert chain has reached it); 0 without a stored timeline. Cells never reached are absent.
    ``knowledge``: :func:`scenario_knowledge` when the caller has it."""
    events = (scenario.get("timeline") or {}).get("events") or []
    cells = [c["id"] for c in scenario.get("cells", []) if c.get("type") == "player"]
    if not events:
        return dict.fromkeys(cells, 0.0)
    if knowledge is None:
        knowledge = compute_knowledge(scenario, events)
    time_model = TimeModel.from_scenario(scenario)
    windows = played_windows(scenario)
    active = activation_minutes(scenario, knowledge, time_model, windows)
    involved = {}
    for cell, start in active.items():
        known = knowledge.knows.get(cell, math.inf)
        aware = exercise_minute_of(time_model, windows, known) if math.isfinite(known) else None
        involved[cell] = max(start, aware if aware is not None else 0.0)
    return involved


# --- texts ----------------------------------------------------------------------------------------


@cache
def _term_pattern(language: str) -> re.Pattern[str] | None:
    # A term kept as is ("VPN") or inside its own rendering is French enough.
    renderings = term_renderings(language)
    terms = sorted((t for t, r in renderings.items() if t.lower() not in r.lower()), key=len, reverse=True)
    if not terms:
        return None
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(t) for t in terms) + r")(?![\w-])", re.I)


def _system_phrases(scenario: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """Each information system with the phrases that name it: its name and its staff words."""
    language = scenario["exercise"].get("language", "fr")
    tools = staff_tools(language)
    phrases = []
    for system in scenario.get("systems", []):
        if system.get("kind") in _NOT_SYSTEMS:
            continue
        names = [system["name"]]
        staff = tools.get(system.get("catalogue_ref") or "")
        if staff:
            names.append(staff)
        phrases.append((system["id"], [n for n in names if len(n) >= 4]))
    return phrases


def named_systems(text: str, phrases: list[tuple[str, list[str]]]) -> set[str]:
    """Distinct phrases naming information systems found in ``text`` (a system counts once; two
    systems called the same way by staff count once: a reader sees one name)."""
    lowered = text.lower()
    found: set[str] = set()
    for _, names in phrases:
        hit = next((name.lower() for name in names if name.lower() in lowered), None)
        if hit:
            found.add(hit)
    # A name inside a longer one found too is the same mention.
    return {name for name in found if not any(name != other and name in other for other in found)}


_NOT_A_WORD = re.compile(r"[-_0-9]")


def raw_ids(scenario: dict[str, Any], texts: list[str] | None = None) -> re.Pattern[str] | None:
    """A pattern of the scenario's identifiers that cannot be words (with a hyphen, underscore or
    digit); with ``texts``, of those that occur in them only (the pattern then costs what the
    texts hold, not the length of the timeline)."""
    ids = set()
    for key in ("systems", "personas", "cells", "organisations", "objectives"):
        for item in scenario.get(key, []):
            ident = item.get("id", "")
            if _NOT_A_WORD.search(ident):
                ids.add(ident)
    for event in (scenario.get("timeline") or {}).get("events", []):
        ids.add(event["id"])
    if texts is not None:
        ids = set(occurring(ids, texts))
    if not ids:
        return None
    return re.compile(
        r"(?<![\w-])(" + "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True)) + r")(?![\w-])"
    )


def _texts(scenario: dict[str, Any], injects: list[dict[str, Any]]) -> Iterator[Problem]:
    language = scenario["exercise"].get("language", "fr")
    read = [inject[field] for inject in injects if _to_players(inject) for field in ("title", "message")]
    # Names, ids and system phrases that occur in no player text are left out of the searches.
    every_phrase = _system_phrases(scenario)
    spoken = set(occurring({name for _, names in every_phrase for name in names}, read, str.lower))
    phrases = [
        (system, found) for system, names in every_phrase if (found := [n for n in names if n in spoken])
    ]
    terms = _term_pattern(language) if language == "fr" else None
    names = proper_names(scenario, read)
    ids = raw_ids(scenario, [unquoted(text, names) for text in read])
    seen: dict[str, str] = {}
    titled: dict[tuple[str, str], dict[str, Any]] = {}
    """Earlier player injects by (title, sender)."""
    trimmed: dict[str, str] = {}
    """Messages of earlier player injects without their last line."""
    for index, inject in enumerate(injects):
        if not _to_players(inject):
            continue
        label = f"inject {inject['id']!r}"
        text = body(inject)
        # The same message with a line added at the end (or taken away) is still the same message.
        lines = inject["message"].rstrip().split("\n")
        shorter = body({"message": "\n".join(lines[:-1])}) if len(lines) > 1 else None
        twin = seen.get(text) or trimmed.get(text) or (seen.get(shorter) if shorter else None)
        if twin is not None:
            yield _problem(
                index,
                "message",
                "text.duplicate_body",
                f"{label} has the same message as {twin!r}",
                "reword one of them (or regenerate: the generator varies repeated texts)",
            )
        else:
            seen[text] = inject["id"]
            if shorter:
                trimmed.setdefault(shorter, inject["id"])
        same_title = titled.setdefault((inject["title"], str(inject.get("from", ""))), inject)
        if same_title is not inject:
            yield _problem(
                index,
                "title",
                "text.duplicate_title",
                f"{label} has the same title and sender as {same_title['id']!r}: {inject['title']!r}",
                "say in the title what is new (or regenerate: the generator titles follow-ups by their news)",
                warning=_human(inject) or _human(same_title),
            )
        mentioned = named_systems(inject["message"], phrases)
        if len(mentioned) > MAX_SYSTEMS:
            yield _problem(
                index,
                "message",
                "text.system_list",
                f"{label} names {len(mentioned)} information systems ({', '.join(sorted(mentioned)[:6])}...)",
                "players describe what they lose, not an inventory: keep at most three tools",
            )
        if language != "fr" or inject.get("category") in KEEP_ORIGINAL_WORDS:
            continue
        for field in ("title", "message"):
            # The scenario's own names ("Annuaire Active Directory") are quoted as they are.
            found = _untranslated(unquoted(inject[field], names), terms, ids)
            if found:
                yield _problem(
                    index,
                    field,
                    "text.untranslated",
                    f"{label}: {found} in a French {field}",
                    "write it in French for the players (durations like « 1 h 30 », no identifiers)",
                )


def unquoted(text: str, names: list[str]) -> str:
    """``text`` without the scenario's proper names."""
    return re.sub("|".join(map(re.escape, names)), " ", text) if names else text


def _untranslated(text: str, terms: re.Pattern[str] | None, ids: re.Pattern[str] | None) -> str | None:
    """What in a French player text is not French (see the module doc), or None."""
    iso = ISO_DURATION.search(text)
    if iso:
        return f"ISO duration {iso.group(0)!r}"
    if ids is not None:
        raw = ids.search(text)
        if raw:
            return f"identifier {raw.group(0)!r}"
    if terms is not None:
        term = terms.search(text)
        if term:
            return f"term {term.group(0)!r}"
    english = _ENGLISH.findall(text)
    if len(english) >= ENGLISH_WORDS:
        return "an English sentence (" + " ".join(english[:ENGLISH_WORDS]) + "...)"
    return None


# --- pacing ---------------------------------------------------------------------------------------


def _pacing(
    scenario: dict[str, Any], injects: list[dict[str, Any]], knowledge: Knowledge | None
) -> Iterator[Problem]:
    windows = played_windows(scenario)
    counted = [(index, inject) for index, inject in enumerate(injects) if _to_players(inject)]
    if not counted or not windows:
        return
    minutes = [parse_minutes(inject["offset"]) for _, inject in counted]
    for (session, hour), count, limit in spikes(minutes, windows):
        first = next(
            index
            for (index, _), minute in zip(counted, minutes, strict=True)
            if hour_of(minute, windows) == (session, hour)
        )
        yield _problem(
            first,
            "offset",
            "pacing.hour_spike",
            f"hour {hour + 1} of session {session + 1} holds {count} injects, "
            f"over {limit:g} (2.5 x the median hour)",
            "spread them over the following hours or mark some optional",
            warning=True,
        )
    for session in empty_tails(minutes, windows):
        yield Problem(
            "/injects",
            "pacing.session_tail",
            f"session {session + 1} has no inject in its final hour: the story stops before ENDEX",
            "add a stimulus for the end of the session (press point, hand-over, visit)",
            Severity.WARNING,
        )
    yield from _density(scenario, injects, windows, min(minutes), knowledge)


def _density(
    scenario: dict[str, Any],
    injects: list[dict[str, Any]],
    windows: list[tuple[float, float]],
    crisis: float,
    knowledge: Knowledge | None,
) -> Iterator[Problem]:
    target = scenario.get("generation", {}).get("stimuli_per_cell_per_hour")
    if not target:
        return
    for cell, start in sorted(involvement_minutes(scenario, knowledge).items()):
        minutes = [parse_minutes(i["offset"]) for i in injects if _to_players(i) and cell in i["to"]]
        counts = hour_counts(minutes, windows)
        thin = []
        for (session, hour), count in sorted(counts.items()):
            begin = windows[session][0] + 60 * hour
            end = min(begin + 60, windows[session][1])
            if begin < max(start, crisis) or end - begin < 60 or count >= target / 2:
                continue
            thin.append(f"session {session + 1} hour {hour + 1} ({count})")
        if thin:
            yield Problem(
                "/injects",
                "pacing.density_gap",
                f"cell {cell!r} gets fewer than {target / 2:g} stimuli in {len(thin)} played hours: "
                + ", ".join(thin[:4]),
                "add stimuli for that cell or lower generation.stimuli_per_cell_per_hour",
                Severity.WARNING,
            )
