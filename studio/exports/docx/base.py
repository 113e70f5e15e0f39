"""What every pack shares: the writer set up for a scenario, the title block and the inject facts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from studio.exports.chronogramme import ScenarioView
from studio.exports.docx.writer import PackWriter
from studio.exports.schedule import schedule_lines
from studio.exports.typography import typesetter


def start_pack(
    view: ScenarioView,
    pack_key: str,
    *,
    notice_key: str | None = None,
    extra_meta: Sequence[tuple[str, str]] = (),
) -> PackWriter:
    """A writer on the base template with the title block filled: exercise title, pack name, key facts.

    ``notice_key`` adds a restricted-distribution notice (control and evaluator packs).
    """
    labels, exercise = view.labels, view.exercise
    writer = PackWriter(
        title=exercise["title"],
        subtitle=labels[pack_key],
        marking=exercise["safety"]["marking"],
        labels_text={key: labels[key] for key in ("toc_heading", "page")},
        language_tag=labels["language_tag"],
        typeset=typesetter(labels.language),
    )
    meta = [
        (labels["meta_organiser"], exercise["organiser"]),
        *schedule_lines(view.schedule, labels),
        (labels["meta_type"], labels.enum("exercise_type", exercise["type"])),
        (labels["meta_format"], labels.enum("exercise_format", exercise["format"])),
        *extra_meta,
    ]
    writer.add_meta(meta, labels["colon"])
    if notice_key:
        writer.restricted_notice(labels[notice_key])
    return writer


FactLine = list[tuple[str, str]]
"""Label/value pairs printed together on one line of a card."""


def inject_fact_lines(
    view: ScenarioView, inject: dict[str, Any], *, brief: bool = False
) -> tuple[list[FactLine], list[FactLine]]:
    """What a card says of an inject besides its text: the lines of its head, then those of its foot.

    The head says when (exercise and scenario clocks), how (channel) and from whom to whom; the foot
    the objectives and, unless ``brief`` (observation sheets, which observers fill in and so keep
    short), the inject's category, phase, priority, visibility, animator and systems.
    """
    labels = view.labels
    field = labels.enum
    sender, recipients = view.display(inject, "from"), view.display(inject, "to")
    route = [(labels["card_route"], f"{sender} \u2192 {recipients}")]
    if inject.get("cc"):
        route.append((field("field", "cc"), view.display(inject, "cc")))
    head = [
        [
            (labels["col_exercise_clock"], view.display(inject, "offset")),
            (field("field", "scenario_time"), view.display(inject, "scenario_time")),
            (field("field", "channel"), view.display(inject, "channel")),
        ],
        route,
    ]
    foot: list[FactLine] = []
    if not brief:
        foot.append(
            [
                (field("field", name), view.display(inject, name))
                for name in ("category", "phase", "priority", "visibility", "delivered_by")
                if inject.get(name) or name == "category"
            ]
        )
    if inject.get("objective_ids"):
        titles = [view.objectives.get(oid, {}).get("title", oid) for oid in inject["objective_ids"]]
        foot.append([(field("field", "objective_ids"), "; ".join(titles))])
    if inject.get("system_refs") and not brief:
        systems = [view.system_name(system_id) for system_id in inject["system_refs"]]
        foot.append([(field("field", "system_refs"), view.name_list(systems))])
    return head, foot
