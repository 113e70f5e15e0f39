"""The kinds of inject the generator writes, and which timeline events give rise to them.

A *kind* is one recognisable stimulus of a French hospital cyber crisis (the SOC alert, the ransom
note on the printers, the ARS duty officer's call, the SAMU asking about diversion...). Each kind
names its category, its channel, who may send it, which player cells receive it, how long after its
cause it arrives (scenario minutes: the sender reacts on the story's clock), whether it is core and
whether it gets a contingency inject. Its text lives in prompts/injects/<category>/<lang>.md under
the kind's name.

Channels are those that still work in a cyber crisis: what the establishment's own people and the
authorities tell it after the encryption goes by phone, in person or on paper, since its messaging
is usually down by then (see :func:`studio.injects.wording.channel_for` for the injects that
remain e-mails).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from studio.injects.context import Sender


@dataclass(frozen=True)
class InjectKind:
    name: str
    category: str
    channel: str
    sender: Sender
    roles: tuple[str, ...]
    """Recipient roles, best first (see ScenarioContext.recipients)."""
    lag: float = 0.0
    """Scenario minutes between the cause and the inject."""
    priority: str = "core"
    contingency: bool = False
    all_roles: bool = False
    """Send to the cells of every role listed, not only the first role found."""
    cc_territorial: str | None = None
    """Copy the player cells of this territorial organisation type (ars, prefecture, samu)."""
    to_territorial: str | tuple[str, ...] | None = None
    """Send to the player cells of these territorial organisation types instead, when the exercise
    has them (several types: the cells of every type found)."""
    only_territorial: bool = False
    """Produce the inject only when the exercise has those territorial player cells."""
    also_territorial: str | None = None
    """Also send to the player cells of this territorial organisation type (e.g. the SAMU cell for
    transfers it regulates)."""
    cc_roles: tuple[str, ...] = ()
    """Copy the establishment's cells of these roles (a situation point for the crisis cell is
    copied to the care cell)."""
    skip_when_playing: str | None = None
    """Not produced when this territorial organisation type plays: its own players do it."""
    service_voice: bool = False
    """Sent by the people of the service concerned (see ScenarioContext.service_sender)."""


# Who may speak of security and infrastructure: a SOC, security or managed-service (infogérance)
# persona, never an application vendor; else the establishment's own IT people.
_SECURITY_WORDS = r"\bsoc\b|analyst|s[ée]curit|cyber|infog[ée]r|managed|\bmsp\b|incident|\bcsirt\b"
_INFRA_WORDS = r"infog[ée]r|managed|\bmsp\b|exploitation|h[ée]berg|hosting|infra|incident"
_IT_WORDS = (
    r"informati|\bdsi\b|\bdnum\b|\bit\b|syst[eè]mes? d|r[ée]seau|network|exploitation|infra"
    r"|technicien|support|\bsoc\b|rssi|cyber"
)
_APPLICATION_VENDOR = r"[ée]diteur|vendor|\bdpi\b|\behr\b|logiciel|software"
_OWN_IT = Sender(
    ("technical",),
    functions=("it_on_call", "it_manager", "ciso"),
    own_establishment=True,
    own_only=True,
    otherwise=Sender(("staff", "other"), role_words=_IT_WORDS, require_role=True, own_only=True),
)
_SOC = Sender(
    ("technical", "supplier"),
    functions=("soc_analyst", "managed_service_engineer", "hosting_provider"),
    role_words=_SECURITY_WORDS,
    require_role=True,
    exclude_words=_APPLICATION_VENDOR,
    otherwise=_OWN_IT,
)
# Infrastructure restore news: the establishment's IT, else its infogérant (not the EHR vendor).
_OWN_TECH = Sender(
    ("technical",),
    functions=("it_on_call", "it_manager", "managed_service_engineer", "hosting_provider"),
    own_establishment=True,
    own_only=True,
    exclude_words=_APPLICATION_VENDOR,
    otherwise=Sender(
        ("technical", "supplier"),
        role_words=_INFRA_WORDS,
        require_role=True,
        exclude_words=_APPLICATION_VENDOR,
        otherwise=_OWN_IT.otherwise,
    ),
)


def _own_staff(role_words: str, functions: tuple[str, ...] = ()) -> Sender:
    """The establishment's own people of ``functions``, else those whose role matches ``role_words``."""
    return Sender(
        ("staff", "other", "technical"), own_establishment=True, role_words=role_words, functions=functions
    )


