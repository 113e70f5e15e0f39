"""The system catalogue as Python data, written to scenario_library/catalogue/systems.json by build.py.

Defaults come from the domain notes on hospital information systems: what each component depends on,
its paper workaround and the recovery-time anchors (first critical applications back in 1-3 days,
most functions in 2-3 weeks, directory rebuilt first in a clean environment). Reach links are the
usual ransomware path: VPN or phishing -> user credentials -> file shares and servers -> an
administration workstation or a cached session -> domain admin -> hypervisors and backups.
"""

from __future__ import annotations

from typing import Any


def fixed(value: str) -> dict[str, str]:
    return {"dist": "fixed", "value": value}


def tri(low: str, mode: str, high: str) -> dict[str, str]:
    return {"dist": "triangular", "min": low, "mode": mode, "max": high}


def lognormal(median: str, p90: str) -> dict[str, str]:
    return {"dist": "lognormal", "median": median, "p90": p90}


def depends(target: str, note: str | None = None, grace: str | None = None) -> dict[str, Any]:
    link: dict[str, Any] = {"kind": "depends", "target": target}
    if note:
        link["note"] = note
    if grace:
        link["grace"] = grace
    return link


def reach(
    target: str,
    delay: dict[str, str],
    technique: str,
    *,
    requires: str | None = None,
    p_success: float | None = None,
    max_attempts: int | None = None,
) -> dict[str, Any]:
    link: dict[str, Any] = {"kind": "reach", "target": target, "delay": delay, "technique": technique}
    if requires:
        link["requires"] = requires
    if p_success is not None:
        link["p_success"] = p_success
    if max_attempts is not None:
        link["max_attempts"] = max_attempts
    return link


def degraded(activation: str, capacity: int, max_duration: str | None = None) -> dict[str, Any]:
    mode: dict[str, Any] = {"activation_delay": activation, "capacity": capacity}
    if max_duration:
        mode["max_duration"] = max_duration
    return mode


def entry(
    entry_id: str,
    kind: str,
    fr: tuple[str, str] | tuple[str, str, str],
    en: tuple[str, str] | tuple[str, str, str],
    *,
    tags: tuple[str, ...] = (),
    links: tuple[dict[str, Any], ...] = (),
    **fields: Any,
) -> dict[str, Any]:
    """One catalogue entry; ``fr``/``en`` are (name, description[, paper workaround])."""
    text = {}
    for language, wording in (("fr", fr), ("en", en)):
        text[language] = {"name": wording[0], "description": wording[1]}
        if len(wording) > 2:
            text[language]["workaround"] = wording[2]
    result: dict[str, Any] = {"id": entry_id, "kind": kind, "text": text, **fields}
    if tags:
        result["tags"] = list(tags)
    if links:
        result["links"] = list(links)
    return result


# Shared delays of the attack path, named so that the same movement costs the same everywhere.
SMB_MOVE = tri("PT15M", "PT1H", "PT4H")
RDP_MOVE = tri("PT30M", "PT2H", "PT8H")
CRED_DUMP = tri("PT30M", "PT2H", "PT6H")
ADMIN_LOGON = tri("PT10M", "PT30M", "PT2H")

INFRA = ("infrastructure",)
APP = ("application",)
CLIN = ("clinical",)
CRED = ("credential",)

