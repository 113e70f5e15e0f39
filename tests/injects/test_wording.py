"""Wording of the offline MSEL: fitting senders, persona voices, channels, French grammar, and an
LLM answer that survives a cache that cannot be written."""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from inject_fixtures import FAKE_KEY
from llm_server import FakeLLMServer

from studio.durations import parse_minutes
from studio.injects.context import ScenarioContext
from studio.injects.generator import generate_msel
from studio.injects.kinds import KINDS
from studio.injects.llm import Assistant, LLMClient
from studio.injects.prompts import inject_templates
from studio.injects.wording import (
    PREPOSITION_VARIABLES,
    SINCE_SLACK,
    WORDING_VARIABLES,
    article,
    channel_for,
    fit_time_of_day,
    messaging_down,
    name_list,
    plural,
    preposition_values,
    with_article,
    with_preposition,
)
from studio.scenario.document import load_scenario
from studio.scenario.library import library_paths

LIBRARY = {path.stem: path for path in library_paths()}


def test_an_unwritable_cache_keeps_the_answer(
    generated: dict[str, Any],
    make_client: Callable[..., LLMClient],
    server: FakeLLMServer,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache directory should be", encoding="utf-8")
    client = make_client(cache_dir=blocker / "cache")
    inject_id = generated["injects"][0]["id"]
    before = copy.deepcopy(generated)
    with caplog.at_level(logging.DEBUG, logger="studio.injects.llm"):
        proposal = Assistant(client).rewrite(generated, inject_id, "plus court")
    assert proposal.ok, proposal.error
    assert proposal.after["title"].endswith("(v2)")
    assert generated == before
    assert server.chat_calls == 1
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings and "cache" in warnings[0].getMessage()
    text = caplog.text
    assert FAKE_KEY not in text and "Authorization" not in text and "Bearer" not in text
    # Asked again: no cache to serve it, so the endpoint answers again, still fine.
    assert Assistant(client).rewrite(generated, inject_id, "plus court").ok
    assert server.chat_calls == 2


# --- French grammar ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("preposition", "name", "expected"),
    [
        ("à", "CHU de Marvaux", "au CHU de Marvaux"),
        ("de", "CHU de Marvaux", "du CHU de Marvaux"),
        ("à", "CH Port-Salin", "au CH Port-Salin"),
        ("de", "CH Port-Salin", "du CH Port-Salin"),
        ("de", "GHT de Sainte-Aube", "du GHT de Sainte-Aube"),
        ("à", "SAMU 974", "au SAMU 974"),
        ("de", "Centre hospitalier de Belcourt", "du Centre hospitalier de Belcourt"),
        ("à", "préfecture de la Brume", "à la préfecture de la Brume"),
        ("de", "Préfecture de la Brume", "de la Préfecture de la Brume"),
        ("à", "Clinique des Flamboyants", "à la Clinique des Flamboyants"),
        ("de", "ARS", "de l'ARS"),
        ("à", "ARS Océan Indien", "à l'ARS Océan Indien"),
        ("de", "ANSSI", "de l'ANSSI"),
        ("à", "Hôpital Saint-Roch", "à l'Hôpital Saint-Roch"),
        ("de", "Agence régionale de santé", "de l'Agence régionale de santé"),
        ("de", "CNIL", "de la CNIL"),
        ("à", "Medisphere", "à Medisphere"),
        ("de", "Medisphere", "de Medisphere"),
        ("de", "Orange Business", "d'Orange Business"),
        ("à", "Port-Salin", "à Port-Salin"),
        ("à", "Les Hôpitaux de Lormes", "aux Hôpitaux de Lormes"),
        ("de", "La Poste", "de la Poste"),
        ("de", "Le Groupe hospitalier", "du Groupe hospitalier"),
        ("to", "Port-Argent General Hospital", "to Port-Argent General Hospital"),
    ],
)
def test_a_preposition_before_an_organisation_name_takes_its_article(
    preposition: str, name: str, expected: str
) -> None:
    language = "en" if preposition == "to" else "fr"
    assert with_preposition(preposition, name, language) == expected


