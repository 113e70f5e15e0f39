"""What players must never read: the one definition of control-only content.

Used by the player packs (exports), the leak lint and the leak checks of LLM answers, so that they
never disagree. Control-only content is:

* every field the schema marks ``x-control-only``, wherever it appears (exercise, personas,
  injects, storyline beats, alert-chain notes...), found by walking the schema, not by a list;
* the timeline (the ground truth);
* every text of an inject held in reserve or not meant for players (contingency, control or
  observer visibility);
* the name of each persona kept out of the players' directory (the attacker, usually).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from studio.scenario.schema import definition, load_schema


def is_control_only_inject(inject: dict[str, Any]) -> bool:
    """True for injects that only control staff may see as a whole: contingency or non-player visibility.

    The visibility default is read from the schema so that a changed default follows automatically.
    """
    visibility_default = definition("inject")["properties"]["visibility"].get("default", "players")
    return bool(inject.get("contingency")) or inject.get("visibility", visibility_default) != "players"


@cache
def _hidden_paths() -> tuple[tuple[str, ...], ...]:
    """Paths (property names, ``*`` for array items) of every x-control-only value in a scenario."""
    schema = load_schema()
    found: list[tuple[str, ...]] = []

    def resolve(spec: dict[str, Any]) -> dict[str, Any]:
        ref = spec.get("$ref", "")
        return schema["$defs"][ref.rsplit("/", 1)[-1]] if ref.startswith("#/$defs/") else spec

    def walk(spec: dict[str, Any], path: tuple[str, ...], seen: frozenset[str]) -> None:
        ref = spec.get("$ref", "")
        if spec.get("x-control-only") or resolve(spec).get("x-control-only"):
            found.append(path)
            return
        if ref in seen:
            return
        seen = seen | {ref} if ref else seen
        target = resolve(spec)
        for name, child in target.get("properties", {}).items():
            walk(child, (*path, name), seen)
        if isinstance(target.get("items"), dict):
            walk(target["items"], (*path, "*"), seen)

    walk(schema, (), frozenset())
    return tuple(found)


def _values_at(node: Any, path: tuple[str, ...]) -> Iterator[Any]:
    if not path:
        yield node
        return
    head, rest = path[0], path[1:]
    if head == "*" and isinstance(node, list):
        for item in node:
            yield from _values_at(item, rest)
    elif isinstance(node, dict) and head in node:
        yield from _values_at(node[head], rest)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for nested in value.values():
            yield from _strings(nested)
    elif isinstance(value, list):
        for nested in value:
            yield from _strings(nested)


def control_only_texts(scenario: dict[str, Any]) -> list[str]:
    """Every piece of text a player must never read (see the module doc), non-empty."""
    texts: list[str] = []
    for path in _hidden_paths():
        if path == ("timeline",):
            # The ground truth's words are its events' details; ids and kinds are not prose.
            path = ("timeline", "events", "*", "detail")
        for value in _values_at(scenario, path):
            texts.extend(_strings(value))
    for persona in scenario.get("personas", []):
        if isinstance(persona, dict) and not persona.get("in_directory", True):
            texts.append(persona.get("name", ""))
    for inject in scenario.get("injects", []):
        if isinstance(inject, dict) and is_control_only_inject(inject):
            texts.extend(
                _strings({key: inject.get(key) for key in ("title", "message", "synopsis", "animator_notes")})
            )
    return [text for text in texts if isinstance(text, str) and text.strip()]
