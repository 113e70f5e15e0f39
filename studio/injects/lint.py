"""MSEL lint: the checks a designer wants before an exercise, as Problems (errors and warnings).

Rules (``Problem.rule``):

- ``msel.objective_uncovered`` (error): an objective no inject serves (contingency injects, held in
  reserve, do not count).
- ``msel.cell_overload`` (warning): a player cell receives more than the generation setting
  ``max_injects_per_cell_per_15min`` injects within a 15-minute window (the same count as the
  generator's pacing: contingency and non-player injects excluded).
- ``msel.dangling_ref`` (error): ``from``, ``to``, ``cc``, ``objective_ids``, ``system_refs``,
  ``cause_refs``, ``contingency_for`` or ``establishment`` names nothing in the scenario.
- ``msel.before_cause`` (error): an inject is played, on the scenario clock, before an event it
  says caused it; or a contingency inject comes before the inject it backs up.
- ``msel.outside_exercise`` (error): an inject after ENDEX.
- ``msel.outside_session`` (error): an inject while play is paused (outside every
  ``exercise.sessions`` window).
- ``msel.quiet_period`` (warning): once the crisis has started (the first player inject), a player
  cell gets nothing for more than twice the generator's gap (:data:`DEFAULT_MAX_QUIET`) of a
  played session.
- ``msel.front_loaded`` (warning): more than half of the injects (contingency and non-player ones
  excluded) fall in the first quarter of the played time.
- ``msel.missing_expected_actions`` (warning): a core player inject that expects nothing.
- ``msel.control_leak`` (error): the title or message shown to players repeats control-only text
  (synopses, animator notes, the ground truth, persona notes): a run of 8 words in common, or the
  whole control text when it is shorter.
- ``msel.missing_marking`` (warning): a player message that does not start with the safety marking.
- ``msel.no_timeline`` (warning): injects cite causes but the scenario stores no timeline to check.
- the story rules of :mod:`studio.injects.lint_story`: ``info.before_activation``,
  ``info.unknown_to_sender``, ``info.off_duty``, ``text.duplicate_body``, ``text.duplicate_title``,
  ``text.system_list``, ``text.untranslated``,
  ``pacing.hour_spike``, ``pacing.session_tail``, ``pacing.density_gap``.

``lint_msel`` expects a scenario that passed schema validation; it never raises on one.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from studio.durations import parse_minutes
from studio.injects.batch import collector_paused
from studio.injects.generator import (
    DEFAULT_MAX_PER_15MIN,
    DEFAULT_MAX_QUIET,
    PACING_WINDOW,
    counts_for_pacing,
    quarter_minute,
)
from studio.injects.lint_story import involvement_minutes, scenario_knowledge, story_problems
from studio.injects.phrases import occurring
from studio.injects.privacy import scenario_names
from studio.scenario.control import control_only_texts, is_control_only_inject
from studio.scenario.information import Knowledge
from studio.scenario.problems import Problem, Severity, pointer
from studio.scenario.timemodel import TimeModel, played_windows

SHINGLE_WORDS = 8
MIN_LEAK_WORDS = 5
QUIET_FACTOR = 2.0
"""A quiet period is reported past this many times the generator's gap."""
FRONT_LOADED_MIN = 4
"""MSELs with fewer counted injects are too small to be called front-loaded."""
"""Control texts shorter than this are too generic ("Voir plus haut") to count as a leak."""

_WORD = re.compile(r"\w+", re.UNICODE)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def _shingles(words: list[str], size: int) -> Iterator[tuple[str, ...]]:
    for start in range(len(words) - size + 1):
        yield tuple(words[start : start + size])


def max_window_count(minutes: Iterable[float], window: float = PACING_WINDOW) -> int:
    """Largest number of ``minutes`` inside one half-open window ``[t, t + window)``."""
    ordered = sorted(minutes)
    best, low = 0, 0
    for high, minute in enumerate(ordered):
        while ordered[low] <= minute - window:
            low += 1
        best = max(best, high - low + 1)
    return best