def test_article_plural_and_template_values() -> None:
    assert with_article("GHT de Sainte-Aube") == "le GHT de Sainte-Aube"
    assert with_article("ARS") == "l'ARS"
    assert with_article("Medisphere") == "Medisphere"
    assert article("Clinique des Flamboyants") == "la"
    assert plural(1, "système") == "1 système"
    assert plural(0, "système") == "0 système"
    assert plural(31, "système") == "31 systèmes"
    assert plural("2", "travail", "travaux") == "2 travaux"
    assert name_list(["Admissions", "Admissions", "Urgences", "Admissions"]) == "Admissions, Urgences"
    assert name_list(["A", "B", "C", "D", "E"], limit=4) == "A, B, C, D…"
    values = preposition_values("fr", {"establishment": "CH Port-Salin", "ght": "GHT de Sainte-Aube"})
    assert values["to_establishment"] == "au CH Port-Salin"
    assert values["of_ght"] == "du GHT de Sainte-Aube"
    assert values["the_samu"] == ""
    assert set(values) == set(PREPOSITION_VARIABLES)
    assert set(WORDING_VARIABLES) - set(PREPOSITION_VARIABLES) == {"crisis_age"}


_ORG = r"(?:CHU|CHR|CH|GHT|SAMU|ARS|ANSSI|CNIL|Centre|Clinique|Préfecture|Groupe|Hôpital|Agence)\b"
_BAD_FRENCH = {
    "preposition without article": re.compile(
        r"(?<![\w'])(?:à|de|vers|pour|depuis|chez|contre|devant) " + _ORG
    ),
    "(s) plural": re.compile(r"\w\(s\)"),
    "nested parentheses": re.compile(r"\([^()]*\([^()]*\)[^()]*\)"),
    "de + vowel": re.compile(r"(?<![\w'])de [AEIOUÉ][a-zé]"),
    "de le / à le": re.compile(r"(?<![\w'])(?:de|à) (?:le|les) "),
    "Site Site": re.compile(r"(?i)\bsite site\b"),
}
_STACKED_TITLE = re.compile(r"^[^:«“]+ ?: [^:«“]+ ?: |chases: The|Relance : \w+ :")


@cache
def _library_msel(stem: str) -> dict[str, Any]:
    return generate_msel(load_scenario(LIBRARY[stem])).scenario


@pytest.mark.parametrize("stem", sorted(LIBRARY))
def test_library_messages_speak_correct_french(stem: str) -> None:
    scenario = _library_msel(stem)
    problems = []
    for inject in scenario["injects"]:
        if _STACKED_TITLE.search(inject["title"]):
            problems.append(("stacked title", inject["title"]))
        if inject["language"] != "fr":
            continue
        for field in ("title", "message"):
            for name, pattern in _BAD_FRENCH.items():
                found = pattern.search(inject[field])
                if found:
                    problems.append((name, inject[field][max(0, found.start() - 30) : found.end() + 30]))
    assert not problems, problems[:5]


# --- senders ----------------------------------------------------------------------------------

_VENDOR = re.compile(r"[ée]diteur|vendor|\bdpi\b|\behr\b|logiciel|software", re.I)


@pytest.mark.parametrize("stem", sorted(LIBRARY))
def test_security_and_infrastructure_news_never_come_from_an_application_vendor(stem: str) -> None:
    scenario = _library_msel(stem)
    personas = {p["id"]: p for p in scenario["personas"]}
    for inject in scenario["injects"]:
        kind = inject["provenance"]["template"].split("/")[1]
        if inject["channel"] == "siem_alert" or kind in {"soc_alert", "backup_blocked", "restored"}:
            sender = personas[inject["from"]]
            assert not _VENDOR.search(f"{sender['name']} {sender['role']}"), (inject["id"], sender)
            if inject["channel"] == "siem_alert" and sender["kind"] == "supplier":
                assert re.search(r"soc|s[ée]curit|cyber|infog|managed|incident", sender["role"], re.I)


def _context(personas: list[dict[str, Any]]) -> ScenarioContext:
    scenario = copy.deepcopy(load_scenario(LIBRARY["territoire-insulaire-ght"]))
    scenario["personas"] = personas
    return ScenarioContext(scenario)


