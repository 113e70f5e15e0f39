"""The evaluator pack (kit observateur, EEG): the objectives x criteria grid and observation sheets.

Evaluators see what players are asked to do, not what animators know: the sheets carry the message,
the expected actions and the objectives, but no synopsis or animator notes. One sheet per *core*
inject (priority core, not a contingency inject, not reserved to the animation cell by
``visibility: control``), each on its own page.
"""

from __future__ import annotations

from typing import Any

from studio.exports.chronogramme import ScenarioView
from studio.exports.docx.base import inject_facts, start_pack
from studio.exports.docx.writer import CHECKBOX, PackWriter

OBSERVATION_LINES = 6
"""Blank time-stamped lines on each observation sheet."""


def rating_levels(view: ScenarioView) -> list[dict[str, str]]:
    """The scenario's rating scale, or the language's default (P/S/M/U, or atteint/partiel/non atteint)."""
    scale = view.scenario.get("rating_scale")
    return scale["levels"] if scale else view.labels.tables["default_rating_scale"]


def rating_boxes(levels: list[dict[str, str]]) -> str:
    """Empty boxes for each level code, e.g. "☐ P ☐ S ☐ M ☐ U", to tick on paper."""
    return " ".join(f"{CHECKBOX} {level['code']}" for level in levels)


def core_injects(view: ScenarioView) -> list[dict[str, Any]]:
    return [
        inject
        for inject in view.injects
        if inject.get("priority", "core") == "core"
        and not inject.get("contingency")
        and inject.get("visibility", "players") != "control"
    ]


def evaluator_pack(scenario: dict[str, Any]) -> bytes:
    view = ScenarioView(scenario)
    labels = view.labels
    writer = start_pack(view, "pack_evaluators", notice_key="restricted_evaluators")
    levels = rating_levels(view)
    codes = rating_boxes(levels)

    writer.heading(labels["rating_scale"], 1)
    writer.table(
        [labels["col_code"], labels["col_level"], labels["col_description"]],
        [(level["code"], level["label"], level.get("description", "")) for level in levels],
        widths_cm=(2.0, 5.0, 10.0),
        bold_first_column=True,
    )
    writer.heading(labels["sec_grid"], 1)
    rows = []
    for objective in scenario["objectives"]:
        for criterion in objective["criteria"]:
            rows.append((objective["title"], criterion["text"], criterion.get("target", ""), codes, ""))
    writer.table(
        [
            labels[key]
            for key in ("col_objective", "col_criterion", "col_target", "col_rating", "col_comments")
        ],
        rows,
        widths_cm=(3.5, 4.5, 2.0, 3.5, 3.5),
    )

    writer.heading(labels["sec_observation"], 1, new_page=True)
    for index, inject in enumerate(core_injects(view)):
        _observation_sheet(writer, view, inject, codes, first_on_page=index == 0)
    return writer.to_bytes()


def _observation_sheet(
    writer: PackWriter, view: ScenarioView, inject: dict[str, Any], codes: str, *, first_on_page: bool
) -> None:
    labels = view.labels
    title = labels.format("observation_title", number=view.number(inject), title=inject["title"])
    writer.heading(title, 2, new_page=not first_on_page)
    writer.facts(inject_facts(view, inject))
    writer.heading(labels["card_message"], 3)
    writer.text_block(inject["message"], labels["no_content"])
    if inject.get("expected_actions"):
        writer.heading(labels["card_expected_actions"], 3)
        writer.bullets(inject["expected_actions"], checkbox=True)
    criteria = [
        (view.objectives[oid]["title"], criterion["text"], codes)
        for oid in inject.get("objective_ids", [])
        if oid in view.objectives
        for criterion in view.objectives[oid]["criteria"]
    ]
    if criteria:
        writer.heading(labels["observation_objectives"], 3)
        writer.table(
            [labels["col_objective"], labels["col_criterion"], labels["col_rating"]],
            criteria,
            widths_cm=(5.0, 7.5, 4.5),
        )
    writer.heading(labels["observation_log"], 3)
    writer.table(
        [labels["col_time"], labels["col_observation"]],
        [("", "")] * OBSERVATION_LINES,
        widths_cm=(2.5, 14.5),
    )
