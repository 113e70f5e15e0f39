"""Which of many phrases (a scenario's names, ids) occur in some texts, in time linear in both.

A regular expression alternating every name of a 10,000-system scenario costs, at each character it
scans, one try per name; keeping only the names that occur at all makes it cost what the texts hold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable


def occurring(
    phrases: Iterable[str], texts: Iterable[str], fold: Callable[[str], str] | None = None
) -> list[str]:
    """The ``phrases`` (in their order) found in at least one of ``texts``, compared through ``fold``
    (e.g. case folding) when given: a pattern of a whole scenario's names or ids scans each character
    once per alternative, and phrases that never occur cannot match.

    Linear in the texts and the phrases: a phrase is searched for only when each of its three-letter
    pieces (at steps of three) occurs somewhere in the texts."""
    haystack = "\x00".join(dict.fromkeys(texts))
    if fold is not None:
        haystack = fold(haystack)
    pieces = {haystack[start : start + 3] for start in range(len(haystack) - 2)}
    found = []
    for phrase in phrases:
        key = fold(phrase) if fold is not None else phrase
        # The first and last three letters, then each three at steps of three, before the search.
        if len(key) >= 3 and (key[:3] not in pieces or key[-3:] not in pieces):
            continue
        if all(key[start : start + 3] in pieces for start in range(3, len(key) - 2, 3)) and key in haystack:
            found.append(phrase)
    return found
