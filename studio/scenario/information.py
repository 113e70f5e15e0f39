"""The information model: who learns of the crisis, from whom, and when.

A French hospital cyber crisis is learnt by people one after the other: a night nurse sees her
screens go black, calls the night nurse manager, who calls the IT on call and the director on call,
who convenes the crisis cell, which calls the SAMU and the ARS, which calls the préfecture... An
exercise is credible only when its injects respect that order: nobody acts on what has not reached
them, and no cell is played before the alert reaches it.

This module computes, from a scenario and its simulated timeline, when each *actor* (cell or
persona) learns of the crisis, on the scenario clock:

* **observers** learn it by seeing it: people of a hit establishment whose function is on the
  wards or at the desk (``field`` functions) when the first system of their establishment is hit;
  SOC and managed-service people when the attack is detected; the attacker from the start;
* everyone else learns it through ``information.alert_chain``: a link ``from → to`` with a delay
  means ``to`` knows ``delay`` after ``from`` knows (shortest path, Dijkstra);
* the **diagnosis** ("it is an attack") comes later: from a ransom note, a SOC alert, or the IT
  people ``information.diagnosis_delay`` after they learnt of the symptoms; an actor can speak of
  an attack only once it knows of the crisis *and* the diagnosis has been made.

A player cell whose ``activation`` is ``alert`` is active from the moment it learns of the crisis;
other cells are active from STARTEX. Scenarios without an alert chain get the default chain of
:func:`default_alert_chain` (the migration to schema 1.1 writes it into the file so the designer
sees and edits it).
"""

from __future__ import annotations

import heapq
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from studio.durations import parse_minutes

FIELD_FUNCTIONS = frozenset(
    {
        "night_nurse_manager",
        "nurse_manager",
        "ward_nurse",
        "emergency_physician",
        "intensivist",
        "physician",
        "midwife",
        "biologist",
        "pharmacist",
        "radiologist",
        "biomedical_engineer",
        "switchboard_operator",
        "admissions_agent",
    }
)
"""People on the wards and at the desks: they see symptoms in their own hands, never a diagnosis."""

TECHNICAL_FUNCTIONS = frozenset(
    {
        "it_on_call",
        "it_manager",
        "ciso",
        "soc_analyst",
        "managed_service_engineer",
        "software_vendor",
        "hosting_provider",
        "telecom_provider",
        "cert_sante_analyst",
        "anssi_analyst",
        "grades_operator",
    }
)
"""People who may say what is technically going on, once the diagnosis has been made."""

DETECTING_FUNCTIONS = frozenset({"soc_analyst", "managed_service_engineer", "hosting_provider"})
"""People who learn of the attack from their own supervision, when the simulation detects it."""

EXTERNAL_FUNCTIONS = frozenset(
    {
        "ars_duty_officer",
        "cert_sante_analyst",
        "anssi_analyst",
        "prefecture_duty_officer",
        "zone_staff_officer",
        "corruss_officer",
        "military_liaison",
        "police_investigator",
        "cnil_agent",
    }
)
"""Regional and national actors: silent during ``information.external_silence`` after the first
symptom, unless the chain brings them the alert sooner (which the chain's delays already say)."""

SYMPTOM_EVENTS = frozenset({"encrypted", "down", "degraded", "isolated", "shutdown", "internet_cut"})
"""Timeline events that someone on site can notice."""

DIAGNOSIS_EVENTS = frozenset({"detected"})
DEFAULT_DIAGNOSIS_DELAY = 45.0
DEFAULT_EXTERNAL_SILENCE = 30.0
HOSPITAL_TYPES = frozenset({"hospital", "university_hospital"})


# --- persona functions: inference for documents written before schema 1.1 ----------------------

