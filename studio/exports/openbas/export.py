"""OpenBAS / OpenAEV scenario export: a zip their ``POST /api/scenarios/import`` accepts.

Format (openbas-interop.md §2): one JSON entry ``<scenario name>.json`` whose zip member comment is
``Scenario`` (the importer rejects entries without a comment), ``export_version`` 1, and every key of
their export whitelist present (the V1 importer dereferences keys without null checks, so a missing
key is an internal error on their side; ``null`` is fine).

Mapping:
- player cells, and any other cell an inject is addressed to, become ``scenario_teams``;
- organisations become ``scenario_organizations``; objectives carry over (criteria in the description);
- injects become ``inject_depends_duration`` seconds after start, addressed to their recipient teams:
  email -> the individual email contract, press/TV/social/leak-site -> media pressure (with a channel
  per medium and one article per inject), anything else -> a manual action reminding the animator
  to deliver it by phone, in person...;
- each expected action becomes a MANUAL expectation;
- contingency injects are exported disabled (``inject_enabled`` false): held in reserve.

OpenBAS is a control tool, so the inject description carries the synopsis and animator notes.
Identifiers are derived from scenario ids (UUID5), so the same scenario gives the same file.
"""

from __future__ import annotations

import html
import io
import json
import uuid
import zipfile
from typing import Any

from studio.exports.common import (
    FIXED_ZIP_TIME,
    ExportFile,
    by_id,
    clean_text,
    inject_minutes,
    player_cells,
    safe_filename_part,
    scenario_labels,
    sorted_injects,
)

EXPORT_VERSION = 1
ENTRY_COMMENT = b"Scenario"

# Built-in injector contract ids: constants of the OpenBAS code base, identical on every instance.
CONTRACT_EMAIL = "138ad8f8-32f8-4a22-8114-aaa12322bd09"
CONTRACT_MEDIA_PRESSURE = "fb5e49a2-6366-4492-b69a-f9b9f39a533e"
CONTRACT_MANUAL = "d02e9132-b9d0-4daa-b3b1-4b9871f8472c"

MEDIA_CHANNEL_TYPES = {
    "press_article": "newspaper",
    "tv_video": "tv",
    "social_post": "microblogging",
    "leak_site": "microblogging",
}
"""Our media channels -> OpenBAS channel types; other channels are not media pressure."""

EXPECTATION_SCORE = 100
EXPECTATION_EXPIRY_SECONDS = 3600
DEFAULT_MAIL_FROM = "exercice@crisis-studio.invalid"
NAMESPACE = uuid.UUID("6f1f7d1e-4b61-4d0e-9a55-0c6f2b7d9a10")

# The whitelists of OpenBAS's exporter (export/Mixins.java), so that every key is written.
SCENARIO_KEYS = (
    "scenario_id", "scenario_name", "scenario_description", "scenario_subtitle", "scenario_category",
    "scenario_main_focus", "scenario_severity", "scenario_message_header", "scenario_message_footer",
    "scenario_mail_from", "scenario_tags", "scenario_documents",
)  # fmt: skip
TEAM_KEYS = ("team_id", "team_name", "team_description", "team_tags", "team_organization", "team_users",
             "team_contextual")  # fmt: skip
INJECT_KEYS = (
    "inject_id", "inject_title", "inject_description", "inject_country", "inject_city", "inject_enabled",
    "inject_injector_contract", "inject_all_teams", "inject_depends_on", "inject_depends_duration",
    "inject_tags", "inject_documents", "inject_teams", "inject_content",
)  # fmt: skip
OBJECTIVE_KEYS = ("objective_id", "objective_title", "objective_description", "objective_priority")
ORGANIZATION_KEYS = ("organization_id", "organization_name", "organization_description", "organization_tags")
CHANNEL_KEYS = (
    "channel_id", "channel_type", "channel_name", "channel_description", "channel_mode",
    "channel_primary_color_dark", "channel_primary_color_light", "channel_secondary_color_dark",
    "channel_secondary_color_light", "channel_logo_dark", "channel_logo_light",
)  # fmt: skip
ARTICLE_KEYS = (
    "article_id", "article_name", "article_content", "article_author", "article_shares", "article_likes",
    "article_comments", "article_channel", "article_documents", "article_exercise",
)  # fmt: skip
TAG_KEYS = ("tag_id", "tag_name", "tag_color")
TOP_LEVEL_ARRAYS = (
    "scenario_teams", "scenario_objectives", "scenario_users", "scenario_organizations", "scenario_injects",
    "scenario_tags", "scenario_documents", "scenario_channels", "scenario_articles", "scenario_challenges",
    "scenario_lessons_categories", "scenario_lessons_questions", "scenario_variables",
)  # fmt: skip


