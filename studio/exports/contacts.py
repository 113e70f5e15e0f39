"""The simulated directory's contact details: fictitious but well-formed, never a real line or mailbox.

A persona or cell keeps its own ``phone`` and ``email`` when it has them. Otherwise one is derived
from its id, deterministically (same scenario, same numbers):

- phones in the six ranges ARCEP keeps for fiction (01 99 00, 02 61 91, 03 53 01, 04 65 71, 05 36 49,
  06 39 98 followed by four digits), ``exercise.contacts.phone_block`` choosing the range;
- e-mail addresses at a domain RFC 2606 reserves: ``exercise.contacts.email_domain`` when set, else
  the organisation's id under ``.test`` (``chu-valombre.test``), else ``exercice.test``.

Players reach every simulated person through the animation cell: its line and address are printed on
every player pack (``animation_contact``).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from studio.exports.common import transliterate

FICTION_PHONE_BLOCKS = ("01 99 00", "02 61 91", "03 53 01", "04 65 71", "05 36 49", "06 39 98")
"""ARCEP's fiction ranges (plan national de numérotation, decision 2018-0881 as amended)."""
DEFAULT_PHONE_BLOCK = FICTION_PHONE_BLOCKS[0]
RESERVED_EMAIL_SUFFIXES = (".test", ".example", ".invalid", ".localhost")
RESERVED_EMAIL_DOMAINS = ("example.org", "example.com", "example.net")
DEFAULT_EMAIL_DOMAIN = "exercice.test"

_PHONE = re.compile(r"^(\d\d \d\d \d\d) \d\d \d\d$")


def is_fictitious_phone(number: str) -> bool:
    """True when ``number`` is written ``0N NN NN NN NN`` in one of the six fiction ranges."""
    match = _PHONE.match(number.strip())
    return bool(match) and match.group(1) in FICTION_PHONE_BLOCKS


def is_reserved_email(address: str) -> bool:
    """True for ``local@domain`` with a domain reserved for documentation and tests (RFC 2606/6761)."""
    local, _, domain = address.strip().lower().rpartition("@")
    if not local or not domain:
        return False
    return domain.endswith(RESERVED_EMAIL_SUFFIXES) or any(
        domain == reserved or domain.endswith("." + reserved) for reserved in RESERVED_EMAIL_DOMAINS
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", transliterate(text).lower()).strip("-")


# Little words left out of derived addresses, so "Cellule régionale d'appui de l'ARS" gives
# "cellule.regionale.appui@..." rather than a sentence.
_SKIPPED_WORDS = frozenset(
    {"d", "l", "de", "du", "des", "la", "le", "les", "et", "of", "the", "and", "a", "au", "aux"}
)
LOCAL_PART_WORDS = 3


def _local_part(name: str) -> str:
    words = [word for word in _slug(name).split("-") if word and word not in _SKIPPED_WORDS]
    return ".".join(words[:LOCAL_PART_WORDS]) or "contact"


class Directory:
    """Phone and e-mail of every persona and cell of one scenario (given ones first, else derived)."""

    def __init__(self, scenario: dict[str, Any]) -> None:
        settings = scenario["exercise"].get("contacts", {})
        self.block = settings.get("phone_block", DEFAULT_PHONE_BLOCK)
        self.domain = settings.get("email_domain")
        entries = [("persona", item) for item in scenario.get("personas", [])]
        entries += [("cell", item) for item in scenario.get("cells", [])]
        taken_phones = {item["phone"] for _, item in entries if item.get("phone")}
        taken_emails = {item["email"].lower() for _, item in entries if item.get("email")}
        self._phones: dict[tuple[str, str], str] = {}
        self._emails: dict[tuple[str, str], str] = {}
        for kind, item in entries:
            key = (kind, item["id"])
            self._phones[key] = item.get("phone") or self._new_phone(f"{kind}:{item['id']}", taken_phones)
            self._emails[key] = item.get("email") or self._new_email(item, taken_emails)

    def _new_phone(self, seed: str, taken: set[str]) -> str:
        """A free number of the block, from a hash of ``seed`` then the next free ones (stable order)."""
        start = int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest()[:4], "big") % 10000
        for step in range(10000):
            digits = f"{(start + step) % 10000:04d}"
            number = f"{self.block} {digits[:2]} {digits[2:]}"
            if number not in taken:
                taken.add(number)
                return number
        raise ValueError(f"more than 10,000 contacts in the fiction range {self.block}")

    def _new_email(self, item: dict[str, Any], taken: set[str]) -> str:
        domain = self.domain or (
            f"{_slug(item['organisation'])}.test" if item.get("organisation") else DEFAULT_EMAIL_DOMAIN
        )
        local = _local_part(item.get("name") or item["id"])
        address, suffix = f"{local}@{domain}", 1
        while address.lower() in taken:
            suffix += 1
            address = f"{local}{suffix}@{domain}"
        taken.add(address.lower())
        return address

    def persona(self, persona_id: str) -> tuple[str, str]:
        """(phone, e-mail) of a persona."""
        return self._phones[("persona", persona_id)], self._emails[("persona", persona_id)]

    def cell(self, cell_id: str) -> tuple[str, str]:
        """(phone, e-mail) of a cell."""
        return self._phones[("cell", cell_id)], self._emails[("cell", cell_id)]


def animation_cells(scenario: dict[str, Any]) -> list[dict[str, Any]]:
    return [cell for cell in scenario.get("cells", []) if cell.get("type") == "animation"]