INFRASTRUCTURE = [
    entry(
        "core-network",
        "network",
        (
            "Cœur de réseau (commutateurs, routage)",
            "Commutateurs de cœur et de distribution, routage entre VLAN. Redémarré par étapes après un "
            "confinement.",
        ),
        (
            "Core network (switches, routing)",
            "Core and distribution switches and inter-VLAN routing; restarted in stages after containment.",
        ),
        tags=INFRA,
        zone="core",
        criticality=5,
        bootstrap=True,
        recovery_time=tri("PT4H", "PT12H", "P2D"),
    ),
    entry(
        "internet",
        "internet",
        (
            "Accès internet (opérateur)",
            "Lien vers internet fourni par l'opérateur. Le couper arrête le télétravail, les accès des "
            "éditeurs et les plateformes régionales, pas la messagerie interne.",
        ),
        (
            "Internet access (carrier)",
            "The carrier's internet link. Cutting it stops remote work, vendor access and regional "
            "platforms, not internal email.",
        ),
        tags=INFRA,
        zone="dmz",
        criticality=3,
        internet_facing=True,
        recovery_time=tri("PT1H", "PT4H", "P1D"),
    ),
    entry(
        "firewall",
        "network",
        (
            "Pare-feu périmétrique et accès internet",
            "Pare-feu de bordure et lien opérateur. Couper internet est la première mesure de "
            "confinement; elle coupe aussi les plateformes régionales et les accès des éditeurs.",
        ),
        (
            "Perimeter firewall and internet access",
            "Edge firewall and carrier link. Cutting internet is the first containment step; it also cuts "
            "regional platforms and vendor access.",
        ),
        tags=INFRA,
        zone="dmz",
        criticality=4,
        internet_facing=True,
        recovery_time=tri("PT2H", "PT6H", "P1D"),
        links=(depends("core-network"),),
    ),
    entry(
        "vpn",
        "security",
        (
            "Passerelle VPN (télétravail, astreintes)",
            "Accès distant des agents et des astreintes, authentifié sur l'annuaire. Appliance exposée "
            "sur internet, cible classique d'accès initial.",
        ),
        (
            "VPN gateway (remote work, on-call)",
            "Remote access for staff and on-call engineers, authenticated against the directory. An "
            "internet-exposed appliance and a classic initial-access target.",
        ),
        tags=INFRA,
        zone="dmz",
        criticality=3,
        internet_facing=True,
        recovery_time=tri("PT4H", "P1D", "P3D"),
        links=(
            depends("internet"),
            depends("firewall"),
            depends("ad", "authentification des sessions"),
            reach(
                "cred-user",
                tri("PT20M", "PT1H", "PT4H"),
                "VPN appliance exploit, session and credential harvesting",
            ),
            reach(
                "workstations",
                tri("PT15M", "PT45M", "PT3H"),
                "VPN session then RDP to a workstation",
                requires="cred-user",
            ),
        ),
    ),
    entry(
        "vendor-access",
        "supplier",
        (
            "Télémaintenance des éditeurs et prestataires",
            "Outils de prise en main à distance utilisés par les éditeurs (DPI, laboratoire, "
            "pharmacie) et l'infogérant, via le VPN.",
        ),
        (
            "Vendor and service-provider remote maintenance",
            "Remote-support tools used by software vendors (EHR, lab, pharmacy) and the managed-service "
            "provider, through the VPN.",
        ),
        tags=INFRA,
        zone="dmz",
        criticality=2,
        internet_facing=True,
        recovery_time=tri("PT2H", "P1D", "P7D"),
        links=(
            depends("vpn"),
            reach(
                "cred-vendor", tri("PT10M", "PT30M", "PT2H"), "shared support account reused by the vendor"
            ),
            reach(
                "sql-db",
                tri("PT30M", "PT2H", "PT8H"),
                "remote-support session on a server",
                requires="cred-vendor",
            ),
            reach(
                "dpi",
                tri("PT30M", "PT2H", "PT8H"),
                "remote-support session on a server",
                requires="cred-vendor",
            ),
        ),
    ),
    entry(
        "ad",
        "identity",
        (
            "Annuaire Active Directory (contrôleurs de domaine)",
            "Authentification des agents, stratégies de groupe, SSO vers le DPI. Sa chute bloque "
            "presque tout; il est reconstruit en premier, dans un environnement sain.",
            "Comptes locaux de secours (bris de glace) sur les postes critiques; procédures papier.",
        ),
        (
            "Active Directory (domain controllers)",
            "Staff authentication, group policies, single sign-on into the EHR. Its loss stops almost "
            "everything; it is rebuilt first, in a clean environment.",
            "Break-glass local accounts on critical workstations; paper procedures.",
        ),
        tags=INFRA,
        zone="admin",
        criticality=5,
        domain_joined=True,
        edr=True,
        bootstrap=True,
        recovery_time=lognormal("P1D", "P3D"),
        backup="backup-offline",
        links=(
            depends("core-network"),
            depends("hypervisors"),
            reach(
                "hypervisors", ADMIN_LOGON, "hypervisor management joined to the domain", requires="cred-da"
            ),
            reach(
                "backup-online", ADMIN_LOGON, "backup console with domain authentication", requires="cred-da"
            ),
        ),
    ),
    entry(
        "dns-dhcp",
        "server",
        (
            "DNS et DHCP",
            "Résolution de noms et adressage des postes; zones DNS stockées dans l'annuaire.",
        ),
        (
            "DNS and DHCP",
            "Name resolution and workstation addressing; DNS zones are stored in the directory.",
        ),
        tags=INFRA,
        zone="admin",
        criticality=5,
        domain_joined=True,
        recovery_time=tri("PT4H", "PT12H", "P2D"),
        links=(depends("core-network"), depends("ad", "zones DNS stockées dans l'annuaire")),
    ),
    entry(
        "hypervisors",
        "virtualisation",
        (
            "Ferme de virtualisation (hyperviseurs)",
            "Héberge la plupart des serveurs applicatifs; la console d'administration est liée à "
            "l'annuaire. Une attaque sur les hyperviseurs chiffre beaucoup de serveurs d'un coup.",
        ),
        (
            "Virtualisation farm (hypervisors)",
            "Hosts most application servers; its management console is tied to the directory. An attack on "
            "the hypervisors encrypts many servers at once.",
        ),
        tags=INFRA,
        zone="infra",
        criticality=5,
        domain_joined=True,
        units=6,
        recovery_time=lognormal("PT18H", "P3D"),
        backup="backup-offline",
        links=(depends("core-network"), depends("san")),
    ),
    entry(
        "san",
        "storage",
        (
            "Baie de stockage (SAN)",
            "Stockage partagé des machines virtuelles et des images.",
        ),
        ("Storage array (SAN)", "Shared storage for virtual machines and images."),
        tags=INFRA,
        zone="infra",
        criticality=5,
        recovery_time=lognormal("P1D", "P4D"),
        links=(depends("core-network"),),
    ),
    entry(
        "backup-online",
        "backup",
        (
            "Sauvegardes en ligne (serveur et dépôt disque)",
            "Sauvegardes quotidiennes sur disque, administrées avec un compte du domaine: chiffrables "
            "si l'attaquant obtient l'administration du domaine.",
        ),
        (
            "Online backups (server and disk repository)",
            "Daily disk backups administered with a domain account: they can be encrypted once the attacker "
            "holds domain admin.",
        ),
        tags=INFRA,
        zone="backup",
        criticality=5,
        domain_joined=True,
        edr=True,
        recovery_time=lognormal("PT18H", "P2D"),
        backup="backup-offline",
        links=(
            depends("core-network"),
            depends("san"),
            reach(
                "backup-offline",
                fixed("PT2H"),
                "attempt to purge immutable copies from the backup console",
                requires="cred-da",
                p_success=0.1,
                max_attempts=1,
            ),
        ),
    ),
    entry(
        "backup-offline",
        "backup",
        (
            "Copies de sauvegarde hors ligne / immuables",
            "Copies déconnectées ou à rétention verrouillée; elles décident d'une reprise en semaines "
            "plutôt qu'en mois.",
        ),
        (
            "Offline / immutable backup copies",
            "Disconnected or retention-locked copies; they decide between weeks and months of recovery.",
        ),
        tags=INFRA,
        zone="vault",
        criticality=5,
        bootstrap=True,
        recovery_time=tri("P1D", "P2D", "P5D"),
    ),
    entry(
        "file-server",
        "server",
        (
            "Serveur de fichiers (partages des services)",
            "Partages réseau des services et de la direction; y traînent souvent des scripts et des "
            "exports de données patients.",
        ),
        (
            "File server (department shares)",
            "Network shares of departments and management; scripts and patient-data exports often lie there.",
        ),
        tags=INFRA,
        zone="servers",
        criticality=3,
        domain_joined=True,
        edr=True,
        recovery_time=lognormal("P1D", "P4D"),
        backup="backup-online",
        links=(
            depends("hypervisors"),
            depends("ad"),
            reach(
                "cred-server-admin",
                tri("PT1H", "PT4H", "P1D"),
                "service-account password in clear text in a share script",
                p_success=0.5,
                max_attempts=2,
            ),
        ),
    ),
    entry(
        "print-server",
        "server",
        (
            "Serveur d'impression",
            "File d'impression de tous les services; l'attaquant s'en sert pour imprimer ses notes de "
            "rançon partout.",
        ),
        (
            "Print server",
            "Print queues of every department; attackers use it to print ransom notes everywhere.",
        ),
        tags=INFRA,
        zone="servers",
        criticality=2,
        domain_joined=True,
        edr=True,
        recovery_time=tri("PT4H", "P1D", "P3D"),
        links=(depends("hypervisors"), depends("ad")),
    ),
    entry(
        "printers",
        "workstation",
        (
            "Imprimantes et étiqueteuses des services",
            "Imprimantes réseau, copieurs et imprimantes d'étiquettes patients (bracelets, tubes).",
            "Étiquettes pré-imprimées et bracelets manuscrits.",
        ),
        (
            "Department printers and label printers",
            "Network printers, copiers and patient label printers (wristbands, tubes).",
            "Pre-printed labels and handwritten wristbands.",
        ),
        tags=INFRA,
        zone="users",
        criticality=2,
        units=150,
        recovery_time=tri("PT2H", "PT12H", "P2D"),
        degraded_mode=degraded("PT1H", 50),
        links=(depends("print-server"), depends("core-network")),
    ),
    entry(
        "messaging",
        "messaging",
        (
            "Messagerie et agendas",
            "Courriel interne et externe de l'établissement, liée à l'annuaire.",
            "Téléphone, messagerie sécurisée de santé hors domaine, coursiers entre les bâtiments.",
        ),
        (
            "Email and calendars",
            "Internal and external email of the establishment, tied to the directory.",
            "Phones, a health secure-messaging account outside the domain, runners between buildings.",
        ),
        tags=INFRA,
        zone="servers",
        criticality=4,
        domain_joined=True,
        edr=True,
        recovery_time=lognormal("P2D", "P7D"),
        backup="backup-online",
        degraded_mode=degraded("PT2H", 40),
        links=(
            depends("ad"),
            depends("hypervisors"),
            depends("firewall"),
            reach(
                "workstations",
                tri("PT1H", "PT4H", "P1D"),
                "internal phishing from a hijacked mailbox",
                p_success=0.3,
                max_attempts=3,
            ),
        ),
    ),
    entry(
        "telephony",
        "telephony",
        (
            "Téléphonie sur IP (autocommutateur, DECT)",
            "Standard, postes fixes, DECT des soignants et astreintes; partage souvent le réseau "
            "informatique.",
            "Téléphones mobiles, lignes analogiques de secours, affichage « appelez le 15 ».",
        ),
        (
            "IP telephony (PBX, DECT)",
            "Switchboard, desk phones, staff DECT handsets and on-call lines; often shares the IT network.",
            "Mobile phones, analogue backup lines, 'call 15' notices.",
        ),
        tags=INFRA,
        zone="voice",
        criticality=5,
        recovery_time=tri("PT12H", "P1D", "P4D"),
        degraded_mode=degraded("PT1H", 30, "P30D"),
        links=(depends("core-network"),),
    ),
    entry(
        "workstations",
        "workstation",
        (
            "Postes de travail des services",
            "Postes Windows des services de soins et administratifs, joints au domaine.",
        ),
        (
            "Department workstations",
            "Windows workstations of care and administrative departments, joined to the domain.",
        ),
        tags=INFRA,
        zone="users",
        criticality=4,
        units=900,
        domain_joined=True,
        edr=True,
        recovery_time=lognormal("P5D", "P14D"),
        links=(
            depends("ad"),
            depends("dns-dhcp"),
            depends("core-network"),
            reach("cred-user", CRED_DUMP, "credential theft from memory (LSASS)"),
            reach("file-server", SMB_MOVE, "SMB with a stolen user account", requires="cred-user"),
            reach("print-server", SMB_MOVE, "SMB with a stolen user account", requires="cred-user"),
            reach(
                "cred-server-admin",
                tri("PT1H", "PT4H", "P1D"),
                "kerberoasting of a service account",
                requires="cred-user",
                p_success=0.6,
                max_attempts=3,
            ),
            reach(
                "sql-db",
                ADMIN_LOGON,
                "admin logon to a database server with the service account",
                requires="cred-server-admin",
            ),
            reach(
                "admin-workstation",
                RDP_MOVE,
                "RDP to a poorly segregated administration workstation",
                requires="cred-user",
                p_success=0.4,
                max_attempts=5,
            ),
        ),
    ),
    entry(
        "admin-workstation",
        "workstation",
        (
            "Postes d'administration de la DSI",
            "Postes des administrateurs système, où des sessions d'administration du domaine restent "
            "ouvertes.",
        ),
        (
            "IT administration workstations",
            "System administrators' workstations, where domain-admin sessions stay open.",
        ),
        tags=INFRA,
        zone="admin",
        criticality=5,
        units=12,
        domain_joined=True,
        edr=True,
        recovery_time=tri("PT4H", "P1D", "P3D"),
        links=(
            depends("ad"),
            depends("core-network"),
            reach("cred-da", CRED_DUMP, "dump of a cached domain-admin session"),
            reach("ad", ADMIN_LOGON, "logon to a domain controller, DCSync", requires="cred-da"),
        ),
    ),
    entry(
        "sql-db",
        "database",
        (
            "Serveurs de bases de données",
            "Instances SQL Server et Oracle des applications métier (GAM, DPI, laboratoire, pharmacie).",
        ),
        (
            "Database servers",
            "SQL Server and Oracle instances of the business applications (PAS, EHR, lab, pharmacy).",
        ),
        tags=INFRA,
        zone="servers",
        criticality=5,
        units=8,
        domain_joined=True,
        edr=True,
        recovery_time=lognormal("PT12H", "P2D"),
        backup="backup-online",
        links=(
            depends("hypervisors"),
            depends("san"),
            depends("ad"),
            reach(
                "cred-da",
                tri("PT1H", "PT4H", "P1D"),
                "domain-admin credentials cached on a database server",
                p_success=0.5,
                max_attempts=2,
            ),
        ),
    ),
]