_NURSING = r"cadre|nurs|infirm|soins|chef|m[ée]decin|doctor"
_NURSE_MANAGERS = _own_staff(_NURSING, ("nurse_manager", "night_nurse_manager", "ward_nurse"))
_JOURNALIST = Sender(("media",), functions=("journalist",))
_FIELD = (
    "night_nurse_manager",
    "nurse_manager",
    "emergency_physician",
    "intensivist",
    "physician",
    "biologist",
    "pharmacist",
    "ward_nurse",
)
_OWN_STAFF = Sender(("staff", "other", "technical"), own_establishment=True, functions=_FIELD)
# The first call about encrypted servers comes from whoever is on duty at night, not from a
# specialist who happens to be listed first.
_ON_CALL = _own_staff(
    r"astreinte|\bnuit\b|night|on.call|administrat|exploitation",
    ("night_nurse_manager", "nurse_manager", "emergency_physician", "biologist", "switchboard_operator"),
)
_ATTACKER = Sender(("attacker",), functions=("attacker",))
# Who puts a decision on the crisis cell's table: the director or administrator on call.
_DIRECTION = _own_staff(
    r"direct|administrat|de garde|astreinte|on.call|\bcme\b|m[ée]decin",
    ("director_on_call", "general_director", "medical_director"),
)
# Someone senior of the establishment who asks the cell for a decision: its director, else the
# people who run the floor that night.
_DIRECTION_OR_LEADS = Sender(
    ("staff", "other", "technical"),
    own_establishment=True,
    own_only=True,
    functions=(
        "director_on_call",
        "general_director",
        "medical_director",
        "emergency_physician",
        "night_nurse_manager",
        "nurse_manager",
    ),
)
# What the wards say as the crisis lasts, in the words of their function (prompts/functions).
_FIELD_VOICE = Sender(("staff", "other"), own_establishment=True, own_only=True, functions=_FIELD)
_TECH_VOICE = Sender(
    ("technical", "supplier"),
    functions=(
        "it_on_call",
        "soc_analyst",
        "managed_service_engineer",
        "hosting_provider",
        "software_vendor",
    ),
    own_establishment=True,
)
_PRESS_VOICE = Sender(
    ("media", "public", "staff"),
    functions=("journalist", "social_media_watcher", "switchboard_operator", "family_member"),
)
_FALLBACK = Sender(
    ("care_network",),
    ("hospital", "university_hospital"),
    fallback_org=True,
    functions=("fallback_hospital_manager",),
)

