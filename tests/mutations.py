"""Mutations of JSON documents for the property tests: nested values, paths, and their application."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st


def nested_values(
    leaf: st.SearchStrategy[Any], *, width: int, key_size: int, leaves: int
) -> st.SearchStrategy[Any]:
    """JSON-like values: ``leaf`` values, and lists and objects of them up to ``width`` items."""
    return st.recursive(
        leaf,
        lambda children: (
            st.lists(children, max_size=width)
            | st.dictionaries(st.text(max_size=key_size), children, max_size=width)
        ),
        max_leaves=leaves,
    )


def value_paths(
    value: Any, path: tuple[Any, ...] = (), max_items: int | None = None
) -> list[tuple[Any, ...]]:
    """The path of ``value`` and of everything inside it (the first ``max_items`` of each list)."""
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found += value_paths(child, (*path, key), max_items)
    elif isinstance(value, list):
        for index, child in enumerate(value[:max_items]):
            found += value_paths(child, (*path, index), max_items)
    return found


def value_at(value: Any, path: tuple[Any, ...]) -> Any:
    """The value at ``path``; KeyError, IndexError or TypeError when there is none."""
    for part in path:
        value = value[part]
    return value


def mutate(document: Any, path: tuple[Any, ...], action: str, value: Any) -> None:
    """Apply ``action`` ("replace", "delete" or "duplicate") at ``path``; a path an earlier mutation
    removed is skipped."""
    try:
        parent, key = value_at(document, path[:-1]), path[-1]
        if action == "replace":
            parent[key] = value
        elif action == "delete":
            del parent[key]
        elif isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
    except (KeyError, IndexError, TypeError):
        pass