def _public_phrases(scenario: dict[str, Any]) -> list[str]:
    """Names and facts players may legitimately read (systems, organisations, people, the attacker's
    name, the data it claims): a control text quoting them does not make a message quoting them leak."""
    attack = scenario.get("attack", {})
    phrases = [name for _, name in scenario_names(scenario)]
    phrases += [attack.get("actor", ""), attack.get("ransom", {}).get("leak_site", "")]
    phrases.append(scenario.get("exercise", {}).get("safety", {}).get("marking", ""))
    phrases += [spec.get("data", "") for spec in attack.get("exfiltration", [])]
    return sorted({p.strip() for p in phrases if len(p.strip()) >= 3}, key=len, reverse=True)


def _fold(text: str) -> str:
    """Case folded so that every pair of characters a case-insensitive regular expression takes as
    equal folds to the same text (the Turkish dotted capital I folds with its dot: dots are dropped)."""
    return text.casefold().replace("\u0307", "")


def phrase_splitter(phrases: list[str], texts: Iterable[str]) -> re.Pattern[str] | None:
    """A case-insensitive pattern of the ``phrases`` (in their order: longest first) that occur in
    ``texts``, or None when none does.

    Only phrases found in the texts enter the pattern: an alternation of every name of a
    10,000-system scenario costs its number of names at each character it scans, and names that
    never occur cannot change a split. The check is a plain substring search of folded text, so a
    phrase the pattern would match is never left out."""
    present = occurring(phrases, texts, _fold)
    return re.compile("|".join(re.escape(p) for p in present), re.IGNORECASE) if present else None


class ControlText:
    """Word runs of every control-only text of the scenario, to find them in player text
    (:meth:`leaks`); lint's ``msel.control_leak`` and the assisted path's answer check use it.

    Public phrases are cut out of the control texts first, so runs never span them.
    """

    def __init__(self, scenario: dict[str, Any]) -> None:
        self.long_runs: set[tuple[str, ...]] = set()
        self.short_texts: list[tuple[str, ...]] = []
        phrases = _public_phrases(scenario)
        texts = self._texts(scenario)
        splitter = phrase_splitter(phrases, texts)
        core = set(self._texts(self._without_reserve(scenario)))
        for text in texts:
            for segment in splitter.split(text) if splitter else [text]:
                words = _words(segment)
                if len(words) >= SHINGLE_WORDS:
                    self.long_runs.update(_shingles(words, SHINGLE_WORDS))
                elif len(words) >= MIN_LEAK_WORDS and text in core:
                    # A short piece of a reserve inject is the story's wording (see _echoes).
                    self.short_texts.append(tuple(words))
        # Short texts by length: a message is checked with one set lookup per word and length.
        self._short_by_length: dict[int, set[tuple[str, ...]]] = {}
        for short in self.short_texts:
            self._short_by_length.setdefault(len(short), set()).add(short)
        # A run that a public phrase itself contains is public, whatever control text also holds it.
        for phrase in phrases if self.long_runs else ():
            self.long_runs.difference_update(_shingles(_words(phrase), SHINGLE_WORDS))
        self.long_runs -= self._echoes(scenario)

    def _echoes(self, scenario: dict[str, Any]) -> set[tuple[str, ...]]:
        """Runs of reserve injects that player injects also hold, and no other control text does.

        A reserve inject (a contingency) is written from the same facts as the player injects: a
        run it shares with one is the story's public wording, not a secret. What lint still finds
        in player text is the synopses, notes, ground truth and storyline dilemmas; the player
        packs keep reserve injects out whole (see studio.scenario.control).
        """
        injects = scenario.get("injects", [])
        reserve = [i for i in injects if is_control_only_inject(i)]
        if not reserve:
            return set()
        played = {
            run
            for inject in injects
            if not is_control_only_inject(inject)
            for key in ("title", "message")
            for run in _shingles(_words(inject.get(key, "")), SHINGLE_WORDS)
        }
        echoes = {
            run
            for inject in reserve
            for key in ("title", "message")
            for run in _shingles(_words(inject.get(key, "")), SHINGLE_WORDS)
        } & played
        held = {
            run
            for text in self._texts(self._without_reserve(scenario))
            for run in _shingles(_words(text), SHINGLE_WORDS)
        }
        return echoes - held

    @staticmethod
    def _without_reserve(scenario: dict[str, Any]) -> dict[str, Any]:
        return dict(
            scenario, injects=[i for i in scenario.get("injects", []) if not is_control_only_inject(i)]
        )

    @staticmethod
    def _texts(scenario: dict[str, Any]) -> list[str]:
        return control_only_texts(scenario)

    def leaks(self, text: str) -> bool:
        """Whether ``text`` holds a run of control-only words (see the class doc); linear in its words."""
        words = _words(text)
        if any(run in self.long_runs for run in _shingles(words, SHINGLE_WORDS)):
            return True
        return any(
            run in shorts for size, shorts in self._short_by_length.items() for run in _shingles(words, size)
        )