def test_the_soc_alert_falls_back_to_own_it_never_to_any_supplier() -> None:
    vendor = {"id": "v", "name": "Éditeur du DPI", "role": "Éditeur", "kind": "supplier"}
    telecom = {"id": "t", "name": "Opérateur télécom", "role": "Liaisons", "kind": "supplier"}
    nurse = {
        "id": "n", "name": "Cadre de nuit", "role": "Cadre de santé", "kind": "staff",
        "organisation": "chu-sainte-aube",
    }  # fmt: skip
    soc = KINDS["soc_alert"].sender
    assert _context([vendor, telecom, nurse]).sender(soc, "chu-sainte-aube") is None
    it = {
        "id": "it", "name": "Technicien", "role": "Astreinte informatique", "kind": "technical",
        "organisation": "chu-sainte-aube",
    }  # fmt: skip
    assert _context([vendor, telecom, nurse, it]).sender(soc, "chu-sainte-aube")["id"] == "it"
    msp = {"id": "m", "name": "Infogérant", "role": "SOC managé", "kind": "supplier"}
    assert _context([vendor, it, msp]).sender(soc, "chu-sainte-aube")["id"] == "m"
    restore = KINDS["backup_blocked"].sender
    assert _context([vendor, telecom, nurse]).sender(restore, "chu-sainte-aube") is None
    assert _context([vendor, msp]).sender(restore, "chu-sainte-aube")["id"] == "m"
    assert _context([vendor, msp, it]).sender(restore, "chu-sainte-aube")["id"] == "it"


# --- voices -----------------------------------------------------------------------------------

_WRONG_PUBLIC = re.compile(
    r"mon père|ma mère|mon fils|ma fille|son intervention|mon intervention|évacu|transféré", re.I
)


@pytest.mark.parametrize("stem", sorted(LIBRARY))
def test_public_injects_fit_any_public_persona_and_name_it(stem: str) -> None:
    scenario = _library_msel(stem)
    personas = {p["id"]: p for p in scenario["personas"]}
    for inject in scenario["injects"]:
        if inject["category"] != "public":
            continue
        if inject["provenance"]["template"].startswith("storyline/"):
            continue  # the designer's own words for a named persona
        sender = personas[inject["from"]]
        body = inject["message"].replace(sender["name"], "").replace(sender["role"], "")
        assert not _WRONG_PUBLIC.search(body + inject["title"]), (inject["id"], body)
        # The sender introduces themself (the opening of its function names it).
        assert _named(sender, inject["message"]), inject["id"]


def test_public_kinds_prefer_the_persona_whose_role_fits() -> None:
    patient = {"id": "a-patient", "name": "Mme Roux", "role": "Patiente opérée", "kind": "public"}
    family = {"id": "b-family", "name": "M. Roux", "role": "Fils d'une patiente", "kind": "public"}
    ctx = _context([patient, family])
    assert ctx.sender(KINDS["family_reception"].sender, "chu-sainte-aube")["id"] == "b-family"
    assert ctx.sender(KINDS["patient_phishing"].sender, "chu-sainte-aube")["id"] == "a-patient"
    alone = _context([patient])
    assert alone.sender(KINDS["family_reception"].sender, "chu-sainte-aube")["id"] == "a-patient"


@pytest.mark.parametrize("stem", sorted(LIBRARY))
def test_the_message_speaks_with_the_senders_voice(stem: str) -> None:
    scenario = _library_msel(stem)
    personas = {p["id"]: p for p in scenario["personas"]}
    fixed_voices = re.compile(
        r"L'administrateur d'astreinte signale|The on-call administrator reports|de la presse locale"
        r"|Une chaîne d'information veut|news channel wants|Le SOC a levé|the SOC raised"
        r"|par l'analyste de permanence|by the analyst on duty",
        re.I,
    )
    for inject in scenario["injects"]:
        if inject["provenance"]["template"].startswith("storyline/"):
            continue  # the designer's own words
        assert not fixed_voices.search(inject["title"] + inject["message"]), inject["id"]
        kind = inject["provenance"]["template"].split("/")[1]
        if kind in {"encryption", "journalist_call", "soc_alert", "family_reception", "noise"}:
            assert _named(personas[inject["from"]], inject["message"]), inject["id"]


def _named(persona: dict[str, Any], message: str) -> bool:
    """Whether the message names the persona: its full name, or its first name with its role
    (an opening such as « C'est Sandrine, cadre de nuit »)."""
    first = persona["name"].split()[0] if persona["name"].split() else persona["name"]
    return persona["name"] in message or (first in message and len(first) > 2)


# --- channels ---------------------------------------------------------------------------------


@pytest.mark.parametrize("stem", sorted(LIBRARY))
def test_no_email_while_the_establishments_messaging_is_down(stem: str) -> None:
    scenario = _library_msel(stem)
    ctx = ScenarioContext(scenario)
    territorial = {c["id"] for c in ctx.player_cells if ctx.cell_roles(c) & _TERRITORIAL}
    for inject in scenario["injects"]:
        if inject["channel"] != "email" or set(inject["to"]) <= territorial:
            continue
        if inject["provenance"]["template"].startswith("storyline/"):
            continue  # the designer chose the channel (a ransom mail to an outside mailbox)
        minute = ctx.time_model.scenario_minute(parse_minutes(inject["offset"]))
        assert not messaging_down(scenario, inject.get("establishment"), minute), inject["id"]


