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


def inject_facts(view: ScenarioView, inject: dict[str, Any], *, brief: bool = False) -> list[tuple[str, str]]:
    """Label/value pairs describing an inject's routing and timing, for cards and observation sheets.

    ``brief`` keeps what an observer needs (when, from, to, channel, objectives) so that a sheet and
    its observation log fit one page; cards get everything the animator needs.
    """
    field = view.labels.enum
    pairs = [
        (view.labels["col_exercise_clock"], view.display(inject, "offset")),
        (field("field", "scenario_time"), view.display(inject, "scenario_time")),
        (field("field", "from"), view.display(inject, "from")),
        (field("field", "to"), view.display(inject, "to")),
    ]
    optional = (
        ("cc", "channel")
        if brief
        else ("cc", "channel", "category", "phase", "priority", "visibility", "delivered_by")
    )
    for name in optional:
        if inject.get(name) or name in ("channel", "category"):
            pairs.append((field("field", name), view.display(inject, name)))
    if inject.get("objective_ids"):
        titles = [view.objectives.get(oid, {}).get("title", oid) for oid in inject["objective_ids"]]
        pairs.append((field("field", "objective_ids"), "\n".join(titles)))
    if inject.get("system_refs") and not brief:
        systems = [view.system_name(system_id) for system_id in inject["system_refs"]]
        pairs.append((field("field", "system_refs"), view.name_list(systems)))
    return pairs