def _ids(items: Iterable[dict[str, Any]]) -> set[str]:
    return {item["id"] for item in items if isinstance(item, dict) and "id" in item}


def lint_msel(scenario: dict[str, Any], knowledge: Knowledge | None = None) -> list[Problem]:
    """Return the MSEL problems of a schema-valid scenario (see the module docstring), by path.

    ``knowledge`` is the scenario's :func:`~studio.scenario.information.compute_knowledge` over its
    stored timeline when the caller has it already (e.g. ``GenerationResult.knowledge`` of the
    generation that produced the scenario); it is computed once here otherwise."""
    with collector_paused():
        return _lint(scenario, scenario_knowledge(scenario) if knowledge is None else knowledge)


def _lint(scenario: dict[str, Any], knowledge: Knowledge | None) -> list[Problem]:
    problems: list[Problem] = []
    injects = scenario.get("injects", [])
    exercise = scenario["exercise"]
    time_model = TimeModel.from_scenario(scenario)
    duration = (
        datetime.fromisoformat(exercise["endex"]) - datetime.fromisoformat(exercise["startex"])
    ).total_seconds() / 60
    personas, cells = _ids(scenario.get("personas", [])), _ids(scenario.get("cells", []))
    objectives, systems = _ids(scenario.get("objectives", [])), _ids(scenario.get("systems", []))
    organisations, inject_ids = _ids(scenario.get("organisations", [])), _ids(injects)
    timeline = scenario.get("timeline")
    event_minutes = {event["id"]: event["minute"] for event in (timeline or {}).get("events", [])}
    offsets = {inject["id"]: parse_minutes(inject["offset"]) for inject in injects}
    control = ControlText(scenario)
    windows = played_windows(scenario)
    sessions = bool(exercise.get("sessions"))
    marking = exercise["safety"]["marking"]
    unchecked_causes = False

    def dangling(index: int, field: str, value: str, known: set[str], what: str) -> None:
        if value not in known:
            problems.append(
                Problem(
                    pointer(("injects", index, field)),
                    "msel.dangling_ref",
                    f"inject {injects[index]['id']!r}: {field} names {what} {value!r} that does not exist",
                    f"pick an existing {what} or remove the reference",
                )
            )

    for index, inject in enumerate(injects):
        where = pointer(("injects", index))
        label = f"inject {inject['id']!r}"
        dangling(index, "from", inject["from"], personas, "persona")
        for field, known, what in (
            ("to", cells, "cell"),
            ("cc", cells, "cell"),
            ("objective_ids", objectives, "objective"),
            ("system_refs", systems, "system"),
        ):
            for value in inject.get(field, []):
                dangling(index, field, value, known, what)
        if "contingency_for" in inject:
            dangling(index, "contingency_for", inject["contingency_for"], inject_ids, "inject")
        if "establishment" in inject:
            dangling(index, "establishment", inject["establishment"], organisations, "organisation")
        offset = offsets[inject["id"]]
        if offset > duration + 1e-9:
            problems.append(
                Problem(
                    where + "/offset",
                    "msel.outside_exercise",
                    f"{label} is played after ENDEX",
                    "move it earlier",
                )
            )
        if sessions and offset <= duration + 1e-9 and not any(a <= offset <= b for a, b in windows):
            problems.append(
                Problem(
                    where + "/offset",
                    "msel.outside_session",
                    f"{label} is played at exercise minute {offset:g}, while play is paused",
                    "move it into a session (when play resumes) or add a session",
                )
            )
        played_at = time_model.scenario_minute(offset)
        for cause in inject.get("cause_refs", []):
            if timeline is None:
                unchecked_causes = True
            elif cause not in event_minutes:
                dangling(index, "cause_refs", cause, set(event_minutes), "timeline event")
            elif played_at + 1e-6 < event_minutes[cause]:
                problems.append(
                    Problem(
                        where + "/offset",
                        "msel.before_cause",
                        f"{label} is played at scenario minute {played_at:g}, before its cause {cause!r} "
                        f"(minute {event_minutes[cause]:g})",
                        "move the inject later or change its cause",
                    )
                )
        original = inject.get("contingency_for")
        if original in offsets and offset < offsets[original]:
            problems.append(
                Problem(
                    where + "/offset",
                    "msel.before_cause",
                    f"{label} backs up {original!r} but is played before it",
                    "play a contingency inject after the inject it backs up",
                )
            )
        to_players = inject.get("visibility", "players") == "players"
        if to_players and not inject.get("contingency") and inject.get("priority", "core") == "core":
            if not inject.get("expected_actions"):
                problems.append(
                    Problem(
                        where + "/expected_actions",
                        "msel.missing_expected_actions",
                        f"{label} expects no action from the players",
                        "say what the cell should do, or mark the inject optional",
                        Severity.WARNING,
                    )
                )
        if to_players and not is_control_only_inject(inject):
            # A reserve inject is control-only as a whole: its own words are not a leak.
            for field in ("title", "message"):
                if control.leaks(inject[field]):
                    problems.append(
                        Problem(
                            where + "/" + field,
                            "msel.control_leak",
                            f"{label}: the player-facing {field} repeats control-only text",
                            "rephrase it so that players do not learn what only control staff should know",
                        )
                    )
            if not inject["message"].lstrip().startswith(marking):
                problems.append(
                    Problem(
                        where + "/message",
                        "msel.missing_marking",
                        f"{label}: the message does not start with the safety marking {marking!r}",
                        "begin every player message with the marking",
                        Severity.WARNING,
                    )
                )
    if unchecked_causes:
        problems.append(
            Problem(
                "/injects",
                "msel.no_timeline",
                "injects cite timeline events but the scenario stores no timeline",
                "store the timeline (crisis-studio simulate) so that causes can be checked",
                Severity.WARNING,
            )
        )
    problems.extend(_coverage(scenario, injects))
    problems.extend(_overload(scenario, injects, offsets))
    problems.extend(_quiet_periods(scenario, injects, offsets, windows, knowledge))
    problems.extend(_front_loaded(injects, offsets, windows))
    problems.extend(story_problems(scenario, knowledge))
    return sorted(problems, key=lambda p: (p.path, p.rule, p.message))