_TERRITORIAL = {"territorial_ars", "territorial_prefecture", "territorial_samu", "territorial_ministry"}


def test_channel_for_moves_email_off_a_down_messaging_system() -> None:
    scenario = _library_msel("ch-rancongiciel-nuit")
    mail = next(s for s in scenario["systems"] if s["kind"] == "messaging")
    events = [e for e in scenario["timeline"]["events"] if e.get("node") == mail["id"]]
    hit = next(e for e in events if e["kind"] in {"encrypted", "down", "isolated"})
    establishment = mail["organisation"]
    before, after = hit["minute"] - 1, hit["minute"] + 1
    assert channel_for(scenario, "email", establishment, before) == "email"
    assert channel_for(scenario, "email", establishment, after) == "phone"
    assert channel_for(scenario, "email", establishment, after, internal=True) == "in_person"
    assert channel_for(scenario, "phone", establishment, after) == "phone"
    assert channel_for(scenario, "email", None, after) == "email"
    assert channel_for({"systems": []}, "email", establishment, after) == "email"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_printed_ransom_note_is_not_said_to_be_on_screen(language: str) -> None:
    for template in inject_templates("attacker", language)["ransom_note"]:
        text = " ".join(str(v) for v in template.sections.values()).lower()
        assert not re.search(r"écran|screen", text), template.name


def test_parts_of_the_day_are_made_true_at_the_hour_of_the_message() -> None:
    call = "Mes équipes sont là depuis ce matin. On publie ce soir. Le ministre sera interrogé ce matin."
    assert fit_time_of_day(call, 3) == (
        "Mes équipes sont là depuis des heures. On publie cette nuit. "
        "Le ministre sera interrogé dans la matinée."
    )
    assert fit_time_of_day(call, 15) == (
        "Mes équipes sont là depuis ce matin. On publie ce soir. Le ministre sera interrogé demain matin."
    )
    # In the morning every word already holds; a sentence may start with one.
    assert fit_time_of_day(call, 10) == call
    assert fit_time_of_day("Ce soir on ferme. Décision avant ce soir.", 23) == (
        "Cette nuit on ferme. Décision avant demain matin."
    )
    assert fit_time_of_day("We have been here since this morning.", 6, "en") == "We have been here for hours."
    assert fit_time_of_day("The minister will be asked this morning; this morning's results.", 15, "en") == (
        "The minister will be asked tomorrow morning; this morning's results."
    )


# Sentences of the templates' kinds, by what their part of the day means: something to come, or
# something that happened. The clock decides which words can be said.
_TO_COME = {
    "fr": (
        "Le cabinet du ministre sera interrogé ce matin.",
        "L'ARS veut un point commun cet après-midi, préparez les chiffres.",
        "On publie ce soir avec ou sans votre réaction.",
        "Nous avons besoin de la liste nominative des patients avant ce soir.",
        "Je ne sais pas qui vient cet après-midi.",
        "Qu'on prépare le dépôt de plainte, je le signe aujourd'hui.",
    ),
    "en": (
        "The minister's office will be questioned this morning.",
        "The ARS wants a joint call this afternoon, get the figures ready.",
        "We need the named list of patients before tonight.",
        "I don't know who's on this afternoon.",
        "Prepare the police complaint, I'll sign it today.",
        "Elected officials want a meeting before this evening.",
    ),
}
_PAST = {
    "fr": (
        "Deux tubes mal étiquetés ce matin : rattrapés.",
        "Je n'ai plus accès aux images du scanner de ce matin.",
        "La console de sécurité a levé des alertes cette nuit que personne n'a vues.",
        "Des comptes d'administration de votre espace ont été utilisés cette nuit.",
    ),
    "en": ("Two tubes were mislabelled this morning.", "We burned about twenty CDs this morning."),
}
# (language, hour test, words that cannot be said then of what is to come / of what happened)
_FALSE_TO_COME = (
    ("fr", range(0, 5), r"\bce (?:soir|matin)\b"),
    ("fr", range(12, 24), r"\bce matin\b"),
    ("fr", range(18, 24), r"\bcet après-midi\b"),
    ("fr", range(22, 24), r"\bce soir\b|\baujourd'hui\b"),
    ("fr", range(18, 24), r"\bavant ce soir\b"),
    ("en", range(18, 24), r"\bbefore (?:tonight|this evening)\b"),
    ("en", range(12, 24), r"\bthis morning\b"),
    ("en", range(18, 24), r"\bthis afternoon\b"),
    ("en", range(22, 24), r"\bthis evening\b|\btoday\b"),
    ("en", range(0, 5), r"\bbefore tonight\b"),
)
_FALSE_PAST = (
    ("fr", range(0, 5), r"\bce matin\b"),
    ("fr", range(12, 24), r"\bcette nuit\b"),
    ("en", range(0, 5), r"\bthis morning\b"),
    ("en", range(0, 12), r"\bthis afternoon\b"),
)