_FUNCTION_WORDS: tuple[tuple[str, str], ...] = (
    (r"cadre.*nuit|night.*(nurs|manager)|cadre de garde", "night_nurse_manager"),
    (r"r[ée]gulat|dispatcher|\bsamu\b", "samu_regulator"),
    (r"urgentiste|emergency (physician|doctor)|m[ée]decin.*urgence", "emergency_physician"),
    (r"r[ée]animat|intensiv", "intensivist"),
    (r"biolog|laborat", "biologist"),
    (r"pharmac", "pharmacist"),
    (r"radiolog|manipulat", "radiologist"),
    (r"biom[ée]dical", "biomedical_engineer"),
    (r"sage-femme|midwi", "midwife"),
    (r"standard|switchboard|accueil t[ée]l", "switchboard_operator"),
    (r"admission|bureau des entr", "admissions_agent"),
    (r"cadre de sant[ée]|nurse manager|cadre sup", "nurse_manager"),
    (r"infirmi|nurse", "ward_nurse"),
    (r"\bsoc\b|analyste|analyst|supervision de s[ée]curit", "soc_analyst"),
    (r"infog[ée]r|exploitation|managed|\bmsp\b", "managed_service_engineer"),
    (r"[ée]diteur|vendor|software", "software_vendor"),
    (r"h[ée]berge|hosting|incident manager|chief executive", "hosting_provider"),
    (r"t[ée]l[ée]com|liaisons|operator of the links|fournisseur d", "telecom_provider"),
    (r"rssi|\bciso\b|s[ée]curit[ée] des syst", "ciso"),
    (r"\bdsi\b|directeur des syst|it director|\bdnum\b", "it_manager"),
    (
        r"astreinte informatique|informatique|support informatique|it on.call|helpdesk|hotline|\bit\b",
        "it_on_call",
    ),
    (
        r"administrat\w* de garde|directeur de garde|director on call|astreinte de direction",
        "director_on_call",
    ),
    (r"directeur g[ée]n[ée]ral|chief executive officer|general director", "general_director"),
    (r"\bcme\b|directeur m[ée]dical|medical director", "medical_director"),
    (r"communicat|presse de l|press officer", "communication_officer"),
    (r"\bdpo\b|d[ée]l[ée]gu[ée] à la protection", "dpo"),
    (r"syndic|repr[ée]sentant|union|staff representative", "union_representative"),
    (r"mainten|technicien d|services techniques|estates", "maintenance_agent"),
    (r"corruss|minist", "corruss_officer"),
    (r"[ée]tat-major|zone|emiz", "zone_staff_officer"),
    (r"fazsoi|arm[ée]e|militaire|military", "military_liaison"),
    (r"cert sant|appui à la r[ée]ponse|incident response support", "cert_sante_analyst"),
    (r"cert-fr|anssi", "anssi_analyst"),
    (r"gendarm|police|enqu[êe]t|cybercrim|investigat|anti-cybercrim", "police_investigator"),
    (r"\bcnil\b", "cnil_agent"),
    (r"\bars\b|agence r[ée]gionale|health agency", "ars_duty_officer"),
    (r"pr[ée]fect|sidpc|\bcod\b", "prefecture_duty_officer"),
    (r"plateformes r[ée]gionales|grades|e-sant[ée]", "grades_operator"),
    (r"[ée]lu|maire|mayor", "elected_official"),
    (r"assur|insur", "insurer"),
    (r"journalist|m[ée]dia|radio|t[ée]l[ée]vision|chaîne|presse|press\b|trade press", "journalist"),
    (r"r[ée]seaux sociaux|social media|veill", "social_media_watcher"),
    (r"famil|parent|proche|relative", "family_member"),
    (r"patient|public", "patient"),
    (
        r"accueil des [ée]vacuations|directeur de garde du|receiving hospital|bed manager|cheff?e de la r",
        "fallback_hospital_manager",
    ),
)

_KIND_FUNCTIONS = {
    "attacker": "attacker",
    "media": "journalist",
    "public": "patient",
    "care_network": "fallback_hospital_manager",
    "technical": "it_on_call",
    "supplier": "software_vendor",
}
_ORG_FUNCTIONS = {
    "ars": "ars_duty_officer",
    "prefecture": "prefecture_duty_officer",
    "samu": "samu_regulator",
    "cert_sante": "cert_sante_analyst",
    "anssi": "anssi_analyst",
    "ministry": "corruss_officer",
    "cnil": "cnil_agent",
    "police": "police_investigator",
    "grades": "grades_operator",
    "media": "journalist",
    "hosting_provider": "hosting_provider",
}