def _coverage(scenario: dict[str, Any], injects: list[dict[str, Any]]) -> Iterator[Problem]:
    served = {
        oid for inject in injects if not inject.get("contingency") for oid in inject.get("objective_ids", [])
    }
    for index, objective in enumerate(scenario.get("objectives", [])):
        if objective["id"] not in served:
            yield Problem(
                pointer(("objectives", index)),
                "msel.objective_uncovered",
                f"objective {objective['id']!r} ({objective['title']}) is served by no inject",
                "link an inject to it (objective_ids) or regenerate the MSEL",
            )


def _overload(
    scenario: dict[str, Any], injects: list[dict[str, Any]], offsets: dict[str, float]
) -> Iterator[Problem]:
    limit = scenario.get("generation", {}).get("max_injects_per_cell_per_15min", DEFAULT_MAX_PER_15MIN)
    minutes_by_cell: dict[str, list[float]] = {}
    for inject in injects:
        if counts_for_pacing(inject):
            for cell in inject["to"]:
                minutes_by_cell.setdefault(cell, []).append(offsets[inject["id"]])
    cell_index = {cell["id"]: index for index, cell in enumerate(scenario.get("cells", []))}
    for cell, minutes in sorted(minutes_by_cell.items()):
        peak = max_window_count(minutes)
        if peak > limit:
            yield Problem(
                pointer(("cells", cell_index[cell])) if cell in cell_index else "/injects",
                "msel.cell_overload",
                f"cell {cell!r} receives {peak} injects within 15 minutes (limit {limit})",
                "spread the injects out, make some optional or raise the generation limit",
                Severity.WARNING,
            )


