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
PREPOSITION_VARIABLES: dict[str, str] = {
    **{f"to_{key}": f"«à»/«to» + {key} with its article (au CHU X, à la clinique Y)" for key in _NAMED},
    **{f"of_{key}": f"«de»/«of» + {key} with its article (du CH X, de l'ARS)" for key in _NAMED},
    **{f"the_{key}": f"{key} with its article (le GHT X, l'ARS)" for key in _NAMED},
}
# Every template variable of the wording helpers (declared next to INJECT_VARIABLES).
WORDING_VARIABLES: dict[str, str] = {
    **PREPOSITION_VARIABLES,
    "crisis_age": "how long the crisis has lasted, in words (« 5 heures », « 3 jours »; rough_duration)",
}


def preposition_values(language: str, values: dict[str, str]) -> dict[str, str]:
    """The :data:`PREPOSITION_VARIABLES` of an inject from its plain values (``establishment``...)."""
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
#
# Templates are written for any hour. At the message's hour and crisis age, each word for a part of
# the day must be true: said at 15:00, « ce matin » is past (« les tubes étiquetés ce matin ») or is
# tomorrow (« le ministre sera interrogé ce matin » → « demain matin »); « cette nuit » said at 15:00
# of something that happened is « la nuit dernière »; « depuis hier » said four hours into a crisis
# that began this morning is « depuis 4 heures ».

_PAST = {
    "fr": re.compile(
        r"\b(?:eu|été|était|étaient|fait|pris|mis|reçu|vu|perdu)\b|\b\w{3,}(?<!it)(?:é|ée|és|ées)\b",
        re.I,
    ),
    "en": re.compile(r"\b(?:was|were|had|has|have|did|been)\b|\b\w{3,}ed\b|'ve\b|’ve\b", re.I),
}
"""Words of a clause that tell of the past: a past participle (« a levé », « ont été utilisés »; not
the auxiliaries, which are also « nous avons trois places »)."""
_NOT_PAST = frozenset(
    {
        "santé", "côté", "comité", "société", "journée", "arrivée", "arrivées", "entrée", "entrées",
        "soirée", "matinée", "durée", "année", "idée", "tournée", "pensée", "clé", "clés", "marché",
        "degré", "lycée", "bébé", "bébés", "café", "need", "speed", "hundred", "seed",
    }
)  # fmt: skip
"""Nouns that end like a past participle (« la journée », « la santé »)."""
_FUTURE = {
    "fr": re.compile(
        r"\b(?:sera|seront|serai|va|vont|doit|doivent|devra|faut|faudra|prévu|prévue|prévus|prévues|"
        r"pour|avant|d'ici|demande|demandent|veut|veulent|souhaite|peut|pouvons|tenir|tient|tenons|"
        r"reste|restons)\b",
        re.I,
    ),
    "en": re.compile(
        r"\b(?:will|shall|'ll|going|must|need|needs|wants|want|before|by|until|due|planned|booked|can|"
        r"scheduled)\b",
        re.I,
    ),
}
"""Words of a clause that tell of what is to come (they win over past ones: « sera interrogé »)."""
_CLAUSE_START = re.compile(r"[.;!?«»\"“”\n:]|\bet\b|\band\b|\bmais\b|\bbut\b")


def _tense(text: str, start: int, end: int, language: str) -> str:
    """``"past"``, ``"future"`` or ``""`` (not told) for the words between ``start`` and ``end``,
    from the clause around them: what comes before in the sentence, and the next few words."""
    before = text[:start]
    cut = max((found.end() for found in _CLAUSE_START.finditer(before)), default=0)
    clause = before[cut:]
    after = re.split(r"[.;!?«»\"“”\n,]", text[end:], maxsplit=1)[0]
    window = f"{clause} {' '.join(after.split()[:4])}"
    # « de ce matin », "this morning's": a thing of that time, seen from after it.
    possessive = bool(re.search(r"\b(?:de|d')\s*$", clause, re.I)) or text[end : end + 2] in {"'s", "’s"}
    if _FUTURE[language].search(window):
        return "future"
    if possessive or any(
        found.group(0).lower() not in _NOT_PAST for found in _PAST[language].finditer(window)
    ):
        return "past"
    return ""


def _hours(first: int, last: int) -> Any:
    """A test on the hour: ``first`` ≤ hour < ``last``."""
    return lambda hour: first <= hour < last