def infer_function(persona: dict[str, Any], organisations: dict[str, dict[str, Any]]) -> str:
    """Best guess of a persona's ``function`` from its kind, organisation and role words.

    Used once, to upgrade documents written before functions existed; the result is written into
    the document, where the designer can correct it. Order of evidence: the attacker kind, then
    the role's words (in the order of :data:`_FUNCTION_WORDS`), then the organisation's type, then
    the persona kind.
    """
    # Old files reach this before validation: a value of the wrong type counts as absent (validation
    # then points at it) instead of failing as a dict key.
    kind = _text(persona.get("kind"))
    if kind == "attacker":
        return "attacker"
    organisation = organisations.get(_text(persona.get("organisation")))
    org_type = _text(organisation.get("type")) if isinstance(organisation, dict) else ""
    text = f"{_text(persona.get('role'))} {_text(persona.get('name'))}"
    words = next((f for pattern, f in _FUNCTION_WORDS if re.search(pattern, text, re.IGNORECASE)), None)
    if org_type in _ORG_FUNCTIONS and words not in {"journalist", "social_media_watcher"}:
        # An agency's persona speaks for the agency, whatever its title says.
        return _ORG_FUNCTIONS[org_type]
    if kind == "care_network" and not re.search(r"\bsamu\b|centre 15|dispatcher", text, re.IGNORECASE):
        return "fallback_hospital_manager"
    return words or _KIND_FUNCTIONS.get(kind, "other")


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def persona_function(persona: dict[str, Any], organisations: dict[str, dict[str, Any]]) -> str:
    """The persona's declared function, else the inferred one."""
    declared = persona.get("function")
    return declared if isinstance(declared, str) else infer_function(persona, organisations)


# --- the default alert chain ---------------------------------------------------------------------


