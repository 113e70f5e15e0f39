"""What every pack shares: the writer set up for a scenario, the title block and the inject facts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from studio.exports.chronogramme import ScenarioView
from studio.exports.docx.writer import PackWriter


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
        labels_text={key: labels[key] for key in ("toc_heading", "toc_placeholder", "page")},
    )
    meta = [
        (labels["meta_organiser"], exercise["organiser"]),
        (labels["meta_startex"], view.when(exercise["startex"])),
        (labels["meta_endex"], view.when(exercise["endex"])),
        (labels["meta_type"], labels.enum("exercise_type", exercise["type"])),
        (labels["meta_format"], labels.enum("exercise_format", exercise["format"])),
        *extra_meta,
    ]
    writer.add_meta(meta, labels["colon"])
    if notice_key:
        writer.restricted_notice(labels[notice_key])
    return writer


def inject_facts(view: ScenarioView, inject: dict[str, Any]) -> list[tuple[str, str]]:
    """Label/value pairs describing an inject's routing and timing, for cards and observation sheets."""
    field = view.labels.enum
    pairs = [
        (field("field", "offset"), view.display(inject, "offset")),
        (field("field", "scenario_time"), view.display(inject, "scenario_time")),
        (field("field", "from"), view.display(inject, "from")),
        (field("field", "to"), view.display(inject, "to")),
    ]
    optional = ("cc", "channel", "category", "phase", "priority", "visibility", "delivered_by")
    for name in optional:
        if inject.get(name) or name in ("channel", "category"):
            pairs.append((field("field", name), view.display(inject, name)))
    if inject.get("objective_ids"):
        titles = [view.objectives.get(oid, {}).get("title", oid) for oid in inject["objective_ids"]]
        pairs.append((field("field", "objective_ids"), "\n".join(titles)))
    if inject.get("system_refs"):
        pairs.append((field("field", "system_refs"), ", ".join(map(view.system_name, inject["system_refs"]))))
    return pairs
