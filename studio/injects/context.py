"""Reading a scenario for the inject generator: who is who, which cell plays what, who can send what.

Everything here is a pure function of the scenario dict. Choices between equally good candidates
are made by id order, so the same scenario always routes injects the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from studio.scenario.information import SYMPTOM_EVENTS, persona_function
from studio.scenario.timemodel import TimeModel

HOSPITAL_TYPES = frozenset({"hospital", "university_hospital"})

# Roles a player cell can hold, recognised from its level and from words in its name or mission.
# French and English words, since cells are named in the exercise language.
_GROUP_WORDS = re.compile(r"\bGHT\b|groupement|hospital group|\bgroupe hospitalier", re.I)
# Who may speak for a clinical service: care and management people, not the union or estates.
_CARE_VOICE = re.compile(
    r"cadre|infirm|nurs|soins|m[ée]decin|doctor|physician|chef|administrat\w* de garde|on call"
    r"|de garde|manager|directeur|director|coordinat|sage-femme|midwi|pharmac|biolog",
    re.I,
)
_CARE_MANAGERS = ("night_nurse_manager", "nurse_manager", "ward_nurse")
"""Who may speak for any service of their establishment when it has nobody of its own."""
_NOT_CARE_VOICE = re.compile(r"syndic|union|mainten|techni|estates|s[ée]curit[ée] incendie", re.I)

DUTY_HOURS: dict[str, tuple[int, int, bool]] = {
    "night_nurse_manager": (20 * 60, 9 * 60, False),
    "nurse_manager": (7 * 60, 21 * 60 + 30, False),
}
"""When people of a function are at work, on the scenario's local clock: (from, to) minutes of the
day (to before from: across midnight) and whether only on weekdays. The night nurse manager works
the night (12-hour nights of 20:00–08:00 or 21:00–07:00) and still reports at the morning handover
until 9:00; the day one (or the weekend's nurse manager on call) from 7:00 until the evening
handover (docs/decisions.md). Functions not listed answer at any time (on-call people, authorities'
duty officers, the media)."""

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
    require_role: bool = False
    """Only a persona of ``org_types`` or matching ``role_words`` will do (the SAMU's diversion call
    is not made by any care-network persona)."""
    fallback_org: bool = False
    """Prefer personas of the establishment's fallback organisation (who receives its patients)."""
    exclude_words: str = ""
    """Regular expression on a persona's name and role: such personas never send it (the EHR
    vendor does not send a SIEM alert nor report the restart of the hypervisors)."""
    match_org: bool = False
    """``role_words`` also read the name of the persona's organisation ("MediSoft Éditions")."""
    own_only: bool = False
    """Only personas of the establishment concerned or of its group (GHT) will do."""
    functions: tuple[str, ...] = ()
    """Persona functions (``persona.function``) that send it, best first. When set, a persona with
    one of them is chosen before any other rule, and personas of other functions are never
    chosen by the word rules below."""
    otherwise: Sender | None = None
    """Tried when nobody fits this spec (the SOC alert: a SOC or managed-service persona, else
    the establishment's own IT people)."""


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
        return self.establishments.get(node_id or "", self.main_establishment)

    @cached_property
    def first_symptoms(self) -> dict[str | None, float]:
        """Scenario minute of the first symptom (a system encrypted, down, degraded...) of each
        establishment in the stored timeline: how long its staff have been working without."""
        first: dict[str | None, float] = {}
        for event in (self.scenario.get("timeline") or {}).get("events", []):
            if event["kind"] in SYMPTOM_EVENTS and event.get("node") in self.systems:
                est = self.establishment_of(event["node"])
                first[est] = min(first.get(est, event["minute"]), event["minute"])
        return first

    def services_linking_to(self, node: str) -> list[str]:
        """The clinical services with a link to ``node``, id order (an index built once)."""
        return list(self._services_linking_to.get(node, ()))

    @cached_property
    def _services_linking_to(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for sid in sorted(self.systems):
            system = self.systems[sid]
            if system.get("kind") != "clinical_service":
                continue
            targets = {link.get("target") for link in system.get("links", []) if isinstance(link, dict)}
            for target in targets:
                if isinstance(target, str):
                    index.setdefault(target, []).append(sid)
        return index

    def kind_ranks(self, kind: str | None, establishment: str | None) -> dict[str, int]:
        """Position (id order) of each system of ``kind`` among those of ``establishment``, cached."""
        key = (kind, establishment)
        ranks = self._kind_ranks.get(key)
        if ranks is None:
            same = sorted(self._systems_by_kind.get(key, ()))
            ranks = self._kind_ranks[key] = {sid: position for position, sid in enumerate(same)}
        return ranks

    @cached_property
    def _kind_ranks(self) -> dict[tuple[str | None, str | None], dict[str, int]]:
        return {}

    @cached_property
    def _systems_by_kind(self) -> dict[tuple[str | None, str | None], list[str]]:
        """Systems by (kind, establishment), in document order."""
        groups: dict[tuple[str | None, str | None], list[str]] = {}
        establishments = self.establishments
        for sid, system in self.systems.items():
            groups.setdefault((system.get("kind"), establishments[sid]), []).append(sid)
        return groups

    @cached_property
    def establishments(self) -> dict[str, str | None]:
        """:meth:`establishment_of` of every system, computed once (generation asks it per event)."""
        hospitals = {org for org, spec in self.organisations.items() if spec.get("type") in HOSPITAL_TYPES}
        main = self.main_establishment
        return {
            sid: org if (org := system.get("organisation")) in hospitals else main
            for sid, system in self.systems.items()
        }

    def reachable(self, establishment: str | None, org: str) -> bool:
        """Whether patients of ``establishment`` can be sent to ``org`` now, by road, helicopter or sea.

        With ``territory.transfers``, only along a declared route whose required territory variable
        is not closed (an air evacuation is never an immediate fallback: it is decided by the ARS
        and the ministry hours ahead); without, any organisation on the territory. An organisation
        located off the territory is never reachable this way.
        """
        location = self.organisations.get(org, {}).get("location") or {}
        if location.get("off_territory"):
            return False
        territory = self.scenario.get("territory") or {}
        routes = territory.get("transfers")
        if not isinstance(routes, list):
            return True
        closed = {v["id"] for v in territory.get("variables", []) if v.get("value") == "closed"}
        return any(
            {route.get("from"), route.get("to")} == {establishment, org}
            and route.get("mode") in {"road", "helicopter", "sea"}
            and route.get("requires") not in closed
            for route in routes
        )

    def fallback_for(self, establishment: str | None) -> str | None:
        """A reachable organisation that receives the patients of ``establishment`` (declared first,
        else a peer); None when none can be reached."""
        found = self.fallback_orgs(establishment)
        return found[0] if found else None

    def fallback_orgs(self, establishment: str | None) -> list[str]:
        """Reachable organisations declared as receiving the patients of ``establishment``, then its
        reachable peers (see :meth:`reachable`)."""
        declared = sorted(
            o for o, spec in self.organisations.items() if establishment in spec.get("fallback_for", [])
        )
        peers = sorted(
            o
            for o, spec in self.organisations.items()
            if spec.get("type") in HOSPITAL_TYPES and o != establishment and o not in declared
        )
        return [org for org in declared + peers if self.reachable(establishment, org)]

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

    def group_of(self, establishment: str | None) -> str | None:
        """The group (GHT) an establishment belongs to, if any."""
        group = self.organisations.get(establishment or "", {}).get("member_of")
        return group if self.org_type(group) == "ght" else None

    def group_cells(self, establishment: str | None) -> list[dict[str, Any]]:
        """Player cells working for the whole group of ``establishment``: cells of the GHT itself, and
        cells named for the GHT (``Cellule technique du GHT``) of a member establishment."""
        group = self.group_of(establishment)
        if group is None:
            return []
        members = {o for o, spec in self.organisations.items() if spec.get("member_of") == group}
        return [
            c
            for c in self.player_cells
            if c.get("organisation") == group
            or (
                c.get("organisation") in members
                and c.get("organisation") != establishment
                and _GROUP_WORDS.search(c.get("name", ""))
            )
        ]

    def recipients(self, roles: tuple[str, ...], establishment: str | None) -> list[str]:
        """Player cells for an inject: the cells of ``establishment`` holding the first role found.

        For each role, the establishment's own cells come first, then the cells working for its
        whole group (GHT). Falls back to the strategic cells (own, then group), then its cells of any
        role, then to cells of the whole exercise in the same order. Returns cell ids (empty only
        without player cells).
        """
        own = [c for c in self.player_cells if c.get("organisation") == establishment]
        unassigned = [c for c in self.player_cells if not c.get("organisation")]
        group = self.group_cells(establishment)
        for pools in (((own or unassigned), group), (self.player_cells,)):
            for role in (*roles, "strategic"):
                for pool in pools:
                    chosen = [c["id"] for c in pool if role in self.cell_roles(c)]
                    if chosen:
                        return chosen
            for pool in pools:
                hospital_side = [
                    c["id"] for c in pool if not any(r.startswith("territorial") for r in self.cell_roles(c))
                ]
                if hospital_side:
                    return hospital_side[:1]
        return [c["id"] for c in self.player_cells[:1]]

    def own_cells(self, roles: tuple[str, ...], establishment: str | None) -> list[str]:
        """The establishment's own (then its group's) cells holding one of ``roles``; no fallback."""
        for pool in (
            [c for c in self.player_cells if c.get("organisation") == establishment],
            self.group_cells(establishment),
        ):
            chosen = [c["id"] for c in pool if self.cell_roles(c) & set(roles)]
            if chosen:
                return chosen
        return []

    def territorial_cells(self, org_type: str | tuple[str, ...]) -> list[str]:
        """Player cells of territorial organisation types (``ars``, ``prefecture``, ``samu``)."""
        types = (org_type,) if isinstance(org_type, str) else org_type
        return [c["id"] for c in self.player_cells if self.org_type(c.get("organisation")) in types]

    def plays(self, org_type: str) -> bool:
        """True when a player cell belongs to an organisation of this type (the ARS plays...)."""
        return bool(self.territorial_cells(org_type))

    def cell_names(self, cell_ids: list[str]) -> str:
        names = {c["id"]: c["name"] for c in self.scenario.get("cells", [])}
        return ", ".join(names.get(cell_id, cell_id) for cell_id in cell_ids)

    # --- personas ------------------------------------------------------------------------------

    def on_duty(self, persona: dict[str, Any], when: datetime) -> bool:
        """True when ``persona`` is at work at ``when`` (scenario local time; :data:`DUTY_HOURS`)."""
        hours = DUTY_HOURS.get(self.function_of(persona))
        if hours is None:
            return True
        start, end, weekdays = hours
        if weekdays and when.weekday() >= 5:
            return False
        minute = when.hour * 60 + when.minute
        return start <= minute < end if start < end else minute >= start or minute < end

    def off_duty(self, scenario_minute: float) -> frozenset[str]:
        """Ids of the personas not at work at ``scenario_minute`` (:meth:`on_duty`)."""
        when = self.time_model.scenario_origin + timedelta(minutes=scenario_minute)
        return frozenset(p["id"] for p in self.personas if not self.on_duty(p, when))

    def sender(
        self, spec: Sender, establishment: str | None, absent: frozenset[str] = frozenset()
    ) -> dict[str, Any] | None:
        """The best persona for ``spec`` (see :class:`Sender`), or None when no persona fits.

        Preference order: a persona whose organisation has one of ``org_types`` (first type listed
        first, kinds in order); with ``strict`` nobody else. Then a persona whose name or role
        matches ``role_words``; then any persona of the kinds. Within each step, personas of the
        establishment concerned come first when ``own_establishment`` is set, then id order.
        Personas matching ``exclude_words`` never send it; with ``own_only`` only the people of
        the establishment or its group do. When nobody fits, ``otherwise`` is tried.
        Never invents anyone: the answer is always one of the scenario's personas; never one of
        ``absent`` (people off duty at that time).
        """

        def best(candidates: list[dict[str, Any]]) -> dict[str, Any]:
            own = (
                [p for p in candidates if p.get("organisation") == establishment]
                if spec.own_establishment
                else []
            )
            return (own or candidates)[0]

        present = [p for p in self.personas if p["id"] not in absent]
        found = self._by_function(spec, establishment, best, present) if spec.functions else None
        if found is None:
            found = self._sender(spec, establishment, best, present)
        if found is None and spec.otherwise is not None:
            return self.sender(spec.otherwise, establishment, absent)
        return found

    def function_of(self, persona: dict[str, Any]) -> str:
        """The persona's function (declared, else inferred from its role; see studio.scenario.information)."""
        return self._functions.get(persona["id"]) or persona_function(persona, self.organisations)

    @cached_property
    def _functions(self) -> dict[str, str]:
        return {p["id"]: persona_function(p, self.organisations) for p in self.personas}

    def _by_function(
        self,
        spec: Sender,
        establishment: str | None,
        best: Callable[[list[dict[str, Any]]], dict[str, Any]],
        present: list[dict[str, Any]],
    ) -> dict[str, Any] | None:
        home = {establishment, self.group_of(establishment)} - {None}
        for function in spec.functions:
            people = [
                p
                for p in present
                if self.function_of(p) == function and (not spec.own_only or p.get("organisation") in home)
            ]
            if spec.fallback_org:
                # Only someone of a hospital the patients can reach now (never the mainland by road).
                receivers = self.fallback_orgs(establishment)
                people = [p for org in receivers for p in people if p.get("organisation") == org]
            if people and spec.role_words:
                # Among people of one function, those whose role says it (the provider's incident
                # manager, not its chief executive, sends a SOC alert).
                words = re.compile(spec.role_words, re.I)
                people = [p for p in people if words.search(self._persona_text(p))] or people
            if people:
                return best(people)
        return None

    def function_sender(
        self,
        establishment: str | None,
        functions: tuple[str, ...],
        rotation: int,
        absent: frozenset[str] = frozenset(),
    ) -> dict[str, Any] | None:
        """Who speaks for a service of ``establishment``: a person of one of ``functions`` (first
        found), else one of its care managers and nurses; people of the establishment, then of its
        group. ``rotation`` spreads services over several such people. None when nobody fits."""
        group = self.group_of(establishment)
        for org in (establishment, group):
            if not org:
                continue
            people = [p for p in self.personas if p.get("organisation") == org and p["id"] not in absent]
            for wanted in (*((f,) for f in functions), _CARE_MANAGERS):
                found = [p for p in people if self.function_of(p) in wanted]
                if found:
                    return found[rotation % len(found)]
        return None

    def _sender(
        self,
        spec: Sender,
        establishment: str | None,
        best: Callable[[list[dict[str, Any]]], dict[str, Any]],
        present: list[dict[str, Any]],
    ) -> dict[str, Any] | None:
        excluded = re.compile(spec.exclude_words, re.I) if spec.exclude_words else None
        home = {establishment, self.group_of(establishment)} - {None}
        pools = [
            [
                p
                for p in present
                if p.get("kind") == kind
                and not (spec.functions and p.get("function"))
                and not (excluded and excluded.search(f"{p['name']} {p['role']}"))
                and (not spec.own_only or p.get("organisation") in home)
            ]
            for kind in spec.persona_kinds
        ]
        if spec.fallback_org:
            receivers = self.fallback_orgs(establishment)
            for org in receivers:
                for pool in pools:
                    found = [p for p in pool if p.get("organisation") == org]
                    if found:
                        return found[0]
            if (
                spec.require_role
                or spec.strict
                or any(p.get("organisation") in self.organisations for pool in pools for p in pool)
            ):
                return None
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
                matching = [p for p in pool if words.search(self._persona_text(p, spec.match_org))]
                if matching:
                    return best(matching)
        if spec.require_role:
            return None
        for pool in pools:
            if pool:
                return best(pool)
        return None

    def _persona_text(self, persona: dict[str, Any], with_org: bool = False) -> str:
        """A persona's name and role (and its organisation's name) for matching words."""
        text = f"{persona['name']} {persona['role']}"
        return f"{text} {self.org_name(persona.get('organisation')) or ''}" if with_org else text

    def service_sender(
        self,
        establishment: str | None,
        words: str,
        rotation: int,
        others: str = "",
        absent: frozenset[str] = frozenset(),
    ) -> dict[str, Any] | None:
        """Who reports a service's outage: a persona of the establishment whose name or role matches
        the service's ``words`` (the lab's biologist, the ED's triage nurse), else one of its care or
        management people (``rotation`` spreads the services over them, so that different services
        speak with different voices when the scenario offers several), preferring those who do not
        belong to another service (``others``: the words of the other services); else such a person
        of its group (GHT). None when nobody fits: the caller falls back to the kind's usual sender."""
        group = self.group_of(establishment)
        for org in (establishment, group):
            if not org:
                continue
            people = [
                p
                for p in self.personas
                if p.get("organisation") == org
                and p["id"] not in absent
                and p.get("kind") in {"staff", "other", "care_network", "technical"}
                and not _NOT_CARE_VOICE.search(f"{p['name']} {p['role']}")
            ]
            if words:
                pattern = re.compile(words, re.I)
                own_voice = [p for p in people if pattern.search(f"{p['name']} {p['role']}")]
                if own_voice:
                    return own_voice[rotation % len(own_voice)]
            care = [
                p
                for p in people
                if p.get("kind") in {"staff", "other"} and _CARE_VOICE.search(f"{p['name']} {p['role']}")
            ]
            if others:
                elsewhere = re.compile(others, re.I)
                generic = [p for p in care if not elsewhere.search(f"{p['name']} {p['role']}")]
                care = generic or care
            if care:
                return care[rotation % len(care)]
        return None
