"""After the exercise: the hot-wash form and the RETEX / after-action report template.

Both are forms: questions with room to answer, the objectives with the rating scale, and the
improvement-plan table (action, owner, due date), pre-filled with whatever ``retex`` the scenario
already holds plus blank rows.
"""

from __future__ import annotations

from typing import Any

from studio.exports.chronogramme import ScenarioView
from studio.exports.docx.base import start_pack
from studio.exports.docx.evaluation import rating_boxes, rating_levels

ANSWER_LINES = 3
"""Blank lines left under each hot-wash question."""


def after_pack(scenario: dict[str, Any]) -> bytes:
    view = ScenarioView(scenario)
    labels, tables = view.labels, view.labels.tables
    writer = start_pack(view, "pack_after")
    retex = scenario.get("retex", {})

    writer.heading(labels["sec_hotwash"], 1)
    writer.paragraph(labels["hotwash_intro"])
    writer.labelled(labels["hotwash_participant"] + labels["colon"].rstrip(), "_" * 40)
    for question in tables["hotwash_questions"]:
        writer.heading(question, 3)
        for _ in range(ANSWER_LINES):
            writer.paragraph("_" * 80)

    writer.heading(labels["sec_retex"], 1, new_page=True)
    writer.heading(labels["retex_summary"], 2)
    writer.text_block(view.exercise.get("subtitle"), labels["to_fill"])
    writer.heading(labels["retex_objectives"], 2)
    codes = rating_boxes(rating_levels(view))
    writer.table(
        [labels["col_objective"], labels["col_rating"], labels["col_comments"]],
        [(objective["title"], codes, "") for objective in scenario["objectives"]],
        widths_cm=(6.0, 4.5, 6.5),
    )
    for section in tables["retex_sections"]:
        writer.heading(section, 3)
        writer.paragraph(labels["to_fill"])
    for key, label_key in (("strengths", "retex_strengths"), ("improvements", "retex_improvements")):
        writer.heading(labels[label_key], 2)
        writer.bullets(retex.get(key, [])) or writer.paragraph(labels["to_fill"])
    writer.heading(labels["retex_plan"], 2)
    planned = [
        (item["action"], item.get("owner", ""), item.get("due", ""), "") for item in retex.get("actions", [])
    ]
    blanks = [("", "", "", "")] * tables["blank_plan_rows"]
    writer.table(
        [labels["col_action"], labels["col_owner"], labels["col_due"], labels["col_result"]],
        planned + blanks,
        widths_cm=(7.5, 3.5, 2.5, 3.5),
    )
    return writer.to_bytes()