APPLICATIONS = [
    entry(
        "identity-server",
        "application",
        (
            "Serveur d'identités patients (IPP/INS)",
            "Référentiel des identités patients et de l'identifiant national de santé.",
            "Identités provisoires numérotées sur registre papier, rapprochement ultérieur.",
        ),
        (
            "Patient identity server (MPI)",
            "Master patient index and national health identifier.",
            "Numbered provisional identities on a paper register, reconciled later.",
        ),
        tags=APP,
        zone="servers",
        criticality=4,
        domain_joined=True,
        recovery_time=lognormal("PT8H", "P1D"),
        backup="backup-online",
        degraded_mode=degraded("PT1H", 60),
        links=(depends("sql-db"), depends("hypervisors")),
    ),
    entry(
        "pas",
        "application",
        (
            "GAM - admissions, mouvements et facturation",
            "Gestion administrative du malade: admissions, localisation des patients, facturation.",
            "Étiquettes pré-imprimées, identités provisoires, pochette bleue de circuit papier; "
            "ressaisie après le retour.",
        ),
        (
            "Patient administration system (admissions, bed moves, billing)",
            "Admissions, patient location and billing.",
            "Pre-printed labels, provisional identities, a paper folder following the patient; "
            "re-keying afterwards.",
        ),
        tags=APP,
        zone="servers",
        criticality=5,
        domain_joined=True,
        edr=True,
        recovery_time=lognormal("PT12H", "P2D"),
        backup="backup-online",
        degraded_mode=degraded("PT1H", 50, "P60D"),
        links=(depends("identity-server"), depends("sql-db"), depends("ad")),
    ),
    entry(
        "eai",
        "interface",
        (
            "EAI - moteur d'interfaces (HL7, HPRIM)",
            "Transporte les flux d'identité, de mouvements, de demandes et de résultats entre "
            "applications; sans lui, chaque application devient une île.",
            "Double saisie manuelle d'une application à l'autre.",
        ),
        (
            "Integration engine (HL7 interfaces)",
            "Carries identity, movement, order and result messages between applications; without it each "
            "application becomes an island.",
            "Manual double entry from one application to another.",
        ),
        tags=APP,
        zone="servers",
        criticality=4,
        domain_joined=True,
        recovery_time=lognormal("PT8H", "P1D"),
        backup="backup-online",
        degraded_mode=degraded("PT2H", 40),
        links=(depends("hypervisors"), depends("pas", "flux ADT"), depends("core-network")),
    ),
    entry(
        "dpi",
        "application",
        (
            "DPI - dossier patient informatisé",
            "Dossier médical et de soins, prescription connectée, plan de soins, antécédents et allergies.",
            "Prescriptions manuscrites, diagrammes de soins papier, résumés imprimés et copies de "
            "consultation hors ligne.",
        ),
        (
            "Electronic health record (EHR)",
            "Medical and nursing record, computerised prescribing, care plans, history and allergies.",
            "Handwritten prescriptions, paper nursing charts, printed summaries and read-only downtime "
            "copies.",
        ),
        tags=APP,
        zone="servers",
        criticality=5,
        domain_joined=True,
        edr=True,
        recovery_time=lognormal("P1D", "P4D"),
        backup="backup-online",
        degraded_mode=degraded("PT1H", 60, "P90D"),
        links=(
            depends("ad", "authentification unique"),
            depends("sql-db"),
            depends("eai"),
            depends("pas"),
            depends("hypervisors"),
        ),
    ),
    entry(
        "ed-software",
        "application",
        (
            "Logiciel des urgences",
            "Accueil, tri et tableau des flux des urgences.",
            "Liste papier et tableau blanc, fiches de tri imprimées à l'avance.",
        ),
        (
            "Emergency department software",
            "ED registration, triage and flow board.",
            "Paper list and whiteboard, triage forms printed in advance.",
        ),
        tags=APP,
        zone="servers",
        criticality=5,
        domain_joined=True,
        recovery_time=lognormal("PT8H", "P1D"),
        backup="backup-online",
        degraded_mode=degraded("PT30M", 60),
        links=(depends("dpi"), depends("pas")),
    ),
    entry(
        "lis",
        "application",
        (
            "SIL - système d'information du laboratoire",
            "Demandes d'examens, validation biologique et diffusion des résultats.",
            "Bons de demande papier; résultats par téléphone, fax ou coursier.",
        ),
        (
            "Laboratory information system (LIS)",
            "Test orders, biological validation and result delivery.",
            "Paper order forms; results by phone, fax or porter.",
        ),
        tags=APP,
        zone="servers",
        criticality=5,
        domain_joined=True,
        recovery_time=lognormal("PT12H", "P2D"),
        backup="backup-online",
        degraded_mode=degraded("PT1H", 40, "P30D"),
        links=(depends("sql-db"), depends("eai"), depends("hypervisors")),
    ),
    entry(
        "lab-middleware",
        "server",
        (
            "Middleware des automates de biologie",
            "Relie les automates au SIL et pilote la validation technique.",
        ),
        ("Laboratory analyser middleware", "Connects analysers to the LIS and drives technical validation."),
        tags=APP,
        zone="lab",
        criticality=4,
        domain_joined=True,
        recovery_time=tri("PT12H", "P2D", "P5D"),
        links=(depends("core-network"), depends("ad")),
    ),
    entry(
        "lab-analysers",
        "medical_device",
        (
            "Automates de biologie",
            "Analyseurs de biochimie, hématologie, gaz du sang; fonctionnent seuls, sans transmission "
            "des résultats.",
        ),
        (
            "Laboratory analysers",
            "Chemistry, haematology and blood-gas analysers; they run on their own, without sending results.",
        ),
        tags=APP,
        zone="lab",
        criticality=4,
        units=15,
        recovery_time=tri("PT4H", "PT12H", "P2D"),
    ),
    entry(
        "ris",
        "application",
        (
            "RIS - gestion de l'imagerie",
            "Rendez-vous, comptes rendus et facturation de l'imagerie.",
            "Planning papier, comptes rendus dictés puis tapés.",
        ),
        (
            "Radiology information system (RIS)",
            "Imaging appointments, reports and billing.",
            "Paper schedule, dictated then typed reports.",
        ),
        tags=APP,
        zone="servers",
        criticality=4,
        domain_joined=True,
        recovery_time=lognormal("P1D", "P3D"),
        backup="backup-online",
        degraded_mode=degraded("PT2H", 50),
        links=(depends("pas"), depends("eai"), depends("sql-db")),
    ),
    entry(
        "pacs",
        "application",
        (
            "PACS - archivage et diffusion des images",
            "Stockage et visualisation des images médicales.",
            "Images gravées sur CD depuis les consoles, lectures au téléphone.",
        ),
        (
            "PACS (image archive)",
            "Storage and viewing of medical images.",
            "Images burnt to CD from the modality consoles, reads by phone.",
        ),
        tags=APP,
        zone="servers",
        criticality=4,
        domain_joined=True,
        recovery_time=lognormal("P1D", "P5D"),
        backup="backup-online",
        degraded_mode=degraded("PT2H", 40),
        links=(depends("san"), depends("hypervisors"), depends("ad")),
    ),
    entry(
        "modalities",
        "medical_device",
        (
            "Modalités d'imagerie (scanner, IRM, radiologie)",
            "Scanners, IRM et salles de radiologie; les consoles fonctionnent hors réseau.",
        ),
        (
            "Imaging modalities (CT, MRI, X-ray)",
            "CT, MRI and X-ray rooms; the consoles work off the network.",
        ),
        tags=APP,
        zone="biomed",
        criticality=4,
        units=8,
        recovery_time=tri("PT4H", "P1D", "P3D"),
    ),
    entry(
        "chemo",
        "application",
        (
            "Logiciel de prescription des chimiothérapies",
            "Protocoles, calcul des doses et fabrication en unité de reconstitution.",
            "Calcul manuel des doses avec double contrôle, protocoles imprimés.",
        ),
        (
            "Chemotherapy prescribing software",
            "Protocols, dose calculation and compounding in the pharmacy unit.",
            "Manual dose calculation with a double check, printed protocols.",
        ),
        tags=APP,
        zone="servers",
        criticality=4,
        domain_joined=True,
        recovery_time=lognormal("P1D", "P5D"),
        backup="backup-online",
        degraded_mode=degraded("PT2H", 30, "P14D"),
        links=(depends("dpi"), depends("sql-db")),
    ),
    entry(
        "radiotherapy",
        "application",
        (
            "Radiothérapie (planification, enregistrement et vérification)",
            "Serveurs dédiés de planification des traitements et pilotage des accélérateurs.",
        ),
        (
            "Radiotherapy (planning, record and verify)",
            "Dedicated servers for treatment planning and driving the linear accelerators.",
        ),
        tags=APP,
        zone="radiotherapy",
        criticality=4,
        domain_joined=True,
        recovery_time=lognormal("P5D", "P21D"),
        backup="backup-online",
        links=(depends("core-network"), depends("ad")),
    ),
    entry(
        "pharmacy",
        "application",
        (
            "Logiciel de la pharmacie (PUI) et gestion des stocks",
            "Validation pharmaceutique, dispensation, traçabilité et stocks.",
            "Commandes papier des services, inventaires manuels, dispensation globale.",
        ),
        (
            "Hospital pharmacy and stock software",
            "Pharmaceutical validation, dispensing, traceability and stock.",
            "Paper orders from wards, manual stock counts, ward-level dispensing.",
        ),
        tags=APP,
        zone="servers",
        criticality=4,
        domain_joined=True,
        recovery_time=lognormal("P1D", "P4D"),
        backup="backup-online",
        degraded_mode=degraded("PT2H", 50),
        links=(depends("dpi"), depends("pas"), depends("sql-db")),
    ),
    entry(
        "dispensing-cabinets",
        "medical_device",
        (
            "Armoires à pharmacie automatisées",
            "Armoires sécurisées des services, pilotées par le logiciel de la PUI.",
            "Ouverture par clé de secours, registre papier des prélèvements.",
        ),
        (
            "Automated dispensing cabinets",
            "Secured ward cabinets driven by the pharmacy software.",
            "Override key opening, paper register of withdrawals.",
        ),
        tags=APP,
        zone="biomed",
        criticality=3,
        units=20,
        recovery_time=tri("PT4H", "P1D", "P3D"),
        degraded_mode=degraded("PT30M", 70),
        links=(depends("pharmacy"), depends("core-network")),
    ),
    entry(
        "or-scheduling",
        "application",
        (
            "Planification du bloc opératoire",
            "Programme opératoire, dossier d'anesthésie et traçabilité des dispositifs implantables.",
            "Programme papier limité aux urgences, feuilles d'anesthésie papier.",
        ),
        (
            "Operating-theatre scheduling",
            "Theatre lists, anaesthesia record and implant traceability.",
            "Paper list restricted to urgent cases, paper anaesthesia charts.",
        ),
        tags=APP,
        zone="servers",
        criticality=3,
        domain_joined=True,
        recovery_time=lognormal("P1D", "P5D"),
        backup="backup-online",
        degraded_mode=degraded("PT2H", 40),
        links=(depends("dpi"), depends("pas")),
    ),
    entry(
        "sterilisation",
        "application",
        (
            "Traçabilité de la stérilisation",
            "Suivi des compositions et cycles de stérilisation des instruments.",
            "Traçabilité papier des cycles et des boîtes.",
        ),
        (
            "Sterilisation traceability",
            "Tracking of instrument sets and sterilisation cycles.",
            "Paper traceability of cycles and sets.",
        ),
        tags=APP,
        zone="servers",
        criticality=4,
        domain_joined=True,
        recovery_time=lognormal("P1D", "P5D"),
        backup="backup-online",
        degraded_mode=degraded("PT2H", 50),
        links=(depends("sql-db"), depends("core-network")),
    ),
    entry(
        "biomed-monitoring",
        "medical_device",
        (
            "Centrale de surveillance (monitorage)",
            "Centrales de réanimation, soins continus et néonatologie; réseau biomédical séparé mais routé.",
            "Surveillance au lit, un soignant par chambre, alarmes locales des moniteurs.",
        ),
        (
            "Central patient monitoring",
            "Central stations of ICU, step-down and neonatal units; a separate but routed biomedical "
            "network.",
            "Bedside watch, one nurse per room, local monitor alarms.",
        ),
        tags=APP,
        zone="biomed",
        criticality=5,
        units=4,
        recovery_time=tri("PT6H", "P1D", "P4D"),
        degraded_mode=degraded("PT15M", 50, "P7D"),
        links=(depends("core-network"),),
    ),
    entry(
        "dictation",
        "application",
        (
            "Dictée numérique et secrétariats médicaux",
            "Dictée des comptes rendus, frappe et diffusion des courriers.",
            "Dictaphones à cassette, frappe externalisée, courriers manuscrits.",
        ),
        (
            "Digital dictation and medical secretariats",
            "Report dictation, typing and letter delivery.",
            "Tape dictaphones, outsourced typing, handwritten letters.",
        ),
        tags=APP,
        zone="servers",
        criticality=2,
        domain_joined=True,
        recovery_time=lognormal("P2D", "P7D"),
        backup="backup-online",
        degraded_mode=degraded("P1D", 30),
        links=(depends("file-server"), depends("dpi")),
    ),
    entry(
        "appointments",
        "application",
        (
            "Rendez-vous et agendas de consultation",
            "Prise de rendez-vous, rappels SMS, agendas des praticiens.",
            "Agendas papier, appels des patients un par un.",
        ),
        (
            "Outpatient appointments",
            "Booking, SMS reminders and practitioners' diaries.",
            "Paper diaries, calling patients one by one.",
        ),
        tags=APP,
        zone="servers",
        criticality=2,
        domain_joined=True,
        recovery_time=lognormal("P2D", "P7D"),
        backup="backup-online",
        degraded_mode=degraded("PT4H", 40),
        links=(depends("pas"),),
    ),
    entry(
        "bed-management",
        "application",
        (
            "Gestion des lits",
            "Disponibilités en lits, placement des patients, remontées vers le répertoire régional.",
            "Tableau des lits papier, points téléphoniques du gestionnaire de lits toutes les 4 heures.",
        ),
        (
            "Bed management",
            "Bed availability, patient placement, feeds to the regional directory.",
            "Paper bed board, bed-manager phone rounds every 4 hours.",
        ),
        tags=APP,
        zone="servers",
        criticality=4,
        domain_joined=True,
        recovery_time=lognormal("PT12H", "P2D"),
        backup="backup-online",
        degraded_mode=degraded("PT1H", 60),
        links=(depends("pas"),),
    ),
    entry(
        "catering",
        "application",
        (
            "Restauration (commandes de repas, régimes)",
            "Commandes de repas par chambre et régimes spéciaux.",
            "Listes papier des régimes et plans de chambres.",
        ),
        (
            "Catering (meal orders, diets)",
            "Meal orders per room and special diets.",
            "Paper diet lists and room plans.",
        ),
        tags=APP,
        zone="servers",
        criticality=2,
        domain_joined=True,
        recovery_time=lognormal("P2D", "P7D"),
        degraded_mode=degraded("PT4H", 80),
        links=(depends("pas"),),
    ),
    entry(
        "hr-payroll",
        "application",
        (
            "Ressources humaines et paie",
            "Dossiers des agents, plannings, paie.",
            "Plannings papier; paie du mois reconduite.",
        ),
        (
            "HR and payroll",
            "Staff files, rosters, payroll.",
            "Paper rosters; last month's payroll repeated.",
        ),
        tags=APP,
        zone="servers",
        criticality=2,
        domain_joined=True,
        recovery_time=lognormal("P3D", "P10D"),
        backup="backup-online",
        degraded_mode=degraded("P1D", 60),
        links=(depends("sql-db"), depends("ad")),
    ),
    entry(
        "finance",
        "application",
        (
            "Gestion économique et financière",
            "Achats, commandes aux fournisseurs, comptabilité.",
            "Bons de commande papier, commandes urgentes par téléphone.",
        ),
        (
            "Finance and procurement",
            "Purchasing, supplier orders, accounting.",
            "Paper purchase orders, urgent orders by phone.",
        ),
        tags=APP,
        zone="servers",
        criticality=2,
        domain_joined=True,
        recovery_time=lognormal("P3D", "P10D"),
        backup="backup-online",
        degraded_mode=degraded("P1D", 50),
        links=(depends("sql-db"), depends("ad")),
    ),
    entry(
        "bms",
        "building",
        (
            "GTB - gestion technique du bâtiment",
            "Portes, ascenseurs, traitement d'air et alarmes techniques; souvent sur un réseau séparé.",
            "Rondes techniques et commandes manuelles.",
        ),
        (
            "Building management system",
            "Doors, lifts, air handling and technical alarms; often on a separate network.",
            "Technical rounds and manual controls.",
        ),
        tags=APP,
        zone="building",
        criticality=3,
        recovery_time=tri("PT4H", "P1D", "P3D"),
        degraded_mode=degraded("PT1H", 70),
    ),
    entry(
        "samu-dispatch",
        "application",
        (
            "Logiciel de régulation du SAMU-Centre 15",
            "Régulation médicale des appels au 15, hébergée par l'établissement siège du SAMU.",
            "Bascule des appels vers un SAMU voisin, fiches de régulation papier.",
        ),
        (
            "SAMU emergency dispatch software",
            "Medical dispatch of emergency calls, hosted by the hospital that runs the SAMU.",
            "Calls rerouted to a neighbouring SAMU, paper dispatch forms.",
        ),
        tags=APP,
        zone="samu",
        criticality=5,
        recovery_time=tri("PT4H", "P1D", "P3D"),
        degraded_mode=degraded("PT30M", 80),
        links=(depends("telephony"), depends("core-network")),
    ),
    entry(
        "regional-platforms",
        "cloud",
        (
            "Plateformes régionales (ROR, messagerie sécurisée, e-parcours)",
            "Services du GRADeS: répertoire opérationnel des ressources, messagerie sécurisée de santé, "
            "coordination des parcours.",
            "Téléphone et tableaux partagés par l'ARS.",
        ),
        (
            "Regional e-health platforms (resource directory, secure messaging)",
            "Services of the regional e-health agency: resource directory, secure health messaging, care "
            "coordination.",
            "Phone and spreadsheets shared by the regional health agency.",
        ),
        tags=APP,
        zone="external",
        criticality=3,
        recovery_time=tri("PT2H", "PT12H", "P2D"),
        degraded_mode=degraded("PT2H", 50),
        links=(depends("internet"), depends("firewall")),
    ),
    entry(
        "ght-link",
        "network",
        (
            "Liaison inter-sites du GHT",
            "Lien réseau vers l'établissement support et les services mutualisés du GHT; chemin de "
            "propagation autant que de service.",
        ),
        (
            "Inter-site link of the hospital group",
            "Network link to the group's lead hospital and shared services; a propagation path as much as "
            "a service.",
        ),
        tags=("infrastructure", "ght"),
        zone="wan",
        criticality=4,
        recovery_time=tri("PT2H", "PT8H", "P2D"),
        links=(
            depends("core-network"),
            reach("workstations", SMB_MOVE, "unfiltered inter-site lateral movement", requires="cred-user"),
        ),
    ),
    entry(
        "hds-platform",
        "cloud",
        (
            "Plateforme de l'hébergeur de données de santé",
            "Applications hébergées chez un hébergeur certifié HDS et administrées par lui.",
        ),
        (
            "Certified health-data hosting platform",
            "Applications hosted and administered by a certified health-data hosting provider.",
        ),
        tags=("infrastructure", "supplier"),
        zone="hosting",
        criticality=5,
        internet_facing=True,
        recovery_time=lognormal("P3D", "P14D"),
        links=(depends("internet"),),
    ),
]

