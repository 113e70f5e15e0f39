"""supplier-compromise: a health-data hosting provider is compromised and hits several establishments.

Anchors (hospital-systems.md, incidents.md): supplier incidents made up about 40 % of reports in one
year and hit hundreds of structures at once; vendors and certified hosts reach hospitals through
remote-maintenance tools and shared support accounts; the hospital that loses its directory loses
almost everything, the others lose what the supplier hosts or administers.
"""

from __future__ import annotations

from typing import Any

from catalogue_data import ADMIN_LOGON, RDP_MOVE, depends, reach, tri
from common import (
    SAFETY_MARKING,
    control_cells,
    glossary,
    hospital_cells,
    objectives,
    on,
    organisation,
    personas_from_rows,
    rating_scale,
    reflex_sheets,
    segment,
    site,
    standard_playbooks,
)

from studio.graph.catalogue import hospital_template, instantiate

FILE_NAME = "supplier-compromise.json"
PROVIDER = "medisphere"
MSP = "msp"
ANIMATION = "cell-animation"

# (organisation id, prefix, name, short name, profile, site id, city, beds, ED visits, EHR hosted)
ESTABLISHMENTS = (
    (
        "ch-valmont",
        "val",
        "Valmont General Hospital",
        "Valmont",
        "ch",
        "site-valmont",
        "Valmont",
        540,
        120,
        False,
    ),
    (
        "clinique-saint-roch",
        "str",
        "Saint-Roch Clinic",
        "Saint-Roch",
        "small",
        "site-saint-roch",
        "Valmont",
        190,
        30,
        True,
    ),
    (
        "ch-lormes",
        "lor",
        "Lormes Community Hospital",
        "Lormes",
        "small",
        "site-lormes",
        "Lormes",
        140,
        35,
        True,
    ),
)


def _systems() -> list[dict[str, Any]]:
    """The provider's platform and support credentials, then each establishment it manages."""
    provider = instantiate(
        ("hds-platform", "cred-vendor"), organisation=PROVIDER, site="site-dc", prefix=MSP, language="en"
    )
    platform = provider[0]
    platform["links"] = [
        reach(f"{MSP}-cred-vendor", tri("PT10M", "PT30M", "PT2H"), "theft of the provider's support vault"),
    ]
    systems = list(provider)
    for org_id, prefix, _name, _short, profile, site_id, *_rest, hosted in ESTABLISHMENTS:
        hospital = hospital_template(
            org_id,
            site_id,
            prefix,
            profile=profile,
            language="en",
            shared={"cred-vendor": f"{MSP}-cred-vendor"},
        )
        by_ref = {system["catalogue_ref"]: system for system in hospital}
        platform["links"].append(
            reach(
                f"{prefix}-vendor-access",
                tri("PT30M", "PT2H", "PT6H"),
                "push through the provider's RMM agent",
            )
        )
        if hosted:
            by_ref["dpi"]["links"].append(depends(f"{MSP}-hds-platform", "EHR hosted by Medisphere"))
            by_ref["pas"]["links"].append(depends(f"{MSP}-hds-platform", "PAS hosted by Medisphere"))
        else:
            # The provider also manages the IT admin jump hosts of its largest customer.
            by_ref["vendor-access"]["links"].append(
                reach(
                    f"{prefix}-admin-workstation",
                    RDP_MOVE,
                    "support account is local admin on the IT jump hosts",
                    requires=f"{MSP}-cred-vendor",
                )
            )
            by_ref["vendor-access"]["links"].append(
                reach(
                    f"{prefix}-backup-online",
                    ADMIN_LOGON,
                    "backup appliance managed by the provider",
                    requires=f"{MSP}-cred-vendor",
                )
            )
        systems += hospital
    return systems


