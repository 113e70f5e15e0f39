"""A territorial test scenario and a hand-built timeline for the inject tests.

The scenario is fictitious: a two-hospital group (GHT), its health agency, préfecture, SAMU, CERT
Santé, police, a vendor, the press and the public, each with a persona, and player cells of every
role. The timeline is written by hand (valid against $defs/timeline) so that the generator can be
tested without the propagation engine: detection, an encryption wave, clinical services going
down or degraded (one of them inside the time jump), exfiltration, a blocked restore and a restart.
"""

from __future__ import annotations

import copy
from typing import Any

FAKE_KEY = "sk-test-DO-NOT-LEAK-4242"

_BASE: dict[str, Any] = {
    "schema_version": "1.1",
    "id": "ght-brume",
    "exercise": {
        "title": "GHT des Brumes : rançongiciel de nuit",
        "organiser": "ARS Région Test",
        "language": "fr",
        "type": "strategic",
        "format": "functional",
        "startex": "2025-03-10T08:00:00+01:00",
        "endex": "2025-03-10T16:00:00+01:00",
        "time_model": {
            "scenario_start": "2025-03-10T06:00:00+01:00",
            "segments": [
                {"from": "PT0S", "scenario_offset": "PT0S", "speed": 2, "label": "Matinée accélérée"},
                {"from": "PT2H", "scenario_offset": "PT26H", "speed": 1, "label": "Lendemain"},
            ],
        },
        "safety": {"marking": "EXERCICE - EXERCICE - EXERCICE", "stop_code": "MISTRAL GAGNANT"},
        "ground_truth": "Le groupe Fougère Noire est entré par le VPN avec un compte de prestataire volé.",
    },
    "organisations": [
        {
            "id": "chb",
            "name": "Centre hospitalier de Val-de-Brume",
            "short_name": "CH Val-de-Brume",
            "type": "hospital",
            "member_of": "ght",
            "sites": [{"id": "chb-nord", "name": "Site Nord", "city": "Val-de-Brume"}],
        },
        {
            "id": "cht",
            "name": "Centre hospitalier des Tilleuls",
            "short_name": "CH Tilleuls",
            "type": "hospital",
            "member_of": "ght",
            "fallback_for": ["chb"],
        },
        {"id": "ght", "name": "GHT des Brumes", "type": "ght"},
        {"id": "ars", "name": "ARS Région Test", "type": "ars"},
        {"id": "pref", "name": "Préfecture de la Brume", "type": "prefecture"},
        {"id": "samu", "name": "SAMU 99", "type": "samu"},
        {"id": "certs", "name": "CERT Santé", "type": "cert_sante"},
        {"id": "gend", "name": "Gendarmerie, section cyber", "type": "police"},
        {"id": "editeur", "name": "MediSoft Éditions", "type": "supplier"},
        {"id": "presse", "name": "Le Courrier de la Brume", "type": "media"},
    ],
    "cells": [
        {
            "id": "cdc",
            "name": "Cellule de crise hospitalière",
            "type": "player",
            "level": "strategic",
            "organisation": "chb",
        },
        {
            "id": "dsi",
            "name": "Cellule technique DSI",
            "type": "player",
            "level": "technical",
            "organisation": "chb",
        },
        {
            "id": "soins",
            "name": "Direction des soins",
            "type": "player",
            "level": "operational",
            "organisation": "chb",
        },
        {
            "id": "com",
            "name": "Cellule communication",
            "type": "player",
            "level": "operational",
            "organisation": "chb",
        },
        {
            "id": "cars",
            "name": "Cellule régionale ARS",
            "type": "player",
            "level": "strategic",
            "organisation": "ars",
        },
        {"id": "anim", "name": "Cellule d'animation", "type": "animation"},
        {"id": "obs", "name": "Observateurs", "type": "evaluation"},
    ],
    "personas": [
        {
            "id": "p-soc",
            "name": "Karim Ould",
            "role": "Analyste SOC",
            "kind": "technical",
            "organisation": "editeur",
            "played_by": "anim",
        },
        {
            "id": "p-astreinte",
            "name": "Julie Marchand",
            "role": "Administratrice d'astreinte",
            "kind": "technical",
            "organisation": "chb",
            "played_by": "anim",
        },
        {
            "id": "p-cadre",
            "name": "Sophie Lenoir",
            "role": "Cadre de santé des urgences",
            "kind": "staff",
            "organisation": "chb",
            "played_by": "anim",
        },
        {
            "id": "p-ars",
            "name": "Dr Paul Verger",
            "role": "Cadre d'astreinte ARS",
            "kind": "authority",
            "organisation": "ars",
            "played_by": "anim",
        },
        {
            "id": "p-pref",
            "name": "Claire Dumas",
            "role": "Directrice de cabinet",
            "kind": "authority",
            "organisation": "pref",
            "played_by": "anim",
        },
        {
            "id": "p-cert",
            "name": "Analyste CERT Santé",
            "role": "Analyste de permanence",
            "kind": "authority",
            "organisation": "certs",
            "played_by": "anim",
        },
        {
            "id": "p-gend",
            "name": "Adjudant Morel",
            "role": "Enquêteur cyber",
            "kind": "authority",
            "organisation": "gend",
            "played_by": "anim",
        },
        {
            "id": "p-samu",
            "name": "Dr Anne Royer",
            "role": "Médecin régulateur",
            "kind": "care_network",
            "organisation": "samu",
            "played_by": "anim",
        },
        {
            "id": "p-tilleuls",
            "name": "Marc Petit",
            "role": "Gestionnaire de lits",
            "kind": "care_network",
            "organisation": "cht",
            "played_by": "anim",
        },
        {
            "id": "p-journaliste",
            "name": "Léa Fontaine",
            "role": "Journaliste",
            "kind": "media",
            "organisation": "presse",
            "played_by": "anim",
        },
        {
            "id": "p-famille",
            "name": "Mme Garnier",
            "role": "Fille d'un patient",
            "kind": "public",
            "played_by": "anim",
        },
        {
            "id": "p-editeur",
            "name": "Thomas Brun",
            "role": "Chef de projet",
            "kind": "supplier",
            "organisation": "editeur",
            "played_by": "anim",
        },
        {
            "id": "p-attaquant",
            "name": "Fougère Noire",
            "role": "Groupe rançongiciel",
            "kind": "attacker",
            "in_directory": False,
            "played_by": "anim",
            "notes": "Parle un français approximatif.",
        },
    ],
    "objectives": [
        {
            "id": "obj-alerte",
            "title": "Alerter et activer la cellule de crise",
            "criteria": [{"id": "c1", "text": "Cellule activée en moins d'une heure"}],
        },
        {
            "id": "obj-soins",
            "title": "Assurer la continuité des soins en mode dégradé",
            "criteria": [{"id": "c2", "text": "Fiches réflexes appliquées"}],
        },
        {
            "id": "obj-territoire",
            "title": "Coordonner la réponse territoriale",
            "criteria": [{"id": "c3", "text": "SAMU et ARS informés"}],
        },
        {
            "id": "obj-notif",
            "title": "Notifier les autorités",
            "criteria": [{"id": "c4", "text": "Déclaration et CNIL dans les délais"}],
        },
        {
            "id": "obj-com",
            "title": "Communiquer vers le public",
            "criteria": [{"id": "c5", "text": "Porte-parole unique"}],
        },
        {
            "id": "obj-rien",
            "title": "Tenir le budget annuel",
            "cells": ["cdc"],
            "criteria": [{"id": "c6", "text": "Aucun dépassement"}],
        },
    ],
    "systems": [
        {
            "id": "vpn",
            "name": "VPN prestataires",
            "kind": "network",
            "organisation": "chb",
            "internet_facing": True,
            "links": [{"kind": "reach", "target": "ad", "delay": {"dist": "fixed", "value": "PT1H"}}],
        },
        {
            "id": "ad",
            "name": "Annuaire Active Directory",
            "kind": "identity",
            "organisation": "chb",
            "criticality": 5,
            "links": [{"kind": "reach", "target": "fs", "delay": {"dist": "fixed", "value": "PT30M"}}],
        },
        {
            "id": "fs",
            "name": "Serveur de fichiers",
            "kind": "storage",
            "organisation": "chb",
            "links": [{"kind": "depends", "target": "ad"}],
        },
        {
            "id": "dpi",
            "name": "Dossier patient Orbis",
            "kind": "application",
            "organisation": "chb",
            "criticality": 5,
            "links": [{"kind": "depends", "target": "ad"}],
        },
        {
            "id": "tel",
            "name": "Téléphonie IP",
            "kind": "telephony",
            "organisation": "chb",
            "criticality": 4,
            "links": [{"kind": "depends", "target": "ad"}],
        },
        {
            "id": "sau",
            "name": "Urgences adultes",
            "kind": "clinical_service",
            "organisation": "chb",
            "site": "chb-nord",
            "links": [{"kind": "depends", "target": "dpi"}],
        },
        {
            "id": "rea",
            "name": "Réanimation polyvalente",
            "kind": "clinical_service",
            "organisation": "chb",
            "links": [{"kind": "depends", "target": "dpi"}],
        },
        {
            "id": "labo",
            "name": "Laboratoire de biologie",
            "kind": "clinical_service",
            "organisation": "chb",
            "degraded_mode": {
                "description": "Résultats rendus par téléphone et sur papier.",
                "activation_delay": "PT30M",
                "capacity": 40,
                "max_duration": "PT8H",
            },
            "links": [{"kind": "depends", "target": "dpi"}],
        },
    ],
    "attack": {
        "actor": "Fougère Noire",
        "initial_access": [{"node": "vpn", "at": "PT0S", "vector": "compte prestataire volé"}],
        "detonation": {"trigger": {"on": "credential_obtained"}, "scope": ["compromised"]},
        "exfiltration": [
            {
                "id": "x1",
                "node": "fs",
                "trigger": {"at": "PT1H40M"},
                "data": "des dossiers RH et des comptes rendus d'examens",
                "volume_gb": 48,
            }
        ],
        "ransom": {
            "amount": 2000000,
            "currency": "USD",
            "deadline": "P3D",
            "leak_site": "Fern Leaks",
            "leak_after": "PT20H",
        },
    },
    "injects": [],
    "generation": {"seed": 3, "max_injects_per_cell_per_15min": 3},
}