CREDENTIALS = [
    entry(
        "cred-user",
        "credential",
        ("Identifiants d'un utilisateur du domaine", "Compte d'un agent, sans privilège particulier."),
        ("Domain user credentials", "A staff account without special privileges."),
        tags=CRED,
        criticality=2,
    ),
    entry(
        "cred-server-admin",
        "credential",
        (
            "Compte de service à privilèges (serveurs)",
            "Compte de service administrateur local des serveurs applicatifs.",
        ),
        (
            "Privileged service account (servers)",
            "Service account that is local admin of application servers.",
        ),
        tags=CRED,
        criticality=4,
    ),
    entry(
        "cred-da",
        "credential",
        (
            "Compte administrateur du domaine",
            "Contrôle total de l'annuaire: déploiement par stratégie de groupe sur toutes les machines "
            "jointes.",
        ),
        (
            "Domain admin credentials",
            "Full control of the directory: group-policy deployment to every joined machine.",
        ),
        tags=CRED,
        criticality=5,
    ),
    entry(
        "cred-vendor",
        "credential",
        (
            "Identifiants de télémaintenance d'un prestataire",
            "Compte partagé du prestataire, souvent sans double facteur.",
        ),
        (
            "Vendor remote-support credentials",
            "The supplier's shared account, often without a second factor.",
        ),
        tags=CRED,
        criticality=4,
    ),
]


