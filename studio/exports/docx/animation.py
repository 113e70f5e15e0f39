"""The animation pack (kit d'animation, C/E handbook): everything control staff need, secrets included.

Order: the one-page fil rouge (beats, decisions expected, who plays whom), the full directory with
contacts, the chronogramme in a landscape section, the stimulus cards (framed to be cut out, as
many to a page as fit, none split across pages) and the contingency injects' cards; then an annex
with the time model, the ground truth and the simulated attack told in plain words (no engine
vocabulary, no ids, no ISO durations).
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from docx.shared import Pt

from studio.durations import format_clock, parse_minutes
from studio.exports.chronogramme import CHRONO_COLUMNS, ScenarioView, chronogramme_headers
from studio.exports.common import inject_minutes
from studio.exports.contacts import animation_cells
from studio.exports.docx.base import inject_fact_lines, start_pack
from studio.exports.docx.writer import CARD_HEADING_STYLE, SMALL_STYLE, PackWriter

# Landscape A4 leaves 25.7 cm between 2 cm margins; the title and expected actions get the room.
CHRONO_WIDTHS_CM = (1.2, 2.0, 2.6, 3.0, 3.0, 2.4, 5.5, 6.0)
# Timeline event kinds reported per system kind in the graph summary.
IMPACT_KINDS = frozenset({"compromised", "encrypted", "down"})
BEAT_TITLES = 3
"""Inject titles quoted for a beat derived from the MSEL (what is at stake in it)."""
BEAT_CELLS = 4
"""Cells named in a fil rouge row before "and N more", so that the fil rouge stays on one page."""
BEAT_DECISIONS = 3
"""Expected actions quoted for a derived beat; more would not fit the one-page fil rouge."""


def animation_pack(scenario: dict[str, Any]) -> bytes:
    view = ScenarioView(scenario)
    writer = start_pack(view, "pack_animation", notice_key="restricted_control")
    _storyline(writer, view)
    _directory(writer, view)
    _chronogramme(writer, view)
    regular = [inject for inject in view.injects if not inject.get("contingency")]
    contingency = [inject for inject in view.injects if inject.get("contingency")]
    writer.new_section(landscape=False)
    writer.heading(view.labels["sec_cards"], 1)
    writer.intro(view.labels["cards_intro"])
    for inject in regular:
        write_inject_card(writer, view, inject)
    writer.heading(view.labels["sec_contingency"], 1, new_page=True)
    for inject in contingency:
        write_inject_card(writer, view, inject)
    if not contingency:
        writer.paragraph(view.labels["no_contingency"])
    writer.heading(view.labels["sec_annex"], 1, new_page=True)
    _time_model(writer, view)
    _ground_truth(writer, view)
    return writer.to_bytes()


def storyline_beats(view: ScenarioView) -> list[dict[str, Any]]:
    """The fil rouge: ``storyline.beats`` when the scenario has them, else one beat per phase of the MSEL.

    A derived beat spans its phase's core injects (priority core, not contingency): when it starts and
    ends, the cells it addresses, what the injects put to them (titles) and their first expected actions.
    """
    beats = view.scenario.get("storyline", {}).get("beats")
    if beats:
        return [
            {
                "title": beat["title"],
                "start": parse_minutes(beat["start"]),
                "end": parse_minutes(beat["end"]),
                "cells": beat.get("cells", []),
                "dilemma": beat.get("dilemma", ""),
                "decisions": beat.get("expected_decisions", []),
            }
            for beat in sorted(beats, key=lambda beat: parse_minutes(beat["start"]))
        ]
    phases: dict[str, list[dict[str, Any]]] = {}
    for inject in view.injects:
        if inject.get("priority", "core") == "core" and not inject.get("contingency"):
            phases.setdefault(inject.get("phase") or "", []).append(inject)
    derived = []
    starts = [inject_minutes(injects[0]) for injects in phases.values()]
    ends = [*starts[1:], view.schedule_end_minute()]
    for (phase, injects), end in zip(phases.items(), ends, strict=True):
        cells = list(dict.fromkeys(cell for inject in injects for cell in inject.get("to", [])))
        decisions = list(
            dict.fromkeys(
                inject["expected_actions"][0] for inject in injects if inject.get("expected_actions")
            )
        )
        derived.append(
            {
                "title": phase or view.labels["beat_untitled"],
                "start": inject_minutes(injects[0]),
                "end": end,
                "cells": cells,
                "dilemma": "; ".join(inject["title"] for inject in injects[:BEAT_TITLES]),
                "decisions": decisions[:BEAT_DECISIONS],
            }
        )
    return derived


def _storyline(writer: PackWriter, view: ScenarioView) -> None:
    """One page an animator follows: the beats, the decisions expected, and who plays whom."""
    labels = view.labels
    writer.heading(labels["sec_storyline"], 1)
    writer.table(
        [
            labels["col_beat"],
            labels["col_when"],
            labels["col_cells"],
            labels["col_stakes"],
            labels["col_decisions"],
        ],
        [
            (
                beat["title"],
                # "J1 09:00 – J1 09:30" may only wrap after the dash, never inside a clock.
                unbroken(view.schedule.clock(beat["start"], labels))
                + " \u2013 "
                + unbroken(view.schedule.clock(beat["end"], labels)),
                view.name_list(
                    [view.cells.get(cell, {}).get("name", cell) for cell in beat["cells"]], BEAT_CELLS
                ),
                beat["dilemma"],
                "\n".join(f"- {decision}" for decision in beat["decisions"]),
            )
            for beat in storyline_beats(view)
        ],
        widths_cm=(3.0, 2.4, 3.2, 4.2, 4.2),
    )
    writer.heading(labels["who_plays_whom"], 2)
    played: dict[str, list[str]] = {}
    default_cell = next((cell["id"] for cell in animation_cells(view.scenario)), "")
    for persona in view.scenario.get("personas", []):
        played.setdefault(persona.get("played_by") or default_cell, []).append(persona["name"])
    for cell_id, names in played.items():
        writer.labelled(view.cell_names([cell_id]) + labels["colon"].rstrip(), ", ".join(names))


def unbroken(text: str) -> str:
    """``text`` with non-breaking spaces, so that a line never breaks inside it."""
    return text.replace(" ", "\u00a0")


def _ground_truth(writer: PackWriter, view: ScenarioView) -> None:
    labels, scenario = view.labels, view.scenario
    writer.heading(labels["sec_ground_truth"], 2)
    writer.text_block(view.exercise.get("ground_truth"), labels["no_content"])

    attack = scenario["attack"]
    writer.heading(labels["attack_summary"], 2)
    origin = view.time_model.scenario_origin
    facts = []
    if attack.get("actor"):
        facts.append((labels["attack_actor"], attack["actor"]))
    for access in attack["initial_access"]:
        when = view.when(origin + timedelta(minutes=parse_minutes(access["at"])))
        what = view.system_name(access["node"]) + (f" ({access['vector']})" if access.get("vector") else "")
        facts.append(
            (
                labels["attack_initial_access"],
                f"{when} : {what}" if labels.language == "fr" else f"{when}: {what}",
            )
        )
    ransom = attack.get("ransom", {})
    if "amount" in ransom:
        amount = f"{ransom['amount']:.0f}" if labels.language == "fr" else f"{ransom['amount']:,.0f}"
        facts.append((labels["attack_ransom"], f"{amount} {ransom.get('currency', '')}".strip()))
    writer.facts(facts)

    writer.heading(labels["attack_timeline"], 2)
    timeline = scenario.get("timeline")
    if not timeline:
        writer.paragraph(labels["timeline_missing"])
    else:
        writer.intro(labels["timeline_intro"])
        writer.table(
            [labels["col_scenario_clock"], labels["col_event"], labels["col_node"]],
            simulation_log_rows(view),
            widths_cm=(3.2, 4.3, 9.5),
        )
    _graph_summary(writer, view)


def simulation_log_rows(view: ScenarioView) -> list[tuple[str, str, str]]:
    """The simulated attack in plain words: one row per moment and kind of event, naming the systems.

    Engine details (attack techniques, ids, durations) stay out: the kind of event is said in the
    pack's language, the systems by name, and playbook actions by their title.
    """
    origin = view.time_model.scenario_origin
    rows: list[tuple[str, str, list[str]]] = []
    # Tens of thousands of events at 10k systems share far fewer moments and kinds: each is written once.
    moments: dict[float, str] = {}
    kinds: dict[str, str] = {}
    for event in sorted(view.scenario["timeline"]["events"], key=lambda event: event["minute"]):
        minute, kind = event["minute"], event["kind"]
        when = moments.get(minute)
        if when is None:
            when = moments[minute] = view.when(origin + timedelta(minutes=minute))
        what = kinds.get(kind)
        if what is None:
            what = kinds[kind] = view.labels.enum("event_kind", kind)
        if event["kind"] == "action" and event.get("detail"):
            subject = event["detail"].split(": ", 1)[-1]
        else:
            subject = view.system_name(event.get("node"))
        if rows and rows[-1][0] == when and rows[-1][1] == what:
            rows[-1][2].append(subject)
        else:
            rows.append((when, what, [subject]))
    return [(when, what, view.name_list(subjects)) for when, what, subjects in rows]


def _graph_summary(writer: PackWriter, view: ScenarioView) -> None:
    labels, systems = view.labels, view.scenario.get("systems", [])
    links = Counter(link["kind"] for system in systems for link in system.get("links", []))
    writer.heading(labels["graph_summary"], 2)
    writer.intro(
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
    writer.heading(labels["sec_time_model"], 2)
    writer.intro(labels.format("time_model_intro", start=view.when(model["scenario_start"])))
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
                view.schedule.clock(segment.start, labels),
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
                "time_jump",
                at=view.schedule.clock(at, labels),
                left=view.when(view.time_model.scenario_origin + timedelta(minutes=left)),
                resumed=view.when(view.time_model.scenario_origin + timedelta(minutes=resumed)),
            )
        )


def _directory(writer: PackWriter, view: ScenarioView) -> None:
    labels = view.labels
    writer.heading(labels["sec_animation_directory"], 1, new_page=True)
    rows = []
    for persona in view.scenario.get("personas", []):
        name = persona["name"]
        if not persona.get("in_directory", True):
            name = f"{name} ({labels['not_in_directory']})"
        played_by = view.cells.get(persona.get("played_by", ""), {}).get("name", persona.get("played_by", ""))
        phone, email = view.directory.persona(persona["id"])
        rows.append((name, persona["role"], played_by, f"{phone}\n{email}", persona.get("notes", "")))
    writer.table(
        [
            labels["col_persona"],
            labels["col_role"],
            labels["col_played_by"],
            labels["col_contact"],
            labels["col_notes"],
        ],
        rows,
        widths_cm=(2.8, 2.6, 2.2, 5.4, 4.0),  # the contact column holds an e-mail address whole
    )


def _chronogramme(writer: PackWriter, view: ScenarioView) -> None:
    writer.new_section(landscape=True)
    writer.heading(view.labels["sec_chronogramme"], 1)
    writer.table(
        chronogramme_headers(view.labels),
        [[view.display(inject, column) for column in CHRONO_COLUMNS] for inject in view.injects],
        widths_cm=CHRONO_WIDTHS_CM,
    )


def write_inject_card(writer: PackWriter, view: ScenarioView, inject: dict[str, Any]) -> None:
    """One stimulus card, framed to be cut out, whole on its page, sharing the page with other cards.

    A card stands alone once cut out: its number and title (the number is the MSEL's, which is how
    a card, the chronogramme and the spreadsheet refer to one another), when (exercise and scenario
    clocks), how (channel), from whom to whom, the message, what the players are expected to do, then
    what only control needs (synopsis, notes) and the details.
    """
    labels = view.labels
    colon = labels["colon"]
    with writer.card():
        title = labels.format("card_title", number=view.number(inject), title=view.display(inject, "title"))
        writer.heading(title, 2).paragraph_format.space_before = Pt(0)
        head, foot = inject_fact_lines(view, inject)
        for line in head:
            writer.inline_facts(line, colon)
        _card_section(writer, labels["card_message"])
        writer.text_block(inject["message"], labels["no_content"])
        for key, label_key in (
            ("expected_actions", "card_expected_actions"),
            ("discussion_questions", "card_discussion"),
        ):
            if inject.get(key):
                _card_section(writer, labels[label_key])
                writer.bullets(inject[key], checkbox=key == "expected_actions")
        if inject.get("deliverable"):
            _card_section(writer, labels["card_deliverable"])
            writer.text_block(inject["deliverable"], labels["no_content"])
        for key, label_key in (("synopsis", "card_synopsis"), ("animator_notes", "card_animator_notes")):
            if inject.get(key):
                writer.run_in(labels[label_key] + colon, inject[key])
        if inject.get("attachments"):
            _card_section(writer, labels["card_attachments"])
            writer.bullets(
                item["name"] + (labels["colon"] + item["description"] if item.get("description") else "")
                for item in inject["attachments"]
            )
        if inject.get("contingency_for"):
            backed = next((other for other in view.injects if other["id"] == inject["contingency_for"]), None)
            backed_text = (
                labels.format("card_backs_up_value", number=view.number(backed), title=backed["title"])
                if backed
                else inject["contingency_for"]
            )
            foot.append([(labels["card_backs_up"], backed_text)])
        for line in foot:
            writer.inline_facts(line, colon, style=SMALL_STYLE)


def _card_section(writer: PackWriter, title: str) -> None:
    """A part of a card (message, expected actions...): a small heading set close to its text."""
    writer.paragraph(title, CARD_HEADING_STYLE)
