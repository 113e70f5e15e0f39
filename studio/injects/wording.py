"""Small wording helpers of the inject text: a preposition before an organisation's name, real
plurals, and the channel an inject can still travel by at its time.

French puts an article between a preposition and most organisation names, and contracts it:
"au CHU de Marvaux", "du CH de Belcourt", "à la préfecture", "de l'ARS", but "à Medisphere".
:func:`with_preposition` builds that phrase from a name; :func:`preposition_values` gives the
template variables built with it (``{to_establishment}``, ``{of_establishment}``...), declared in
:data:`WORDING_VARIABLES`.
"""

from __future__ import annotations

import re
from typing import Any

# Leading common nouns (and acronyms used as nouns) of organisation names, by gender. A name whose
# first word is none of these ("Medisphere", "Port-Salin") takes no article.
_MASCULINE = frozenset(
    {
        "ch", "chu", "chr", "chru", "chi", "chs", "ght", "samu", "smur", "sdis", "centre", "groupe",
        "groupement", "ministère", "cert", "corruss", "commissariat", "conseil", "département",
        "service", "cabinet", "grades", "office", "hôpital", "établissement", "état-major",
        "institut", "emiz", "siège", "pôle", "réseau", "opérateur", "éditeur", "syndicat", "comité",
        "parquet", "tribunal", "laboratoire", "support", "prestataire", "fournisseur", "soc",
        "cofrac", "cgos", "ehpad", "hôtel", "standard", "pcr", "cod", "cic", "cogic", "ssa",
    }
)  # fmt: skip
_FEMININE = frozenset(
    {
        "clinique", "polyclinique", "préfecture", "sous-préfecture", "agence", "ars", "anssi",
        "cnil", "cellule", "direction", "gendarmerie", "police", "mairie", "région", "plateforme",
        "maison", "fondation", "caisse", "cpam", "dgs", "dgos", "mutuelle", "maternité", "brigade",
        "ville", "communauté", "unité", "intersyndicale", "régulation", "permanence", "dsi",
        "dnum", "rédaction", "radio", "chaîne", "préfète", "société", "entreprise", "fédération",
    }
)  # fmt: skip
_PLURAL = frozenset({"hôpitaux", "hospices", "services", "urgences", "équipes", "établissements"})
_VOWEL = re.compile(r"^[aeiouyàâäéèêëîïôöùûüœæh]", re.I)
# Words starting with an aspirated h take "le"/"la", not "l'" (none of the nouns above): kept for
# clarity should one be added.
_ASPIRATED_H: frozenset[str] = frozenset()
_ARTICLE = re.compile(r"^(?:(les|le|la)\s+|(l['’])\s*)", re.I)

_CONTRACTED = {
    ("à", "le"): "au",
    ("à", "les"): "aux",
    ("de", "le"): "du",
    ("de", "les"): "des",
}


def _first_word(name: str) -> str:
    return re.split(r"[\s'’(),]+", name.strip(), maxsplit=1)[0].lower()


def article(name: str) -> str:
    """The definite article a French organisation name takes: ``le``, ``la``, ``les``, ``l'`` or
    ``""`` (a proper name: "Medisphere", "Port-Salin")."""
    word = _first_word(name)
    if word in _PLURAL:
        return "les"
    if word not in _MASCULINE and word not in _FEMININE:
        return ""
    if _VOWEL.match(word) and word not in _ASPIRATED_H:
        return "l'"
    return "le" if word in _MASCULINE else "la"


def with_preposition(preposition: str, name: str, language: str = "fr") -> str:
    """``preposition`` + ``name`` with the article French needs: ``au CHU X``, ``du CH X``,
    ``du GHT X``, ``à la préfecture``, ``de l'ARS``, ``à Medisphere``, ``d'Orange``.

    ``preposition`` is ``à`` or ``de`` (``to``/``of``... in English, put in front unchanged).
    A name that already starts with an article ("La Poste") is contracted the same way. An empty
    name gives an empty string.
    """
    name = name.strip()
    if not name:
        return ""
    if language != "fr":
        return f"{preposition} {name}"
    written = _ARTICLE.match(name)
    if written:
        det = (written.group(1) or written.group(2)).lower().replace("’", "'")
        rest = name[written.end() :]
    else:
        det, rest = article(name), name
    if det == "l'":
        return f"{preposition} l'{rest}"
    if det:
        return f"{_CONTRACTED.get((preposition, det), f'{preposition} {det}')} {rest}"
    if preposition == "de" and _VOWEL.match(rest) and rest[:1].lower() != "h":
        return f"d'{rest}"
    return f"{preposition} {rest}"


