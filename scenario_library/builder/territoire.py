"""territoire-insulaire-ght: a territorial exercise on an island, three hospitals of one GHT.

Anchors (incidents.md): the first territorial exercise run by a préfecture and an ARS on an island
(La Réunion, February 2024: the GHT's establishments, the ARS and préfecture crisis cells, routing
of patients to fallback establishments); a week-long exercise where both sites of a hospital were
down, monitors and switchboard dead, evacuations confirmed through the ministry's CORRUSS and
neonatology evacuated first (MORPHO, Guyane 2023); an EHPAD that cut its GHT link to stop the spread.

The GHT shares its directory, DPI, patient administration, imaging archive and datacentre; each
hospital keeps its local systems and reaches the shared ones through its inter-site link.
"""

from __future__ import annotations

from typing import Any

from catalogue_data import SMB_MOVE, depends, reach
from common import (
    SAFETY_MARKING,
    cell,
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

FILE_NAME = "territoire-insulaire-ght.json"
GHT = "ght-sainte-aube"
GHT_PREFIX = "ght"
ANIMATION = "cell-animation"
# The lead hospital hosts the GHT's shared technical and communication cells.
SUPPORT = "chu-sainte-aube"

# Services the GHT runs once, in the lead hospital's datacentre, for all its members.
SHARED_ENTRIES = (
    "core-network",
    "internet",
    "firewall",
    "vpn",
    "vendor-access",
    "ad",
    "dns-dhcp",
    "hypervisors",
    "san",
    "backup-online",
    "backup-offline",
    "sql-db",
    "admin-workstation",
    "identity-server",
    "pas",
    "eai",
    "dpi",
    "messaging",
    "pacs",
    "regional-platforms",
    "cred-user",
    "cred-server-admin",
    "cred-da",
    "cred-vendor",
)
# Entries each hospital keeps locally although the GHT has one: its own switches.
LOCAL_TOO = {"core-network"}

# (organisation id, prefix, name, short name, profile, site id, city, beds, ED visits per day)
HOSPITALS = (
    (
        "chu-sainte-aube",
        "chusa",
        "CHU de Sainte-Aube",
        "CHU Sainte-Aube",
        "chu",
        "site-saint-denys",
        "Saint-Denys",
        1500,
        210,
    ),
    (
        "ch-port-salin",
        "chps",
        "Centre hospitalier de Port-Salin",
        "CH Port-Salin",
        "ch",
        "site-port-salin",
        "Port-Salin",
        520,
        110,
    ),
    (
        "ch-anse-rouge",
        "char",
        "Centre hospitalier de l'Anse-Rouge",
        "CH Anse-Rouge",
        "small",
        "site-anse-rouge",
        "Anse-Rouge",
        160,
        45,
    ),
)


def _systems() -> list[dict[str, Any]]:
    """The shared datacentre, then each hospital wired to it through its inter-site link."""
    shared_ids = {entry: f"{GHT_PREFIX}-{entry}" for entry in SHARED_ENTRIES}
    systems = instantiate(
        SHARED_ENTRIES, organisation=GHT, site="site-datacentre", prefix=GHT_PREFIX, language="fr"
    )
    links_by_prefix = {}
    for org_id, prefix, _name, _short, profile, site_id, *_ in HOSPITALS:
        local_shared = {entry: ref for entry, ref in shared_ids.items() if entry not in LOCAL_TOO}
        hospital = hospital_template(
            org_id, site_id, prefix, profile=profile, language="fr", shared=local_shared
        )
        by_ref = {system["catalogue_ref"]: system for system in hospital}
        # Logons and shared applications travel over the inter-site link: cutting it isolates the site.
        by_ref["workstations"]["links"].append(
            depends(f"{prefix}-ght-link", "accès aux services mutualisés du GHT")
        )
        by_ref["ght-link"]["links"].append(
            depends(f"{GHT_PREFIX}-core-network", "cœur de réseau du datacentre")
        )
        by_ref["workstations"]["links"].append(
            reach(
                f"{prefix}-ght-link",
                SMB_MOVE,
                "pivot onto the inter-site network",
                requires=shared_ids["cred-user"],
            )
        )
        links_by_prefix[prefix] = by_ref["ght-link"]["links"]
        systems += hospital
    # The inter-site network is flat: from one site's link the attacker reaches the others'.
    for prefix, links in links_by_prefix.items():
        links += [
            reach(f"{other}-ght-link", SMB_MOVE, "unfiltered routing between GHT sites")
            for other in links_by_prefix
            if other != prefix
        ]
    return systems


def build() -> dict[str, Any]:
    systems = _systems()
    direction_cells = [f"cell-direction-{prefix}" for _, prefix, *_ in HOSPITALS]
    return {
        "schema_version": "1.0",
        "id": "territoire-insulaire-ght",
        "exercise": _exercise(),
        "organisations": _organisations(),
        "cells": _cells(),
        "personas": _personas(),
        "objectives": objectives(
            "fr",
            ("alert", "care", "territory", "legal", "communication", "technical"),
            {
                "alert": direction_cells,
                "care": [*direction_cells, "cell-soins-chusa", "cell-soins-chps"],
                "territory": ["cell-ars", "cell-prefecture", "cell-samu", *direction_cells],
                "legal": direction_cells,
                "communication": ["cell-com-ght", "cell-ars", "cell-prefecture"],
                "technical": ["cell-dsi-ght"],
            },
        ),
        "rating_scale": rating_scale("fr"),
        "systems": systems,
        "attack": _attack(),
        "playbooks": standard_playbooks(
            systems,
            "fr",
            exposed_zones=[f"{GHT_PREFIX}-dmz", *(f"{prefix}-wan" for _, prefix, *_ in HOSPITALS)],
        ),
        "injects": [],
        "reflex_sheets": reflex_sheets(
            "fr",
            {
                "agent": [],
                "direction": direction_cells,
                "care": ["cell-soins-chusa", "cell-soins-chps"],
                "legal": direction_cells,
                "communication": ["cell-com-ght"],
                "technical": ["cell-dsi-ght"],
                "territory": ["cell-ars", "cell-prefecture", "cell-samu"],
            },
        ),
        "glossary": glossary(
            "fr",
            {
                "Établissement de repli": "Établissement désigné pour accueillir les patients qu'un "
                "établissement touché ne peut plus prendre en charge.",
                "Evasan": "Évacuation sanitaire, ici par avion vers l'Hexagone.",
                "EMIZ": "État-major interministériel de zone de défense et de sécurité.",
                "UHTE": "Unité d'hospitalisation de transit pour évacuation: regroupe les patients avant "
                "leur évacuation.",
            },
        ),
        "generation": {"seed": 2402, "max_injects_per_cell_per_15min": 4, "contingency": True},
    }


def _exercise() -> dict[str, Any]:
    return {
        "title": "Sainte-Aube, l'île coupée: exercice territorial de crise cyber",
        "subtitle": "Préfecture, ARS et GHT de Sainte-Aube (territoire insulaire fictif)",
        "organiser": "Préfecture de Sainte-Aube et ARS, avec le GHT de Sainte-Aube",
        "language": "fr",
        "type": "strategic",
        "format": "functional",
        "startex": "2027-02-09T08:30:00+04:00",
        "endex": "2027-02-10T16:30:00+04:00",
        "milestones": [
            {"name": "Comité de pilotage préfecture - ARS - GHT", "date": "2026-10-05"},
            {"name": "Validation du chronogramme", "date": "2027-01-12"},
            {"name": "RETEX à chaud de chaque cellule", "date": "2027-02-10"},
            {"name": "RETEX territorial", "date": "2027-03-04"},
        ],
        "time_model": {
            "scenario_start": "2027-01-29T18:00:00+04:00",
            "segments": [
                segment("PT0S", "PT0S", 116, "Vendredi soir à lundi 04h: la compromission progresse"),
                segment("PT30M", "P2DT10H", 1, "Jour 1, lundi: chiffrement et activation des cellules"),
                segment("P1D", "P4DT14H30M", 2, "Jour 2: saut au mercredi, évacuations et reprise"),
            ],
        },
        "safety": {
            "marking": SAFETY_MARKING["fr"],
            "stop_code": "ALIZÉ ROUGE",
            "real_incident_procedure": (
                "Le mot ALIZÉ ROUGE suspend le jeu dans toutes les cellules. Le directeur d'exercice "
                "prévient la préfecture et l'ARS, qui confirment la reprise ou la fin de l'exercice."
            ),
        },
        "context": (
            "Sainte-Aube est une île fictive de 420 000 habitants, à onze heures d'avion de l'Hexagone. "
            "Ses trois hôpitaux publics forment le GHT de Sainte-Aube: le CHU (établissement support, siège "
            "du SAMU), le centre hospitalier de Port-Salin et le petit centre hospitalier de l'Anse-Rouge. "
            "Le GHT partage un annuaire, un DPI convergent, la gestion administrative des patients, "
            "l'archivage des images et un datacentre hébergé au CHU, relié aux autres sites par des "
            "liaisons inter-sites. Une clinique privée et les capacités de l'Hexagone, accessibles par "
            "évacuation sanitaire, sont les seuls recours. La saison des pluies commence."
        ),
        "scope": {
            "in_scope": [
                "Réponse des trois établissements du GHT et de leur cellule technique commune",
                "Cellules de crise de l'ARS et de la préfecture (COD)",
                "Régulation par le SAMU et orientation vers les établissements de repli",
                "Évacuations sanitaires vers l'Hexagone avec le CORRUSS et l'EMIZ",
                "Décision de couper ou maintenir les liaisons inter-sites du GHT",
                "Communication territoriale coordonnée",
            ],
            "out_of_scope": [
                "Mouvements réels de patients, d'aéronefs ou de forces",
                "Actions sur les systèmes de production",
            ],
        },
        "artificialities": [
            "L'exercice se joue sur deux journées; la nuit entre les deux n'est pas jouée et le jour 2 "
            "reprend au mercredi, avec un point de situation commun.",
            "Les capacités des établissements de repli et les délais d'évacuation sont fixés par "
            "l'animation.",
            "L'Hexagone, le ministère et les médias nationaux sont joués par l'animation.",
        ],
        "rules_of_play": [
            "Chaque message porte la mention EXERCICE - EXERCICE - EXERCICE.",
            "Chaque cellule tient sa main courante; l'ARS consolide un tableau des transferts partagé.",
            "Les échanges entre cellules joueuses sont réels; les autres interlocuteurs passent par "
            "l'annuaire de l'exercice.",
            "Le mot ALIZÉ ROUGE arrête le jeu dans toutes les cellules.",
        ],
        "ground_truth": (
            "Vendredi soir, un agent du centre hospitalier de l'Anse-Rouge ouvre une pièce jointe piégée. "
            "L'attaquant vole ses identifiants, qui sont ceux de l'annuaire commun du GHT, rebondit par le "
            "réseau inter-sites, obtient un compte de service puis l'administration du domaine mutualisé. "
            "Dans la nuit de dimanche à lundi il chiffre tout ce qui est joint au domaine, sur les trois "
            "sites, ainsi que les sauvegardes en ligne du datacentre. Le DPI, les admissions et l'imagerie "
            "tombent partout à la fois. La surveillance biomédicale, la téléphonie et la régulation du "
            "SAMU, sur des réseaux séparés, tiennent; les petits établissements perdent aussi leurs postes "
            "quand le GHT coupe les liaisons. La néonatologie du CHU, sans surveillance centralisée fiable "
            "au-delà de deux jours, doit être évacuée la première; la radiothérapie est suspendue et ses "
            "patients ne peuvent être traités que dans l'Hexagone."
        ),
        "source_incidents": [
            "La Réunion-2024 (exercice)",
            "MORPHO Guyane-2023 (exercice)",
            "CHU La Réunion-2023",
        ],
    }


def _organisations() -> list[dict[str, Any]]:
    hospitals = [
        organisation(
            org_id,
            name,
            "university_hospital" if profile == "chu" else "hospital",
            short_name=short,
            member_of=GHT,
            sites=[site(site_id, name, city, beds)],
            beds=beds,
            ed_visits_per_day=visits,
        )
        for org_id, _prefix, name, short, profile, site_id, city, beds, visits in HOSPITALS
    ]
    return [
        organisation(
            GHT,
            "GHT de Sainte-Aube",
            "ght",
            sites=[site("site-datacentre", "Datacentre du GHT (CHU)", "Saint-Denys")],
            description="Groupement fictif des trois hôpitaux publics de l'île; services numériques "
            "mutualisés.",
        ),
        *hospitals,
        organisation(
            "clinique-des-flamboyants",
            "Clinique des Flamboyants",
            "hospital",
            fallback_for=["ch-port-salin", "ch-anse-rouge"],
            beds=220,
            description="Clinique privée fictive; établissement de repli pour la chirurgie et la médecine.",
        ),
        organisation(
            "chu-hexagone",
            "CHU de l'Hexagone (accueil des évacuations)",
            "university_hospital",
            fallback_for=["chu-sainte-aube"],
            description="Reçoit par évacuation sanitaire les nouveau-nés et les patients de radiothérapie.",
        ),
        organisation("ars", "ARS de Sainte-Aube", "ars"),
        organisation("prefecture", "Préfecture de Sainte-Aube", "prefecture"),
        organisation("samu", "SAMU-Centre 15 de Sainte-Aube", "samu", member_of="chu-sainte-aube"),
        organisation("ministere", "Ministère de la santé - CORRUSS", "ministry"),
        organisation("cert-sante", "CERT Santé (Agence du numérique en santé)", "cert_sante"),
        organisation("anssi", "ANSSI / CERT-FR", "anssi"),
        organisation("grades", "GRADeS de Sainte-Aube", "grades"),
        organisation("gendarmerie", "Gendarmerie - section cyber", "police"),
        organisation("cnil", "CNIL", "cnil"),
        organisation("media", "Médias locaux", "media"),
    ]


def _cells() -> list[dict[str, Any]]:
    situation_direction = (
        "Lundi, 04h30: l'administrateur de garde est prévenu que plus aucun poste ne s'ouvre et que le DPI "
        "est inaccessible. Il ignore encore ce qui se passe dans les autres établissements du GHT."
    )
    situation_soins = (
        "Le DPI, les admissions et l'imagerie sont inaccessibles; les moniteurs et le téléphone "
        "fonctionnent. Les équipes de nuit passent au papier."
    )
    hospital_side = []
    for org_id, prefix, _name, short, *_ in HOSPITALS:
        situations = {"direction": situation_direction}
        if prefix != "char":
            situations["soins"] = situation_soins
        hospital_side += hospital_cells(
            "fr", org_id, situations, suffix=f"-{prefix}", name_suffix=f" - {short}"
        )
    shared = [
        cell(
            "cell-dsi-ght",
            "Cellule technique du GHT",
            "player",
            level="technical",
            organisation_id=SUPPORT,
            location="Datacentre du CHU, salle de repli",
            members=[
                ("DSI du GHT", "Dirige la cellule technique commune."),
                ("RSSI du GHT", "Confinement, preuves, lien avec le CERT Santé et l'ANSSI."),
                ("Référents informatiques de chaque établissement", "État des sites, besoins locaux."),
            ],
            mission=(
                "Confiner l'attaque sur les trois sites, décider avec les directions de la coupure des "
                "liaisons inter-sites, vérifier les sauvegardes et proposer un ordre de reprise commun."
            ),
            initial_situation=(
                "L'astreinte du datacentre voit les hyperviseurs et les partages chiffrés; le CH de "
                "l'Anse-Rouge signalait depuis samedi des lenteurs et des comptes verrouillés."
            ),
        ),
        cell(
            "cell-com-ght",
            "Cellule communication du GHT",
            "player",
            level="operational",
            organisation_id=SUPPORT,
            members=[("Responsables communication des établissements", "Messages communs, presse locale.")],
            mission="Porter une communication commune aux trois établissements, alignée avec l'ARS "
            "et la préfecture.",
            initial_situation="Une radio locale annonce à 06h que « les hôpitaux de l'île sont en panne ».",
        ),
        cell(
            "cell-samu",
            "SAMU-Centre 15",
            "player",
            level="operational",
            organisation_id="samu",
            members=[
                ("Médecin régulateur", "Orientation des patients, transferts."),
                ("Assistants de régulation médicale", "Prise d'appels, suivi des moyens."),
            ],
            mission="Réguler les appels, orienter les patients vers les établissements en capacité, "
            "organiser "
            "les transferts et préparer les évacuations sanitaires.",
            initial_situation="La régulation fonctionne sur son réseau propre mais ne voit plus les lits "
            "disponibles des établissements.",
        ),
        cell(
            "cell-ars",
            "Cellule régionale d'appui et de pilotage sanitaire (ARS)",
            "player",
            level="strategic",
            organisation_id="ars",
            members=[
                ("Directeur général de l'ARS ou son représentant", "Pilotage sanitaire territorial."),
                ("Responsable de la veille et de la sécurité sanitaire", "Signalements, lien CORRUSS."),
                ("Référent offre de soins", "Capacités, établissements de repli, transferts."),
                ("Référent systèmes d'information de santé", "Lien avec le GRADeS et le CERT Santé."),
            ],
            mission="Coordonner la réponse sanitaire du territoire: capacités, repli, évacuations, lien avec "
            "le ministère et la préfecture, communication sanitaire.",
            initial_situation="L'astreinte de l'ARS est prévenue à 05h15 par le SAMU.",
        ),
        cell(
            "cell-prefecture",
            "Centre opérationnel départemental (préfecture)",
            "player",
            level="strategic",
            organisation_id="prefecture",
            members=[
                ("Directeur de cabinet du préfet", "Direction du COD."),
                ("Service interministériel de défense et de protection civiles", "Moyens, lien EMIZ."),
                ("Chargé de communication de la préfecture", "Information du public."),
            ],
            mission="Assurer l'ordre public et l'information de la population, mobiliser les moyens "
            "de l'État "
            "(transport, évacuations), coordonner avec l'EMIZ.",
            initial_situation="Le préfet est informé à 07h par l'ARS; le COD peut être activé dans l'heure.",
        ),
    ]
    return [*hospital_side, *shared, *control_cells("fr")]


def _personas() -> list[dict[str, Any]]:
    rows = [
        (
            "attacker",
            "Groupe « Marée Noire »",
            "Opérateur du rançongiciel",
            "attacker",
            None,
            ["email", "leak_site"],
            "Réclame 3 millions d'euros au GHT; menace de publier les données de l'île entière.",
            False,
        ),
        (
            "corruss",
            "Régulateur du CORRUSS",
            "Ministère de la santé",
            "authority",
            "ministere",
            ["email", "phone", "video_call"],
            "Confirme ou non les évacuations sanitaires; demande un bilan consolidé.",
            True,
        ),
        (
            "emiz",
            "Officier de l'EMIZ",
            "État-major interministériel de zone",
            "authority",
            "prefecture",
            ["phone"],
            "Propose un avion militaire pour les évacuations à J+2 sous conditions.",
            True,
        ),
        (
            "cert-sante",
            "Analyste du CERT Santé",
            "Appui à la réponse à incident",
            "authority",
            "cert-sante",
            ["phone", "email"],
            "Décalage horaire: joignable à partir de 11h heure locale.",
            True,
        ),
        (
            "anssi",
            "Chef de mission ANSSI",
            "CERT-FR",
            "authority",
            "anssi",
            ["video_call", "email"],
            "Envoie une équipe par le vol du lendemain.",
            True,
        ),
        (
            "grades",
            "Directrice du GRADeS",
            "Plateformes régionales",
            "supplier",
            "grades",
            ["phone", "email"],
            "Propose de suspendre la messagerie sécurisée des établissements touchés.",
            True,
        ),
        (
            "clinic",
            "Dr Arnaud Payet",
            "Directeur médical de la Clinique des Flamboyants",
            "care_network",
            "clinique-des-flamboyants",
            ["phone"],
            "Peut ouvrir 25 lits de médecine et 2 salles de bloc.",
            True,
        ),
        (
            "hexagone-chu",
            "Régulation du CHU de l'Hexagone",
            "Accueil des évacuations",
            "care_network",
            "chu-hexagone",
            ["phone", "email"],
            "Accepte 6 nouveau-nés et 12 patients de radiothérapie.",
            True,
        ),
        (
            "gendarmerie",
            "Adjudant-chef Mélissa Hoarau",
            "Enquêtrice cyber",
            "authority",
            "gendarmerie",
            ["phone", "in_person"],
            "Demande les plaintes des trois établissements et les journaux.",
            True,
        ),
        (
            "cnil",
            "Service des violations de données",
            "CNIL",
            "authority",
            "cnil",
            ["email"],
            "Attend trois notifications ou une notification commune argumentée.",
            True,
        ),
        (
            "dpi-vendor",
            "Éditeur du DPI convergent",
            "Éditeur",
            "supplier",
            None,
            ["phone", "email"],
            "Son équipe est dans l'Hexagone; propose une reprise à distance dès que le VPN sera rouvert.",
            True,
        ),
        (
            "telecom",
            "Opérateur télécom de l'île",
            "Fournisseur des liaisons inter-sites",
            "supplier",
            None,
            ["phone"],
            "Peut couper ou filtrer les liaisons inter-sites en 30 minutes.",
            True,
        ),
        (
            "radio",
            "Journaliste de la radio locale",
            "Média",
            "media",
            "media",
            ["phone", "social_post"],
            "Relaie des témoignages de patients renvoyés chez eux.",
            True,
        ),
        (
            "mayor",
            "Maire de l'Anse-Rouge",
            "Élu local",
            "authority",
            None,
            ["phone"],
            "S'inquiète de la fermeture des urgences de sa commune.",
            True,
        ),
        (
            "family",
            "Famille d'un nouveau-né évacué",
            "Parents",
            "public",
            None,
            ["phone", "in_person"],
            "Veulent accompagner leur enfant dans l'Hexagone.",
            True,
        ),
        (
            "union",
            "Intersyndicale du GHT",
            "Représentants du personnel",
            "staff",
            GHT,
            ["email"],
            "Dénoncent l'épuisement des équipes au jour 2.",
            True,
        ),
    ]
    night_managers = [
        (
            f"cadre-nuit-{prefix}",
            f"Cadre de santé de nuit - {short}",
            "Cadre de santé de nuit",
            "staff",
            org_id,
            ["phone", "in_person"],
            "Remonte l'état des services de son établissement et les besoins en renfort.",
            True,
        )
        for org_id, prefix, _name, short, *_ in HOSPITALS
    ]
    return personas_from_rows([*rows, *night_managers], ANIMATION)


def _attack() -> dict[str, Any]:
    da = f"{GHT_PREFIX}-cred-da"
    return {
        "actor": "« Marée Noire », rançongiciel en tant que service",
        "initial_access": [
            {
                "node": "char-workstations",
                "at": "PT1H",
                "vector": "Pièce jointe piégée ouverte au CH de l'Anse-Rouge",
            }
        ],
        "dwell": "P2DT6H",
        "detonation": {
            "trigger": on("credential_obtained", "PT2H", da),
            "scope": ["compromised", "domain_joined", "backups"],
            "domain_credential": da,
            "off_hours": {"start": "01:00", "end": "05:00"},
        },
        "exfiltration": [
            {
                "id": "exfil-dpi-extract",
                "node": f"{GHT_PREFIX}-sql-db",
                "trigger": on("credential_obtained", "PT4H", da),
                "data": "Extraction de la base du DPI convergent (identités, séjours, diagnostics)",
                "volume_gb": 60,
            }
        ],
        "detection": [
            {
                "type": "scripted",
                "trigger": on("encrypted", "PT40M"),
                "source": "Postes bloqués et DPI inaccessible signalés par les équipes de nuit des "
                "trois sites",
            },
            {
                "type": "scripted",
                "trigger": on("credential_obtained", "P3D", da),
                "source": "Revue hebdomadaire des journaux de l'annuaire par le RSSI du GHT",
            },
        ],
        "ransom": {
            "amount": 3000000,
            "currency": "EUR",
            "deadline": "P5D",
            "leak_site": "Site de « Marée Noire »",
        },
    }