_NIGHT = _hours(0, 5)
"""Before 5:00, « ce soir » and « ce matin » have passed or not come: it is the night."""
_EARLY = _hours(0, 10)
"""Before 10:00, « depuis ce matin » is hardly a while: people say « depuis des heures »."""
_MORNING = _hours(5, 12)
_AFTER_NOON = _hours(12, 24)
_EVENING = _hours(18, 24)
_LATE = _hours(22, 24)

# (hour test, tense: "past", "future", "!past" (future or not told) or "" for any, pattern,
# replacement). Rules run in order,
# each on the text the earlier ones left.
_TIME_OF_DAY_FIXES: dict[str, tuple[tuple[Any, str, str, str], ...]] = {
    "fr": (
        (_EARLY, "", r"\bdepuis ce matin\b", "depuis des heures"),
        (_NIGHT, "", r"\b(avant|pour) ce soir\b", r"\1 demain matin"),
        (_LATE, "", r"\b(avant|pour) ce soir\b", r"\1 demain matin"),
        (_hours(18, 22), "", r"\bavant ce soir\b", "avant la fin de la soirée"),
        (_NIGHT, "", r"\bce soir\b", "cette nuit"),
        (_LATE, "", r"\bce soir\b", "cette nuit"),
        (_NIGHT, "past", r"\bde ce matin\b", "d'hier matin"),
        (_NIGHT, "past", r"\b(?<!depuis )ce matin\b", "hier matin"),
        (_NIGHT, "", r"\b(?<!depuis )ce matin\b", "dans la matinée"),
        (_AFTER_NOON, "future", r"\b(?<!depuis )(?<!de )ce matin\b", "demain matin"),
        (_EVENING, "!past", r"\bcet après-midi\b", "demain après-midi"),
        (_hours(0, 12), "past", r"\bde cet après-midi\b", "d'hier après-midi"),
        (_hours(0, 12), "past", r"\bcet après-midi\b", "hier après-midi"),
        (_AFTER_NOON, "past", r"\b(?<!de )cette nuit\b", "la nuit dernière"),
        (_LATE, "", r"(?<!prévu )(?<!prévue )(?<!pour )\baujourd'hui\b", "d'ici demain"),
    ),
    "en": (
        (_EARLY, "", r"\bsince this morning\b", "for hours"),
        (_NIGHT, "", r"\bbefore tonight\b", "before tomorrow morning"),
        (_LATE, "", r"\bbefore tonight\b", "before tomorrow morning"),
        (_hours(18, 22), "", r"\bbefore (?:tonight|this evening)\b", "before the end of the evening"),
        (_LATE, "", r"\b(before|by|for) this evening\b", r"\1 tomorrow morning"),
        (_LATE, "", r"\bthis evening\b", "tonight"),
        (_NIGHT, "past", r"\bthis morning\b", "yesterday morning"),
        (_AFTER_NOON, "future", r"\b(?<!since )this morning\b(?!'s)", "tomorrow morning"),
        (_EVENING, "!past", r"\bthis afternoon\b", "tomorrow afternoon"),
        (_hours(0, 12), "past", r"\bthis afternoon\b", "yesterday afternoon"),
        (_LATE, "", r"(?<!for )(?<!earlier )\btoday\b", "by tomorrow"),
    ),
}

_COUNT_WORDS = {
    "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "two": 2, "three": 3, "four": 4,
    "five": 5,
}  # fmt: skip
_SINCE = {
    # (pattern, how many minutes ago the words put the start: a function of the clock's minute of
    # the day and of the pattern's match)
    "fr": (
        (r"\bdepuis hier soir\b", lambda now, found: now),
        (r"\bdepuis hier\b", lambda now, found: now),
        (r"\bdepuis la nuit dernière\b", lambda now, found: now - 360 if now >= 360 else now + 60),
        (r"\bdepuis ce matin\b", lambda now, found: now - 720),
        (
            r"\bdepuis (deux|trois|quatre|cinq|six|\d+) (heures|jours)\b",
            lambda now, found: _counted(found.group(1), found.group(2)),
        ),
    ),
    "en": (
        (r"\bsince yesterday\b", lambda now, found: now),
        (r"\bsince last night\b", lambda now, found: now - 360 if now >= 360 else now + 60),
        (r"\bsince this morning\b", lambda now, found: now - 720),
        (
            r"\b(been\b[^.;!?]*?)\bfor (two|three|four|five|six|\d+) (hours|days)\b",
            lambda now, found: _counted(found.group(2), found.group(3)),
        ),
    ),
}
"""Words that say since when something lasts: false when the crisis is younger than they say."""


