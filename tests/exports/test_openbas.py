"""The OpenBAS zip against what their V1 importer reads (openbas-interop.md §2), written out here."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest

from studio.exports.openbas import openbas_zip

# Keys the importer dereferences without a null check, or that its exporter always writes. Listed
# from the interop notes rather than imported from the exporter, so that the two can disagree.
TOP_LEVEL = {
    "export_version", "scenario_information", "scenario_teams", "scenario_objectives", "scenario_users",
    "scenario_organizations", "scenario_injects", "scenario_tags", "scenario_documents", "scenario_channels",
    "scenario_articles", "scenario_challenges", "scenario_lessons_categories", "scenario_lessons_questions",
    "scenario_variables",
}  # fmt: skip
INFORMATION = {
    "scenario_name", "scenario_description", "scenario_subtitle", "scenario_category", "scenario_main_focus",
    "scenario_message_header", "scenario_message_footer", "scenario_mail_from",
}  # fmt: skip
TEAM = {"team_id", "team_name", "team_description"}
INJECT = {
    "inject_id", "inject_title", "inject_description", "inject_country", "inject_city", "inject_all_teams",
    "inject_depends_duration", "inject_depends_on", "inject_injector_contract", "inject_content",
}  # fmt: skip
OBJECTIVE = {"objective_id", "objective_title", "objective_description", "objective_priority"}
CHANNEL = {
    "channel_id", "channel_type", "channel_name", "channel_description", "channel_mode",
    "channel_primary_color_dark", "channel_primary_color_light", "channel_secondary_color_dark",
    "channel_secondary_color_light", "channel_logo_dark", "channel_logo_light",
}  # fmt: skip
ARTICLE = {
    "article_id", "article_name", "article_content", "article_author", "article_shares", "article_likes",
    "article_comments", "article_channel", "article_documents",
}  # fmt: skip
EXPECTATION = {
    "expectation_type", "expectation_name", "expectation_description", "expectation_score",
    "expectation_expectation_group", "expectation_expiration_time",
}  # fmt: skip
EMAIL, MEDIA, MANUAL = (
    "138ad8f8-32f8-4a22-8114-aaa12322bd09",
    "fb5e49a2-6366-4492-b69a-f9b9f39a533e",
    "d02e9132-b9d0-4daa-b3b1-4b9871f8472c",
)
SEVERITIES = {"low", "medium", "high", "critical"}


def read_zip(data: bytes) -> tuple[zipfile.ZipInfo, dict[str, Any]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = archive.infolist()
        assert len(entries) == 1
        return entries[0], json.loads(archive.read(entries[0]))


@pytest.fixture(scope="module")
def exported(request) -> tuple[dict[str, Any], zipfile.ZipInfo, dict[str, Any]]:
    from tests.exports.support import load_golden

    scenario = load_golden("fr")
    entry, document = read_zip(openbas_zip(scenario))
    return scenario, entry, document


def test_container(exported) -> None:
    _scenario, entry, document = exported
    assert entry.comment == b"Scenario"  # their importer refuses entries without a comment
    assert entry.filename.endswith(".json") and "/" not in entry.filename
    assert document["export_version"] == 1


def test_every_key_the_importer_reads_is_present(exported) -> None:
    _, _, document = exported
    assert set(document) >= TOP_LEVEL
    assert set(document["scenario_information"]) >= INFORMATION
    assert document["scenario_information"].get("scenario_severity") in SEVERITIES
    for key, required in (
        ("scenario_teams", TEAM),
        ("scenario_injects", INJECT),
        ("scenario_objectives", OBJECTIVE),
        ("scenario_channels", CHANNEL),
        ("scenario_articles", ARTICLE),
    ):
        assert document[key], key
        for item in document[key]:
            assert required <= set(item), (key, required - set(item))
    for inject in document["scenario_injects"]:
        assert isinstance(inject["inject_depends_on"], list)
        assert isinstance(inject["inject_depends_duration"], int)
        assert "injector_contract_payload" in inject["inject_injector_contract"]
        for expectation in inject["inject_content"]["expectations"]:
            assert set(expectation) >= EXPECTATION


def test_mapping_of_cells_injects_and_objectives(exported) -> None:
    scenario, _, document = exported
    team_names = {team["team_name"] for team in document["scenario_teams"]}
    assert {cell["name"] for cell in scenario["cells"] if cell["type"] == "player"} <= team_names
    team_ids = {team["team_id"] for team in document["scenario_teams"]}
    injects = document["scenario_injects"]
    assert len(injects) == len(scenario["injects"])
    by_title = {inject["inject_title"]: inject for inject in injects}
    email = by_title["Stimulus 2 title"]  # PT15M by email to two cells
    assert email["inject_injector_contract"]["injector_contract_id"] == EMAIL
    assert email["inject_depends_duration"] == 15 * 60
    assert len(email["inject_teams"]) == 2 and set(email["inject_teams"]) <= team_ids
    assert email["inject_content"]["subject"].startswith("[EXERCICE")
    press = by_title["Stimulus 5 title"]  # PT1H30M press article
    assert press["inject_injector_contract"]["injector_contract_id"] == MEDIA
    assert press["inject_depends_duration"] == 5400
    article_ids = {article["article_id"] for article in document["scenario_articles"]}
    assert set(press["inject_content"]["articles"]) <= article_ids
    channel_ids = {channel["channel_id"] for channel in document["scenario_channels"]}
    assert all(article["article_channel"] in channel_ids for article in document["scenario_articles"])
    phone = by_title["Stimulus 1 title"]
    assert phone["inject_injector_contract"]["injector_contract_id"] == MANUAL
    assert len(phone["inject_content"]["expectations"]) == 2
    reserve = by_title["CTRL-HIDDENTITLE-8"]
    assert reserve["inject_enabled"] is False  # contingency: held in reserve
    assert [o["objective_title"] for o in document["scenario_objectives"]] == [
        o["title"] for o in scenario["objectives"]
    ]


def test_same_scenario_same_bytes(golden_fr) -> None:
    assert openbas_zip(golden_fr) == openbas_zip(golden_fr)