def service(
    entry_id: str,
    fr: tuple[str, str, str],
    en: tuple[str, str, str],
    needs: tuple[str, ...],
    mode: dict[str, Any],
    criticality: int = 5,
) -> dict[str, Any]:
    """A clinical service: a node whose state the injects report, with its paper workaround."""
    return entry(
        entry_id,
        "clinical_service",
        fr,
        en,
        tags=CLIN,
        criticality=criticality,
        degraded_mode=mode,
        links=tuple(depends(target) for target in needs),
    )


CLINICAL_SERVICES = [
    service(
        "svc-emergency",
        (
            "Urgences",
            "Accueil des urgences adultes et pédiatriques.",
            "Dossier de tri papier, tableau blanc, orientation des patients non vitaux via le SAMU; "
            "fermeture temporaire possible avec délestage vers les établissements voisins.",
        ),
        (
            "Emergency department",
            "Adult and paediatric emergency department.",
            "Paper triage records, whiteboard, non-critical patients redirected through the SAMU; temporary "
            "closure with diversion to neighbouring hospitals.",
        ),
        (
            "ed-software",
            "dpi",
            "workstations",
            "telephony",
            "svc-laboratory",
            "svc-imaging",
            "svc-admissions",
        ),
        degraded("PT30M", 50, "P3D"),
    ),
    service(
        "svc-icu",
        (
            "Réanimation",
            "Réanimation et soins continus.",
            "Surveillance au lit, prescriptions papier; admissions suspendues si la surveillance ne "
            "peut être garantie.",
        ),
        (
            "Intensive care",
            "Intensive and step-down care.",
            "Bedside watch, paper prescriptions; admissions stopped when monitoring cannot be guaranteed.",
        ),
        ("biomed-monitoring", "dpi", "svc-laboratory", "bms"),
        degraded("PT30M", 60, "P7D"),
    ),
    service(
        "svc-neonatal",
        (
            "Néonatologie",
            "Néonatologie et soins intensifs néonataux.",
            "Surveillance renforcée au lit; transfert des nouveau-nés instables vers une maternité de "
            "niveau adapté.",
        ),
        (
            "Neonatology",
            "Neonatal and neonatal intensive care.",
            "Reinforced bedside watch; unstable newborns transferred to a suitable maternity unit.",
        ),
        ("biomed-monitoring", "dpi", "svc-laboratory"),
        degraded("PT30M", 50, "P2D"),
    ),
    service(
        "svc-maternity",
        (
            "Maternité",
            "Salle de naissance et suites de couches.",
            "Partogrammes papier; accouchements maintenus.",
        ),
        ("Maternity", "Delivery rooms and post-natal ward.", "Paper partograms; births go on."),
        ("dpi", "biomed-monitoring", "svc-laboratory", "svc-admissions"),
        degraded("PT30M", 70, "P30D"),
        criticality=4,
    ),
    service(
        "svc-theatres",
        (
            "Bloc opératoire",
            "Salles d'opération et salle de surveillance post-interventionnelle.",
            "Urgences seulement, chirurgie programmée déprogrammée.",
        ),
        (
            "Operating theatres",
            "Operating rooms and recovery room.",
            "Urgent cases only; scheduled surgery postponed.",
        ),
        ("or-scheduling", "dpi", "svc-sterile-supply", "bms"),
        degraded("PT1H", 30, "P30D"),
    ),
    service(
        "svc-laboratory",
        (
            "Laboratoire de biologie",
            "Biologie médicale 24 h/24.",
            "Bons papier, résultats téléphonés ou portés; examens limités aux urgences.",
        ),
        (
            "Clinical laboratory",
            "Round-the-clock clinical biology.",
            "Paper orders, results phoned or carried; tests limited to urgent ones.",
        ),
        ("lis", "lab-middleware", "lab-analysers"),
        degraded("PT1H", 40, "P14D"),
    ),
    service(
        "svc-imaging",
        (
            "Imagerie médicale",
            "Radiologie, scanner, IRM.",
            "Images sur CD, lectures au téléphone; filière AVC détournée vers un centre de recours.",
        ),
        (
            "Medical imaging",
            "X-ray, CT, MRI.",
            "Images on CD, reads by phone; stroke pathway diverted to a referral centre.",
        ),
        ("ris", "pacs", "modalities"),
        degraded("PT2H", 40, "P14D"),
    ),
    service(
        "svc-oncology",
        (
            "Oncologie et chimiothérapie",
            "Hôpital de jour d'oncologie et unité de reconstitution.",
            "Doses calculées à la main avec double contrôle; cures non urgentes reportées.",
        ),
        (
            "Oncology and chemotherapy",
            "Oncology day unit and compounding unit.",
            "Doses calculated by hand with a double check; non-urgent cycles postponed.",
        ),
        ("chemo", "dpi", "svc-pharmacy", "svc-laboratory"),
        degraded("PT2H", 30, "P7D"),
        criticality=4,
    ),
    service(
        "svc-radiotherapy",
        (
            "Radiothérapie",
            "Traitements par accélérateurs.",
            "Traitements suspendus; transfert des patients en cours de traitement vers un autre centre.",
        ),
        (
            "Radiotherapy",
            "Linear-accelerator treatments.",
            "Treatments suspended; patients under treatment transferred to another centre.",
        ),
        ("radiotherapy",),
        degraded("PT4H", 10, "P3D"),
        criticality=4,
    ),
    service(
        "svc-pharmacy",
        (
            "Pharmacie à usage intérieur",
            "Dispensation, préparations, approvisionnement des services.",
            "Commandes papier, dispensation globale, inventaire manuel.",
        ),
        (
            "Hospital pharmacy",
            "Dispensing, preparations, ward supply.",
            "Paper orders, ward-level dispensing, manual stock count.",
        ),
        ("pharmacy", "dispensing-cabinets"),
        degraded("PT2H", 50, "P30D"),
        criticality=4,
    ),
    service(
        "svc-admissions",
        (
            "Admissions et bureau des entrées",
            "Enregistrement des patients et identitovigilance.",
            "Identités provisoires, étiquettes pré-imprimées, registre papier.",
        ),
        (
            "Admissions office",
            "Patient registration and identity checks.",
            "Provisional identities, pre-printed labels, paper register.",
        ),
        ("pas", "identity-server", "workstations", "printers"),
        degraded("PT1H", 50, "P60D"),
        criticality=4,
    ),
    service(
        "svc-sterile-supply",
        (
            "Stérilisation centrale",
            "Retraitement des dispositifs médicaux du bloc.",
            "Traçabilité papier; production limitée aux boîtes urgentes.",
        ),
        (
            "Central sterile supply",
            "Reprocessing of surgical instruments.",
            "Paper traceability; production limited to urgent sets.",
        ),
        ("sterilisation",),
        degraded("PT2H", 50, "P30D"),
        criticality=4,
    ),
    service(
        "svc-catering",
        (
            "Restauration des patients",
            "Repas et régimes des patients hospitalisés.",
            "Listes de régimes papier, menus simplifiés.",
        ),
        ("Patient catering", "Meals and diets of inpatients.", "Paper diet lists, simplified menus."),
        ("catering",),
        degraded("PT4H", 80),
        criticality=2,
    ),
    service(
        "svc-wards",
        (
            "Services d'hospitalisation",
            "Médecine et chirurgie conventionnelles.",
            "Dossiers imprimés des patients présents, diagrammes de soins papier, transmissions orales.",
        ),
        (
            "Inpatient wards",
            "Medical and surgical wards.",
            "Printed records of current inpatients, paper nursing charts, verbal handovers.",
        ),
        ("dpi", "svc-pharmacy", "svc-catering", "bed-management"),
        degraded("PT1H", 70, "P60D"),
        criticality=4,
    ),
    service(
        "svc-outpatients",
        (
            "Consultations externes",
            "Consultations et hôpital de jour.",
            "Agendas papier, consultations non urgentes reportées.",
        ),
        (
            "Outpatient clinics",
            "Consultations and day hospital.",
            "Paper diaries, non-urgent consultations postponed.",
        ),
        ("appointments", "dpi", "dictation"),
        degraded("PT4H", 40, "P60D"),
        criticality=3,
    ),
    service(
        "svc-samu",
        (
            "SAMU - Centre 15",
            "Régulation médicale et envoi des SMUR.",
            "Appels basculés vers le SAMU voisin, régulation sur papier.",
        ),
        (
            "SAMU emergency dispatch centre",
            "Medical dispatch and mobile ICU teams.",
            "Calls rerouted to the neighbouring SAMU, paper dispatch.",
        ),
        ("samu-dispatch", "telephony"),
        degraded("PT30M", 80),
    ),
    service(
        "svc-switchboard",
        (
            "Standard et accueil",
            "Standard téléphonique, accueil et information des familles.",
            "Numéros de mobiles diffusés, accueil physique renforcé, script pour les familles.",
        ),
        (
            "Switchboard and reception",
            "Switchboard, reception desk and information for families.",
            "Mobile numbers published, more reception staff, a script for families.",
        ),
        ("telephony",),
        degraded("PT1H", 30, "P30D"),
        criticality=3,
    ),
]