def with_article(name: str, language: str = "fr") -> str:
    """``name`` with its article, as a subject or object: ``le CHU X``, ``l'ARS``, ``Medisphere``."""
    name = name.strip()
    if language != "fr" or not name or _ARTICLE.match(name):
        return name
    det = article(name)
    if det == "l'":
        return f"l'{name}"
    return f"{det} {name}" if det else name


def plural(count: int | str, singular: str, plural_form: str | None = None) -> str:
    """``"1 système"``, ``"31 systèmes"``: the count with the right form (French: 0 and 1 are
    singular; English: only 1 is)."""
    number = int(count)
    form = singular if number in (0, 1) else (plural_form or f"{singular}s")
    return f"{number} {form}"


def name_list(names: list[str], limit: int = 4) -> str:
    """Names joined by commas, each once (the admissions of three hospitals sharing one
    application are "Admissions", not "Admissions, Admissions, Admissions"), at most ``limit``
    then "…"."""
    distinct = list(dict.fromkeys(name for name in names if name))
    return ", ".join(distinct[:limit]) + ("…" if len(distinct) > limit else "")


# Template variables built with with_preposition (to be declared next to INJECT_VARIABLES).
_NAMED = ("establishment", "establishment_short", "ght", "fallback", "samu", "sender_org", "sender_name")
WORDING_VARIABLES: dict[str, str] = {
    **{f"to_{key}": f"«à»/«to» + {key} with its article (au CHU X, à la clinique Y)" for key in _NAMED},
    **{f"of_{key}": f"«de»/«of» + {key} with its article (du CH X, de l'ARS)" for key in _NAMED},
    **{f"the_{key}": f"{key} with its article (le GHT X, l'ARS)" for key in _NAMED},
}


def preposition_values(language: str, values: dict[str, str]) -> dict[str, str]:
    """The :data:`WORDING_VARIABLES` of an inject from its plain values (``establishment``...)."""
    to, of = ("à", "de") if language == "fr" else ("to", "of")
    out = {}
    for key in _NAMED:
        name = values.get(key, "")
        out[f"to_{key}"] = with_preposition(to, name, language)
        out[f"of_{key}"] = with_preposition(of, name, language)
        out[f"the_{key}"] = with_article(name, language)
    return out


# --- channels ------------------------------------------------------------------------------------

_MAIL_KINDS = frozenset({"messaging"})
_REACHABLE = "phone"


def messaging_down(scenario: dict[str, Any], establishment: str | None, minute: float) -> bool:
    """True when a messaging system of ``establishment`` (or of its group, which runs it for its
    members) is down, encrypted, isolated or shut down at scenario ``minute`` of the scenario's
    stored timeline (no timeline: False)."""
    timeline = scenario.get("timeline")
    if not timeline or not establishment:
        return False
    from studio.propagation import state_at

    organisations = {o["id"]: o for o in scenario.get("organisations", [])}
    # The establishment's own messaging, or the one its group (GHT) runs for its members.
    owners = {establishment, organisations.get(establishment, {}).get("member_of")} - {None}
    mail = [
        s["id"]
        for s in scenario.get("systems", [])
        if s.get("kind") in _MAIL_KINDS and s.get("organisation") in owners
    ]
    if not mail:
        return False
    states = state_at(scenario, timeline, minute)
    return any(
        states[node].function == "down"
        or states[node].security in {"encrypted", "restoring"}
        or states[node].isolated
        or states[node].shut_down
        for node in mail
        if node in states
    )


def channel_for(
    scenario: dict[str, Any],
    channel: str,
    establishment: str | None,
    minute: float,
    *,
    internal: bool = False,
) -> str:
    """The channel an inject can really travel by: an ``email`` to or from an establishment whose
    messaging is down at scenario ``minute`` goes by phone (``in_person`` for its own people,
    ``internal``); any other channel is kept. Pass ``establishment=None`` for an inject that goes
    to territorial cells only (the CORRUSS writing to the ARS does not use the hospital's mail)."""
    if channel != "email" or not messaging_down(scenario, establishment, minute):
        return channel
    return "in_person" if internal else _REACHABLE


