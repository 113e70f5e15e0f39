"""Semantic rules of the information model, the territory and the storyline (schema 1.1).

Each rule yields :class:`Problem` objects with the JSON path of the offending value, a stable rule
name and a hint, like the other rule families of :mod:`studio.scenario.validate`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from studio.durations import parse_minutes
from studio.scenario.problems import Problem, Severity, pointer

Ids = dict[str, dict[str, tuple[Any, ...]]]

MIN_EVASAN_LEAD = 720.0
"""Minutes: an air evacuation off the territory is decided and organised in 12 hours at least."""


def _list(value: Any) -> list[tuple[int, dict[str, Any]]]:
    return (
        [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]
        if isinstance(value, list)
        else []
    )


def _minutes(value: Any) -> float | None:
    try:
        return parse_minutes(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _problem(
    path: tuple[Any, ...], rule: str, message: str, hint: str = "", warning: bool = False
) -> Problem:
    return Problem(pointer(path), rule, message, hint, Severity.WARNING if warning else Severity.ERROR)


def _unknown(
    path: tuple[Any, ...], value: Any, known: dict[str, Any], what: str, rule: str
) -> Iterator[Problem]:
    if isinstance(value, str) and value not in known:
        sample = ", ".join(list(known)[:10])
        yield _problem(path, rule, f"'{value}' is not a known {what}", f"known: {sample}" if sample else "")


def story_problems(document: dict[str, Any], ids: Ids) -> list[Problem]:
    """Problems of ``information``, ``territory`` and ``storyline`` (ids: the validator's indexes)."""
    problems: list[Problem] = []
    problems.extend(_alert_chain(document, ids))
    problems.extend(_territory(document, ids))
    problems.extend(_storyline(document, ids))
    return problems


def _alert_chain(document: dict[str, Any], ids: Ids) -> Iterator[Problem]:
    information = document.get("information")
    if not isinstance(information, dict):
        return
    actors = {**ids.get("cells", {}), **ids.get("personas", {})}
    reached: set[str] = set()
    for index, link in _list(information.get("alert_chain")):
        path = ("information", "alert_chain", index)
        for end in ("from", "to"):
            yield from _unknown((*path, end), link.get(end), actors, "cell or persona", "ref.alert_chain")
        if link.get("from") == link.get("to") and isinstance(link.get("from"), str):
            yield _problem((*path, "to"), "info.self_link", "a link of the alert chain points to itself")
        if isinstance(link.get("to"), str):
            reached.add(link["to"])
    if not isinstance(information.get("alert_chain"), list):
        return
    for index, cell in _list(document.get("cells")):
        if (
            cell.get("type") == "player"
            and cell.get("activation") == "alert"
            and cell.get("id") not in reached
        ):
            yield _problem(
                ("cells", index, "activation"),
                "info.unreached_cell",
                f"cell '{cell.get('id')}' plays from the alert, but no link of the alert chain reaches it",
                "add a link to it in information.alert_chain, or set its activation to 'startex'",
                warning=True,
            )


def _territory(document: dict[str, Any], ids: Ids) -> Iterator[Problem]:
    territory = document.get("territory")
    if not isinstance(territory, dict):
        return
    organisations = ids.get("organisations", {})
    variables = {item.get("id"): index for index, item in _list(territory.get("variables"))}
    routes: set[tuple[str, str]] = set()
    for index, route in _list(territory.get("transfers")):
        path = ("territory", "transfers", index)
        for end in ("from", "to"):
            yield from _unknown((*path, end), route.get(end), organisations, "organisation", "ref.transfer")
        if isinstance(route.get("decided_by"), list):
            for position, org in enumerate(route["decided_by"]):
                yield from _unknown(
                    (*path, "decided_by", position), org, organisations, "organisation", "ref.transfer"
                )
        yield from _unknown(
            (*path, "requires"), route.get("requires"), variables, "territory variable", "ref.variable"
        )
        lead = _minutes(route.get("lead_time"))
        if route.get("mode") == "air_evasan" and (lead is None or lead < MIN_EVASAN_LEAD):
            yield _problem(
                (*path, "lead_time"),
                "territory.evasan_lead",
                "an air evacuation needs at least 12 hours to be decided and organised",
                "set lead_time to PT12H or more",
                warning=True,
            )
        if isinstance(route.get("from"), str) and isinstance(route.get("to"), str):
            routes.update({(route["from"], route["to"]), (route["to"], route["from"])})
    if not isinstance(territory.get("transfers"), list):
        return
    for index, org in _list(document.get("organisations")):
        for position, origin in enumerate(org.get("fallback_for") or []):
            if isinstance(origin, str) and (origin, org.get("id")) not in routes:
                yield _problem(
                    ("organisations", index, "fallback_for", position),
                    "territory.fallback_unreachable",
                    f"'{org.get('id')}' is a fallback for '{origin}' but no transfer route links them",
                    "add a route in territory.transfers, or remove the fallback: it will not be offered",
                    warning=True,
                )


def _exercise_minutes(document: dict[str, Any]) -> float | None:
    exercise = document.get("exercise")
    if not isinstance(exercise, dict):
        return None
    try:
        start, end = (datetime.fromisoformat(exercise[key]) for key in ("startex", "endex"))
    except (KeyError, TypeError, ValueError):
        return None
    return (end - start).total_seconds() / 60


def _storyline(document: dict[str, Any], ids: Ids) -> Iterator[Problem]:
    storyline = document.get("storyline")
    if not isinstance(storyline, dict):
        return
    duration = _exercise_minutes(document)
    organisations = ids.get("organisations", {})
    for index, beat in _list(storyline.get("beats")):
        path = ("storyline", "beats", index)
        yield from _unknown(
            (*path, "from"), beat.get("from"), ids.get("personas", {}), "persona", "ref.beat_sender"
        )
        for position, cell in enumerate(beat.get("cells") or []):
            yield from _unknown(
                (*path, "cells", position), cell, ids.get("cells", {}), "cell", "ref.beat_cell"
            )
        for position, objective in enumerate(beat.get("objectives") or []):
            yield from _unknown(
                (*path, "objectives", position),
                objective,
                ids.get("objectives", {}),
                "objective",
                "ref.objectives",
            )
        anchor = beat.get("anchor")
        if isinstance(anchor, dict):
            yield from _unknown(
                (*path, "anchor", "node"), anchor.get("node"), ids.get("systems", {}), "system", "ref.systems"
            )
            yield from _unknown(
                (*path, "anchor", "organisation"),
                anchor.get("organisation"),
                organisations,
                "organisation",
                "ref.organisations",
            )
        elif beat.get("start") is None:
            yield _problem(
                path,
                "time.beat_start",
                "a beat needs a start or an anchor",
                "set start (offset from STARTEX)",
            )
        start, end = _minutes(beat.get("start")), _minutes(beat.get("end"))
        if start is not None and end is not None and end < start:
            yield _problem(
                (*path, "end"), "time.beat_window", "the beat's window ends before it starts", "end >= start"
            )
        if duration is not None and start is not None and start > duration:
            yield _problem(
                (*path, "start"),
                "time.beat_after_endex",
                "the beat starts after ENDEX",
                f"the exercise lasts {duration:g} minutes of play",
            )