def default_alert_chain(scenario: dict[str, Any], *, observers: bool = False) -> list[dict[str, Any]]:
    """The usual French chain between the scenario's cells and personas (exercise-dynamics §1).

    Inside each hospital: its field people call its technical cell (15 min) and its strategic cell
    (30 min); the strategic cell convenes its other cells (30 min) and its communication (1 h). Out
    of it: the strategic cell calls the SAMU (30 min), the ARS (1 h), the GHT's other hospitals
    (45 min), reports on the portal to CERT Santé (2 h), files a complaint (4 h) and notifies the
    CNIL (8 h); the ARS informs the préfecture and the ministry (1 h); CERT Santé the ANSSI (1 h);
    the SAMU the fallback hospitals (30 min); staff and patients talk to the press (3 h) and to
    families (1 h). Links are listed in a stable order (by source, then target).

    A hospital with no persona on its wards still has staff who notice the symptoms: with
    ``observers`` its links start from :func:`field_observer` (an actor of the model, never written
    into a scenario); without, they are left out.
    """
    organisations = {o["id"]: o for o in scenario.get("organisations", []) if isinstance(o, dict)}
    cells = [c for c in scenario.get("cells", []) if isinstance(c, dict) and c.get("type") == "player"]
    personas = [p for p in scenario.get("personas", []) if isinstance(p, dict)]
    functions = {p["id"]: persona_function(p, organisations) for p in personas}

    def org_of(actor: dict[str, Any]) -> str | None:
        return actor.get("organisation")

    def type_of(org: str | None) -> str | None:
        return organisations.get(org or "", {}).get("type")

    hospitals = sorted(o for o, spec in organisations.items() if spec.get("type") in HOSPITAL_TYPES)
    main = _main_hospital(cells, organisations) or (hospitals[0] if hospitals else None)

    def hospital_of(actor: dict[str, Any]) -> str | None:
        org = org_of(actor)
        return (
            org
            if type_of(org) in HOSPITAL_TYPES
            else (main if org is None or type_of(org) == "ght" else None)
        )

    def cells_of(org: str | None, levels: Iterable[str] | None = None) -> list[str]:
        """Cells of ``org``; cells that name no organisation play for the main hospital."""
        wanted = set(levels) if levels else None
        return [
            c["id"]
            for c in cells
            if (c.get("organisation") == org or (not c.get("organisation") and org == main and org))
            and (wanted is None or c.get("level") in wanted)
        ]

    def strategic(org: str | None) -> list[str]:
        return cells_of(org, ("strategic",)) or cells_of(org)[:1]

    def personas_of(function_names: set[str], org_types: set[str] | None = None) -> list[str]:
        return [
            p["id"]
            for p in personas
            if functions[p["id"]] in function_names
            and (org_types is None or type_of(org_of(p)) in org_types or org_of(p) is None)
        ]

    links: dict[tuple[str, str], tuple[str, str]] = {}

    def link(source: str, target: str, delay: str, channel: str = "phone") -> None:
        if source != target and (source, target) not in links:
            links[(source, target)] = (delay, channel)

    hit_hospitals = sorted(
        {h for h in (hospital_of(p) for p in personas) if h}
        | set(cells_of_orgs(cells, organisations))
        | ({main} if main and any(not c.get("organisation") for c in cells) else set())
    )
    for hospital in hit_hospitals:
        own_cells = cells_of(hospital)
        group = organisations.get(hospital, {}).get("member_of")
        group_cells = cells_of(group) if group else []
        technical = [
            c["id"] for c in cells if c["id"] in own_cells + group_cells and c.get("level") == "technical"
        ]
        heads = strategic(hospital) or [c for c in group_cells if c not in technical][:1]
        field_people = [
            p["id"] for p in personas if functions[p["id"]] in FIELD_FUNCTIONS and hospital_of(p) == hospital
        ] or [field_observer(hospital)]
        own_it = [
            p["id"]
            for p in personas
            if functions[p["id"]] in {"it_on_call", "it_manager", "ciso"} and hospital_of(p) == hospital
        ]
        own_directors = [
            p["id"]
            for p in personas
            if functions[p["id"]] in {"director_on_call", "general_director"} and hospital_of(p) == hospital
        ]
        for person in field_people:
            for target in technical + own_it:
                link(person, target, "PT15M")
            for target in heads + own_directors:
                link(person, target, "PT30M")
        for head in heads:
            for target in own_cells + group_cells:
                if target in heads or target in technical:
                    continue
                level = next((c.get("level") for c in cells if c["id"] == target), None)
                link(head, target, "PT1H" if level != "operational" else "PT30M")
            for target in technical:
                link(head, target, "PT30M")
            for other in hit_hospitals:
                if other != hospital and organisations.get(other, {}).get("member_of") == group and group:
                    for target in strategic(other):
                        link(head, target, "PT45M")
            for target in personas_of({"samu_regulator"}) + _cells_of_type(cells, organisations, "samu"):
                link(head, target, "PT30M")
            for target in personas_of({"ars_duty_officer"}) + _cells_of_type(cells, organisations, "ars"):
                link(head, target, "PT1H")
            for target in personas_of({"cert_sante_analyst"}):
                link(head, target, "PT2H", "portal_declaration")
            for target in personas_of({"police_investigator"}):
                link(head, target, "PT4H", "in_person")
            for target in personas_of({"cnil_agent"}):
                link(head, target, "PT8H", "portal_declaration")
            for target in personas_of({"software_vendor", "hosting_provider", "telecom_provider", "insurer"}):
                link(head, target, "PT1H")
            for target in personas_of({"union_representative", "maintenance_agent"}):
                link(head, target, "PT1H", "in_person")
        for person in field_people:
            for target in personas_of({"journalist", "social_media_watcher"}):
                link(person, target, "PT3H", "social_post")
            for target in personas_of({"family_member", "patient"}):
                link(person, target, "PT1H")
    ars = personas_of({"ars_duty_officer"}) + _cells_of_type(cells, organisations, "ars")
    for source in ars:
        for target in personas_of({"prefecture_duty_officer", "zone_staff_officer"}) + _cells_of_type(
            cells, organisations, "prefecture"
        ):
            link(source, target, "PT1H")
        for target in personas_of({"corruss_officer"}):
            link(source, target, "PT1H")
        for target in personas_of({"fallback_hospital_manager"}):
            link(source, target, "PT1H")
        for target in personas_of({"grades_operator", "elected_official"}):
            link(source, target, "PT2H")
    prefecture = personas_of({"prefecture_duty_officer"}) + _cells_of_type(cells, organisations, "prefecture")
    for source in prefecture:
        for target in personas_of({"military_liaison", "zone_staff_officer", "elected_official"}):
            link(source, target, "PT1H")
    for source in personas_of({"cert_sante_analyst"}):
        for target in personas_of({"anssi_analyst"}):
            link(source, target, "PT1H")
    samu = personas_of({"samu_regulator"}) + _cells_of_type(cells, organisations, "samu")
    for source in samu:
        for target in personas_of({"fallback_hospital_manager"}):
            link(source, target, "PT30M")
        for target in ars:
            link(source, target, "PT1H")
    for source in personas_of({"hosting_provider", "soc_analyst", "managed_service_engineer"}):
        for target in [c["id"] for c in cells if c.get("level") == "technical"]:
            link(source, target, "PT15M", "email")
        for target in [
            c["id"]
            for c in cells
            if c.get("level") == "strategic" and type_of(c.get("organisation")) in HOSPITAL_TYPES
        ]:
            link(source, target, "PT30M")
    for source in personas_of({"journalist"}):
        for target in [c["id"] for c in cells if _is_communication(c)]:
            link(source, target, "PT15M")
    return [
        {"from": source, "to": target, "delay": delay, "channel": channel}
        for (source, target), (delay, channel) in sorted(links.items())
        if observers or not source.startswith("@")
    ]


