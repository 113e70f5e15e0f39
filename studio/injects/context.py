"""Reading a scenario for the inject generator: who is who, which cell plays what, who can send what.

Everything here is a pure function of the scenario dict. Choices between equally good candidates
are made by id order, so the same scenario always routes injects the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from studio.scenario.timemodel import TimeModel

HOSPITAL_TYPES = frozenset({"hospital", "university_hospital"})

# Roles a player cell can hold, recognised from its level and from words in its name or mission.
# French and English words, since cells are named in the exercise language.
_ROLE_WORDS: dict[str, re.Pattern[str]] = {
    "technical": re.compile(r"\b(dsi|dnum|informati|techni|it|soc|rssi|syst[eè]mes?|cyber|infra)", re.I),
    "communication": re.compile(r"\b(comm|presse|press|m[ée]dias?|porte-parole|spokes)", re.I),
    "care": re.compile(r"\b(soins?|m[ée]dic|medical|care|clinic|urgences?|cme|bloc|sant[ée])", re.I),
    "strategic": re.compile(r"\b(crise|crisis|direction|d[ée]cision|strat[ée]g|executive|management)", re.I),
}


@dataclass(frozen=True)
class Sender:
    """Which personas may send a kind of inject, best first.

    ``persona_kinds`` are tried in order; within a kind, personas whose organisation has one of
    ``org_types`` come first. With ``strict`` the organisation type must match (an inject "from the
    ANSSI" is not sent by the ARS); otherwise any persona of the kinds will do.
    """

    persona_kinds: tuple[str, ...]
    org_types: tuple[str, ...] = ()
    strict: bool = False
    own_establishment: bool = False
    """Prefer personas of the establishment concerned (its own staff and technicians)."""
    role_words: str = ""
    """Regular expression on a persona's name and role, tried after the organisation type (a SAMU
    regulator hosted by the hospital has no SAMU organisation; a union delegate is also staff)."""


@dataclass
class ScenarioContext:
    """Indexes over one scenario, built once per generation or lint run."""

    scenario: dict[str, Any]
    organisations: dict[str, dict[str, Any]] = field(init=False)
    systems: dict[str, dict[str, Any]] = field(init=False)
    personas: list[dict[str, Any]] = field(init=False)
    player_cells: list[dict[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        scenario = self.scenario
        self.organisations = {o["id"]: o for o in scenario.get("organisations", [])}
        self.systems = {s["id"]: s for s in scenario.get("systems", [])}
        self.personas = sorted(scenario.get("personas", []), key=lambda p: p["id"])
        self.player_cells = sorted(
            (c for c in scenario.get("cells", []) if c.get("type") == "player"), key=lambda c: c["id"]
        )

    @property
    def language(self) -> str:
        return self.scenario["exercise"].get("language", "fr")

    @property
    def marking(self) -> str:
        return self.scenario["exercise"]["safety"]["marking"]

    @cached_property
    def time_model(self) -> TimeModel:
        return TimeModel.from_scenario(self.scenario)

    @cached_property
    def duration(self) -> float:
        """Minutes from STARTEX to ENDEX on the exercise clock."""
        exercise = self.scenario["exercise"]
        start, end = (datetime.fromisoformat(exercise[key]) for key in ("startex", "endex"))
        return (end - start).total_seconds() / 60

    # --- organisations -------------------------------------------------------------------------

    def org_type(self, org_id: str | None) -> str | None:
        org = self.organisations.get(org_id or "")
        return org.get("type") if org else None

    def org_name(self, org_id: str | None, short: bool = False) -> str | None:
        org = self.organisations.get(org_id or "")
        if not org:
            return None
        return org.get("short_name", org["name"]) if short else org["name"]

    @cached_property
    def main_establishment(self) -> str | None:
        """The hospital most player cells belong to (ties: by id), or the first hospital."""
        counts: dict[str, int] = {}
        for cell in self.player_cells:
            org = cell.get("organisation")
            if self.org_type(org) in HOSPITAL_TYPES:
                counts[org] = counts.get(org, 0) + 1
        if counts:
            return min(counts, key=lambda org: (-counts[org], org))
        hospitals = sorted(o for o, spec in self.organisations.items() if spec.get("type") in HOSPITAL_TYPES)
        return hospitals[0] if hospitals else None

    def establishment_of(self, node_id: str | None) -> str | None:
        """The hospital a system belongs to; the main establishment when unknown."""
        system = self.systems.get(node_id or "")
        org = system.get("organisation") if system else None
        if org and self.org_type(org) in HOSPITAL_TYPES:
            return org
        return self.main_establishment

    def fallback_for(self, establishment: str | None) -> str | None:
        """An organisation that receives the patients of ``establishment`` (declared first, else a peer)."""
        declared = sorted(
            o for o, spec in self.organisations.items() if establishment in spec.get("fallback_for", [])
        )
        if declared:
            return declared[0]
        peers = sorted(
            o
            for o, spec in self.organisations.items()
            if spec.get("type") in HOSPITAL_TYPES and o != establishment
        )
        return peers[0] if peers else None

    def site_and_city(self, node_id: str | None, establishment: str | None) -> tuple[str | None, str | None]:
        org = self.organisations.get(establishment or "", {})
        sites = {site["id"]: site for site in org.get("sites", [])}
        system = self.systems.get(node_id or "", {})
        site = sites.get(system.get("site", "")) or (next(iter(sites.values())) if sites else None)
        return (site or {}).get("name"), (site or {}).get("city")

    # --- cells ---------------------------------------------------------------------------------

    def cell_roles(self, cell: dict[str, Any]) -> set[str]:
        """Roles of a player cell: its level, the words of its name and mission, its organisation type."""
        # The name says what a cell is; its mission is read only when the name says nothing (a crisis
        # cell's mission mentions care, communication and IT alike).
        roles = {role for role, words in _ROLE_WORDS.items() if words.search(cell.get("name", ""))}
        if not roles:
            roles = {role for role, words in _ROLE_WORDS.items() if words.search(cell.get("mission", ""))}
        level = cell.get("level")
        if level == "technical":
            roles = (roles - {"strategic"}) | {"technical"}
        elif level == "strategic":
            roles.add("strategic")
        elif level == "operational" and roles - {"strategic"}:
            # "Direction des soins" is a care cell: the word "direction" alone does not make it strategic.
            roles.discard("strategic")
        org_type = self.org_type(cell.get("organisation"))
        if org_type in {"ars", "prefecture", "samu", "ministry"}:
            roles = {f"territorial_{org_type}"}
        return roles

    def recipients(self, roles: tuple[str, ...], establishment: str | None) -> list[str]:
        """Player cells for an inject: the cells of ``establishment`` holding the first role found.

        Falls back to the establishment's strategic cells, then its cells of any role, then to cells
        of the whole exercise in the same order. Returns cell ids (empty only without player cells).
        """
        own = [c for c in self.player_cells if c.get("organisation") == establishment]
        unassigned = [c for c in self.player_cells if not c.get("organisation")]
        for pool in (own or unassigned, self.player_cells):
            for role in (*roles, "strategic"):
                chosen = [c["id"] for c in pool if role in self.cell_roles(c)]
                if chosen:
                    return chosen
            hospital_side = [
                c["id"] for c in pool if not any(r.startswith("territorial") for r in self.cell_roles(c))
            ]
            if hospital_side:
                return hospital_side[:1]
        return [c["id"] for c in self.player_cells[:1]]

    def territorial_cells(self, org_type: str) -> list[str]:
        """Player cells of a territorial organisation type (``ars``, ``prefecture``, ``samu``)."""
        return [c["id"] for c in self.player_cells if self.org_type(c.get("organisation")) == org_type]

    def cell_names(self, cell_ids: list[str]) -> str:
        names = {c["id"]: c["name"] for c in self.scenario.get("cells", [])}
        return ", ".join(names.get(cell_id, cell_id) for cell_id in cell_ids)

    # --- personas ------------------------------------------------------------------------------

    def sender(self, spec: Sender, establishment: str | None) -> dict[str, Any] | None:
        """The best persona for ``spec`` (see :class:`Sender`), or None when no persona fits.

        Preference order: a persona whose organisation has one of ``org_types`` (first type listed
        first, kinds in order); with ``strict`` nobody else. Then a persona whose name or role
        matches ``role_words``; then any persona of the kinds. Within each step, personas of the
        establishment concerned come first when ``own_establishment`` is set, then id order.
        Never invents anyone: the answer is always one of the scenario's personas.
        """

        def best(candidates: list[dict[str, Any]]) -> dict[str, Any]:
            own = (
                [p for p in candidates if p.get("organisation") == establishment]
                if spec.own_establishment
                else []
            )
            return (own or candidates)[0]

        pools = [[p for p in self.personas if p.get("kind") == kind] for kind in spec.persona_kinds]
        for pool in pools:
            typed = sorted(
                (p for p in pool if self.org_type(p.get("organisation")) in spec.org_types),
                key=lambda p: spec.org_types.index(self.org_type(p.get("organisation"))),
            )  # sorted() is stable: id order within each organisation type
            if typed:
                return best(typed)
        if spec.strict:
            return None
        if spec.role_words:
            words = re.compile(spec.role_words, re.I)
            for pool in pools:
                matching = [p for p in pool if words.search(f"{p['name']} {p['role']}")]
                if matching:
                    return best(matching)
        for pool in pools:
            if pool:
                return best(pool)
        return None