KINDS: dict[str, InjectKind] = {
    kind.name: kind
    for kind in (
        InjectKind("soc_alert", "technical_alert", "siem_alert", _SOC, ("technical",), 0, contingency=True),
        InjectKind("encryption", "technical_alert", "phone", _ON_CALL, ("technical",), 5, contingency=True),
        InjectKind("backup_blocked", "technical_alert", "phone", _OWN_TECH, ("technical",), 15),
        InjectKind(
            "restored", "technical_alert", "phone", _OWN_TECH, ("technical",), 10, priority="optional"
        ),
        InjectKind(
            "ransom_note",
            "attacker",
            "printer_ransom_note",
            _ATTACKER,
            ("strategic", "technical"),
            10,
            all_roles=True,
        ),
        InjectKind("ultimatum", "attacker", "email", _ATTACKER, ("strategic",)),
        InjectKind(
            "leak_post", "attacker", "leak_site", _ATTACKER, ("strategic", "communication"), all_roles=True
        ),
        InjectKind(
            "service_down",
            "clinical_impact",
            "phone",
            _OWN_STAFF,
            ("care",),
            10,
            contingency=True,
            service_voice=True,
        ),
        InjectKind(
            "service_degraded",
            "clinical_impact",
            "in_person",
            _OWN_STAFF,
            ("care",),
            15,
            priority="optional",
            service_voice=True,
        ),
        InjectKind(
            "degraded_expired", "clinical_impact", "phone", _OWN_STAFF, ("care",), 5, service_voice=True
        ),
        InjectKind(
            "situation_point",
            "clinical_impact",
            "paper_note",
            _OWN_STAFF,
            ("strategic",),
            15,
            cc_roles=("care",),
            service_voice=True,
        ),
        InjectKind(
            "application_down",
            "business_impact",
            "phone",
            _OWN_STAFF,
            ("strategic",),
            20,
            priority="optional",
            service_voice=True,
        ),
        InjectKind(
            "applications_point",
            "business_impact",
            "paper_note",
            _OWN_STAFF,
            ("strategic",),
            25,
            priority="optional",
            service_voice=True,
        ),
        InjectKind(
            "ars_call",
            "authority",
            "phone",
            Sender(("authority",), ("ars",), True, functions=("ars_duty_officer",)),
            ("strategic",),
            60,
            contingency=True,
        ),
        InjectKind(
            "corruss_request",
            "authority",
            "email",
            Sender(("authority",), ("ministry",), True, functions=("corruss_officer",)),
            ("strategic",),
            90,
            to_territorial="ars",
            only_territorial=True,
        ),
        InjectKind(
            "cod_question",
            "authority",
            "phone",
            Sender(
                ("authority", "other"),
                role_words=r"emiz|\bzone\b|maire|mayor|\b[ée]lue?s?\b|sous-pr[ée]f|elected",
                require_role=True,
                functions=("zone_staff_officer", "elected_official", "military_liaison"),
            ),
            ("strategic",),
            135,
            to_territorial="prefecture",
            only_territorial=True,
            cc_territorial="ars",
        ),
        InjectKind(
            "cert_sante",
            "authority",
            "phone",
            Sender(("authority",), ("cert_sante",), True, functions=("cert_sante_analyst",)),
            ("technical",),
            120,
        ),
        InjectKind(
            "anssi",
            "authority",
            "phone",
            Sender(("authority",), ("anssi",), True, functions=("anssi_analyst",)),
            ("technical",),
            180,
            "optional",
        ),
        InjectKind(
            "prefecture",
            "authority",
            "phone",
            Sender(("authority",), ("prefecture",), True, functions=("prefecture_duty_officer",)),
            ("strategic",),
            150,
            "optional",
            to_territorial="ars",
            skip_when_playing="prefecture",
        ),
        InjectKind(
            "police",
            "authority",
            "phone",
            Sender(("authority",), ("police",), True, functions=("police_investigator",)),
            ("strategic",),
            240,
            "optional",
        ),
        InjectKind(
            "cnil_clock",
            "authority",
            "phone",
            Sender(("authority",), ("cnil", "ars"), functions=("cnil_agent", "ars_duty_officer")),
            ("strategic",),
        ),
        InjectKind(
            "samu_diversion",
            "care_network",
            "phone",
            Sender(
                ("care_network",),
                ("samu",),
                role_words=r"samu|r[ée]gulat|centre 15|dispatch|\bsmur\b",
                require_role=True,
                functions=("samu_regulator",),
            ),
            ("care", "strategic"),
            20,
            contingency=True,
            cc_territorial="ars",
            skip_when_playing="samu",
        ),
        InjectKind(
            "fallback_offer",
            "care_network",
            "phone",
            _FALLBACK,
            ("care",),
            30,
            to_territorial="samu",
            only_territorial=True,
            cc_territorial="ars",
        ),
        InjectKind(
            "transfer_request",
            "care_network",
            "phone",
            _FALLBACK,
            ("care",),
            45,
            cc_territorial="ars",
            also_territorial="samu",
        ),
        InjectKind(
            "journalist_call", "media", "phone", _JOURNALIST, ("communication",), 120, contingency=True
        ),
        InjectKind(
            "social_rumour",
            "media",
            "social_post",
            Sender(("media", "public"), functions=("social_media_watcher", "journalist")),
            ("communication",),
            80,
            "optional",
        ),
        InjectKind("leak_article", "media", "press_article", _JOURNALIST, ("communication",), 90),
        InjectKind(
            "press_authority",
            "media",
            "phone",
            _JOURNALIST,
            ("communication",),
            200,
            "optional",
            to_territorial=("prefecture", "ars"),
            only_territorial=True,
        ),
        InjectKind(
            "family_reception",
            "public",
            "in_person",
            Sender(
                ("public",),
                role_words=r"famil|parent|proche|fils|fille|relative|m[èe]re|p[èe]re|conjoint",
                functions=("family_member",),
            ),
            ("care",),
            150,
            "optional",
        ),
        InjectKind(
            "patient_phishing",
            "public",
            "phone",
            Sender(("public",), role_words=r"patient|usager|victim", functions=("patient",)),
            ("communication",),
            240,
            "optional",
        ),
        InjectKind(
            "vendor_call",
            "supplier",
            "phone",
            Sender(
                ("supplier",),
                role_words=r"dpi|ehr|[ée]diteur|[ée]dition|vendor|logiciel|software",
                require_role=True,
                match_org=True,
                functions=("software_vendor",),
            ),
            ("technical",),
            100,
            "optional",
        ),
        InjectKind("nurse_manager", "staff", "in_person", _NURSE_MANAGERS, ("care",), 200, "optional"),
        InjectKind(
            "noise",
            "staff",
            "phone",
            _own_staff(
                r"techni|mainten|estates|biom|logisti",
                ("maintenance_agent", "biomedical_engineer", "switchboard_operator", "night_nurse_manager"),
            ),
            ("strategic",),
            300,
            "optional",
        ),
        # A ward's everyday question relayed by its nurse manager (pay, a badge, a relative's
        # visit): distractions told by the people of the wards, not the estates staff.
        InjectKind(
            "ward_noise", "staff", "phone", _NURSE_MANAGERS, ("care", "strategic"), priority="optional"
        ),
        # The same people's everyday questions about computers and phones (a personal laptop, a
        # salesman's miracle tool): the distractions a technical cell may be given.
        InjectKind(
            "it_noise", "staff", "phone", _NURSE_MANAGERS, ("technical", "strategic"), priority="optional"
        ),
        InjectKind(
            "union",
            "staff",
            "paper_note",
            _own_staff(r"syndic|union", ("union_representative",)),
            ("strategic",),
            480,
            "optional",
        ),
        InjectKind(
            "field_followup", "staff", "phone", _FIELD_VOICE, ("strategic", "care"), priority="optional"
        ),
        InjectKind("user_followup", "staff", "phone", _FIELD_VOICE, ("technical",), priority="optional"),
        InjectKind(
            "tech_followup", "technical_alert", "phone", _TECH_VOICE, ("technical",), priority="optional"
        ),
        InjectKind("press_followup", "media", "phone", _PRESS_VOICE, ("communication",), priority="optional"),
        # The alert that brings a cell into play (information.alert_chain; the sender is whoever
        # passes the alert on, so the Sender spec is never used).
        InjectKind("alert_call", "staff", "phone", Sender(()), ()),
        InjectKind("alert_relay", "authority", "phone", Sender(()), ()),
        InjectKind("alert_network", "care_network", "phone", Sender(()), ()),
        InjectKind("alert_public", "media", "phone", Sender(()), ()),
        InjectKind("alert_supplier", "supplier", "phone", Sender(()), ()),
        # Follow-ups only (see generator.sustain): what a cell hears again as the crisis lasts.
        InjectKind(
            "situation_request",
            "authority",
            "phone",
            Sender(("authority",), ("ars",), True, functions=("ars_duty_officer",), otherwise=_DIRECTION),
            ("strategic",),
            priority="optional",
        ),
        InjectKind(
            "restore_progress", "technical_alert", "phone", _OWN_TECH, ("technical",), priority="optional"
        ),
        InjectKind("fatigue_followup", "staff", "in_person", _NURSE_MANAGERS, ("care",), priority="optional"),
        InjectKind("media_followup", "media", "phone", _JOURNALIST, ("communication",), priority="optional"),
        # What a long crisis brings (a second day, a night): shift handovers, supplies running
        # short, news of the transferred patients, a restart that slips back.
        InjectKind(
            "shift_handover",
            "staff",
            "in_person",
            _NURSE_MANAGERS,
            ("care", "strategic"),
            priority="optional",
        ),
        InjectKind(
            "supplies_short", "staff", "phone", _NURSE_MANAGERS, ("strategic", "care"), priority="optional"
        ),
        InjectKind(
            "transfer_news", "care_network", "phone", _FALLBACK, ("care", "strategic"), priority="optional"
        ),
        InjectKind(
            "recovery_setback", "technical_alert", "phone", _OWN_TECH, ("technical",), priority="optional"
        ),
        InjectKind(
            "decision_prompt",
            "exercise_control",
            "in_person",
            _DIRECTION_OR_LEADS,
            ("strategic",),
            priority="optional",
        ),
    )
}
FOLLOW_UP_KINDS = frozenset(
    {
        "situation_request",
        "restore_progress",
        "fatigue_followup",
        "media_followup",
        "decision_prompt",
        "shift_handover",
        "supplies_short",
        "transfer_news",
        "recovery_setback",
    }
)
"""Kinds written for the follow-ups of quiet periods only (never from a timeline event)."""

