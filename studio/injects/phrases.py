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

    About linear in the texts and the phrases: a phrase is searched for only when its first and last
    three letters occur somewhere in the texts."""
    haystack = "\x00".join(dict.fromkeys(texts))
    if fold is not None:
        haystack = fold(haystack)
    pieces = {haystack[start : start + 3] for start in range(len(haystack) - 2)}
    # The first and last three letters (set lookups) before the search itself; comprehensions,
    # because this runs once per name of a 100,000-system scenario.
    if fold is None:
        return [
            p for p in phrases if (len(p) < 3 or (p[:3] in pieces and p[-3:] in pieces)) and p in haystack
        ]
    folded = [(phrase, fold(phrase)) for phrase in phrases]
    return [p for p, k in folded if (len(k) < 3 or (k[:3] in pieces and k[-3:] in pieces)) and k in haystack]