@pytest.mark.parametrize("hour", range(24))
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_clock_decides_which_parts_of_the_day_can_be_said(hour: int, language: str) -> None:
    for sentences, rules in ((_TO_COME, _FALSE_TO_COME), (_PAST, _FALSE_PAST)):
        for sentence in sentences[language]:
            said = fit_time_of_day(sentence, hour, language)
            for rule_language, hours, words in rules:
                if rule_language == language and hour in hours:
                    assert not re.search(words, said, re.I), (hour, sentence, said)
            # Whatever was changed, the sentence keeps its meaning's other words.
            assert said.split()[:2] == sentence.split()[:2]
    # Words true at that hour are left as they are.
    if 10 <= hour < 12:
        for sentence in (*_TO_COME[language], *_PAST[language]):
            assert fit_time_of_day(sentence, hour, language) == sentence


@pytest.mark.parametrize("hour", [3, 10, 15, 23])
def test_past_words_stay_past_and_future_words_move_forward(hour: int) -> None:
    said = fit_time_of_day("Deux tubes mal étiquetés ce matin. Le ministre sera interrogé ce matin.", hour)
    past, to_come = said.split(". ")
    expected_past = {3: "hier matin", 10: "ce matin", 15: "ce matin", 23: "ce matin"}[hour]
    expected_to_come = {3: "dans la matinée", 10: "ce matin", 15: "demain matin", 23: "demain matin"}[hour]
    assert past.endswith(expected_past) and to_come.rstrip(".").endswith(expected_to_come), said
    assert fit_time_of_day("Alertes levées cette nuit ; on tient encore cette nuit.", 15) == (
        "Alertes levées la nuit dernière ; on tient encore cette nuit."
    )


_SINCE_WORDS = re.compile(r"depuis (\d+|une) (minutes|heures?|jours)|for (\d+|an) (minutes|hours?|days)")


def _said_minutes(found: re.Match[str]) -> float:
    count, unit = (found.group(1), found.group(2)) if found.group(1) else (found.group(3), found.group(4))
    number = 1 if count in {"une", "an"} else int(count)
    return number * (1 if unit == "minutes" else 60 if unit.startswith("h") else 1440)


@pytest.mark.parametrize("elapsed", [20, 50, 130, 300, 700, 1500, 3000, 5000])
@pytest.mark.parametrize("hour", [1, 8, 14, 21])
def test_since_when_is_never_older_than_the_crisis(hour: int, elapsed: int) -> None:
    lines = {
        "fr": "Mes collègues font des heures supplémentaires depuis deux jours. Nos ingénieurs sont sur "
        "le pont depuis hier. Mes techniciens tournent depuis la nuit dernière. Le calme est revenu "
        "depuis deux heures. Vos disponibilités ne sont plus à jour depuis ce matin.",
        "en": "My colleagues have been doing overtime for two days. Our engineers have been at it since "
        "yesterday. My technicians have been at it since last night. We've reagents for three days.",
    }
    for language, text in lines.items():
        said = fit_time_of_day(text, hour, language, elapsed=elapsed)
        # Every duration said is at most the crisis's age (with the documented slack).
        for found in _SINCE_WORDS.finditer(said):
            assert _said_minutes(found) <= max(elapsed * SINCE_SLACK, 10) + 30, (hour, elapsed, said)
        # « depuis hier » only of a crisis that began before midnight.
        if elapsed < hour * 60:
            assert not re.search(r"depuis hier|since yesterday", said), said
        else:
            assert re.search(r"depuis hier|since yesterday", said), said
        if elapsed < 2880 / SINCE_SLACK:
            assert "deux jours" not in said and "two days" not in said
        # A supply that lasts three more days is not a duration since.
        if language == "en":
            assert "We've reagents for three days." in said
