"""Player packs (dossier de mise en situation, kit joueur): one per player cell, and all cells together.

A player pack is the dossier a cell reads *before* play. It deliberately holds no inject at all:
players discover injects as they are delivered, so even their own cell's injects would spoil play.
It never touches a field the schema marks ``x-control-only``: the persona list goes through
``strip_control_only`` and the attacker (``in_directory`` false) is left out of the directory.
"""

from __future__ import annotations

from typing import Any

from studio.exports.chronogramme import ScenarioView
from studio.exports.common import applies_to_cell, directory_personas, player_cells, strip_control_only
from studio.exports.contacts import animation_cells
from studio.exports.docx.base import start_pack
from studio.exports.docx.writer import PackWriter
from studio.exports.schedule import prose_moment


def player_pack(scenario: dict[str, Any], cell_id: str) -> bytes:
    """The .docx pack of one player cell."""
    view = ScenarioView(scenario)
    cell = view.cells[cell_id]
    writer = start_pack(
        view,
        "pack_players",
        extra_meta=[(view.labels["meta_cell"], cell["name"]), *animation_contact_meta(view)],
    )
    write_cell_body(writer, view, cell, level=1)
    return writer.to_bytes()


def players_combined_pack(scenario: dict[str, Any]) -> bytes:
    """Every player cell's pack in one document: one Word section per cell, each on a new page."""
    view = ScenarioView(scenario)
    writer = start_pack(view, "pack_players_all", extra_meta=animation_contact_meta(view))
    for index, cell in enumerate(player_cells(scenario)):
        if index:
            writer.new_section(landscape=False)
        writer.heading(cell["name"], 1)
        write_cell_body(writer, view, cell, level=2)
    return writer.to_bytes()


def animation_contact_text(view: ScenarioView) -> str:
    """Phone and e-mail of the animation cell(s), which players call to reach every simulated person."""
    contacts = []
    for cell in animation_cells(view.scenario):
        phone, email = view.directory.cell(cell["id"])
        contacts.append(f"{phone} \u2013 {email}")
    return "; ".join(contacts)


def animation_contact_meta(view: ScenarioView) -> list[tuple[str, str]]:
    text = animation_contact_text(view)
    return [(view.labels["meta_animation_contact"], text)] if text else []


def write_cell_body(writer: PackWriter, view: ScenarioView, cell: dict[str, Any], *, level: int) -> None:
    """The content of one cell's pack, with its section headings at ``level``."""
    labels, exercise = view.labels, view.exercise
    empty = labels["no_content"]

    writer.heading(labels["sec_rules"], level)
    writer.bullets(exercise.get("rules_of_play", [])) or writer.paragraph(empty)
    writer.paragraph(labels["players_no_injects"])
    scope = exercise.get("scope", {})
    if scope:
        writer.heading(labels["sec_scope"], level + 1)
        for key in ("in_scope", "out_of_scope"):
            if scope.get(key):
                writer.labelled(labels[key] + labels["colon"].rstrip(), "")
                writer.bullets(scope[key])
    if exercise.get("artificialities"):
        writer.heading(labels["sec_artificialities"], level + 1)
        writer.bullets(exercise["artificialities"])

    safety = exercise["safety"]
    writer.heading(labels["sec_safety"], level)
    writer.paragraph(labels.format("safety_marking", marking=safety["marking"]))
    writer.paragraph(labels.format("safety_stop", stop_code=safety["stop_code"]))
    if safety.get("real_incident_procedure"):
        writer.heading(labels["safety_real_incident"], level + 1)
        writer.text_block(safety["real_incident_procedure"], empty)

    writer.heading(labels["sec_context"], level)
    writer.paragraph(
        labels.format("scenario_start", when=prose_moment(view.time_model.scenario_datetime(0), labels))
    )
    writer.heading(labels["context_shared"], level + 1)
    writer.text_block(exercise.get("context"), empty)
    writer.heading(labels["context_cell"], level + 1)
    writer.text_block(cell.get("initial_situation"), empty)

    writer.heading(labels["sec_role"], level)
    writer.heading(labels["mission"], level + 1)
    writer.text_block(cell.get("mission"), empty)
    if cell.get("members"):
        writer.heading(labels["members"], level + 1)
        writer.table(
            [labels["col_role"], labels["col_name"], labels["col_responsibilities"]],
            [(m["role"], m.get("name", ""), m.get("responsibilities", "")) for m in cell["members"]],
            widths_cm=(4.5, 4.5, 8.0),
        )
    writer.heading(labels["objectives"], level + 1)
    objectives = [obj for obj in view.scenario["objectives"] if applies_to_cell(obj, cell["id"])]
    for objective in objectives:
        writer.labelled(objective["title"], objective.get("description", ""))
    if not objectives:
        writer.paragraph(empty)

    writer.heading(labels["sec_directory"], level)
    writer.intro(labels["directory_intro"])
    if animation_contact_text(view):
        writer.intro(labels.format("directory_animation", contacts=animation_contact_text(view)))
    personas = [strip_control_only(persona, "persona") for persona in directory_personas(view.scenario)]
    # Phone and e-mail share one column, the number above the address: apart, neither column was wide
    # enough and addresses broke in the middle of a word.
    writer.table(
        [
            labels[key]
            for key in ("col_persona", "col_role", "col_organisation", "col_channels", "col_contact")
        ],
        [
            (
                persona["name"],
                persona["role"],
                view.organisation_name(persona.get("organisation")),
                ", ".join(labels.enum("channel", channel) for channel in persona.get("channels", [])),
                "\n".join(view.directory.persona(persona["id"])),
            )
            for persona in personas
        ],
        widths_cm=(2.6, 2.5, 2.8, 2.5, 6.6),
    )
    writer.heading(labels["cells_in_play"], level + 1)
    writer.table(
        [labels["col_cell"], labels["col_organisation"], labels["col_location"], labels["col_contact"]],
        [
            (
                other["name"],
                view.organisation_name(other.get("organisation")),
                other.get("location", ""),
                "\n".join(view.directory.cell(other["id"])),
            )
            for other in player_cells(view.scenario) + animation_cells(view.scenario)
        ],
        widths_cm=(3.6, 3.0, 2.6, 7.8),
    )

    writer.heading(labels["sec_reflex"], level)
    sheets = [sheet for sheet in view.scenario.get("reflex_sheets", []) if applies_to_cell(sheet, cell["id"])]
    for sheet in sheets:
        writer.heading(sheet["title"], level + 1)
        writer.bullets(sheet["steps"], checkbox=True, keep_together=True)
    if not sheets:
        writer.paragraph(empty)

    writer.heading(labels["sec_glossary"], level)
    glossary = view.scenario.get("glossary", [])
    if glossary:
        writer.table(
            [labels["col_term"], labels["col_definition"]],
            [(entry["term"], entry["definition"]) for entry in glossary],
            widths_cm=(4.0, 13.0),
            bold_first_column=True,
        )
    else:
        writer.paragraph(empty)