CONTINGENCY_FOLDER = "contingency"
"""prompts/injects/contingency/<lang>.md holds one follow-up kind per category."""

# Clinical services whose loss brings the care network in: emergency departments divert through the
# SAMU; critical-care units transfer patients to a fallback establishment.
EMERGENCY_SERVICE = re.compile(r"urgence|emergenc|\bsau\b|\bed\b|\bsmur\b", re.I)
CRITICAL_CARE_SERVICE = re.compile(
    r"\br[ée]a\b|r[ée]animation|\bicu\b|intensi|n[ée]onat|soins critiques|critical care"
    r"|oncolog|chimio|dialys",
    re.I,
)

# Objective themes, matched against an objective's title, description and criteria (French and
# English words). An inject serves an objective when one of its category's themes matches.
THEMES: dict[str, re.Pattern[str]] = {
    "alert": re.compile(r"alert|d[ée]tect|activation|isol|main courante|log", re.I),
    "care": re.compile(r"soin|care|continuit|d[ée]grad|pcr?a|patient|plan blanc|clini", re.I),
    "territory": re.compile(
        r"territ|coordinat|samu|transf|repli|fallback|ght|ars\b|divert|d[ée]lestage", re.I
    ),
    "legal": re.compile(
        r"notif|d[ée]clar|cnil|l[ée]gal|juridi|plainte|complaint|report|ran[çc]on|ransom", re.I
    ),
    "communication": re.compile(r"communic|m[ée]dia|presse|press|famil|public|rumeur|rumou?r", re.I),
    "technical": re.compile(
        r"techni|sauvegard|backup|restaur|restor|red[ée]marr|restart|prestataire|vendor", re.I
    ),
    "normal": re.compile(r"retour|normal|recover|fatigue|ressaisie|re-?key|personnel|staff|rh\b", re.I),
}

CATEGORY_THEMES: dict[str, tuple[str, ...]] = {
    "technical_alert": ("alert", "technical"),
    "attacker": ("legal", "communication"),
    "clinical_impact": ("care",),
    "business_impact": ("care", "normal"),
    "authority": ("legal", "territory"),
    "care_network": ("territory", "care"),
    "media": ("communication",),
    "public": ("communication",),
    "supplier": ("technical",),
    "staff": ("normal",),
    "exercise_control": ("care", "territory", "communication"),
}