_OTHERS = {"fr": ("{n} autre", "{n} autres", " et "), "en": ("{n} other", "{n} others", " and ")}


def short_list(names: list[str], language: str = "fr", limit: int = 3) -> str:
    """Distinct names as people write them, at most ``limit`` named and the rest counted:
    "A, B et C", "A, B et 4 autres" (English: "A, B and 4 others")."""
    distinct = list(dict.fromkeys(name for name in names if name))
    one, many, conjunction = _OTHERS.get(language, _OTHERS["en"])
    if len(distinct) > limit:
        rest = len(distinct) - limit
        shown = [*distinct[:limit], (one if rest == 1 else many).format(n=rest)]
    else:
        shown = distinct
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + conjunction + shown[-1]


def clock_words(hour: int, minute: int, language: str = "fr") -> str:
    """A time of day in prose: « 8 h 30 », « 9 h » in French; "08:30" in English."""
    if language == "fr":
        return f"{hour} h {minute:02d}" if minute else f"{hour} h"
    return f"{hour:02d}:{minute:02d}"


def duration_phrase(minutes: float, language: str = "fr") -> str:
    """A duration in prose: « 45 minutes », « 1 h 30 », « 2 heures », « 3 jours » (English alike)."""
    total = max(0, round(minutes))
    if total < 60:
        return f"{total} minute{'s' if total != 1 else ''}"
    if total >= 2880 and total % 1440 == 0:
        days = total // 1440
        return f"{days} jours" if language == "fr" else f"{days} days"
    hours, rest = divmod(total, 60)
    if rest:
        return f"{hours} h {rest:02d}" if language == "fr" else f"{hours} h {rest:02d} min"
    if language == "fr":
        return "1 heure" if hours == 1 else f"{hours} heures"
    return "1 hour" if hours == 1 else f"{hours} hours"


# --- time of day ---------------------------------------------------------------------------------

_NIGHT_END = 5
"""Before this hour, « ce soir » and « ce matin » have passed or not come: it is the night."""
_MORNING_WORK = 10
"""Before this hour, « depuis ce matin » is hardly a while: people say « depuis des heures »."""
_AFTERNOON = 12
_LATE_EVENING = 22

_TIME_OF_DAY_FIXES: dict[str, tuple[tuple[str, str, str], ...]] = {
    # (when, pattern, replacement): "night" before 5:00, "early" before 10:00, "afternoon" from
    # noon, "late" from 22:00.
    "fr": (
        ("early", r"\bdepuis ce matin\b", "depuis des heures"),
        ("night", r"\bavant ce soir\b", "avant demain matin"),
        ("night", r"\bce soir\b", "cette nuit"),
        ("night", r"\b(?<!depuis )ce matin\b", "dans la matinée"),
        ("afternoon", r"\b(?<!depuis )ce matin\b", "demain matin"),
        ("late", r"\bavant ce soir\b", "avant demain matin"),
        ("late", r"\bce soir\b", "cette nuit"),
    ),
    "en": (
        ("early", r"\bsince this morning\b", "for hours"),
        ("night", r"\bbefore tonight\b", "before tomorrow morning"),
        ("afternoon", r"\b(?<!since )this morning\b(?!'s)", "tomorrow morning"),
    ),
}


def fit_time_of_day(text: str, hour: int, language: str = "fr") -> str:
    """``text`` with its words for parts of the day (« ce soir », « ce matin », "this morning") made
    true at ``hour``: a template written for the day says « ce soir » at 2:00 as « cette nuit », and a
    minister questioned « ce matin » at 15:00 is questioned « demain matin »."""
    when = {"night"} if hour < _NIGHT_END else set()
    if hour < _MORNING_WORK:
        when.add("early")
    if hour >= _AFTERNOON:
        when.add("afternoon")
    if hour >= _LATE_EVENING:
        when.add("late")
    for part, pattern, replacement in _TIME_OF_DAY_FIXES.get(language, ()):
        if part in when:
            text = re.sub(
                pattern, lambda found, new=replacement: _same_case(found.group(0), new), text, flags=re.I
            )
    return text


def _same_case(found: str, replacement: str) -> str:
    """``replacement`` capitalised like ``found`` (a sentence may start with it)."""
    return replacement[:1].upper() + replacement[1:] if found[:1].isupper() else replacement
