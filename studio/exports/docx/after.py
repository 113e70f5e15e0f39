"""After the exercise: the hot-wash form and the RETEX / after-action report, prefilled.

The RETEX arrives with what the scenario and the MSEL already know: the schedule, what was planned
and played per cell and per objective (``delivery`` of each inject, recorded by the animation cell;
the review trail for what had been approved), the findings laid out as constat / analyse /
recommandation, and the action plan table (n°, action, priorité, pilote, échéance, statut,
indicateur) with the scenario's ``retex.actions`` and blank rows.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from docx.shared import Pt

from studio.exports.chronogramme import ScenarioView
from studio.exports.common import applies_to_cell, player_cells
from studio.exports.docx.base import start_pack
from studio.exports.docx.evaluation import rating_boxes, rating_levels
from studio.exports.docx.writer import PackWriter
from studio.exports.schedule import schedule_lines

ANSWER_LINES = 3
"""Blank lines left under each hot-wash question."""
FINDING_ROWS = 2
"""Blank constat / analyse / recommandation rows under each objective."""


def after_pack(scenario: dict[str, Any]) -> bytes:
    view = ScenarioView(scenario)
    labels, tables = view.labels, view.labels.tables
    writer = start_pack(view, "pack_after")

    writer.heading(labels["sec_hotwash"], 1)
    writer.paragraph(
        labels.format(
            "hotwash_intro_at", when=dict(schedule_lines(view.schedule, labels))[labels["meta_hot_debrief"]]
        )
    )
    writer.labelled(labels["hotwash_participant"] + labels["colon"].rstrip(), "_" * 40)
    for question in tables["hotwash_questions"]:
        writer.heading(question, 3)
        for _ in range(ANSWER_LINES):
            writer.paragraph("_" * 80)

    writer.heading(labels["sec_retex"], 1, new_page=True)
    writer.heading(labels["retex_summary"], 2)
    if view.exercise.get("subtitle"):
        writer.text_block(view.exercise["subtitle"], "")
    for label, value in schedule_lines(view.schedule, labels):
        writer.labelled(label + labels["colon"].rstrip(), value)
    _played(writer, view)
    _findings(writer, view)
    _action_plan(writer, view)
    return writer.to_bytes()


def delivery_counts(injects: list[dict[str, Any]]) -> Counter[str]:
    """How many injects were planned (not contingency), played, modified, skipped or not recorded."""
    counts: Counter[str] = Counter()
    for inject in injects:
        status = inject.get("delivery", {}).get("status", "unrecorded")
        if inject.get("contingency") and status == "unrecorded":
            continue  # a reserve inject that was not needed is not a gap
        counts["planned"] += not inject.get("contingency")
        counts[status] += 1
    return counts


def _played(writer: PackWriter, view: ScenarioView) -> None:
    labels = view.labels
    writer.heading(labels["retex_played"], 2)
    writer.intro(labels["retex_played_intro"])
    headers = [
        labels[key] for key in ("col_planned", "col_played", "col_modified", "col_skipped", "col_unrecorded")
    ]
    keys = ("planned", "played", "modified", "skipped", "unrecorded")

    def row(name: str, injects: list[dict[str, Any]]) -> tuple[str, ...]:
        counts = delivery_counts(injects)
        return (name, *(str(counts[key]) for key in keys))

    with writer.card(frame=None):  # short tables, kept whole with their headings
        writer.heading(labels["retex_played_cells"], 3).paragraph_format.space_before = Pt(0)
        writer.table(
            [labels["col_cell"], *headers],
            [
                row(cell["name"], [inject for inject in view.injects if cell["id"] in inject.get("to", [])])
                for cell in player_cells(view.scenario)
            ]
            + [row(labels["total"], view.injects)],
            widths_cm=(5.0, 2.4, 2.4, 2.4, 2.4, 2.4),
            bold_first_column=True,
        )
    with writer.card(frame=None):
        writer.heading(labels["retex_played_objectives"], 3).paragraph_format.space_before = Pt(0)
        writer.table(
            [labels["col_objective"], *headers],
            [
                row(
                    objective["title"],
                    [inject for inject in view.injects if objective["id"] in inject.get("objective_ids", [])],
                )
                for objective in view.scenario["objectives"]
            ],
            widths_cm=(5.0, 2.4, 2.4, 2.4, 2.4, 2.4),
            bold_first_column=True,
        )
    review = Counter(inject.get("status", "draft") for inject in view.injects)
    reviewers = sorted({entry["by"] for inject in view.injects for entry in inject.get("review_log", [])})
    summary = ", ".join(
        f"{labels.enum('review_status', status)} ({count})" for status, count in sorted(review.items())
    )
    writer.labelled(labels["retex_review_trail"] + labels["colon"].rstrip(), summary)
    if reviewers:
        writer.labelled(labels["retex_reviewers"] + labels["colon"].rstrip(), ", ".join(reviewers))


def _findings(writer: PackWriter, view: ScenarioView) -> None:
    """Per objective: its rating and its findings, each as constat -> analyse -> recommandation."""
    labels = view.labels
    retex = view.scenario.get("retex", {})
    writer.heading(labels["retex_findings"], 2)
    writer.intro(labels["retex_findings_intro"])
    codes = rating_boxes(rating_levels(view))
    headers = [labels["col_finding"], labels["col_analysis"], labels["col_recommendation"]]
    widths = (6.0, 5.5, 5.5)
    known = [(labels["retex_strength"], text) for text in retex.get("strengths", [])]
    known += [(labels["retex_improvement"], text) for text in retex.get("improvements", [])]
    if known:
        writer.heading(labels["retex_known_findings"], 3)
        writer.table(
            headers, [(f"{kind}{labels['colon']}{text}", "", "") for kind, text in known], widths_cm=widths
        )
    for objective in view.scenario["objectives"]:
        cells = [
            cell["name"] for cell in player_cells(view.scenario) if applies_to_cell(objective, cell["id"])
        ]
        # The objective, its rating and its form stay on one page: a heading alone at the foot of a
        # page, its form on the next, is what a reader flags first.
        with writer.card(frame=None):
            writer.heading(objective["title"], 3).paragraph_format.space_before = Pt(0)
            writer.labelled(labels["col_rating"] + labels["colon"].rstrip(), codes)
            writer.labelled(labels["col_cells"] + labels["colon"].rstrip(), ", ".join(cells))
            writer.table(headers, [("", "", "")] * FINDING_ROWS, widths_cm=widths)


def _action_plan(writer: PackWriter, view: ScenarioView) -> None:
    labels = view.labels
    writer.heading(labels["retex_plan"], 2)
    planned = [
        (
            str(number),
            item["action"],
            labels.enum("action_priority", item["priority"]) if item.get("priority") else labels["to_decide"],
            item.get("owner") or labels["to_appoint"],
            item.get("due") or labels["to_decide"],
            labels.enum("action_status", item.get("status", "not_started")),
            item.get("indicator", ""),
        )
        for number, item in enumerate(view.scenario.get("retex", {}).get("actions", []), start=1)
    ]
    first_blank = len(planned) + 1
    blanks = [
        (str(number), "", "", "", "", "", "")
        for number in range(first_blank, first_blank + view.labels.tables["blank_plan_rows"])
    ]
    writer.table(
        [
            labels[key]
            for key in (
                "col_number",
                "col_action",
                "col_priority",
                "col_owner",
                "col_due",
                "col_status",
                "col_indicator",
            )
        ],
        planned + blanks,
        widths_cm=(1.0, 5.0, 2.0, 2.4, 2.2, 2.0, 2.4),
    )