def field_observer(hospital: str) -> str:
    """The actor that stands for a hospital's staff when the scenario has no persona on its wards:
    they notice the symptoms and raise the alert like a night nurse manager would."""
    return f"@field:{hospital}"


def cells_of_orgs(cells: list[dict[str, Any]], organisations: dict[str, dict[str, Any]]) -> list[str]:
    """Hospitals that have player cells."""
    return sorted(
        {
            c["organisation"]
            for c in cells
            if organisations.get(c.get("organisation") or "", {}).get("type") in HOSPITAL_TYPES
        }
    )


def _cells_of_type(
    cells: list[dict[str, Any]], organisations: dict[str, dict[str, Any]], org_type: str
) -> list[str]:
    return [
        c["id"] for c in cells if organisations.get(c.get("organisation") or "", {}).get("type") == org_type
    ]


def _is_communication(cell: dict[str, Any]) -> bool:
    return bool(
        re.search(r"\bcom|presse|press|m[ée]dia", f"{cell.get('id', '')} {cell.get('name', '')}", re.I)
    )


def _main_hospital(cells: list[dict[str, Any]], organisations: dict[str, dict[str, Any]]) -> str | None:
    counts: dict[str, int] = {}
    for cell in cells:
        org = cell.get("organisation")
        if organisations.get(org or "", {}).get("type") in HOSPITAL_TYPES:
            counts[org] = counts.get(org, 0) + 1
    return min(counts, key=lambda org: (-counts[org], org)) if counts else None


# --- knowledge -------------------------------------------------------------------------------