def build() -> dict[str, Any]:
    systems = _systems()
    crisis_cells = [f"cell-direction-{prefix}" for _, prefix, *_ in ESTABLISHMENTS]
    return {
        "schema_version": "1.0",
        "id": "supplier-compromise",
        "exercise": _exercise(),
        "organisations": _organisations(),
        "cells": _cells(),
        "personas": _personas(),
        "objectives": objectives(
            "en",
            ("alert", "care", "territory", "legal", "communication", "technical", "recovery"),
            {
                "alert": crisis_cells,
                "care": ["cell-soins-val", *crisis_cells],
                "territory": crisis_cells,
                "legal": crisis_cells,
                "communication": ["cell-com-val", *crisis_cells],
                "technical": ["cell-dsi-val"],
                "recovery": ["cell-dsi-val", "cell-direction-val"],
            },
        ),
        "rating_scale": rating_scale("en"),
        "systems": systems,
        "attack": _attack(),
        "playbooks": standard_playbooks(
            systems,
            "en",
            exposed_zones=[f"{prefix}-dmz" for _, prefix, *_ in ESTABLISHMENTS],
            extra_actions=[
                {
                    "id": "provider-offline",
                    "action": "isolate_node",
                    "targets": [f"{MSP}-hds-platform"],
                    "label": "Medisphere takes its hosting platform offline for all customers",
                    "trigger": on("detected", "PT1H"),
                },
                {
                    "id": "provider-back",
                    "action": "restore",
                    "targets": [f"{MSP}-hds-platform"],
                    "label": "Medisphere brings the cleaned platform back",
                    "trigger": on("detected", "P2D"),
                },
            ],
        ),
        "injects": [],
        "reflex_sheets": reflex_sheets(
            "en",
            {
                "agent": [],
                "direction": crisis_cells,
                "care": ["cell-soins-val"],
                "legal": crisis_cells,
                "communication": ["cell-com-val"],
                "technical": ["cell-dsi-val"],
            },
        ),
        "glossary": glossary(
            "en",
            {
                "RMM": "Remote monitoring and management tool a provider uses to administer its customers.",
                "Shared support account": "One login used by a supplier's staff for many customers; a "
                "single theft opens them all.",
            },
        ),
        "generation": {"seed": 2611, "max_injects_per_cell_per_15min": 3, "contingency": True},
    }


def _exercise() -> dict[str, Any]:
    return {
        "title": "Trusted hands: a hosting provider compromise across three establishments",
        "subtitle": "Cyber crisis exercise for the Valmont area establishments (fictional)",
        "organiser": "Valmont General Hospital with the regional health agency",
        "language": "en",
        "type": "strategic",
        "format": "functional",
        "startex": "2026-06-16T09:00:00+02:00",
        "endex": "2026-06-16T16:00:00+02:00",
        "milestones": [
            {"name": "Concept and objectives meeting", "date": "2026-03-10"},
            {"name": "MSEL review", "date": "2026-05-19"},
            {"name": "Hot wash", "date": "2026-06-16"},
            {"name": "After-action review", "date": "2026-07-07"},
        ],
        "time_model": {
            "scenario_start": "2026-06-12T20:00:00+02:00",
            "segments": [
                segment("PT0S", "PT0S", 116, "Friday night to Monday dawn: the intrusion spreads (fast)"),
                segment("PT30M", "P2DT10H", 1, "Monday: encryption found, real time"),
                segment("PT4H", "P3DT13H", 2, "Jump to Tuesday morning: the supplier's picture emerges"),
            ],
        },
        "safety": {
            "marking": SAFETY_MARKING["en"],
            "stop_code": "BLUE HERON",
            "real_incident_procedure": (
                "Anyone who sees a real incident says BLUE HERON to the exercise director; play stops in "
                "every cell until the director announces that it resumes."
            ),
        },
        "context": (
            "Three establishments of the Valmont area (fictional) depend on Medisphere, a certified "
            "health-data hosting provider. Medisphere hosts the EHR and patient administration of Saint-Roch "
            "Clinic and Lormes Community Hospital, and provides managed IT services to Valmont General "
            "Hospital (540 beds, host of the area's emergency dispatch centre): server administration, "
            "backups and remote support through a remote-management agent installed on customer servers. "
            "Medisphere's support staff share one privileged account per customer."
        ),
        "scope": {
            "in_scope": [
                "Alert and activation in each establishment",
                "Cutting and restoring the supplier's access",
                "Continuity of care when hosted applications are unavailable",
                "Coordination between establishments, the supplier and the regional health agency",
                "Reporting, contract and legal steps",
                "Aligned communication",
            ],
            "out_of_scope": ["Real changes to production systems", "Real contact with the supplier"],
        },
        "artificialities": [
            "The supplier, the authorities and the media are played by the control cell.",
            "Time runs fast before Monday morning and jumps to Tuesday after the lunch break.",
            "Saint-Roch and Lormes play with their crisis cells only; their other teams are simulated.",
        ],
        "rules_of_play": [
            "Every message carries EXERCISE - EXERCISE - EXERCISE.",
            "Cells keep a time-stamped log.",
            "Outside calls go through the exercise directory only.",
            "BLUE HERON stops play at once.",
        ],
        "ground_truth": (
            "On Friday evening a ransomware affiliate logs into Medisphere's remote-management console with "
            "an engineer's stolen session and reads the vault of customer support accounts. Over the weekend "
            "it pushes its tools through the management agent to the database and EHR servers of all three "
            "customers. At Valmont the support account is local admin on the IT jump hosts, where a domain "
            "admin session is cached: the attacker takes the domain controllers, the hypervisors and the "
            "online backups Medisphere manages and, early on Monday, encrypts every server it has touched; "
            "without the directory nobody can log on at Valmont. At Saint-Roch and Lormes only "
            "the servers it touched are encrypted, but their hosted EHR and admissions stop when Medisphere "
            "takes its platform offline to clean it. Medisphere's first notice reaches customers six hours "
            "after its own detection and says little."
        ),
        "source_incidents": ["CERT Santé 2021 supplier incidents", "Rouen-2019", "Villefranche-2021"],
    }


