"""Pieces shared by the library scenarios: rating scales, objectives, cells, reflex sheets, glossary,
playbooks and small constructors. Texts exist in French and English; each scenario picks its language
and adds what is specific to its story.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from catalogue_data import fixed

SAFETY_MARKING = {"fr": "EXERCICE - EXERCICE - EXERCICE", "en": "EXERCISE - EXERCISE - EXERCISE"}


def on(event: str, delay: str | None = None, node: str | None = None) -> dict[str, Any]:
    """A trigger on a simulation event, optionally about one node, after a fixed delay."""
    trigger: dict[str, Any] = {"on": event}
    if node:
        trigger["node"] = node
    if delay:
        trigger["delay"] = fixed(delay)
    return trigger


def segment(start: str, scenario_offset: str, speed: float, label: str) -> dict[str, Any]:
    return {"from": start, "scenario_offset": scenario_offset, "speed": speed, "label": label}


def organisation(org_id: str, name: str, org_type: str, **fields: Any) -> dict[str, Any]:
    return {"id": org_id, "name": name, "type": org_type, **fields}


def site(site_id: str, name: str, city: str, beds: int | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"id": site_id, "name": name, "city": city}
    if beds is not None:
        result["beds"] = beds
    return result


def persona(
    persona_id: str,
    name: str,
    role: str,
    kind: str,
    *,
    played_by: str,
    channels: Sequence[str],
    organisation_id: str | None = None,
    notes: str | None = None,
    in_directory: bool = True,
    phone: str | None = None,
    email: str | None = None,
) -> dict[str, Any]:
    """A simulated person or service of the exercise directory, played by the animation cell."""
    result: dict[str, Any] = {
        "id": persona_id,
        "name": name,
        "role": role,
        "kind": kind,
        "played_by": played_by,
        "channels": list(channels),
    }
    optional = {
        "organisation": organisation_id,
        "notes": notes,
        "phone": phone,
        "email": email,
    }
    result.update({key: value for key, value in optional.items() if value is not None})
    if not in_directory:
        result["in_directory"] = False
    return result


def cell(
    cell_id: str,
    name: str,
    cell_type: str,
    *,
    level: str | None = None,
    organisation_id: str | None = None,
    location: str | None = None,
    members: Iterable[tuple[str, str]] = (),
    mission: str | None = None,
    initial_situation: str | None = None,
) -> dict[str, Any]:
    """A cell; ``members`` are (role, responsibilities) pairs."""
    result: dict[str, Any] = {"id": cell_id, "name": name, "type": cell_type}
    optional = {
        "level": level,
        "organisation": organisation_id,
        "location": location,
        "mission": mission,
        "initial_situation": initial_situation,
    }
    result.update({key: value for key, value in optional.items() if value is not None})
    roster = [{"role": role, "responsibilities": duty} for role, duty in members]
    if roster:
        result["members"] = roster
    return result


# --- Rating scales -----------------------------------------------------------------------------------

RATING_SCALES = {
    "fr": {
        "name": "Atteinte des objectifs (grille HSEEP adaptée)",
        "levels": [
            ("P", "Atteint", "Réalisé sans difficulté notable; pratique à conserver."),
            (
                "S",
                "Atteint avec difficultés",
                "Réalisé, avec quelques difficultés sans effet sur les patients.",
            ),
            (
                "M",
                "Partiellement atteint",
                "Réalisé avec des difficultés majeures ou trop tard; mesures correctives nécessaires.",
            ),
            ("U", "Non atteint", "Non réalisé; un risque pour la continuité des soins a été observé."),
        ],
    },
    "en": {
        "name": "HSEEP performance ratings",
        "levels": [
            ("P", "Performed without challenges", "Done as planned; a practice to keep."),
            (
                "S",
                "Performed with some challenges",
                "Done, with minor difficulties and no effect on patients.",
            ),
            (
                "M",
                "Performed with major challenges",
                "Done late or with major difficulties; corrections needed.",
            ),
            ("U", "Unable to be performed", "Not done; a risk to continuity of care was observed."),
        ],
    },
}


def rating_scale(language: str) -> dict[str, Any]:
    scale = RATING_SCALES[language]
    levels = [{"code": code, "label": label, "description": text} for code, label, text in scale["levels"]]
    return {"name": scale["name"], "levels": levels}


# --- Objectives ---------------------------------------------------------------------------------------

# Objective families of the evaluation guide (alert, care continuity, territory, legal, communication,
# technical decisions, return to normal): key -> (title, description, [(criterion, target)]).
OBJECTIVES = {
    "fr": {
        "alert": (
            "Alerter et activer la cellule de crise",
            "Détecter les premiers symptômes, qualifier l'événement et mobiliser la cellule de crise "
            "hospitalière avec ses fonctions décision et opérations.",
            [
                ("L'astreinte de direction est prévenue après le premier signal", "moins de 30 minutes"),
                ("La cellule de crise est réunie et ses rôles sont tenus", "moins de 2 heures"),
                ("Une main courante horodatée est tenue dès l'activation", "dès l'activation"),
                ("Un point de situation est diffusé à rythme fixe", "toutes les 2 heures"),
            ],
        ),
        "care": (
            "Assurer la continuité des soins en mode dégradé",
            "Basculer les services sur les procédures papier, protéger les patients les plus fragiles "
            "et décider du plan blanc.",
            [
                ("Les fiches réflexes et classeurs de mode dégradé sont ouverts dans les services", ""),
                ("L'identitovigilance est tenue sur papier (identités provisoires, étiquettes)", ""),
                ("La liste des patients à transférer (réanimation, néonatologie, oncologie) est établie", ""),
                ("La décision de plan blanc est prise et tracée", "moins de 4 heures"),
                ("Les dossiers des patients présents sont imprimés ou reconstitués", ""),
            ],
        ),
        "territory": (
            "Coordonner la réponse territoriale",
            "Organiser le délestage des urgences, les transferts et le dialogue avec le SAMU, l'ARS et "
            "la préfecture.",
            [
                (
                    "Le SAMU-Centre 15 est informé et l'orientation des patients est organisée",
                    "moins de 1 heure",
                ),
                ("Les établissements de repli sont désignés et leurs capacités connues", ""),
                ("Chaque transfert est tracé (patient, destination, heure)", ""),
                ("Les liaisons avec le GHT sont coupées ou maintenues par une décision explicite", ""),
            ],
        ),
        "legal": (
            "Remplir les obligations de signalement et les démarches judiciaires",
            "Déclarer l'incident sans délai, notifier la CNIL, porter plainte, préserver les preuves et "
            "appliquer la doctrine de non-paiement.",
            [
                ("L'incident est déclaré sur le portail de signalement et à l'ARS", "sans délai"),
                ("Le CERT Santé est sollicité pour un appui", ""),
                ("La CNIL est notifiée", "moins de 72 heures"),
                ("Une plainte est déposée et les preuves sont préservées (pas de réinstallation hâtive)", ""),
                ("La position sur la rançon est arrêtée et argumentée (non-paiement)", ""),
            ],
        ),
        "communication": (
            "Communiquer de façon maîtrisée",
            "Informer le personnel, les patients, les familles, les médias et les partenaires avec un "
            "porte-parole unique et des messages validés.",
            [
                ("Un porte-parole unique est désigné", ""),
                ("Un premier message interne est diffusé aux agents", "moins de 3 heures"),
                ("Le standard et l'accueil disposent d'un script pour les familles", ""),
                ("Un communiqué de presse est validé par la direction et l'ARS", ""),
            ],
        ),
        "technical": (
            "Prendre les décisions techniques de confinement et de reprise",
            "Décider du périmètre d'isolement, vérifier l'intégrité des sauvegardes, fixer les priorités "
            "de redémarrage et encadrer les accès des prestataires.",
            [
                ("Le périmètre d'isolement est décidé et appliqué", "moins de 1 heure après la détection"),
                ("L'intégrité des sauvegardes hors ligne est vérifiée avant toute restauration", ""),
                ("Les priorités de redémarrage sont validées avec les soignants", ""),
                ("Les accès distants des prestataires sont suspendus puis rouverts sous contrôle", ""),
            ],
        ),
        "recovery": (
            "Préparer le retour à la normale",
            "Planifier le redémarrage progressif, la ressaisie des données papier et la gestion de la "
            "fatigue des équipes.",
            [
                ("Un plan de reprise par étapes est présenté", ""),
                ("La ressaisie des données papier est organisée (qui, quand, contrôle)", ""),
                ("Les relèves et le repos des équipes sont planifiés", ""),
            ],
        ),
        "leak": (
            "Gérer la fuite de données",
            "Qualifier les données publiées, informer les personnes concernées et prévenir les "
            "escroqueries qui s'appuient sur la fuite.",
            [
                ("Les données publiées sont qualifiées avec l'appui du CERT Santé", "moins de 24 heures"),
                ("La CNIL reçoit une notification complémentaire", ""),
                ("Un dispositif d'information des patients est ouvert (numéro, page web, courrier)", ""),
                ("Une alerte sur l'hameçonnage utilisant les données volées est diffusée", ""),
            ],
        ),
    },
    "en": {
        "alert": (
            "Raise the alert and activate the crisis cell",
            "Spot the first symptoms, qualify the event and convene the hospital crisis cell with its "
            "decision and operations roles.",
            [
                ("The on-call executive is told after the first signal", "under 30 minutes"),
                ("The crisis cell meets and every role is staffed", "under 2 hours"),
                ("A time-stamped crisis log is kept from activation", "from activation"),
                ("Situation reports go out at a fixed rhythm", "every 2 hours"),
            ],
        ),
        "care": (
            "Keep patients safe in downtime mode",
            "Switch departments to paper procedures, protect the most fragile patients and decide on the "
            "hospital emergency plan.",
            [
                ("Downtime binders and reflex sheets are opened in the departments", ""),
                ("Patient identification is kept on paper (provisional identities, labels)", ""),
                ("A transfer list is drawn up (ICU, neonatology, oncology)", ""),
                ("The emergency plan (plan blanc) decision is taken and logged", "under 4 hours"),
            ],
        ),
        "territory": (
            "Coordinate across establishments",
            "Organise diversion, transfers and the dialogue with the SAMU, the regional health agency and "
            "the other establishments hit.",
            [
                ("The SAMU is told and patient routing is organised", "under 1 hour"),
                ("Receiving hospitals are named and their capacity known", ""),
                ("Every transfer is tracked (patient, destination, time)", ""),
                ("Establishments share one picture of the supplier incident", ""),
            ],
        ),
        "legal": (
            "Meet reporting and legal duties",
            "Report without delay, notify the data-protection authority, file a complaint, preserve evidence "
            "and review the contract with the supplier.",
            [
                (
                    "The incident is reported on the national portal and to the regional health agency",
                    "at once",
                ),
                ("CERT Santé is asked for support", ""),
                ("The CNIL is notified", "under 72 hours"),
                ("A complaint is filed and evidence preserved", ""),
                ("The supplier's contractual duties (notice, logs, audit) are invoked", ""),
            ],
        ),
        "communication": (
            "Communicate with one voice",
            "Inform staff, patients, families, media and partners through one spokesperson and approved "
            "messages, in step with the supplier and the other customers.",
            [
                ("One spokesperson is named", ""),
                ("A first internal message reaches staff", "under 3 hours"),
                ("Reception and switchboard have a script for patients", ""),
                ("Press lines are aligned with the supplier and the other establishments", ""),
            ],
        ),
        "technical": (
            "Take containment and recovery decisions",
            "Cut the supplier's access, decide the isolation scope, check backups and set restart "
            "priorities with clinicians.",
            [
                ("Supplier remote access is cut", "under 1 hour after detection"),
                ("The isolation scope is decided and applied", ""),
                ("Offline backups are checked before any restore", ""),
                ("Restart priorities are agreed with clinicians", ""),
            ],
        ),
        "recovery": (
            "Prepare the return to normal",
            "Plan a staged restart, the re-keying of paper data and staff rest.",
            [
                ("A staged recovery plan is presented", ""),
                ("Re-keying of paper data is organised", ""),
                ("Shifts and rest are planned for the teams", ""),
            ],
        ),
    },
}


def objectives(language: str, keys: Sequence[str], cells: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    """Objectives ``obj-<key>`` with criteria ``<key>-<n>``; ``cells`` maps a key to the cells rated."""
    result = []
    for key in keys:
        title, description, criteria = OBJECTIVES[language][key]
        objective: dict[str, Any] = {
            "id": f"obj-{key}",
            "title": title,
            "description": description,
            "criteria": [
                {"id": f"{key}-{number}", "text": text, **({"target": target} if target else {})}
                for number, (text, target) in enumerate(criteria, start=1)
            ],
        }
        if cells.get(key):
            objective["cells"] = list(cells[key])
        result.append(objective)
    return result


# --- Reflex sheets ------------------------------------------------------------------------------------

REFLEX_SHEETS = {
    "fr": {
        "agent": (
            "Fiche réflexe - tout agent: suspicion de rançongiciel",
            [
                "Ne pas éteindre le poste: le débrancher du réseau (câble, wifi) et le laisser allumé.",
                "Noter l'heure, le poste, ce qui est affiché ou imprimé; photographier l'écran.",
                "Prévenir l'astreinte informatique par téléphone, puis le cadre de santé.",
                "Ne pas répondre à l'attaquant, ne pas ouvrir de pièce jointe, ne pas brancher de clé USB.",
                "Ouvrir le classeur de mode dégradé du service et passer aux supports papier.",
            ],
        ),
        "direction": (
            "Fiche réflexe - direction: activer la cellule de crise",
            [
                "Réunir la cellule de crise dans la salle prévue, avec téléphones et ordinateurs "
                "hors domaine.",
                "Désigner le directeur de crise, le responsable de la main courante et un porte-parole.",
                "Faire un premier point: périmètre touché, patients exposés, mesures déjà prises.",
                "Décider du plan blanc et de la posture des urgences avec le SAMU.",
                "Fixer le rythme des points de situation et la liste des destinataires.",
            ],
        ),
        "care": (
            "Fiche réflexe - services de soins: passage en mode dégradé",
            [
                "Imprimer ou récupérer les derniers plans de soins et traitements en cours.",
                "Passer aux prescriptions manuscrites signées et aux diagrammes de soins papier.",
                "Utiliser les identités provisoires et étiquettes pré-imprimées; vérifier deux identifiants.",
                "Demander les examens sur bons papier; résultats critiques par téléphone avec relecture.",
                "Signaler à la cellule de crise les patients qui ne peuvent pas rester sans surveillance "
                "centralisée.",
            ],
        ),
        "legal": (
            "Fiche réflexe - signalements et obligations légales",
            [
                "Déclarer l'incident sans délai sur le portail de signalement des événements sanitaires "
                "indésirables; prévenir l'ARS.",
                "Solliciter l'appui du CERT Santé; l'ANSSI peut intervenir sur les incidents majeurs.",
                "Notifier la CNIL dans les 72 heures en cas de violation de données personnelles.",
                "Déposer plainte (section cyber du parquet de Paris compétente au niveau national).",
                "Préserver les preuves: journaux, images disque, notes de rançon; ne rien "
                "réinstaller trop tôt.",
                "Ne pas payer la rançon; ne pas négocier sans l'avis des autorités.",
            ],
        ),
        "communication": (
            "Fiche réflexe - communication de crise",
            [
                "Un seul porte-parole; tout message externe est validé par la direction.",
                "Premier message interne: ce qui se passe, ce qui est demandé aux agents, prochain point.",
                "Script pour le standard et l'accueil: rassurer, orienter, ne rien spéculer.",
                "Coordonner les communiqués avec l'ARS (et la préfecture si elle est mobilisée).",
                "Surveiller les réseaux sociaux et les revendications de l'attaquant.",
            ],
        ),
        "technical": (
            "Fiche réflexe - DSI: confinement et préservation",
            [
                "Couper internet et les accès distants (VPN, télémaintenance).",
                "Isoler les serveurs et segments touchés; déconnecter les sauvegardes encore saines.",
                "Réinitialiser les comptes à privilèges depuis un poste sain.",
                "Vérifier l'intégrité des sauvegardes hors ligne avant de restaurer.",
                "Reconstruire l'annuaire en premier, dans un environnement propre, puis les applications "
                "prioritaires validées avec les soignants.",
            ],
        ),
        "territory": (
            "Fiche réflexe - ARS et préfecture: coordination territoriale",
            [
                "Ouvrir la cellule régionale d'appui et prendre contact avec chaque établissement touché.",
                "Recenser les capacités des établissements de repli (lits de réanimation, néonatologie, "
                "radiothérapie).",
                "Valider avec le SAMU les règles d'orientation et les transferts; tracer chaque patient.",
                "Informer le ministère (CORRUSS) et la préfecture; préparer les éléments de langage communs.",
                "Décider avec le GHT du maintien ou de la coupure des liaisons inter-établissements.",
            ],
        ),
    },
    "en": {
        "agent": (
            "Reflex sheet - every staff member: suspected ransomware",
            [
                "Do not switch the computer off: unplug it from the network and leave it on.",
                "Write down the time, the machine and what is shown or printed; photograph the screen.",
                "Call the IT on-call engineer, then the ward manager.",
                "Do not answer the attacker, open attachments or plug in USB keys.",
                "Open the ward's downtime binder and move to paper.",
            ],
        ),
        "direction": (
            "Reflex sheet - executives: activate the crisis cell",
            [
                "Meet in the crisis room with phones and laptops outside the domain.",
                "Name the crisis director, the log keeper and one spokesperson.",
                "First review: scope hit, patients at risk, steps already taken.",
                "Decide on the emergency plan and the ED posture with the SAMU.",
                "Set the rhythm of situation reports and who receives them.",
            ],
        ),
        "care": (
            "Reflex sheet - wards: downtime procedures",
            [
                "Print or fetch the latest care plans and current medication.",
                "Use signed handwritten prescriptions and paper nursing charts.",
                "Use provisional identities and pre-printed labels; check two identifiers.",
                "Order tests on paper forms; critical results by phone with read-back.",
                "Tell the crisis cell which patients cannot stay without central monitoring.",
            ],
        ),
        "legal": (
            "Reflex sheet - reporting and legal duties",
            [
                "Report the incident at once on the national adverse-event portal and to the regional "
                "health agency.",
                "Ask CERT Santé for support.",
                "Notify the CNIL within 72 hours if personal data are breached.",
                "File a complaint and preserve evidence: logs, disk images, ransom notes.",
                "Invoke the supplier's contractual duties: incident notice, logs, audit rights.",
            ],
        ),
        "communication": (
            "Reflex sheet - crisis communication",
            [
                "One spokesperson; every external message is approved by the executive team.",
                "First internal message: what is happening, what staff must do, next update.",
                "Script for the switchboard and reception: reassure, direct, do not speculate.",
                "Align statements with the regional health agency, the supplier and the other customers.",
                "Watch social media and the attacker's claims.",
            ],
        ),
        "technical": (
            "Reflex sheet - IT: containment and evidence",
            [
                "Cut the supplier's remote access and every VPN account it uses.",
                "Isolate the affected servers and segments; disconnect backups that are still clean.",
                "Reset privileged accounts from a clean workstation.",
                "Check the offline backups before restoring.",
                "Rebuild the directory first, in a clean environment, then the priority applications agreed "
                "with clinicians.",
            ],
        ),
    },
}


def reflex_sheets(language: str, cells_for: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    """Reflex sheets ``fiche-<key>`` for each key of ``cells_for`` (an empty list means every player cell)."""
    sheets = []
    for key, cells in cells_for.items():
        title, steps = REFLEX_SHEETS[language][key]
        sheet: dict[str, Any] = {"id": f"fiche-{key}", "title": title, "steps": list(steps)}
        if cells:
            sheet["cells"] = list(cells)
        sheets.append(sheet)
    return sheets


# --- Glossary ------------------------------------------------------------------------------------------

GLOSSARY = {
    "fr": {
        "AD": "Active Directory: annuaire qui authentifie les agents et pilote les postes et "
        "serveurs joints.",
        "ANSSI": "Agence nationale de la sécurité des systèmes d'information.",
        "ARS": "Agence régionale de santé: pilote l'offre de soins de la région et coordonne la crise.",
        "CERT Santé": "Centre de réponse aux incidents de l'Agence du numérique en santé (ANS).",
        "CNIL": "Commission nationale de l'informatique et des libertés, notifiée des violations de données.",
        "COD": "Centre opérationnel départemental, activé par le préfet.",
        "CORRUSS": "Centre opérationnel de régulation et de réponse aux urgences sanitaires et sociales "
        "du ministère.",
        "DPI": "Dossier patient informatisé.",
        "EAI": "Moteur d'interfaces qui fait circuler les messages (HL7) entre applications.",
        "EDR": "Outil de détection et de réponse installé sur les postes et serveurs.",
        "ENDEX": "Fin de l'exercice (FINEX).",
        "GAM": "Gestion administrative du malade: admissions, mouvements, facturation.",
        "GHT": "Groupement hospitalier de territoire.",
        "GRADeS": "Groupement régional d'appui au développement de la e-santé.",
        "Main courante": "Journal horodaté des informations reçues, décisions et actions de la cellule.",
        "Mode dégradé": "Fonctionnement sans le système d'information, avec des procédures papier.",
        "PACS": "Système d'archivage et de diffusion des images médicales.",
        "PCRA": "Plan de continuité et de reprise d'activité.",
        "Plan blanc": "Plan de gestion des tensions et des situations sanitaires exceptionnelles de "
        "l'établissement; son volet numérique traite des cyberattaques.",
        "PUI": "Pharmacie à usage intérieur.",
        "Rançongiciel": "Logiciel malveillant qui chiffre les données et exige une rançon.",
        "RSSI": "Responsable de la sécurité des systèmes d'information.",
        "SAMU - Centre 15": "Service d'aide médicale urgente: régulation des appels au 15 et orientation des "
        "patients.",
        "SIL": "Système d'information du laboratoire.",
        "STARTEX": "Début de l'exercice (DEBEX).",
    },
    "en": {
        "AD": "Active Directory: the directory that authenticates staff and manages joined machines.",
        "ARS": "Agence régionale de santé: the regional health agency that steers care provision and "
        "coordinates the crisis.",
        "CERT Santé": "Incident response team of the French digital health agency (ANS).",
        "CNIL": "French data-protection authority, notified of personal-data breaches.",
        "Downtime procedures": "Working without the information system, on paper.",
        "EDR": "Endpoint detection and response agent on workstations and servers.",
        "EHR": "Electronic health record (DPI in French hospitals).",
        "ENDEX": "End of exercise.",
        "HDS": "Hébergeur de données de santé: a hosting provider certified to host health data.",
        "MSEL": "Master scenario events list: the scripted injects of the exercise.",
        "PAS": "Patient administration system: admissions, bed moves, billing.",
        "Plan blanc": "A French hospital's emergency plan for exceptional situations.",
        "SAMU": "French emergency medical dispatch (dial 15) and mobile ICU teams.",
        "STARTEX": "Start of exercise.",
        "Supply-chain attack": "An attack that reaches its victims through a supplier they trust.",
    },
}


def glossary(language: str, extra: Mapping[str, str] | None = None) -> list[dict[str, str]]:
    """The shared glossary plus scenario terms, sorted by term (case-insensitive) for stable output."""
    terms = {**GLOSSARY[language], **(extra or {})}
    return [{"term": term, "definition": terms[term]} for term in sorted(terms, key=str.casefold)]


# --- Playbooks ------------------------------------------------------------------------------------------

# Restart waves by catalogue entry: directory and core first (the practice), then what care needs most
# (admissions, prescriptions, lab, ED flow), then imaging, pharmacy and messaging, then the rest.
RESTORE_WAVES = (
    ("ad", "dns-dhcp", "hypervisors", "admin-workstation", "backup-online"),
    (
        "sql-db",
        "identity-server",
        "pas",
        "eai",
        "dpi",
        "lis",
        "lab-middleware",
        "ed-software",
        "bed-management",
    ),
    (
        "pacs",
        "ris",
        "pharmacy",
        "chemo",
        "radiotherapy",
        "messaging",
        "firewall",
        "internet",
        "or-scheduling",
        "sterilisation",
    ),
    ("workstations", "print-server", "printers", "file-server", "appointments", "dictation"),
    ("catering", "hr-payroll", "finance", "vpn", "vendor-access", "ght-link"),
)

PLAYBOOK_TEXT = {
    "fr": {
        "fast": (
            "Isolement rapide et reprise ordonnée",
            "Doctrine recommandée: coupure d'internet et des accès distants dans la demi-heure, "
            "déconnexion des sauvegardes, réinitialisation des comptes à privilèges, modes dégradés "
            "déclenchés tôt; reprise par vagues à partir de l'annuaire reconstruit.",
        ),
        "slow": (
            "Confinement tardif",
            "Ce qui se passe quand l'alerte circule mal: coupure d'internet après plusieurs heures, "
            "sauvegardes laissées en ligne, comptes réinitialisés le lendemain, reprise plus tardive.",
        ),
        "labels": {
            "cut_internet": "Coupure d'internet et des accès distants",
            "isolate_zone": "Isolement des zones exposées",
            "isolate_backup": "Déconnexion des sauvegardes",
            "reset": "Réinitialisation des comptes à privilèges",
            "degraded": "Déclenchement des modes dégradés (plan blanc numérique)",
            "restore": "Reprise, vague {wave}",
        },
    },
    "en": {
        "fast": (
            "Fast isolation and ordered recovery",
            "Recommended practice: internet and remote access cut within half an hour, backups "
            "disconnected, privileged accounts reset, downtime procedures started early; recovery in waves "
            "from a rebuilt directory.",
        ),
        "slow": (
            "Late containment",
            "What happens when the alert travels slowly: internet cut after several hours, backups left "
            "online, accounts reset the next day, later recovery.",
        ),
        "labels": {
            "cut_internet": "Internet and remote access cut",
            "isolate_zone": "Exposed zones isolated",
            "isolate_backup": "Backups disconnected",
            "reset": "Privileged accounts reset",
            "degraded": "Downtime procedures started",
            "restore": "Recovery, wave {wave}",
        },
    },
}


def _by_ref(systems: Sequence[Mapping[str, Any]], refs: Iterable[str]) -> list[str]:
    wanted = set(refs)
    return [system["id"] for system in systems if system.get("catalogue_ref") in wanted]


def standard_playbooks(
    systems: Sequence[Mapping[str, Any]],
    language: str,
    *,
    exposed_zones: Sequence[str],
    extra_actions: Sequence[dict[str, Any]] = (),
) -> list[dict[str, Any]]:
    """Two playbooks over ``systems``: fast isolation (the default) and late containment.

    Both act on every system of the given list by catalogue entry, so one function serves a single
    hospital and a whole GHT. Times are offsets after detection; restore waves follow RESTORE_WAVES.
    ``extra_actions`` (e.g. closing and reopening an emergency department) are added to both.
    """
    text = PLAYBOOK_TEXT[language]
    labels = text["labels"]
    credentials = _by_ref(systems, ("cred-da", "cred-server-admin", "cred-user", "cred-vendor"))
    services = [system["id"] for system in systems if system["kind"] == "clinical_service"]
    backups = _by_ref(systems, ("backup-online",))
    timing = {
        "fast": {"cut": "PT20M", "zones": "PT40M", "backup": "PT30M", "reset": "PT3H", "degraded": "PT45M"},
        "slow": {"cut": "PT4H", "zones": "PT8H", "backup": "", "reset": "P1D", "degraded": "PT3H"},
    }
    wave_starts = {
        "fast": ("P1D", "P2D", "P4D", "P7D", "P14D"),
        "slow": ("P3D", "P5D", "P8D", "P12D", "P21D"),
    }
    books = []
    for variant in ("fast", "slow"):
        when = timing[variant]
        actions = [
            {
                "id": "cut-internet",
                "action": "cut_internet",
                "label": labels["cut_internet"],
                "trigger": on("detected", when["cut"]),
            },
            {
                "id": "isolate-zones",
                "action": "isolate_zone",
                "zones": list(exposed_zones),
                "label": labels["isolate_zone"],
                "trigger": on("detected", when["zones"]),
            },
        ]
        if when["backup"] and backups:
            actions.append(
                {
                    "id": "isolate-backups",
                    "action": "isolate_node",
                    "targets": backups,
                    "label": labels["isolate_backup"],
                    "trigger": on("detected", when["backup"]),
                }
            )
        actions += [
            {
                "id": "reset-credentials",
                "action": "reset_credentials",
                "targets": credentials,
                "label": labels["reset"],
                "trigger": on("detected", when["reset"]),
            },
            {
                "id": "degraded-modes",
                "action": "activate_degraded_mode",
                "targets": services,
                "label": labels["degraded"],
                "trigger": on("detected", when["degraded"]),
            },
        ]
        for number, (refs, start) in enumerate(zip(RESTORE_WAVES, wave_starts[variant], strict=True), 1):
            targets = _by_ref(systems, refs)
            if targets:
                actions.append(
                    {
                        "id": f"restore-wave-{number}",
                        "action": "restore",
                        "targets": targets,
                        "label": labels["restore"].format(wave=number),
                        "trigger": on("detected", start),
                    }
                )
        actions += [dict(action) for action in extra_actions]
        name, description = text[variant]
        book = {"id": f"playbook-{variant}", "name": name, "description": description, "actions": actions}
        if variant == "fast":
            book["default"] = True
        books.append(book)
    return books


def count_systems(systems: Sequence[Mapping[str, Any]], organisation_id: str | None = None) -> int:
    """IT systems of a graph (credentials and clinical services left out), optionally of one organisation."""
    return sum(
        1
        for system in systems
        if system["kind"] not in ("credential", "clinical_service")
        and (organisation_id is None or system.get("organisation") == organisation_id)
    )


# --- Cells ---------------------------------------------------------------------------------------------

# Player cells of one hospital: key -> (name, level, [(role, responsibilities)], mission).
HOSPITAL_CELLS = {
    "fr": {
        "direction": (
            "Cellule de crise hospitalière",
            "strategic",
            [
                ("Directeur général, directeur de crise", "Décide, arbitre, porte la parole vers l'ARS."),
                ("Directrice des soins", "Continuité des soins, mobilisation des cadres."),
                ("Président de la CME", "Décisions médicales: délestage, déprogrammation, transferts."),
                ("Directeur des affaires juridiques et DPO", "Signalements, CNIL, plainte."),
                ("Secrétaire de crise", "Tient la main courante et le tableau de situation."),
            ],
            "Piloter la crise: qualifier la situation, décider du plan blanc et de la posture des urgences, "
            "assurer les signalements, valider la communication et les priorités de reprise.",
        ),
        "dsi": (
            "Cellule technique DSI",
            "technical",
            [
                ("DSI", "Dirige la cellule technique."),
                ("RSSI", "Confinement, preuves, lien avec le CERT Santé."),
                ("Administrateurs systèmes et réseau", "Isolement, diagnostic, restauration."),
                ("Référent de l'infogérant", "Relais avec l'exploitation externalisée."),
            ],
            "Confiner l'attaque, préserver les preuves, établir l'état des systèmes et des sauvegardes, "
            "proposer un plan de reprise priorisé avec les soignants.",
        ),
        "soins": (
            "Cellule soins et continuité",
            "operational",
            [
                ("Coordonnatrice générale des soins", "Organisation des services en mode dégradé."),
                ("Chef des urgences", "Posture des urgences, lien avec le SAMU."),
                ("Réanimateur de garde", "Patients dépendants de la surveillance centralisée."),
                ("Pharmacien de garde", "Dispensation sans logiciel, chimiothérapies."),
                ("Biologiste de garde", "Résultats sans transmission informatique."),
                ("Gestionnaire des lits", "Places disponibles, transferts."),
            ],
            "Maintenir des soins sûrs: procédures papier, identitovigilance, priorisation des patients, "
            "liste des transferts, déprogrammation.",
        ),
        "com": (
            "Cellule communication",
            "operational",
            [
                ("Responsable de la communication", "Messages internes et externes, relations presse."),
                ("Responsable du standard et de l'accueil", "Scripts pour les appels des familles."),
            ],
            "Informer les agents, les patients, les familles et la presse avec des messages validés.",
        ),
    },
    "en": {
        "direction": (
            "Hospital crisis cell",
            "strategic",
            [
                ("Chief executive, crisis director", "Decides, arbitrates, speaks to the health agency."),
                ("Director of nursing", "Continuity of care, ward managers."),
                ("Chair of the medical board", "Medical decisions: diversion, cancellations, transfers."),
                ("Legal director and data-protection officer", "Reporting, CNIL, complaint, contract."),
                ("Crisis secretary", "Keeps the crisis log and the situation board."),
            ],
            "Lead the response: qualify the situation, decide on the emergency plan and the ED posture, "
            "report, approve communication and recovery priorities.",
        ),
        "dsi": (
            "IT technical cell",
            "technical",
            [
                ("CIO", "Leads the technical cell."),
                ("CISO", "Containment, evidence, liaison with CERT Santé."),
                ("System and network administrators", "Isolation, diagnosis, restores."),
                ("Supplier account manager", "Liaison with the supplier's incident team."),
            ],
            "Contain the attack, preserve evidence, establish the state of systems and backups, propose a "
            "recovery plan prioritised with clinicians.",
        ),
        "soins": (
            "Care continuity cell",
            "operational",
            [
                ("Head of nursing operations", "Wards in downtime mode."),
                ("Head of emergency medicine", "ED posture, liaison with the SAMU."),
                ("Pharmacist on call", "Dispensing without software."),
                ("Biologist on call", "Results without electronic delivery."),
                ("Bed manager", "Available beds, transfers."),
            ],
            "Keep care safe: paper procedures, patient identification, prioritisation, transfer list, "
            "cancellations.",
        ),
        "com": (
            "Communication cell",
            "operational",
            [
                ("Head of communication", "Internal and external messages, press."),
                ("Switchboard and reception manager", "Scripts for calls from patients and families."),
            ],
            "Inform staff, patients, families and the press with approved messages.",
        ),
    },
}

CONTROL_CELLS = {
    "fr": {
        "animation": (
            "Cellule d'animation",
            [
                ("Directeur d'exercice", "Garant du déroulement et de la sécurité du jeu."),
                ("Animateurs", "Jouent les interlocuteurs extérieurs et délivrent les stimuli."),
            ],
            "Délivrer le chronogramme, jouer les personnages simulés et adapter le rythme.",
        ),
        "evaluation": (
            "Observateurs et évaluateurs",
            [("Observateurs", "Un par cellule joueuse; remplissent la grille d'observation.")],
            "Observer les cellules et noter l'atteinte des objectifs avec des constats horodatés.",
        ),
    },
    "en": {
        "animation": (
            "Control cell",
            [
                ("Exercise director", "Owns the conduct and safety of play."),
                ("Controllers", "Play every outside party and deliver the injects."),
            ],
            "Deliver the MSEL, play the simulated parties and adjust the pace.",
        ),
        "evaluation": (
            "Evaluators",
            [("Evaluators", "One per player cell; fill in the evaluation guide.")],
            "Watch the cells and rate the objectives with time-stamped observations.",
        ),
    },
}


def hospital_cells(
    language: str,
    org_id: str,
    situations: Mapping[str, str],
    *,
    suffix: str = "",
    name_suffix: str = "",
    locations: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Player cells ``cell-<key><suffix>`` of one hospital, one per key of ``situations`` (its initial
    situation). ``name_suffix`` tells the hospitals of a group apart (e.g. " - CH de Saint-Roch")."""
    result = []
    for key, situation in situations.items():
        name, level, members, mission = HOSPITAL_CELLS[language][key]
        result.append(
            cell(
                f"cell-{key}{suffix}",
                name + name_suffix,
                "player",
                level=level,
                organisation_id=org_id,
                location=(locations or {}).get(key),
                members=members,
                mission=mission,
                initial_situation=situation,
            )
        )
    return result


def control_cells(language: str) -> list[dict[str, Any]]:
    """The animation cell (``cell-animation``) and the evaluation cell (``cell-evaluation``)."""
    return [
        cell(f"cell-{key}", name, key, members=members, mission=mission)
        for key, (name, members, mission) in CONTROL_CELLS[language].items()
    ]


def personas_from_rows(rows: Iterable[tuple[Any, ...]], played_by: str) -> list[dict[str, Any]]:
    """Personas from compact rows (id, name, role, kind, organisation, channels, notes, in_directory)."""
    return [
        persona(
            pid,
            name,
            role,
            kind,
            played_by=played_by,
            channels=channels,
            organisation_id=org,
            notes=notes,
            in_directory=listed,
        )
        for pid, name, role, kind, org, channels, notes, listed in rows
    ]
