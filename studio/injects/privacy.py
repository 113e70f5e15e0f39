"""Placeholders for names before a request leaves the machine, and their return in the answer.

A scenario maps a real hospital's weak points: which systems, which sites, who is on call. When the
LLM endpoint is not on this machine, organisation, person, site and system names are replaced by
placeholders such as ``[ORG_1]`` or ``[SYSTEM_4]`` in everything sent, and put back in the answer.
The LLM still sees a coherent story ("[ORG_1] loses [SYSTEM_4]"), just not whose.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import unicodedata
from typing import Any
from urllib.parse import urlsplit

MIN_NAME_LENGTH = 3
"""Shorter names ("IT", "A") would match inside ordinary words; they are left as they are."""


def is_loopback(base_url: str | None) -> bool:
    """True when ``base_url`` points at this machine (localhost or a loopback address).

    ``None`` means the openai client's default endpoint, which is remote.
    """
    if not base_url:
        return False
    host = urlsplit(base_url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def scenario_names(scenario: dict[str, Any]) -> list[tuple[str, str]]:
    """(category, name) pairs of the scenario's identifying names, in document order."""
    found: list[tuple[str, str]] = []
    for org in scenario.get("organisations", []):
        found += [("ORG", org.get("name", "")), ("ORG", org.get("short_name", ""))]
        for site in org.get("sites", []):
            found += [("SITE", site.get("name", "")), ("SITE", site.get("city", ""))]
    for persona in scenario.get("personas", []):
        found.append(("PERSON", persona.get("name", "")))
    for cell in scenario.get("cells", []):
        found += [("PERSON", member.get("name", "")) for member in cell.get("members", [])]
        found.append(("ORG", cell.get("location", "")))
    for system in scenario.get("systems", []):
        found.append(("SYSTEM", system.get("name", "")))
    found.append(("ORG", scenario.get("exercise", {}).get("organiser", "")))
    return [(category, name.strip()) for category, name in found if len(name.strip()) >= MIN_NAME_LENGTH]


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
        "region",
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


@functools.lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    # Cached: a text has few distinct characters, and folding each through unicodedata was most of
    # the time of redacting a request.
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


class Redactor:
    """Replaces a scenario's names by placeholders and back.

    Matching holds against spelling: it runs on a folded copy of the text (case folded, accents
    dropped, compatibility forms unified; see :func:`fold`) mapped back to the original characters,
    takes only whole words, longest names first (so "CH Val-de-Brume" is one placeholder, not "CH "
    plus a city), and also finds the distinctive parts of organisation, site and person names
    ("Val-de-Brume" for "Centre hospitalier de Val-de-Brume", see :func:`name_parts`). Names whose
    case folding changes their length ("STRASSE" for "Straße", "istanbul" for "İstanbul") and
    spellings without accents are found too. An inactive redactor returns texts unchanged.
    """

    def __init__(self, scenario: dict[str, Any], active: bool = True) -> None:
        self.active = active
        self.placeholder_of: dict[str, str] = {}
        self.name_of: dict[str, str] = {}
        counters: dict[str, int] = {}
        names = scenario_names(scenario)
        # Whole names first: their placeholders are numbered in document order.
        for category, name in names:
            key = name.casefold()
            if key in self.placeholder_of:
                continue
            counters[category] = counters.get(category, 0) + 1
            placeholder = f"[{category}_{counters[category]}]"
            self.placeholder_of[key] = placeholder
            self.name_of[placeholder] = name
        # Then what is matched: every name and distinctive part, folded.
        self._by_folded: dict[str, str] = {}
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
        # Whole words, longest first: if the longest name is followed by a letter, the alternation is
        # tried again with the shorter ones. The word checks are written once around it, not once
        # per name: the regex engine then rejects a position inside a word once (15x faster).
        alternatives = "|".join(re.escape(key) for key in ordered)
        self._folded_pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)") if ordered else None
        self._back = re.compile(r"\[(?:ORG|SITE|PERSON|SYSTEM)_\d+\]")
        self._redacted: dict[str, str] = {}

    def redact(self, text: str) -> str:
        """``text`` with every known name, whole or in part, however cased or accented, replaced."""
        if not self.active or self._folded_pattern is None or not text:
            return text
        # Every request of a batch sends the same system prompt and many of the same texts (cells,
        # systems, the exercise): each is redacted once per redactor.
        known = self._redacted.get(text)
        if known is None:
            known = self._redacted[text] = self._redact(text)
        return known

    def _redact(self, text: str) -> str:
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

    def redact_value(self, value: Any) -> Any:
        """``value`` (a string, or lists/dicts of them) with names replaced; keys are left alone.

        Redact data before encoding it as JSON: in encoded text a name after ``\\n`` no longer
        starts a word.
        """
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, list):
            return [self.redact_value(item) for item in value]
        if isinstance(value, dict):
            return {key: self.redact_value(item) for key, item in value.items()}
        return value

    def restore(self, value: Any) -> Any:
        """``value`` (a string, or lists/dicts of them) with placeholders turned back into names."""
        if not self.active:
            return value
        if isinstance(value, str):
            return self._back.sub(lambda match: self.name_of.get(match.group(0), match.group(0)), value)
        if isinstance(value, list):
            return [self.restore(item) for item in value]
        if isinstance(value, dict):
            return {key: self.restore(item) for key, item in value.items()}
        return value

    def unknown_placeholders(self, value: Any) -> list[str]:
        """Placeholders in ``value`` (strings, lists, dicts) that stand for no name of this scenario:
        made up by the model, they would stay in the text as they are."""
        if not self.active:
            return []
        if isinstance(value, str):
            return [found for found in self._back.findall(value) if found not in self.name_of]
        items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
        return [found for item in items for found in self.unknown_placeholders(item)]

    def sensitive_names(self) -> list[str]:
        """The names this redactor hides (for tests and for showing the designer what is hidden)."""
        return sorted(self.name_of.values())