SINCE_SLACK = 1.2
"""« depuis N heures » holds while N is at most this many times the crisis's age."""


def _counted(count: str, unit: str) -> float:
    """Minutes since the start that « depuis deux jours » puts, less the slack: a count of hours
    may start at another event than the first symptom, and people round up."""
    number = int(count) if count.isdigit() else _COUNT_WORDS.get(count.lower(), 1)
    return number * (60 if unit in {"heures", "hours"} else 1440) / SINCE_SLACK


def rough_duration(minutes: float, language: str = "fr") -> str:
    """How long, as people say it: « 20 minutes », « une heure », « 5 heures », « près de 2 jours »,
    « plus de 2 jours », « 3 jours »."""
    if minutes < 50:
        tens = max(10, round(minutes / 10) * 10)
        return f"{tens} minutes"
    if minutes < 90:
        return "une heure" if language == "fr" else "an hour"
    if minutes < 36 * 60:
        hours = round(minutes / 60)
        return f"{hours} heures" if language == "fr" else f"{hours} hours"
    # Days are counted whole, never rounded up: 60 hours are « plus de 2 jours », not « 3 jours ».
    if minutes < 2 * 1440:
        return "près de 2 jours" if language == "fr" else "nearly 2 days"
    days, rest = divmod(minutes, 1440)
    if rest >= 6 * 60:
        return f"plus de {days:g} jours" if language == "fr" else f"more than {days:g} days"
    return f"{days:g} jours" if language == "fr" else f"{days:g} days"


def _fit_since(text: str, clock_minute: int, elapsed: float, language: str) -> str:
    """``text`` with each « depuis … » / "since …" that puts the start of the trouble before the
    crisis began (``elapsed`` minutes ago) told as the crisis's own age instead."""
    for pattern, ago in _SINCE.get(language, ()):

        def fitted(found: re.Match[str], ago: Any = ago) -> str:
            if elapsed >= ago(clock_minute, found):
                return found.group(0)
            told = rough_duration(elapsed, language)
            if language == "fr":
                return _same_case(found.group(0), f"depuis {told}")
            prefix = found.group(1) if found.re.groups >= 3 else ""
            return f"{prefix}for {told}" if prefix else _same_case(found.group(0), f"for {told}")

        text = re.sub(pattern, fitted, text, flags=re.I)
    return text


def fit_time_of_day(
    text: str, hour: int, language: str = "fr", *, minute: int = 0, elapsed: float | None = None
) -> str:
    """``text`` with its words for parts of the day (« ce matin », « cette nuit », "this
    afternoon"...) made true at ``hour``:``minute`` of the story, whether they tell of the past or of
    what is to come (a template written for the day says « ce soir » at 2:00 as « cette nuit », a
    minister questioned « ce matin » at 15:00 is questioned « demain matin », tubes mislabelled
    « ce matin » stay so). With ``elapsed`` (minutes since the crisis began for the speaker), the
    words that say since when (« depuis hier », « depuis deux jours », "for two days") are not
    older than the crisis: four hours in, « depuis hier » is « depuis 4 heures »."""
    for applies, tense, pattern, replacement in _TIME_OF_DAY_FIXES.get(language, ()):
        if not applies(hour):
            continue

        def fitted(found: re.Match[str], tense: str = tense, replacement: str = replacement) -> str:
            told = _tense(found.string, found.start(), found.end(), language) if tense else ""
            if (tense == "!past" and told == "past") or (tense not in {"", "!past"} and told != tense):
                return found.group(0)
            return _same_case(found.group(0), found.expand(replacement))

        text = re.sub(pattern, fitted, text, flags=re.I)
    if elapsed is not None and elapsed >= 0:
        text = _fit_since(text, hour * 60 + minute, elapsed, language)
    return text


def _same_case(found: str, replacement: str) -> str:
    """``replacement`` capitalised like ``found`` (a sentence may start with it)."""
    return replacement[:1].upper() + replacement[1:] if found[:1].isupper() else replacement