@dataclass
class Knowledge:
    """When each actor learns of the crisis and of the diagnosis (scenario minutes; ``inf``: never).

    ``learns_from[actor]`` is the actor whose message brought the alert (None for observers), the
    sender of an activation inject when it is a persona.
    """

    knows: dict[str, float] = field(default_factory=dict)
    learns_from: dict[str, str | None] = field(default_factory=dict)
    channel: dict[str, str] = field(default_factory=dict)
    diagnosis: dict[str | None, float] = field(default_factory=dict)
    """Per establishment (None: anywhere), when someone first knows it is an attack."""
    first_symptom: dict[str | None, float] = field(default_factory=dict)
    functions: dict[str, str] = field(default_factory=dict)
    establishment: dict[str, str | None] = field(default_factory=dict)
    """The hospital an actor belongs to (None for outside actors)."""

    def knows_at(self, actor: str) -> float:
        return self.knows.get(actor, math.inf)

    def knows_attack_at(self, actor: str) -> float:
        """When ``actor`` can speak of an attack: it knows of the crisis and someone has diagnosed it
        (in its own establishment, else anywhere)."""
        if self.functions.get(actor) == "attacker":
            return -math.inf
        own = self.establishment.get(actor)
        diagnosis = (
            self.diagnosis.get(own, self.diagnosis.get(None, math.inf))
            if own
            else self.diagnosis.get(None, math.inf)
        )
        return max(self.knows_at(actor), diagnosis)


def ready_at(knowledge: Knowledge, scenario: dict[str, Any], actor: str, needs_diagnosis: bool) -> float:
    """Scenario minute from which ``actor`` may send a message: once it knows of the crisis (and of
    the diagnosis when the message speaks of an attack); regional and national actors not before
    ``information.external_silence`` after the first symptom. ``inf``: never."""
    ready = knowledge.knows_attack_at(actor) if needs_diagnosis else knowledge.knows_at(actor)
    if knowledge.functions.get(actor) in EXTERNAL_FUNCTIONS and None in knowledge.first_symptom:
        ready = max(ready, knowledge.first_symptom[None] + external_silence(scenario))
    return ready


def chain_links(scenario: dict[str, Any]) -> list[dict[str, Any]]:
    """The scenario's alert chain, or the default one when it declares none."""
    information = scenario.get("information") or {}
    declared = information.get("alert_chain")
    return list(declared) if isinstance(declared, list) else default_alert_chain(scenario)