def _uuid(scenario_id: str, kind: str, local_id: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{scenario_id}/{kind}/{local_id}"))


def _html(text: str) -> str:
    """Plain text as the HTML body OpenBAS emails carry: escaped, paragraphs and line breaks kept."""
    paragraphs = [html.escape(chunk).replace("\n", "<br>") for chunk in clean_text(text).split("\n\n")]
    return "".join(f"<p>{chunk}</p>" for chunk in paragraphs if chunk)


def _expectations(inject: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "expectation_type": "MANUAL",
            "expectation_name": clean_text(action)[:255],
            "expectation_description": clean_text(action),
            "expectation_score": EXPECTATION_SCORE,
            "expectation_expectation_group": False,
            "expectation_expiration_time": EXPECTATION_EXPIRY_SECONDS,
        }
        for action in inject.get("expected_actions", [])
    ]


def _contract(contract_id: str) -> dict[str, Any]:
    # Only the id is used when the contract exists on the instance (built-in ones always do); the
    # payload key must still be present.
    return {"injector_contract_id": contract_id, "injector_contract_payload": None}


def openbas_document(scenario: dict[str, Any]) -> dict[str, Any]:
    """The scenario JSON of the OpenBAS export (every whitelisted key present)."""
    sid = scenario["id"]
    labels = scenario_labels(scenario)
    exercise = scenario["exercise"]
    personas = by_id(scenario.get("personas", []))
    cells = by_id(scenario.get("cells", []))
    marking = clean_text(exercise["safety"]["marking"])

    team_ids = [cell["id"] for cell in player_cells(scenario)]
    for inject in scenario.get("injects", []):
        team_ids += [cell_id for cell_id in inject["to"] if cell_id not in team_ids]
    teams = [
        {
            "team_id": _uuid(sid, "team", cell_id),
            "team_name": clean_text(cells.get(cell_id, {}).get("name", cell_id)),
            "team_description": clean_text(cells.get(cell_id, {}).get("mission", "")),
            "team_tags": [],
            "team_organization": (
                _uuid(sid, "organization", cells[cell_id]["organisation"])
                if cells.get(cell_id, {}).get("organisation")
                else None
            ),
            "team_users": [],
            "team_contextual": False,
        }
        for cell_id in team_ids
    ]
    organizations = [
        {
            "organization_id": _uuid(sid, "organization", organisation["id"]),
            "organization_name": clean_text(organisation["name"]),
            "organization_description": clean_text(organisation.get("description", "")),
            "organization_tags": [],
        }
        for organisation in scenario.get("organisations", [])
    ]
    objectives = [
        {
            "objective_id": _uuid(sid, "objective", objective["id"]),
            "objective_title": clean_text(objective["title"]),
            "objective_description": clean_text(
                "\n".join(
                    [objective.get("description", "")] + [f"- {c['text']}" for c in objective["criteria"]]
                )
            ).strip(),
            "objective_priority": index,
        }
        for index, objective in enumerate(scenario["objectives"], start=1)
    ]

    channels: dict[str, dict[str, Any]] = {}
    articles: list[dict[str, Any]] = []
    injects = []
    for inject in sorted_injects(scenario):
        sender = personas.get(inject["from"], {})
        title = clean_text(inject["title"])
        body = _html(inject["message"])
        content: dict[str, Any]
        media_type = MEDIA_CHANNEL_TYPES.get(inject["channel"])
        if inject["channel"] == "email":
            contract = CONTRACT_EMAIL
            content = {"subject": f"[{marking}] {title}", "body": body, "encrypted": False}
        elif media_type:
            contract = CONTRACT_MEDIA_PRESSURE
            channel_id = _uuid(sid, "channel", inject["channel"])
            channels.setdefault(
                inject["channel"],
                {
                    "channel_id": channel_id,
                    "channel_type": media_type,
                    "channel_name": labels.enum("channel", inject["channel"]),
                    "channel_description": marking,
                    "channel_mode": "title",
                    "channel_primary_color_dark": "#ef4444",
                    "channel_primary_color_light": "#b91c1c",
                    "channel_secondary_color_dark": "#1f2937",
                    "channel_secondary_color_light": "#f3f4f6",
                    "channel_logo_dark": None,
                    "channel_logo_light": None,
                },
            )
            article_id = _uuid(sid, "article", inject["id"])
            articles.append(
                {
                    "article_id": article_id,
                    "article_name": title,
                    "article_content": body,
                    "article_author": clean_text(sender.get("name", inject["from"])),
                    "article_shares": 0,
                    "article_likes": 0,
                    "article_comments": 0,
                    "article_channel": channel_id,
                    "article_documents": [],
                    "article_exercise": None,
                }
            )
            content = {"articles": [article_id], "emailing": False, "subject": title, "body": body}
        else:
            contract = CONTRACT_MANUAL
            content = {}
        content["expectations"] = _expectations(inject)
        description_parts = [
            f"{labels.enum('field', 'from')}: {sender.get('name', inject['from'])}",
            f"{labels.enum('field', 'channel')}: {labels.enum('channel', inject['channel'])}",
            inject.get("synopsis", ""),
            inject.get("animator_notes", ""),
        ]
        if contract == CONTRACT_MANUAL:
            description_parts.append(inject["message"])
        injects.append(
            {
                "inject_id": _uuid(sid, "inject", inject["id"]),
                "inject_title": title,
                "inject_description": clean_text("\n\n".join(part for part in description_parts if part)),
                "inject_country": None,
                "inject_city": None,
                "inject_enabled": not inject.get("contingency", False),
                "inject_injector_contract": _contract(contract),
                "inject_all_teams": False,
                "inject_depends_on": [],
                "inject_depends_duration": round(inject_minutes(inject) * 60),
                "inject_tags": [],
                "inject_documents": [],
                "inject_teams": [_uuid(sid, "team", cell_id) for cell_id in inject["to"]],
                "inject_content": content,
            }
        )

    information = {
        "scenario_id": _uuid(sid, "scenario", sid),
        "scenario_name": clean_text(exercise["title"]),
        "scenario_description": clean_text(exercise.get("context", "")),
        "scenario_subtitle": clean_text(exercise.get("subtitle", "")),
        "scenario_category": "global-crisis",
        "scenario_main_focus": "strategic-reaction"
        if exercise["type"] == "strategic"
        else "incident-response",
        "scenario_severity": "high",
        "scenario_message_header": marking,
        "scenario_message_footer": marking,
        "scenario_mail_from": _mail_from(scenario),
        "scenario_tags": [],
        "scenario_documents": [],
    }
    document: dict[str, Any] = {"export_version": EXPORT_VERSION, "scenario_information": information}
    document.update({key: [] for key in TOP_LEVEL_ARRAYS})
    document.update(
        {
            "scenario_teams": teams,
            "scenario_objectives": objectives,
            "scenario_organizations": organizations,
            "scenario_injects": injects,
            "scenario_channels": list(channels.values()),
            "scenario_articles": articles,
        }
    )
    return document


def _mail_from(scenario: dict[str, Any]) -> str:
    """The sender address of exercise mails: the first animation-played persona with an address."""
    for persona in scenario.get("personas", []):
        if persona.get("email") and "@" in persona["email"]:
            return clean_text(persona["email"])
    return DEFAULT_MAIL_FROM


def openbas_zip(scenario: dict[str, Any]) -> bytes:
    """The zip to upload to OpenBAS: one commented JSON entry, fixed dates (deterministic bytes)."""
    document = openbas_document(scenario)
    entry_name = f"{safe_filename_part(scenario['exercise']['title'])}.json"
    entry = zipfile.ZipInfo(entry_name, date_time=FIXED_ZIP_TIME)
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.comment = ENTRY_COMMENT
    entry.external_attr = 0o644 << 16
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(entry, json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True))
    return stream.getvalue()


def openbas_outputs(scenario: dict[str, Any]) -> list[ExportFile]:
    return [ExportFile(f"{safe_filename_part(scenario['id'])}-openbas.zip", openbas_zip(scenario))]
