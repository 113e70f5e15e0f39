"""The animation pack (kit d'animation, C/E handbook): everything control staff need, secrets included.

Order: ground truth (narrative, attack summary, simulated timeline, graph summary), time model, full
directory, the chronogramme in a landscape section, then one inject card per page and the contingency
injects, also one per page.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from studio.durations import format_clock
from studio.exports.chronogramme import CHRONO_COLUMNS, ScenarioView, chronogramme_headers
from studio.exports.docx.base import inject_facts, start_pack
from studio.exports.docx.writer import PackWriter

# Landscape A4 leaves 25.7 cm between 2 cm margins; the title and expected actions get the room.
CHRONO_WIDTHS_CM = (1.2, 2.0, 2.6, 3.0, 3.0, 2.4, 5.5, 6.0)
# Timeline event kinds reported per system kind in the graph summary.
IMPACT_KINDS = frozenset({"compromised", "encrypted", "down"})


def animation_pack(scenario: dict[str, Any]) -> bytes:
    view = ScenarioView(scenario)
    writer = start_pack(view, "pack_animation", notice_key="restricted_control")
    _ground_truth(writer, view)
    _time_model(writer, view)
    _directory(writer, view)
    _chronogramme(writer, view)
    regular = [inject for inject in view.injects if not inject.get("contingency")]
    contingency = [inject for inject in view.injects if inject.get("contingency")]
    writer.new_section(landscape=False)
    writer.heading(view.labels["sec_cards"], 1)
    for index, inject in enumerate(regular):
        write_inject_card(writer, view, inject, first_on_page=index == 0)
    writer.heading(view.labels["sec_contingency"], 1, new_page=True)
    for index, inject in enumerate(contingency):
        write_inject_card(writer, view, inject, first_on_page=index == 0)
    if not contingency:
        writer.paragraph(view.labels["no_contingency"])
    return writer.to_bytes()


def _ground_truth(writer: PackWriter, view: ScenarioView) -> None:
    labels, scenario = view.labels, view.scenario
    writer.heading(labels["sec_ground_truth"], 1)
    writer.heading(labels["ground_truth_narrative"], 2)
    writer.text_block(view.exercise.get("ground_truth"), labels["no_content"])

    attack = scenario["attack"]
    writer.heading(labels["attack_summary"], 2)
    facts = []
    if attack.get("actor"):
        facts.append((labels["attack_actor"], attack["actor"]))
    for access in attack["initial_access"]:
        where = view.system_name(access["node"])
        facts.append(
            (labels["attack_initial_access"], f"{where} ({access.get('vector', '')}) {access['at']}".strip())
        )
    trigger = attack["detonation"]["trigger"]
    facts.append(
        (labels["attack_detonation"], trigger.get("at") or f"{trigger.get('on')} {trigger.get('node', '')}")
    )
    ransom = attack.get("ransom", {})
    if "amount" in ransom:
        facts.append(
            (labels["attack_ransom"], f"{ransom['amount']:,.0f} {ransom.get('currency', '')}".strip())
        )
    writer.facts(facts)

    writer.heading(labels["attack_timeline"], 2)
    timeline = scenario.get("timeline")
    if not timeline:
        writer.paragraph(labels["timeline_missing"])
    else:
        events = sorted(timeline["events"], key=lambda event: event["minute"])
        writer.paragraph(labels.format("timeline_seed", seed=timeline["seed"], count=len(events)))
        origin = view.time_model.scenario_origin
        writer.table(
            [labels["col_scenario_clock"], labels["col_event"], labels["col_node"], labels["col_detail"]],
            [
                (
                    view.when(origin + timedelta(minutes=event["minute"])),
                    labels.enum("event_kind", event["kind"]),
                    view.system_name(event.get("node")),
                    event.get("detail", ""),
                )
                for event in events
            ],
            widths_cm=(3.2, 3.5, 4.0, 6.3),
        )
    _graph_summary(writer, view)


def _graph_summary(writer: PackWriter, view: ScenarioView) -> None:
    labels, systems = view.labels, view.scenario.get("systems", [])
    links = Counter(link["kind"] for system in systems for link in system.get("links", []))
    writer.heading(labels["graph_summary"], 2)
    writer.paragraph(
        labels.format("graph_counts", systems=len(systems), reach=links["reach"], depends=links["depends"])
    )
    hit = {
        event["node"]
        for event in view.scenario.get("timeline", {}).get("events", [])
        if event["kind"] in IMPACT_KINDS and event.get("node")
    }
    per_kind = Counter(system["kind"] for system in systems)
    hit_per_kind = Counter(system["kind"] for system in systems if system["id"] in hit)
    writer.table(
        [labels["col_kind"], labels["col_count"], labels["col_affected"]],
        [
            (labels.enum("system_kind", kind), str(count), str(hit_per_kind[kind]))
            for kind, count in sorted(per_kind.items())
        ],
        widths_cm=(7.0, 5.0, 5.0),
    )


def _time_model(writer: PackWriter, view: ScenarioView) -> None:
    labels, model = view.labels, view.exercise["time_model"]
    writer.heading(labels["sec_time_model"], 1)
    writer.paragraph(labels.format("time_model_intro", start=view.when(model["scenario_start"])))
    writer.table(
        [
            labels["col_from_exercise"],
            labels["col_scenario_offset"],
            labels["col_scenario_clock"],
            labels["col_speed"],
            labels["col_label"],
        ],
        [
            (
                format_clock(segment.start),
                format_clock(segment.scenario_start),
                view.when(view.time_model.scenario_datetime(segment.start)),
                f"× {segment.speed:g}",
                segment.label,
            )
            for segment in view.time_model.segments
        ],
        widths_cm=(3.4, 3.4, 3.8, 2.0, 4.4),
    )
    for at, left, resumed in view.time_model.jumps():
        writer.paragraph(
            labels.format(
                "time_jump", at=format_clock(at), left=format_clock(left), resumed=format_clock(resumed)
            )
        )


def _directory(writer: PackWriter, view: ScenarioView) -> None:
    labels = view.labels
    writer.heading(labels["sec_animation_directory"], 1)
    rows = []
    for persona in view.scenario.get("personas", []):
        name = persona["name"]
        if not persona.get("in_directory", True):
            name = f"{name} ({labels['not_in_directory']})"
        played_by = view.cells.get(persona.get("played_by", ""), {}).get("name", persona.get("played_by", ""))
        rows.append((name, persona["role"], played_by, persona.get("notes", "")))
    writer.table(
        [labels["col_persona"], labels["col_role"], labels["col_played_by"], labels["col_notes"]],
        rows,
        widths_cm=(4.0, 3.5, 3.0, 6.5),
    )


def _chronogramme(writer: PackWriter, view: ScenarioView) -> None:
    writer.new_section(landscape=True)
    writer.heading(view.labels["sec_chronogramme"], 1)
    writer.table(
        chronogramme_headers(view.labels),
        [[view.display(inject, column) for column in CHRONO_COLUMNS] for inject in view.injects],
        widths_cm=CHRONO_WIDTHS_CM,
    )


def write_inject_card(
    writer: PackWriter, view: ScenarioView, inject: dict[str, Any], *, first_on_page: bool
) -> None:
    """One inject card, starting a page of its own unless it is the first under a section heading."""
    labels = view.labels
    title = labels.format("card_title", number=view.number(inject), title=inject["title"])
    writer.heading(title, 2, new_page=not first_on_page)
    facts = inject_facts(view, inject)
    if inject.get("contingency_for"):
        facts.append((labels["card_backs_up"], inject["contingency_for"]))
    writer.facts(facts)
    writer.heading(labels["card_message"], 3)
    writer.text_block(inject["message"], labels["no_content"])
    for key, label_key in (("synopsis", "card_synopsis"), ("animator_notes", "card_animator_notes")):
        if inject.get(key):
            writer.heading(labels[label_key], 3)
            writer.text_block(inject[key], labels["no_content"])
    for key, label_key in (
        ("expected_actions", "card_expected_actions"),
        ("discussion_questions", "card_discussion"),
    ):
        if inject.get(key):
            writer.heading(labels[label_key], 3)
            writer.bullets(inject[key], checkbox=key == "expected_actions")
    if inject.get("deliverable"):
        writer.heading(labels["card_deliverable"], 3)
        writer.text_block(inject["deliverable"], labels["no_content"])
    if inject.get("attachments"):
        writer.heading(labels["card_attachments"], 3)
        writer.bullets(
            item["name"] + (labels["colon"] + item["description"] if item.get("description") else "")
            for item in inject["attachments"]
        )
