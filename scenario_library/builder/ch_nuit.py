"""ch-rancongiciel-nuit: a mid-size hospital hit by ransomware at night.

Anchors (incidents.md): ransom notes printed on the printers in the middle of the night and the
emergency department closed for 24 hours, reassessed every 12 hours (Armentières, February 2024); a
crisis cell within about four hours of the alert; patient lists leaked two weeks later.
"""

from __future__ import annotations

from typing import Any

from catalogue_data import tri
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

from studio.graph.catalogue import hospital_template

FILE_NAME = "ch-rancongiciel-nuit.json"
ORG = "ch-belcourt"
P = "chb"
ANIMATION = "cell-animation"


def build() -> dict[str, Any]:
    systems = hospital_template(ORG, "site-belcourt", P, profile="ch", language="fr")
    return {
        "schema_version": "1.0",
        "id": "ch-rancongiciel-nuit",
        "exercise": _exercise(),
        "organisations": _organisations(),
        "cells": _cells(),
        "personas": _personas(),
        "objectives": objectives(
            "fr",
            ("alert", "care", "territory", "legal", "communication", "technical"),
            {
                "alert": ["cell-direction", "cell-dsi"],
                "care": ["cell-soins", "cell-direction"],
                "territory": ["cell-direction", "cell-soins"],
                "legal": ["cell-direction"],
                "communication": ["cell-com", "cell-direction"],
                "technical": ["cell-dsi"],
            },
        ),
        "rating_scale": rating_scale("fr"),
        "systems": systems,
        "attack": _attack(),
        "playbooks": standard_playbooks(
            systems,
            "fr",
            exposed_zones=[f"{P}-dmz", f"{P}-users"],
            extra_actions=[
                {
                    "id": "close-emergency",
                    "action": "shutdown",
                    "targets": [f"{P}-svc-emergency"],
                    "label": "Fermeture des urgences aux arrivées, régulation par le SAMU",
                    "trigger": on("detected", "PT2H"),
                },
                {
                    "id": "reopen-emergency",
                    "action": "restore",
                    "targets": [f"{P}-svc-emergency"],
                    "label": "Réouverture des urgences après 24 heures, en mode dégradé",
                    "trigger": on("detected", "P1DT2H"),
                },
            ],
        ),
        "injects": [],
        "reflex_sheets": reflex_sheets(
            "fr",
            {
                "agent": [],
                "direction": ["cell-direction"],
                "care": ["cell-soins"],
                "legal": ["cell-direction"],
                "communication": ["cell-com"],
                "technical": ["cell-dsi"],
            },
        ),
        "glossary": glossary(
            "fr",
            {
                "Délestage": "Orientation des patients vers d'autres établissements par le SAMU quand un "
                "service ne peut plus les accueillir.",
                "Note de rançon": "Message de l'attaquant affiché ou imprimé, qui revendique le "
                "chiffrement et "
                "donne le moyen de le contacter.",
            },
        ),
        "generation": {"seed": 1102, "max_injects_per_cell_per_15min": 3, "contingency": True},
    }