def _organisations() -> list[dict[str, Any]]:
    establishments = [
        organisation(
            org_id,
            name,
            "hospital",
            short_name=short,
            sites=[site(site_id, name, city, beds)],
            beds=beds,
            ed_visits_per_day=visits,
        )
        for org_id, _prefix, name, short, _profile, site_id, city, beds, visits, _hosted in ESTABLISHMENTS
    ]
    return [
        organisation(
            PROVIDER,
            "Medisphere",
            "hosting_provider",
            sites=[site("site-dc", "Medisphere datacentre", "Lyon")],
            description="Fictional certified health-data host and managed-service provider.",
        ),
        *establishments,
        organisation(
            "chu-regional",
            "Regional University Hospital",
            "university_hospital",
            fallback_for=["ch-valmont", "clinique-saint-roch", "ch-lormes"],
            beds=1900,
        ),
        organisation("ars", "Regional health agency (ARS)", "ars"),
        organisation("cert-sante", "CERT Santé", "cert_sante"),
        organisation("cnil", "CNIL", "cnil"),
        organisation("police", "National cybercrime office", "police"),
        organisation("ehr-vendor", "EHR software vendor", "supplier"),
        organisation("media", "Press", "media"),
    ]


def _cells() -> list[dict[str, Any]]:
    valmont = hospital_cells(
        "en",
        "ch-valmont",
        {
            "direction": "Monday 06:00: the on-call executive hears that no one can log on and that ransom "
            "notes are on the screens.",
            "dsi": "The on-call engineer finds the hypervisors and online backups encrypted; Medisphere's "
            "hotline does not answer.",
            "soins": "The EHR, lab results and the ED board are down; monitors and phones work.",
            "com": "A local reporter calls the switchboard at 07:10.",
        },
        suffix="-val",
        name_suffix=" - Valmont",
    )
    others = []
    for org_id, prefix, _name, short, *_ in ESTABLISHMENTS[1:]:
        others += hospital_cells(
            "en",
            org_id,
            {
                "direction": "Monday 08:00: the hosted EHR is slow, then unreachable; a database server "
                "shows a ransom note. Medisphere has sent nothing yet."
            },
            suffix=f"-{prefix}",
            name_suffix=f" - {short}",
        )
    return [*valmont, *others, *control_cells("en")]


