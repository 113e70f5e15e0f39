"""The evaluator pack (kit observateur, EEG), one per observed cell: instructions, grid, observation sheets.

Evaluators see what players are asked to do, not what animators know: the sheets carry the message,
the expected actions and the objectives, but no synopsis or animator notes. One sheet per *core*
inject (priority core, not a contingency inject, not reserved to the animation cell by
``visibility: control``), each framed and never split across pages, as many to a page as fit.
"""

from __future__ import annotations

from typing import Any

from docx.shared import Pt

from studio.exports.chronogramme import ScenarioView
from studio.exports.common import applies_to_cell, player_cells
from studio.exports.docx.base import inject_fact_lines, start_pack
from studio.exports.docx.writer import CARD_HEADING_STYLE, CHECKBOX, SMALL_STYLE, GroupRow, PackWriter

OBSERVATION_LINES = 5
"""Blank time-stamped lines on each observation sheet."""


def rating_levels(view: ScenarioView) -> list[dict[str, str]]:
    """The scenario's rating scale, or the language's default, always with a "not observed" level.

    "Not observed" is not "not achieved": an observer who did not see the situation must be able to
    say so, so the level is added when the scale lacks it.
    """
    scale = view.scenario.get("rating_scale")
    levels = list(scale["levels"] if scale else view.labels.tables["default_rating_scale"])
    not_observed = view.labels.tables["not_observed_level"]
    known = {text.casefold() for level in levels for text in (level["code"], level["label"])}
    if not {not_observed["code"].casefold(), not_observed["label"].casefold()} & known:
        levels.append(not_observed)
    return levels


def rating_boxes(levels: list[dict[str, str]]) -> str:
    """Empty boxes for each level code, e.g. "☐ P ☐ S ☐ M ☐ U ☐ N/O", to tick on paper."""
    return " ".join(f"{CHECKBOX} {level['code']}" for level in levels)


def core_injects(view: ScenarioView, cell_id: str | None = None) -> list[dict[str, Any]]:
    """Injects observers follow: core, not contingency, not reserved to control; to ``cell_id`` if given."""
    return [
        inject
        for inject in view.injects
        if inject.get("priority", "core") == "core"
        and not inject.get("contingency")
        and inject.get("visibility", "players") != "control"
        and (cell_id is None or cell_id in inject.get("to", []) or cell_id in inject.get("cc", []))
    ]


def evaluator_pack(scenario: dict[str, Any], cell_id: str | None = None) -> bytes:
    """The evaluator pack of one observed (player) cell, or of every cell, one Word section each."""
    view = ScenarioView(scenario)
    labels = view.labels
    cells = [view.cells[cell_id]] if cell_id else player_cells(scenario)
    extra = [(labels["meta_observed_cell"], cells[0]["name"])] if cell_id else []
    writer = start_pack(view, "pack_evaluators", notice_key="restricted_evaluators", extra_meta=extra)
    levels = rating_levels(view)
    codes = rating_boxes(levels)

    writer.heading(labels["sec_observer_instructions"], 1)
    writer.bullets(labels.tables["observer_instructions"])
    writer.heading(labels["rating_scale"], 2)
    writer.table(
        [labels["col_code"], labels["col_level"], labels["col_description"]],
        [(level["code"], level["label"], level.get("description", "")) for level in levels],
        widths_cm=(2.0, 5.0, 10.0),
        bold_first_column=True,
    )
    for index, cell in enumerate(cells):
        if cell_id is None:
            if index:
                writer.new_section(landscape=False)
            writer.heading(labels.format("observed_cell_heading", cell=cell["name"]), 1, new_page=True)
        _cell_grid_and_sheets(writer, view, cell, codes, level=2 if cell_id is None else 1)
    return writer.to_bytes()


def _cell_grid_and_sheets(
    writer: PackWriter, view: ScenarioView, cell: dict[str, Any], codes: str, *, level: int
) -> None:
    labels = view.labels
    objectives = [obj for obj in view.scenario["objectives"] if applies_to_cell(obj, cell["id"])]
    writer.heading(labels["sec_grid"], level, new_page=level == 1)
    if not objectives:
        writer.paragraph(labels["no_content"])
    for objective in objectives:
        # An objective's grid is short: kept whole with its heading rather than split over two pages.
        with writer.card(frame=None):
            writer.heading(objective["title"], level + 1).paragraph_format.space_before = Pt(0)
            writer.table(
                [labels[key] for key in ("col_criterion", "col_target", "col_rating", "col_comments")],
                [
                    (criterion["text"], criterion.get("target", ""), codes, "")
                    for criterion in objective["criteria"]
                ],
                widths_cm=(5.5, 2.5, 4.5, 4.5),
            )
    sheets = core_injects(view, cell["id"])
    writer.heading(labels["sec_observation"], level, new_page=True)
    if not sheets:
        writer.paragraph(labels["no_observation_sheet"])
    for inject in sheets:
        _observation_sheet(writer, view, inject, codes, level=level + 1)


def _observation_sheet(
    writer: PackWriter,
    view: ScenarioView,
    inject: dict[str, Any],
    codes: str,
    *,
    level: int,
) -> None:
    """One observation sheet, framed and whole on its page: the inject as delivered, what to look
    for, lines to log what was done, and the criteria to rate."""
    labels = view.labels
    colon = labels["colon"]
    with writer.card(frame="single"):
        title = labels.format("observation_title", number=view.number(inject), title=inject["title"])
        writer.heading(title, level).paragraph_format.space_before = Pt(0)
        head, foot = inject_fact_lines(view, inject, brief=True)
        for line in head:
            writer.inline_facts(line, colon)
        for line in foot:
            writer.inline_facts(line, colon, style=SMALL_STYLE)
        writer.paragraph(labels["card_message"], CARD_HEADING_STYLE)
        writer.text_block(inject["message"], labels["no_content"])
        if inject.get("expected_actions"):
            writer.paragraph(labels["card_expected_actions"], CARD_HEADING_STYLE)
            writer.bullets(inject["expected_actions"], checkbox=True)
        writer.paragraph(labels["observation_log"], CARD_HEADING_STYLE)
        writer.labelled(labels["observation_delivered_at"] + colon.rstrip(), "______")
        writer.table(
            [labels["col_time"], labels["col_what_was_done"], labels["col_by_whom"]],
            [("", "", "")] * OBSERVATION_LINES,
            widths_cm=(2.2, 9.9, 4.5),
        )
        objectives = [
            view.objectives[oid] for oid in inject.get("objective_ids", []) if oid in view.objectives
        ]
        if objectives:
            writer.paragraph(labels["observation_objectives"], CARD_HEADING_STYLE)
            writer.table(
                [labels["col_criterion"], labels["col_rating"]],
                [
                    row
                    for objective in objectives
                    for row in (
                        GroupRow(objective["title"]),
                        *((criterion["text"], codes) for criterion in objective["criteria"]),
                    )
                ],
                widths_cm=(11.6, 5.0),
            )