ALL_ENTRIES = INFRASTRUCTURE + APPLICATIONS + CREDENTIALS + CLINICAL_SERVICES

_NOT_IN_CH = {"radiotherapy", "svc-radiotherapy", "hds-platform"}
_NOT_IN_SMALL = _NOT_IN_CH | {
    "chemo",
    "svc-oncology",
    "samu-dispatch",
    "svc-samu",
    "svc-neonatal",
    "svc-icu",
    "lab-middleware",
    "hr-payroll",
}


def _profile(excluded: set[str], description: str, units_factor: float) -> dict[str, Any]:
    ids = [item["id"] for item in ALL_ENTRIES if item["id"] not in excluded]
    return {"description": description, "entries": ids, "units_factor": units_factor}


CATALOGUE: dict[str, Any] = {
    "catalogue_version": "1.0",
    "description": (
        "Systèmes typiques d'un hôpital français et services cliniques, avec leurs dépendances, modes "
        "dégradés, délais de reprise et chemins d'attaque usuels. Typical French hospital systems and "
        "clinical services with their dependencies, degraded modes, recovery times and usual attack paths."
    ),
    "entries": ALL_ENTRIES,
    "profiles": {
        "chu": _profile(
            {"hds-platform"},
            "Centre hospitalier universitaire: tout le catalogue hospitalier, radiothérapie et SAMU compris.",
            2.5,
        ),
        "ch": _profile(
            _NOT_IN_CH,
            "Centre hospitalier de taille moyenne siège du SAMU, sans radiothérapie.",
            1.0,
        ),
        "small": _profile(
            _NOT_IN_SMALL,
            "Petit centre hospitalier ou hôpital de proximité: urgences, médecine, maternité, sans "
            "réanimation, oncologie ni SAMU.",
            0.3,
        ),
    },
}