_EVENTS: list[dict[str, Any]] = [
    {"id": "e01", "minute": 0, "kind": "initial_access", "node": "vpn", "causes": []},
    {"id": "e02", "minute": 40, "kind": "compromised", "node": "ad", "causes": ["e01"]},
    {"id": "e03", "minute": 60, "kind": "detected", "node": "ad", "causes": ["e02"], "detail": "EDR"},
    {"id": "e04", "minute": 100, "kind": "exfiltration", "node": "fs", "causes": ["e02"]},
    {"id": "e05", "minute": 120, "kind": "encrypted", "node": "fs", "causes": ["e02"]},
    {"id": "e06", "minute": 125, "kind": "encrypted", "node": "dpi", "causes": ["e02"]},
    {"id": "e07", "minute": 126, "kind": "down", "node": "dpi", "causes": ["e06"]},
    {"id": "e08", "minute": 128, "kind": "down", "node": "tel", "causes": ["e07"]},
    {"id": "e09", "minute": 130, "kind": "down", "node": "sau", "causes": ["e07"]},
    {"id": "e10", "minute": 132, "kind": "degraded", "node": "labo", "causes": ["e07"]},
    {"id": "e11", "minute": 140, "kind": "down", "node": "rea", "causes": ["e07"]},
    {"id": "e12", "minute": 612, "kind": "degraded_mode_expired", "node": "labo", "causes": ["e10"]},
    {"id": "e13", "minute": 1600, "kind": "restore_blocked", "node": "dpi", "causes": ["e06"]},
    {"id": "e14", "minute": 1800, "kind": "restored", "node": "tel", "causes": ["e08"]},
]


def hospital_scenario(language: str = "fr") -> dict[str, Any]:
    """A fresh copy of the test scenario, in French or English (only exercise.language differs)."""
    scenario = copy.deepcopy(_BASE)
    scenario["exercise"]["language"] = language
    return scenario


def hand_timeline() -> dict[str, Any]:
    """A fresh copy of the hand-built timeline."""
    return {"seed": 0, "engine_version": "hand-built", "events": copy.deepcopy(_EVENTS)}