def _clock(minute: float) -> str:
    return f"T+{int(minute // 60)}:{int(minute % 60):02d}"


def _quiet_periods(
    scenario: dict[str, Any],
    injects: list[dict[str, Any]],
    offsets: dict[str, float],
    windows: list[tuple[float, float]],
    knowledge: Knowledge | None,
) -> Iterator[Problem]:
    """The longest stretch of each played window, from the first player inject on, in which a
    player cell receives nothing, when it exceeds QUIET_FACTOR times the generator's gap."""
    counted = [inject for inject in injects if counts_for_pacing(inject)]
    if not counted:
        return
    crisis_start = min(offsets[inject["id"]] for inject in counted)
    longest = QUIET_FACTOR * DEFAULT_MAX_QUIET
    # A cell is quiet only once it is in play and the alert has reached it.
    involved = involvement_minutes(scenario, knowledge)
    for index, cell in enumerate(scenario.get("cells", [])):
        if cell.get("type") != "player":
            continue
        minutes = sorted(offsets[i["id"]] for i in counted if cell["id"] in i["to"])
        for start, end in windows:
            anchor = max(start, crisis_start, involved.get(cell["id"], 0.0))
            if anchor >= end:
                continue
            points = [anchor, *(m for m in minutes if anchor <= m <= end), end]
            low, high = max(itertools.pairwise(points), key=lambda pair: pair[1] - pair[0])
            if high - low > longest + 1e-9:
                yield Problem(
                    pointer(("cells", index)),
                    "msel.quiet_period",
                    f"cell {cell['id']!r} receives nothing from {_clock(low)} to {_clock(high)} "
                    f"({high - low:g} minutes of play, more than {longest:g})",
                    "add an inject for the cell in that period (regenerating the MSEL fills quiet "
                    "periods with follow-ups) or shorten the session",
                    Severity.WARNING,
                )


def _front_loaded(
    injects: list[dict[str, Any]], offsets: dict[str, float], windows: list[tuple[float, float]]
) -> Iterator[Problem]:
    """More than half of the counted injects in the first quarter of the played time."""
    minutes = [offsets[inject["id"]] for inject in injects if counts_for_pacing(inject)]
    played = sum(end - start for start, end in windows)
    if len(minutes) < FRONT_LOADED_MIN or played <= 0:
        return
    quarter = quarter_minute(windows)
    early = sum(1 for minute in minutes if minute < quarter)
    if early * 2 > len(minutes):
        yield Problem(
            "/injects",
            "msel.front_loaded",
            f"{early} of {len(minutes)} injects fall in the first quarter of the played time "
            f"(before {_clock(quarter)})",
            "spread the injects over the exercise: delay some, or add injects later on",
            Severity.WARNING,
        )
