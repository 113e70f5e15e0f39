"""Redaction that holds against spelling: case folding, accents, half names, and proxies.

:class:`studio.injects.privacy.Redactor` matches whole names with ``re.IGNORECASE``. That misses a
hospital called by half its name ("Val-de-Brume" for "Centre hospitalier de Val-de-Brume"), names
whose case folding changes their length ("STRASSE" for "Straße", "istanbul" for "İstanbul") and
spellings without accents; and on "İ" its lookup of the matched text raised KeyError. This
:class:`Redactor` keeps the same placeholders and restoring, and matches on a folded copy of the
text (case folded, accents dropped) mapped back to the original characters, with the distinctive
parts of organisation and site names as names of their own.

:func:`traffic_stays_local` is the question redaction really asks: an endpoint on loopback reached
through an HTTP proxy sends the text to the proxy, so only a loopback endpoint with no proxy in the
way is local.
"""

from __future__ import annotations

import re
import unicodedata
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from studio.injects.privacy import MIN_NAME_LENGTH, is_loopback, scenario_names
from studio.injects.privacy import Redactor as WholeNameRedactor

PART_CATEGORIES = ("ORG", "SITE", "PERSON")
MIN_PART_LENGTH = 5
"""Parts shorter than this ("Nord", "Sud") are too common to stand for one hospital."""
GENERIC_WORDS = frozenset(
    [
        "centre",
        "center",
        "hospitalier",
        "hospitaliere",
        "hospital",
        "hopital",
        "hopitaux",
        "clinique",
        "clinic",
        "groupe",
        "group",
        "general",
        "generale",
        "universitaire",
        "university",
        "regional",
        "regionale",
        "departemental",
        "departementale",
        "territoire",
        "territorial",
        "territoriale",
        "intercommunal",
        "intercommunale",
        "site",
        "sante",
        "health",
        "medical",
        "medicale",
        "public",
        "publique",
        "prive",
        "privee",
        "saint",
        "sainte",
        "agence",
        "direction",
        "service",
        "services",
        "pole",
        "maternite",
        "polyclinique",
        "institut",
        "national",
        "nationale",
        "docteur",
        "madame",
        "monsieur",
    ]
)
"""Words of institution names that say what a place is, not which one: never a name on their own."""


def fold(text: str) -> str:
    """``text`` case folded, accents dropped and compatibility forms unified (for matching only)."""
    return "".join(_fold_char(char) for char in text)


def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def name_parts(name: str) -> list[str]:
    """Distinctive parts of an organisation, site or person name: hyphenated compounds and long proper words.

    "Centre hospitalier de Val-de-Brume" gives "Val-de-Brume" and "Brume"... only parts of at least
    :data:`MIN_PART_LENGTH` characters that are not generic words ("Centre", "hospitalier").
    """
    parts: list[str] = []
    for token in re.findall(r"[\w'’-]+", name):
        token = token.strip("-'’")
        pieces = [token, *token.split("-")] if "-" in token else [token]
        for piece in pieces:
            if len(piece) >= MIN_PART_LENGTH and fold(piece) not in GENERIC_WORDS and piece != name:
                parts.append(piece)
    return parts


class Redactor(WholeNameRedactor):
    """Placeholders for names, matched on folded text and on the distinctive parts of place names."""

    def __init__(self, scenario: dict[str, Any], active: bool = True) -> None:
        super().__init__(scenario, active)
        self._by_folded: dict[str, str] = {}
        counters: dict[str, int] = {}
        for placeholder in self.name_of:
            category, number = placeholder[1:-1].rsplit("_", 1)
            counters[category] = max(counters.get(category, 0), int(number))
        names = scenario_names(scenario)
        parts = [(category, part) for category, name in names if category in PART_CATEGORIES
                 for part in name_parts(name)]  # fmt: skip
        for category, name in [*names, *parts]:
            key = fold(name)
            if len(key) < MIN_NAME_LENGTH or key in self._by_folded:
                continue
            placeholder = self.placeholder_of.get(name.casefold())
            if placeholder is None:
                counters[category] = counters.get(category, 0) + 1
                placeholder = f"[{category}_{counters[category]}]"
                self.name_of[placeholder] = name
            self._by_folded[key] = placeholder
        ordered = sorted(self._by_folded, key=len, reverse=True)
        self._folded_pattern = (
            re.compile("|".join(rf"(?<!\w){re.escape(key)}(?!\w)" for key in ordered)) if ordered else None
        )

    def redact(self, text: str) -> str:
        """``text`` with every known name, whole or in part, however cased or accented, replaced."""
        if not self.active or self._folded_pattern is None or not text:
            return text
        folded_chunks = [_fold_char(char) for char in text]
        folded = "".join(folded_chunks)
        # owner[i]: index in ``text`` of the character whose folding produced folded[i].
        owner = [index for index, chunk in enumerate(folded_chunks) for _ in chunk]
        pieces: list[str] = []
        position = 0
        for match in self._folded_pattern.finditer(folded):
            if match.start() == match.end():
                continue
            start, end = owner[match.start()], owner[match.end() - 1] + 1
            if start < position:
                continue  # overlaps a name already replaced
            pieces += [text[position:start], self._by_folded[match.group(0)]]
            position = end
        pieces.append(text[position:])
        return "".join(pieces)


def traffic_stays_local(base_url: str | None) -> bool:
    """True when requests to ``base_url`` reach this machine directly: loopback and no proxy.

    The openai client honours HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY, so the same variables
    decide here: a proxy that applies to the endpoint's host sees every request.
    """
    if not is_loopback(base_url):
        return False
    parts = urlsplit(base_url or "")
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(parts.scheme or "http") or proxies.get("all")
    if not proxy:
        return True
    return bool(urllib.request.proxy_bypass_environment(parts.hostname or "", proxies))
