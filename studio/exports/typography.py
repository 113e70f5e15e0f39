"""French typography for every string a French pack prints (one function, ``typeset_french``).

The rules (Imprimerie nationale, see shared/domain exercise-dynamics §6): a non-breaking space
(U+00A0) before ``:`` and inside « guillemets »; a narrow non-breaking space (U+202F) before ``;``,
``!`` and ``?``; the typographic apostrophe ’; « 8 h 30 » for hours written in prose as ``8h30``;
thousands grouped by a narrow non-breaking space in numbers of five digits or more. Clock times
(``08:30``), URLs, e-mail addresses, ids and ISO dates are left alone: a rule only fires where the
punctuation ends a word and is followed by a space or the end of the text.

Packs repeat the same strings (labels, names, rating boxes) thousands of times, hence the cache.
The function is idempotent (applying it twice changes nothing), which is what the tests check on
every paragraph of the French packs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

NBSP = "\u00a0"
NNBSP = "\u202f"
APOSTROPHE = "\u2019"

# Horizontal spaces that may stand before punctuation (ordinary, non-breaking, narrow, thin).
_SPACES = "[ \t\u00a0\u202f\u2009]"
# A run of ":", ";", "!", "?" ending a word (followed by a space, a closing mark or the end of the
# text): not 08:30, not http://, not a.php?x=1.
_PUNCT_RUN = re.compile(rf"(?<=[^\s:;!?]){_SPACES}*([:;!?]+)(?=[\s»)\]]|$)")
_OPEN_QUOTE = re.compile(rf"«{_SPACES}*")
_CLOSE_QUOTE = re.compile(rf"{_SPACES}*»")
# "word" or "word words" between straight double quotes on one line become « guillemets ».
_STRAIGHT_QUOTES = re.compile(r'(?<![\w"])"([^"\n]+?)"(?![\w"])')
# A straight apostrophe between two letters (l'hôpital, aujourd'hui).
_APOSTROPHE = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")
# Hours written 8h30 / 14h / 8 h 30 in prose (not part of a longer word or id).
_HOURS = re.compile(r"(?<![\w:.+-])([01]?\d|2[0-3])\s?h(?:\s?([0-5]\d))?(?![\w:])")
# Integers of five digits or more standing alone (not in ids, phone numbers, decimals or dates).
_BIG_NUMBER = re.compile(r"(?<![\w.,\-/:+])(\d{5,})(?![\w.,\-/:]?\d)")


def _group_thousands(match: re.Match[str]) -> str:
    digits = match.group(1)
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[index : index + 3] for index in range(head, len(digits), 3)]
    return NNBSP.join(groups)


def _hours(match: re.Match[str]) -> str:
    hour, minutes = int(match.group(1)), match.group(2)
    if minutes and minutes != "00":
        return f"{hour}{NBSP}h{NBSP}{minutes}"
    return f"{hour}{NBSP}h"


@lru_cache(maxsize=65536)
def typeset_french(text: str) -> str:
    """``text`` with French typographic spacing, guillemets, apostrophes, hours and big numbers.

    Applied until nothing changes (at most a few passes): straight quotes around a text that already
    holds guillemets are only paired once the inner ones are typeset, and typesetting twice must give
    the same text (packs typeset strings that may already be typeset)."""
    for _ in range(4):
        typeset = _typeset_once(text)
        if typeset == text:
            break
        text = typeset
    return text


def _typeset_once(text: str) -> str:
    if not text:
        return text
    text = _STRAIGHT_QUOTES.sub(lambda match: f"«{match.group(1).strip()}»", text)
    text = _OPEN_QUOTE.sub("«" + NBSP, text)
    text = _CLOSE_QUOTE.sub(NBSP + "»", text)
    text = _APOSTROPHE.sub(APOSTROPHE, text)
    text = _PUNCT_RUN.sub(lambda match: (NBSP if match.group(1)[0] == ":" else NNBSP) + match.group(1), text)
    text = _HOURS.sub(_hours, text)
    return _BIG_NUMBER.sub(_group_thousands, text)


def typesetter(language: str) -> Callable[[str], str]:
    """The typography function for a pack's language: French rules for ``fr``, unchanged text otherwise."""
    return typeset_french if language == "fr" else _unchanged


def _unchanged(text: str) -> str:
    return text