def _exercise() -> dict[str, Any]:
    return {
        "title": "Nuit noire à Belcourt: rançongiciel au centre hospitalier",
        "subtitle": "Exercice de gestion de crise cyber du centre hospitalier de Belcourt (fictif)",
        "organiser": "Direction du centre hospitalier de Belcourt, avec l'appui de l'ARS",
        "language": "fr",
        "type": "strategic",
        "format": "functional",
        "startex": "2026-03-19T09:00:00+01:00",
        "endex": "2026-03-19T17:00:00+01:00",
        "milestones": [
            {"name": "Réunion de cadrage", "date": "2026-01-15"},
            {"name": "Validation du chronogramme", "date": "2026-02-26"},
            {"name": "RETEX à chaud", "date": "2026-03-19"},
            {"name": "RETEX à froid et plan d'action", "date": "2026-04-09"},
        ],
        "time_model": {
            "scenario_start": "2026-03-12T21:00:00+01:00",
            "segments": [
                segment("PT0S", "PT0S", 57, "Jeudi soir au samedi nuit: la compromission passe inaperçue"),
                segment("PT30M", "P1DT4H30M", 1, "Nuit de samedi: notes de rançon et premières heures"),
                segment("PT4H", "P1DT11H", 2, "Samedi matin: cellule de crise et mode dégradé"),
                segment("PT6H", "P1DT17H", 6, "Samedi après-midi au dimanche: réévaluation des urgences"),
            ],
        },
        "safety": {
            "marking": SAFETY_MARKING["fr"],
            "stop_code": "PERCE-NEIGE",
            "real_incident_procedure": (
                "Tout joueur ou animateur qui constate un incident réel (patient, sécurité, informatique) "
                "prononce le mot PERCE-NEIGE auprès du directeur d'exercice: le jeu s'arrête, "
                "l'incident réel "
                "est traité par les circuits habituels, la reprise est annoncée par le directeur d'exercice."
            ),
        },
        "context": (
            "Le centre hospitalier de Belcourt (fictif) compte 620 lits et places, reçoit environ "
            "150 passages "
            "par jour aux urgences et héberge le SAMU-Centre 15 du département. Il est membre du GHT des "
            "Trois Vallées, dont l'établissement support est le CHU de Marvaux. Son système d'information "
            "repose sur un annuaire unique, une ferme de virtualisation et un dossier patient informatisé "
            "connecté au laboratoire, à l'imagerie et à la pharmacie. Une partie de l'exploitation de nuit "
            "est confiée à un infogérant. La nuit de vendredi à samedi est calme; l'administrateur de garde "
            "est d'astreinte à domicile."
        ),
        "scope": {
            "in_scope": [
                "Alerte et activation de la cellule de crise hospitalière",
                "Continuité des soins en mode dégradé, dont la fermeture temporaire des urgences",
                "Relations avec le SAMU, l'ARS, le CERT Santé, la CNIL et les forces de l'ordre",
                "Communication interne et externe",
                "Décisions techniques de confinement et de priorités de redémarrage",
            ],
            "out_of_scope": [
                "Manipulation réelle du système d'information",
                "Transferts réels de patients",
                "Négociation effective avec l'attaquant",
            ],
        },
        "artificialities": [
            "Aucun système réel n'est touché: l'état du système d'information est décrit par les stimuli.",
            "Le temps est accéléré et comporte des sauts; l'heure du scénario est affichée en salle.",
            "Les interlocuteurs extérieurs (ARS, SAMU, presse, attaquant...) sont joués par l'animation.",
            "Les effectifs présents sont ceux d'un samedi, quelle que soit l'heure réelle de l'exercice.",
        ],
        "rules_of_play": [
            "Chaque message d'exercice porte la mention EXERCICE - EXERCICE - EXERCICE.",
            "Les joueurs agissent comme en situation réelle et tiennent une main courante.",
            "Les appels vers l'extérieur passent par l'annuaire de l'exercice, jamais par les vrais numéros.",
            "Une décision qui demanderait un délai réel est annoncée à l'animation, qui en donne l'effet.",
            "Le mot PERCE-NEIGE arrête immédiatement le jeu.",
        ],
        "ground_truth": (
            "Jeudi soir, un affilié d'un service de rançongiciel exploite une vulnérabilité non corrigée de "
            "la passerelle VPN et récupère les identifiants d'un agent. Il rebondit sur les postes de "
            "travail, vole des identifiants en mémoire, obtient un compte de service par kerberoasting puis "
            "une session d'administrateur du domaine restée ouverte sur un poste de la DSI. Vendredi, il "
            "copie depuis le serveur de fichiers des exports de listes de patients. Dans la nuit de vendredi "
            "à samedi vers 01h30, il pousse le chiffrement par stratégie de groupe sur toutes les machines "
            "jointes au domaine, tente d'effacer les copies de sauvegarde immuables et lance l'impression "
            "de notes de rançon sur toutes les imprimantes. Le cadre de nuit des urgences découvre les "
            "feuilles vers 01h50. La centrale de surveillance biomédicale, la téléphonie et la régulation "
            "du SAMU, sur des réseaux séparés, restent disponibles. L'attaquant publie un échantillon de "
            "données deux semaines plus tard s'il n'est pas payé."
        ),
        "source_incidents": ["Armentières-2024", "CHSF-2022", "Rouen-2019"],
    }