def compute_knowledge(scenario: dict[str, Any], events: list[dict[str, Any]]) -> Knowledge:
    """When every cell and persona learns of the crisis (see the module doc), from the timeline
    ``events`` (sorted or not) and the alert chain."""
    organisations = {o["id"]: o for o in scenario.get("organisations", [])}
    systems = {s["id"]: s for s in scenario.get("systems", [])}
    personas = {p["id"]: p for p in scenario.get("personas", [])}
    cells = {c["id"]: c for c in scenario.get("cells", [])}
    information = scenario.get("information") or {}
    player_cells = [c for c in cells.values() if c.get("type") == "player"]
    main = _main_hospital(player_cells, organisations)
    hospitals = {o for o, spec in organisations.items() if spec.get("type") in HOSPITAL_TYPES}

    def hospital_of_org(org: str | None) -> str | None:
        if org in hospitals:
            return org
        if org is None or organisations.get(org, {}).get("type") == "ght":
            return main
        return None

    def system_hospital(node: str | None) -> str | None:
        system = systems.get(node or "")
        org = system.get("organisation") if system else None
        if org in hospitals:
            return org
        return main if org is None or organisations.get(org, {}).get("type") == "ght" else org

    result = Knowledge()
    for pid, persona in personas.items():
        result.functions[pid] = persona_function(persona, organisations)
        result.establishment[pid] = hospital_of_org(persona.get("organisation"))
    for cid, cell in cells.items():
        result.establishment[cid] = (
            hospital_of_org(cell.get("organisation")) if cell.get("organisation") else None
        )

    ordered = sorted(events, key=lambda e: (e.get("minute", 0.0), e.get("id", "")))
    first_encrypted: dict[str | None, float] = {}  # per establishment (None: anywhere)
    detected = math.inf
    for event in ordered:
        kind = event.get("kind")
        if kind in SYMPTOM_EVENTS and event.get("node") in systems:
            est = system_hospital(event.get("node"))
            result.first_symptom.setdefault(est, float(event["minute"]))
            result.first_symptom.setdefault(None, float(event["minute"]))
        if kind in DIAGNOSIS_EVENTS and detected == math.inf:
            detected = float(event["minute"])
        if kind == "encrypted":
            first_encrypted.setdefault(system_hospital(event.get("node")), float(event["minute"]))
            first_encrypted.setdefault(None, float(event["minute"]))

    # Observers: the attacker, field people of a hit establishment, detecting people.
    start: dict[str, float] = {}
    for pid in personas:
        function = result.functions[pid]
        if function == "attacker":
            start[pid] = -math.inf
        elif function in FIELD_FUNCTIONS:
            est = result.establishment[pid]
            seen = result.first_symptom.get(est, math.inf) if est else math.inf
            if seen < math.inf:
                start[pid] = seen
        elif function in DETECTING_FUNCTIONS and detected < math.inf:
            start[pid] = detected
    links = chain_links(scenario)
    for est, minute in result.first_symptom.items():
        has_field = any(
            result.functions.get(pid) in FIELD_FUNCTIONS and result.establishment.get(pid) == est
            for pid in personas
        )
        if est is not None and est in hospitals and not has_field:
            # Nobody on the wards is played: the staff still notice, and call as usual.
            observer = field_observer(est)
            start[observer] = minute
            result.establishment[observer] = est
            if not any(link.get("from") == observer for link in links if isinstance(link, dict)):
                links += [
                    link for link in default_alert_chain(scenario, observers=True) if link["from"] == observer
                ]
    # Dijkstra over the chain.
    graph: dict[str, list[tuple[str, float, str]]] = {}
    for link in links:
        if not isinstance(link, dict):
            continue
        try:
            delay = parse_minutes(link["delay"])
        except (KeyError, TypeError, ValueError):
            continue
        graph.setdefault(link.get("from", ""), []).append(
            (link.get("to", ""), delay, link.get("channel", "phone"))
        )
    heap = [(minute, actor, "") for actor, minute in start.items()]
    heapq.heapify(heap)
    for actor, minute in start.items():
        result.knows[actor] = minute
        result.learns_from[actor] = None
    done: set[str] = set()
    while heap:
        minute, actor, _ = heapq.heappop(heap)
        if actor in done:
            continue
        done.add(actor)
        for target, delay, channel in sorted(graph.get(actor, [])):
            reached = minute + delay
            if reached < result.knows.get(target, math.inf):
                result.knows[target] = reached
                result.learns_from[target] = actor
                result.channel[target] = channel
                heapq.heappush(heap, (reached, target, actor))

    diagnosis_delay = _duration(information.get("diagnosis_delay"), DEFAULT_DIAGNOSIS_DELAY)
    for est in {*result.first_symptom, None}:
        candidates = [detected]
        # The IT people of the establishment (or of the group) diagnose after looking.
        for actor, minute in result.knows.items():
            function = result.functions.get(actor)
            cell = cells.get(actor)
            technical = function in TECHNICAL_FUNCTIONS or (
                cell is not None and cell.get("level") == "technical"
            )
            if (
                technical
                and minute > -math.inf
                and (est is None or result.establishment.get(actor) in {est, None})
            ):
                candidates.append(minute + diagnosis_delay)
        # A ransom note printed or shown on screens says it to everyone there.
        if est in first_encrypted and scenario.get("attack", {}).get("ransom"):
            candidates.append(first_encrypted[est])
        # Without IT people, a ransom note or a detection, somebody still names it in the end.
        candidates.append(result.first_symptom.get(est, math.inf) + 3 * diagnosis_delay)
        result.diagnosis[est] = min(candidates)
    return result


def _duration(value: Any, default: float) -> float:
    try:
        return parse_minutes(value) if isinstance(value, str) else default
    except ValueError:
        return default


def external_silence(scenario: dict[str, Any]) -> float:
    """Minutes after the first symptom during which regional and national actors say nothing."""
    return _duration((scenario.get("information") or {}).get("external_silence"), DEFAULT_EXTERNAL_SILENCE)


def cell_activation(scenario: dict[str, Any], cell: dict[str, Any]) -> str:
    """``startex`` or ``alert`` (see the schema's cell.activation)."""
    value = cell.get("activation")
    return value if value in {"startex", "alert"} else "startex"
