"""Placeholders for names before a request leaves the machine, and their return in the answer.

A scenario maps a real hospital's weak points: which systems, which sites, who is on call. When the
LLM endpoint is not on this machine, organisation, person, site and system names are replaced by
placeholders such as ``[ORG_1]`` or ``[SYSTEM_4]`` in everything sent, and put back in the answer.
The LLM still sees a coherent story ("[ORG_1] loses [SYSTEM_4]"), just not whose.
"""

from __future__ import annotations

import ipaddress
import re
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


class Redactor:
    """Replaces a scenario's names by placeholders and back.

    Matching ignores case and only takes whole words, longest names first (so "CH Val-de-Brume" is
    one placeholder, not "CH " plus a city). An inactive redactor returns texts unchanged.
    """

    def __init__(self, scenario: dict[str, Any], active: bool = True) -> None:
        self.active = active
        self.placeholder_of: dict[str, str] = {}
        self.name_of: dict[str, str] = {}
        counters: dict[str, int] = {}
        for category, name in scenario_names(scenario):
            key = name.casefold()
            if key in self.placeholder_of:
                continue
            counters[category] = counters.get(category, 0) + 1
            placeholder = f"[{category}_{counters[category]}]"
            self.placeholder_of[key] = placeholder
            self.name_of[placeholder] = name
        ordered = sorted(self.placeholder_of, key=len, reverse=True)
        self._pattern = (
            re.compile("|".join(rf"(?<!\w){re.escape(name)}(?!\w)" for name in ordered), re.IGNORECASE)
            if ordered
            else None
        )
        self._back = re.compile(r"\[(?:ORG|SITE|PERSON|SYSTEM)_\d+\]")

    def redact(self, text: str) -> str:
        """``text`` with every known name replaced by its placeholder."""
        if not self.active or self._pattern is None:
            return text
        return self._pattern.sub(lambda match: self.placeholder_of[match.group(0).casefold()], text)

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

    def sensitive_names(self) -> list[str]:
        """The names this redactor hides (for tests and for showing the designer what is hidden)."""
        return sorted(self.name_of.values())