def _organisations() -> list[dict[str, Any]]:
    return [
        organisation(
            ORG,
            "Centre hospitalier de Belcourt",
            "hospital",
            short_name="CH Belcourt",
            member_of="ght-trois-vallees",
            sites=[site("site-belcourt", "Site principal", "Belcourt", 620)],
            beds=620,
            ed_visits_per_day=150,
            description="Centre hospitalier fictif de taille moyenne, siège du SAMU départemental.",
        ),
        organisation(
            "ght-trois-vallees",
            "GHT des Trois Vallées",
            "ght",
            description="Groupement hospitalier de territoire fictif; établissement support: CHU de Marvaux.",
        ),
        organisation(
            "chu-marvaux",
            "CHU de Marvaux",
            "university_hospital",
            member_of="ght-trois-vallees",
            fallback_for=[ORG],
            beds=1800,
            description="CHU fictif de recours, à 35 km, qui reçoit les patients délestés.",
        ),
        organisation("clinique-du-parc", "Clinique du Parc", "hospital", fallback_for=[ORG], beds=180),
        organisation("ars", "Agence régionale de santé - délégation départementale", "ars"),
        organisation("cert-sante", "CERT Santé (Agence du numérique en santé)", "cert_sante"),
        organisation("anssi", "ANSSI / CERT-FR", "anssi"),
        organisation("cnil", "CNIL", "cnil"),
        organisation("police", "Police nationale - antenne cybercriminalité", "police"),
        organisation("prefecture", "Préfecture du département", "prefecture"),
        organisation("infogerant", "Infogérant d'exploitation de nuit", "supplier"),
        organisation("editeur-dpi", "Éditeur du DPI", "supplier"),
        organisation("media", "Presse régionale", "media"),
    ]


def _cells() -> list[dict[str, Any]]:
    situations = {
        "direction": (
            "Samedi, 02h10: l'administrateur de garde est réveillé par le cadre de nuit. Des feuilles "
            "menaçantes sortent des imprimantes et plusieurs postes affichent un écran de rançon. Vous "
            "êtes appelés à rejoindre l'hôpital."
        ),
        "dsi": (
            "L'ingénieur d'astreinte reçoit un appel à 02h05: plus personne ne peut ouvrir de session, "
            "les partages réseau sont inaccessibles et des fichiers portent une extension inconnue."
        ),
        "soins": (
            "Les services de nuit constatent que le DPI, le logiciel des urgences et les résultats de "
            "laboratoire sont inaccessibles. Le téléphone et les moniteurs fonctionnent."
        ),
        "com": "La responsable de la communication est jointe à 06h00 par la direction.",
    }
    locations = {
        "direction": "Salle du conseil, bâtiment administratif",
        "dsi": "Bureau de la DSI, hors du réseau de l'établissement",
        "soins": "Bureau de la direction des soins",
    }
    return hospital_cells("fr", ORG, situations, locations=locations) + control_cells("fr")