def _personas() -> list[dict[str, Any]]:
    rows = [
        (
            "attacker",
            "'Glasswing' affiliate",
            "Ransomware operator",
            "attacker",
            None,
            ["email", "leak_site"],
            "Asks each establishment separately; offers Medisphere a 'group price' of $4M.",
            False,
        ),
        (
            "msp-incident",
            "Karim Dufour",
            "Medisphere incident manager",
            "supplier",
            PROVIDER,
            ["phone", "email", "video_call"],
            "Reluctant to share indicators; first notice six hours late.",
            True,
        ),
        (
            "msp-ceo",
            "Anne-Sophie Roux",
            "Medisphere chief executive",
            "supplier",
            PROVIDER,
            ["video_call", "email"],
            "Wants one joint statement with all customers.",
            True,
        ),
        (
            "ehr-vendor",
            "EHR vendor support lead",
            "Software vendor",
            "supplier",
            "ehr-vendor",
            ["phone", "email"],
            "Can reinstall the EHR elsewhere in 10 days.",
            True,
        ),
        (
            "ars-duty",
            "Dr Claire Neveu",
            "Regional health agency duty officer",
            "authority",
            "ars",
            ["phone", "email"],
            "Asks for a consolidated picture of the three establishments.",
            True,
        ),
        (
            "cert-sante",
            "CERT Santé analyst",
            "Incident response support",
            "authority",
            "cert-sante",
            ["phone", "email"],
            "Reveals that two other Medisphere customers in another region are hit.",
            True,
        ),
        (
            "cnil",
            "Data breach desk",
            "CNIL",
            "authority",
            "cnil",
            ["email"],
            "Asks who is controller and who is processor for the hosted data.",
            True,
        ),
        (
            "police",
            "Lieutenant Marc Olivier",
            "Cybercrime investigator",
            "authority",
            "police",
            ["phone", "in_person"],
            "Wants logs from both the supplier and the hospitals.",
            True,
        ),
        (
            "samu",
            "Dr Léa Martin",
            "SAMU dispatcher",
            "care_network",
            "ch-valmont",
            ["phone", "radio"],
            "Needs to know where to send patients.",
            True,
        ),
        (
            "regional-chu",
            "Bed manager of the Regional University Hospital",
            "Receiving hospital",
            "care_network",
            "chu-regional",
            ["phone"],
            "Can take 8 ICU patients over 24 h.",
            True,
        ),
        (
            "insurer",
            "Cyber insurer's claims handler",
            "Insurance",
            "other",
            None,
            ["phone", "email"],
            "Asks for approval before any spending on incident response.",
            True,
        ),
        (
            "trade-press",
            "Health IT trade journalist",
            "Media",
            "media",
            "media",
            ["email", "press_article"],
            "Has a screenshot of Medisphere's status page.",
            True,
        ),
        (
            "patient",
            "Patient whose surgery was cancelled",
            "Public",
            "public",
            None,
            ["phone", "social_post"],
            "Posts angrily about the clinic.",
            True,
        ),
        (
            "union",
            "Staff union representative",
            "Staff",
            "staff",
            "ch-valmont",
            ["email"],
            "Asks why a supplier could reach everything.",
            True,
        ),
    ]
    night_managers = [
        (
            f"night-manager-{prefix}",
            f"Night nursing manager - {short}",
            "Night nursing manager",
            "staff",
            org_id,
            ["phone", "in_person"],
            "Reports the state of the wards of the establishment and what they need.",
            True,
        )
        for org_id, prefix, _name, short, *_ in ESTABLISHMENTS
    ]
    return personas_from_rows([*rows, *night_managers], ANIMATION)


def _attack() -> dict[str, Any]:
    da = "val-cred-da"
    return {
        "actor": "'Glasswing', a ransomware affiliate specialised in managed-service providers",
        "initial_access": [
            {
                "node": f"{MSP}-hds-platform",
                "at": "PT30M",
                "vector": "Stolen session on the provider's RMM console",
            }
        ],
        "dwell": "P2D",
        "detonation": {
            "trigger": on("credential_obtained", "PT2H", da),
            # Each establishment has its own directory and the engine's domain_joined scope spans the
            # whole scenario, so encryption is limited to what the attacker actually touched.
            "scope": ["compromised", "backups"],
            "off_hours": {"start": "01:00", "end": "05:00"},
        },
        "exfiltration": [
            {
                "id": "exfil-hosted-ehr",
                "node": "str-sql-db",
                "trigger": on("compromised", "PT6H", "str-sql-db"),
                "data": "Hosted EHR database of Saint-Roch Clinic",
                "volume_gb": 35,
            }
        ],
        "detection": [
            {
                "type": "scripted",
                "trigger": on("encrypted", "PT30M"),
                "source": "Ransom notes on Valmont screens, reported by the night staff",
            },
            {
                "type": "scripted",
                "trigger": on("initial_access", "P3D"),
                "source": "Medisphere's SOC flags the RMM console session in its weekly log review",
            },
        ],
        "ransom": {
            "amount": 4000000,
            "currency": "USD",
            "deadline": "P7D",
            "leak_site": "Glasswing leak site",
            "leak_after": "P10D",
        },
    }
