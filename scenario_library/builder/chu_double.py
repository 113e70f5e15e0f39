"""chu-double-extorsion: a university hospital hit by double extortion, with the leak weeks later.

Anchors (incidents.md): encryption in the night with a plan blanc the next morning, unstable patients
and newborns transferred, a ransom of several million dollars lowered later and refused, then
anatomical-pathology, imaging and lab reports with social-security numbers published about a month
after the attack (CHSF 2022); payslips and identity documents among published files (Cannes 2024).
The time model plays day 1 in real time, then jumps to D+3 and to D+21, the day of the leak.
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

FILE_NAME = "chu-double-extorsion.json"
ORG = "chu-valombre"
P = "chuv"
ANIMATION = "cell-animation"
CANCER_SITE = "site-institut"
# Entries that live at the cancer institute rather than on the main site.
CANCER_ENTRIES = {"radiotherapy", "svc-radiotherapy", "chemo", "svc-oncology"}


def _systems() -> list[dict[str, Any]]:
    systems = hospital_template(ORG, "site-central", P, profile="chu", language="fr")
    for system in systems:
        if system["catalogue_ref"] in CANCER_ENTRIES:
            system["site"] = CANCER_SITE
    return systems


def build() -> dict[str, Any]:
    systems = _systems()
    return {
        "schema_version": "1.0",
        "id": "chu-double-extorsion",
        "exercise": _exercise(),
        "organisations": _organisations(),
        "cells": _cells(),
        "personas": _personas(),
        "objectives": objectives(
            "fr",
            ("alert", "care", "territory", "legal", "communication", "technical", "recovery", "leak"),
            {
                "alert": ["cell-direction", "cell-dsi"],
                "care": ["cell-soins"],
                "territory": ["cell-direction", "cell-soins"],
                "legal": ["cell-direction", "cell-juridique"],
                "communication": ["cell-com", "cell-direction"],
                "technical": ["cell-dsi"],
                "recovery": ["cell-direction", "cell-dsi", "cell-soins"],
                "leak": ["cell-juridique", "cell-com"],
            },
        ),
        "rating_scale": rating_scale("fr"),
        "systems": systems,
        "attack": _attack(),
        "playbooks": standard_playbooks(systems, "fr", exposed_zones=[f"{P}-dmz"]),
        "injects": [],
        "reflex_sheets": [*_shared_sheets(), _leak_sheet()],
        "glossary": glossary(
            "fr",
            {
                "Double extorsion": "Chiffrement des données doublé d'un vol: l'attaquant menace de "
                "publier ce "
                "qu'il a copié si la rançon n'est pas payée.",
                "NIR": "Numéro d'inscription au répertoire, dit numéro de sécurité sociale.",
                "Site de fuite": "Site du groupe criminel où sont annoncées les victimes et publiées les "
                "données volées.",
            },
        ),
        "generation": {"seed": 2209, "max_injects_per_cell_per_15min": 3, "contingency": True},
    }


def _shared_sheets() -> list[dict[str, Any]]:
    return reflex_sheets(
        "fr",
        {
            "agent": [],
            "direction": ["cell-direction"],
            "care": ["cell-soins"],
            "legal": ["cell-direction", "cell-juridique"],
            "communication": ["cell-com"],
            "technical": ["cell-dsi"],
        },
    )


def _leak_sheet() -> dict[str, Any]:
    return {
        "id": "fiche-fuite",
        "title": "Fiche réflexe - publication de données volées",
        "cells": ["cell-juridique", "cell-com", "cell-direction"],
        "steps": [
            "Ne pas télécharger soi-même les archives publiées: demander au CERT Santé de les qualifier.",
            "Établir les catégories de données et le nombre de personnes concernées.",
            "Compléter la notification à la CNIL et préparer l'information des personnes.",
            "Ouvrir un numéro et une page d'information; préparer les réponses types.",
            "Alerter patients et agents sur les tentatives d'escroquerie utilisant les données volées.",
            "Signaler la publication aux enquêteurs et compléter la plainte.",
        ],
    }


def _exercise() -> dict[str, Any]:
    return {
        "title": "Valombre, trois temps d'une double extorsion",
        "subtitle": "Exercice de crise cyber du CHU de Valombre (fictif): chiffrement, reprise, fuite",
        "organiser": "Direction générale du CHU de Valombre et ARS",
        "language": "fr",
        "type": "strategic",
        "format": "functional",
        "startex": "2026-11-17T08:30:00+01:00",
        "endex": "2026-11-17T16:30:00+01:00",
        "milestones": [
            {"name": "Réunion de lancement", "date": "2026-09-10"},
            {"name": "Réunion de validation du chronogramme", "date": "2026-10-22"},
            {"name": "RETEX à chaud", "date": "2026-11-17"},
            {"name": "RETEX à froid", "date": "2026-12-08"},
        ],
        "time_model": {
            "scenario_start": "2026-09-04T09:00:00+02:00",
            "segments": [
                segment("PT0S", "PT0S", 711, "Prologue: dix jours de compromission silencieuse"),
                segment("PT20M", "P9DT21H", 1, "J1, lundi: chiffrement découvert, temps réel"),
                segment("PT4H", "P13D", 2, "Saut à J+3, jeudi: mode dégradé installé, premières reprises"),
                segment("PT6H", "P31D", 1, "Saut à J+21, lundi: publication des données"),
            ],
        },
        "safety": {
            "marking": SAFETY_MARKING["fr"],
            "stop_code": "ARC-EN-CIEL",
            "real_incident_procedure": (
                "Le mot ARC-EN-CIEL, prononcé par quiconque auprès du directeur d'exercice, suspend le jeu "
                "pour traiter un incident réel. La reprise est annoncée explicitement."
            ),
        },
        "context": (
            "Le CHU de Valombre (fictif) compte 2 100 lits répartis entre l'hôpital central, l'hôpital "
            "Nord et l'institut de cancérologie; il reçoit environ 280 passages par jour aux urgences et "
            "héberge le SAMU. Établissement support du GHT de la Vallée de l'Ombre, il administre un "
            "annuaire unique, une ferme de virtualisation de plusieurs centaines de serveurs et un DPI "
            "utilisé sur les trois sites. Un programme de renforcement de la sécurité est en cours: l'EDR "
            "couvre les serveurs mais pas encore tous les postes."
        ),
        "scope": {
            "in_scope": [
                "Alerte, activation et tenue de la cellule de crise sur plusieurs jours",
                "Continuité des soins, transferts de patients fragiles et déprogrammation",
                "Signalements, plainte, notification et information des personnes après la fuite",
                "Communication de crise dans la durée, y compris face à la publication des données",
                "Choix techniques de reprise et leur articulation avec les priorités médicales",
            ],
            "out_of_scope": [
                "Contact réel avec l'attaquant ou consultation du site de fuite",
                "Manipulation des systèmes de production",
            ],
        },
        "artificialities": [
            "Trois moments de la crise sont joués dans la journée: J1, J+3 et J+21; les sauts de temps sont "
            "annoncés par l'animation avec un point de situation.",
            "Les décisions prises avant un saut sont réputées appliquées; l'animation en décrit l'effet.",
            "Les données publiées sont fictives et décrites par les stimuli.",
        ],
        "rules_of_play": [
            "Chaque message porte la mention EXERCICE - EXERCICE - EXERCICE.",
            "Chaque cellule tient sa main courante et remet sa synthèse avant chaque saut de temps.",
            "Les appels extérieurs passent par l'annuaire de l'exercice.",
            "Le mot ARC-EN-CIEL arrête le jeu immédiatement.",
        ],
        "ground_truth": (
            "Vendredi 4 septembre, un agent administratif ouvre une fausse facture piégée. L'attaquant, "
            "affilié d'un groupe pratiquant la double extorsion, vole des identifiants, obtient un compte "
            "de service puis l'administration du domaine. Pendant plusieurs jours il copie depuis le serveur "
            "de fichiers et la base de données des comptes rendus d'anatomopathologie, d'imagerie et de "
            "biologie avec les NIR des patients, ainsi que des bulletins de paie. Dans la nuit du dimanche "
            "13 au lundi 14 septembre, il chiffre toutes les machines jointes au domaine et les sauvegardes "
            "en ligne; les copies immuables, hors domaine, résistent le plus souvent. La rançon demandée "
            "est de 10 millions de dollars, ramenée plus tard à 1 million. Faute de paiement, une première "
            "archive est publiée trois semaines après le chiffrement, accompagnée de messages sur les "
            "réseaux sociaux; des patients reçoivent ensuite des SMS d'hameçonnage reprenant leurs données."
        ),
        "source_incidents": ["CHSF-2022", "Cannes-2024", "Villefranche-2021"],
    }


def _organisations() -> list[dict[str, Any]]:
    return [
        organisation(
            ORG,
            "CHU de Valombre",
            "university_hospital",
            short_name="CHU Valombre",
            member_of="ght-vallee-ombre",
            sites=[
                site("site-central", "Hôpital central", "Valombre", 1400),
                site("site-nord", "Hôpital Nord", "Valombre", 450),
                site(CANCER_SITE, "Institut de cancérologie", "Valombre", 250),
            ],
            beds=2100,
            ed_visits_per_day=280,
            description="CHU fictif, établissement support de son GHT et siège du SAMU.",
        ),
        organisation("ght-vallee-ombre", "GHT de la Vallée de l'Ombre", "ght"),
        organisation(
            "chu-voisin",
            "CHU de Port-Lucas",
            "university_hospital",
            fallback_for=[ORG],
            beds=1700,
            description="CHU fictif d'une région voisine; reçoit les nouveau-nés et les patients de "
            "radiothérapie.",
        ),
        organisation("ars", "Agence régionale de santé", "ars"),
        organisation("cert-sante", "CERT Santé (Agence du numérique en santé)", "cert_sante"),
        organisation("anssi", "ANSSI / CERT-FR", "anssi"),
        organisation("ministere", "Ministère de la santé - CORRUSS", "ministry"),
        organisation("cnil", "CNIL", "cnil"),
        organisation("police", "Office anti-cybercriminalité", "police"),
        organisation("editeur-dpi", "Éditeur du DPI", "supplier"),
        organisation("media", "Médias nationaux et régionaux", "media"),
        organisation("public", "Patients et familles", "public"),
    ]


def _cells() -> list[dict[str, Any]]:
    situations = {
        "direction": (
            "Lundi, 06h00: le directeur général est appelé par l'administrateur de garde. Depuis 03h, les "
            "services signalent des écrans noirs et des fichiers illisibles sur les trois sites."
        ),
        "dsi": (
            "L'astreinte constate le chiffrement de la ferme de virtualisation et des partages. La console "
            "EDR a remonté plusieurs alertes pendant la nuit, dont une dès vendredi, non traitées."
        ),
        "soins": (
            "Le DPI, le laboratoire, l'imagerie et la pharmacie sont inaccessibles; la centrale de "
            "surveillance fonctionne. La néonatologie compte 18 nouveau-nés, dont 6 ventilés."
        ),
        "com": "Un agent a publié la photo d'un écran de rançon sur un réseau social à 05h40.",
    }
    juridique = {
        "id": "cell-juridique",
        "name": "Cellule juridique et protection des données",
        "type": "player",
        "level": "operational",
        "organisation": ORG,
        "members": [
            {
                "role": "Délégué à la protection des données",
                "responsibilities": "CNIL, information des personnes, registre des violations.",
            },
            {"role": "Juriste", "responsibilities": "Plainte, relations avec les enquêteurs, assureur."},
            {
                "role": "Directeur des ressources humaines",
                "responsibilities": "Données des agents, dialogue social.",
            },
        ],
        "mission": (
            "Conduire les démarches légales (signalement, plainte, CNIL) et préparer la gestion de la fuite: "
            "qualification des données, information des patients et des agents."
        ),
        "initial_situation": "La DPO est jointe à 07h30; aucune revendication n'est encore connue.",
    }
    return [*hospital_cells("fr", ORG, situations), juridique, *control_cells("fr")]


def _personas() -> list[dict[str, Any]]:
    rows = [
        (
            "attacker",
            "Groupe « Cendre »",
            "Affilié d'un rançongiciel à double extorsion",
            "attacker",
            None,
            ["email", "leak_site", "social_post"],
            "Demande 10 M$ puis 1 M$; publie un échantillon à J+10 puis l'archive à J+21. Joue la carte du "
            "« prix raisonnable ».",
            False,
        ),
        (
            "hotline",
            "Technicien du support informatique de nuit",
            "Support informatique",
            "technical",
            ORG,
            ["phone", "ticket"],
            "Premier à voir les écrans de rançon; a vu une alerte EDR vendredi sans savoir qui prévenir.",
            True,
        ),
        (
            "admin-on-call",
            "Luc Ferrand",
            "Administrateur de garde",
            "staff",
            ORG,
            ["phone"],
            "Première alerte à la direction; relaie les remontées des trois sites.",
            True,
        ),
        (
            "ars-cell",
            "Cellule régionale d'appui de l'ARS",
            "Cadre d'astreinte de l'ARS",
            "authority",
            "ars",
            ["phone", "email", "video_call"],
            "Demande un point toutes les 4 heures, l'état des transferts et "
            "l'accord sur les messages presse.",
            True,
        ),
        (
            "corruss",
            "Régulateur du CORRUSS",
            "Ministère de la santé",
            "authority",
            "ministere",
            ["email", "phone"],
            "Demande une fiche de situation; annonce une visite ministérielle à J+3.",
            True,
        ),
        (
            "cert-sante",
            "Analyste du CERT Santé",
            "Appui à la réponse à incident",
            "authority",
            "cert-sante",
            ["phone", "email"],
            "Qualifie la fuite à J+21; rappelle le signalement sans délai à J1.",
            True,
        ),
        (
            "anssi",
            "Coordinateur ANSSI",
            "CERT-FR",
            "authority",
            "anssi",
            ["phone", "in_person"],
            "Propose une équipe sur place; insiste sur la reconstruction de l'annuaire en "
            "environnement sain.",
            True,
        ),
        (
            "cnil",
            "Service des violations de données",
            "CNIL",
            "authority",
            "cnil",
            ["email", "phone"],
            "Demande la notification complète après la publication.",
            True,
        ),
        (
            "police",
            "Commandante Irène Sauvage",
            "Office anti-cybercriminalité",
            "authority",
            "police",
            ["phone", "in_person"],
            "Reçoit la plainte; demande de ne pas contacter l'attaquant.",
            True,
        ),
        (
            "samu",
            "Dr Yanis Morel",
            "Médecin régulateur du SAMU",
            "care_network",
            ORG,
            ["phone", "radio"],
            "Organise le délestage des urgences et les transferts.",
            True,
        ),
        (
            "neighbour-chu",
            "Dr Hélène Carpentier",
            "Cheffe de la réanimation néonatale du CHU de Port-Lucas",
            "care_network",
            "chu-voisin",
            ["phone"],
            "Peut accueillir 4 nouveau-nés ventilés sous 6 heures.",
            True,
        ),
        (
            "dpi-vendor",
            "Directeur technique de l'éditeur du DPI",
            "Éditeur",
            "supplier",
            "editeur-dpi",
            ["phone", "email"],
            "Annonce qu'il faut deux semaines pour réinstaller le DPI sur une infrastructure saine.",
            True,
        ),
        (
            "journalist-tv",
            "Julien Maréchal",
            "Journaliste d'une chaîne d'information",
            "media",
            "media",
            ["phone", "tv_video"],
            "Veut filmer les urgences et interroge sur le paiement de la rançon.",
            True,
        ),
        (
            "watch-account",
            "Compte de veille cyber « @fuitesfr »",
            "Veilleur sur les réseaux sociaux",
            "media",
            "media",
            ["social_post"],
            "Révèle la publication de l'archive à J+21 avant le CHU.",
            True,
        ),
        (
            "patient-victim",
            "Mme Odile Bernard",
            "Patiente dont le compte rendu a été publié",
            "public",
            "public",
            ["phone", "email"],
            "Reçoit un SMS frauduleux citant son examen; menace de porter plainte.",
            True,
        ),
        (
            "union",
            "Déléguée syndicale",
            "Représentante du personnel",
            "staff",
            ORG,
            ["email", "in_person"],
            "Demande des renforts et s'inquiète des bulletins de paie publiés.",
            True,
        ),
    ]
    return personas_from_rows(rows, ANIMATION)


def _attack() -> dict[str, Any]:
    da = f"{P}-cred-da"
    return {
        "actor": "« Cendre », affilié d'un rançongiciel pratiquant la double extorsion",
        "initial_access": [
            {
                "node": f"{P}-workstations",
                "at": "PT2H",
                "vector": "Fausse facture piégée ouverte par un agent",
            }
        ],
        "dwell": "P9DT14H",
        "detonation": {
            "trigger": on("credential_obtained", "PT6H", da),
            "scope": ["compromised", "domain_joined", "backups"],
            "domain_credential": da,
            "off_hours": {"start": "02:00", "end": "05:00"},
        },
        "exfiltration": [
            {
                "id": "exfil-medical-reports",
                "node": f"{P}-sql-db",
                "trigger": on("credential_obtained", "P1D", da),
                "data": "Comptes rendus d'anatomopathologie, d'imagerie et de biologie avec NIR",
                "volume_gb": 42,
            },
            {
                "id": "exfil-hr-files",
                "node": f"{P}-file-server",
                "trigger": on("credential_obtained", "P2D", da),
                "data": "Bulletins de paie et pièces d'identité des agents",
                "volume_gb": 9,
            },
        ],
        "detection": [
            {
                "type": "scripted",
                "trigger": on("encrypted", "PT30M"),
                "source": "Écrans de rançon signalés par les services de nuit des trois sites",
            },
            {
                "type": "edr",
                "probability": 0.01,
                "delay": tri("PT2H", "P1D", "P3D"),
                "source": "Alerte EDR sur un serveur, revue le jour ouvré suivant",
            },
        ],
        "ransom": {
            "amount": 10000000,
            "currency": "USD",
            "deadline": "P14D",
            "leak_site": "Site de fuite du groupe « Cendre »",
            "leak_after": "P21D",
        },
    }