def _personas() -> list[dict[str, Any]]:
    people = [
        (
            "attacker",
            "NoxLocker (affilié)",
            "Opérateur du rançongiciel",
            "attacker",
            None,
            ["printer_ransom_note", "leak_site", "email"],
            "Exige 1,2 million de dollars en bitcoins sous 7 jours; se dit « respectueux des "
            "hôpitaux »; menace "
            "de publier les listes de patients.",
            False,
        ),
        (
            "night-manager",
            "Sandrine Lefort",
            "Cadre de santé de nuit",
            "staff",
            ORG,
            ["phone", "in_person"],
            "Donne la première alerte; décrit les feuilles imprimées.",
            True,
        ),
        (
            "ars-duty",
            "Dr Paul Verdier",
            "Médecin d'astreinte de l'ARS",
            "authority",
            "ars",
            ["phone", "email"],
            "Demande un point de situation toutes les 4 heures et la capacité des urgences.",
            True,
        ),
        (
            "samu-regulator",
            "Dr Nadia Benali",
            "Médecin régulateur du SAMU-Centre 15",
            "care_network",
            ORG,
            ["phone", "radio"],
            "Demande la posture des urgences et organise l'orientation des patients.",
            True,
        ),
        (
            "chu-bed-manager",
            "Marc Delattre",
            "Directeur de garde du CHU de Marvaux",
            "care_network",
            "chu-marvaux",
            ["phone"],
            "Accepte les transferts au cas par cas; demande les dossiers papier.",
            True,
        ),
        (
            "cert-sante",
            "Analyste du CERT Santé",
            "Appui à la réponse à incident",
            "authority",
            "cert-sante",
            ["phone", "email"],
            "Rappelle la déclaration sur le portail et propose un appui.",
            True,
        ),
        (
            "cnil-agent",
            "Service des violations de données",
            "Agent de la CNIL",
            "authority",
            "cnil",
            ["email"],
            "Rappelle le délai de 72 heures après la découverte de la fuite.",
            True,
        ),
        (
            "police",
            "Capitaine Hugo Marchal",
            "Enquêteur cybercriminalité",
            "authority",
            "police",
            ["phone", "in_person"],
            "Demande le dépôt de plainte et la conservation des journaux.",
            True,
        ),
        (
            "prefecture",
            "Directrice de cabinet du préfet",
            "Préfecture",
            "authority",
            "prefecture",
            ["phone"],
            "S'inquiète de l'effet sur la population et des urgences fermées.",
            True,
        ),
        (
            "msp-engineer",
            "Technicien d'astreinte de l'infogérant",
            "Exploitation de nuit",
            "technical",
            "infogerant",
            ["phone", "ticket"],
            "Avait reçu une alerte EDR jeudi soir, restée sans suite.",
            True,
        ),
        (
            "dpi-vendor",
            "Support de l'éditeur du DPI",
            "Éditeur",
            "supplier",
            "editeur-dpi",
            ["phone", "email"],
            "Propose de se connecter à distance pour aider: à refuser tant que le "
            "confinement n'est pas terminé.",
            True,
        ),
        (
            "journalist",
            "Claire Jourdan",
            "Journaliste de la presse régionale",
            "media",
            "media",
            ["phone", "press_article", "social_post"],
            "A reçu une photo d'une note de rançon d'un agent.",
            True,
        ),
        (
            "family",
            "Fils d'une patiente hospitalisée",
            "Famille",
            "public",
            None,
            ["phone"],
            "Ne trouve pas sa mère, transférée dans la nuit; s'énerve au standard.",
            True,
        ),
        (
            "union",
            "Délégué syndical",
            "Représentant du personnel",
            "staff",
            ORG,
            ["email", "in_person"],
            "Dénonce la charge de travail du mode dégradé et demande un CSE extraordinaire.",
            True,
        ),
        (
            "maintenance",
            "Agent des services techniques",
            "Maintenance",
            "other",
            ORG,
            ["phone"],
            "Demande si les pirates contrôlent aussi l'eau et les ascenseurs (bruit).",
            True,
        ),
        (
            "anssi",
            "Permanence opérationnelle de l'ANSSI",
            "CERT-FR",
            "authority",
            "anssi",
            ["phone", "email"],
            "Propose un appui si l'incident s'étend au GHT; demande les indicateurs de compromission.",
            True,
        ),
    ]
    return personas_from_rows(people, ANIMATION)


def _attack() -> dict[str, Any]:
    return {
        "actor": "NoxLocker, affilié d'un rançongiciel en tant que service",
        "initial_access": [
            {
                "node": f"{P}-vpn",
                "at": "PT30M",
                "vector": "Exploitation d'une vulnérabilité de la passerelle VPN",
            }
        ],
        "dwell": "P1DT4H",
        "detonation": {
            "trigger": on("credential_obtained", "PT1H", f"{P}-cred-da"),
            "scope": ["compromised", "domain_joined", "backups"],
            "domain_credential": f"{P}-cred-da",
            "off_hours": {"start": "01:00", "end": "05:00"},
        },
        "exfiltration": [
            {
                "id": "exfil-patient-lists",
                "node": f"{P}-file-server",
                "trigger": on("credential_obtained", "PT3H", f"{P}-cred-da"),
                "data": "Exports de listes de patients (coordonnées, dates de venue, service)",
                "volume_gb": 18,
            }
        ],
        "detection": [
            {
                "type": "scripted",
                "trigger": on("encrypted", "PT20M"),
                "source": "Notes de rançon imprimées dans les services, découvertes par le cadre de nuit",
            },
            {
                "type": "edr",
                "probability": 0.03,
                "delay": tri("PT30M", "PT2H", "PT8H"),
                "source": "Alerte de l'EDR traitée par l'infogérant",
            },
        ],
        "ransom": {
            "amount": 1200000,
            "currency": "USD (en bitcoins)",
            "deadline": "P7D",
            "leak_site": "Blog de fuite NoxLocker",
            "leak_after": "P14D",
        },
    }
