"""studio.scenario.tables without Streamlit: rows out, edited rows back, nothing lost on the way."""

from __future__ import annotations

import math

import pytest

from studio.scenario import tables
from studio.scenario.library import list_library, load_library
from studio.scenario.validate import errors_only, validate_scenario


def test_schema_enum_reads_the_contract() -> None:
    assert "clinical_service" in tables.schema_enum("system", "kind")
    assert tables.schema_enum("persona", "channels") == tables.schema_enum("channel")
    assert tables.exercise_options("format") == ["tabletop", "functional", "full_scale"]
    with pytest.raises(KeyError):
        tables.schema_enum("system", "name")


def test_round_trip_keeps_every_section_unchanged(mini) -> None:
    for spec in (tables.cell_spec(), tables.persona_spec()):
        rows = tables.rows_from_items(mini[spec.section], spec)
        assert tables.items_from_rows(mini[spec.section], rows, spec) == mini[spec.section]
    systems, dropped = tables.systems_from_tables(
        mini["systems"],
        tables.rows_from_items(mini["systems"], tables.system_spec()),
        tables.link_rows(mini["systems"]),
    )
    assert systems == mini["systems"] and dropped == []
    objectives = tables.objectives_from_tables(
        mini["objectives"],
        tables.rows_from_items(mini["objectives"], tables.objective_spec()),
        tables.criterion_rows(mini["objectives"]),
    )
    assert objectives == mini["objectives"]


def test_pandas_empties_become_absent_fields_and_numbers_are_cleaned(mini) -> None:
    spec = tables.system_spec()
    rows = tables.rows_from_items(mini["systems"], spec)
    rows[2].update(zone=math.nan, criticality=4.0, description="  ")
    rows.append({tables.ROW_KEY: math.nan, "id": "pacs", "name": "PACS", "kind": "application", "units": 2.0})
    rows.append({tables.ROW_KEY: None})  # a row added but left blank
    systems = tables.items_from_rows(mini["systems"], rows, spec)
    assert len(systems) == 6
    assert "zone" not in systems[2] and systems[2]["criticality"] == 4
    assert isinstance(systems[2]["criticality"], int)
    assert systems[2]["links"] == mini["systems"][2]["links"]  # not shown in the table, kept
    assert systems[5] == {"id": "pacs", "name": "PACS", "kind": "application", "units": 2}


def test_bad_number_names_the_row_and_column(mini) -> None:
    spec = tables.system_spec()
    rows = tables.rows_from_items(mini["systems"], spec)
    rows[1]["criticality"] = 2.5
    with pytest.raises(tables.TableError, match="systems row 2: criticality"):
        tables.items_from_rows(mini["systems"], rows, spec)


def test_list_columns_are_comma_separated_text(mini) -> None:
    spec = tables.persona_spec()
    rows = tables.rows_from_items(mini["personas"], spec)
    assert rows[0]["channels"] == "phone, email"
    rows[0]["channels"] = "sms, phone, sms"
    personas = tables.items_from_rows(mini["personas"], rows, spec)
    assert personas[0]["channels"] == ["sms", "phone"]


def test_renaming_a_system_follows_into_links(mini) -> None:
    system_rows = tables.rows_from_items(mini["systems"], tables.system_spec())
    system_rows[2]["id"] = "ad-main"
    systems, dropped = tables.systems_from_tables(
        mini["systems"], system_rows, tables.link_rows(mini["systems"])
    )
    assert dropped == []
    assert systems[1]["links"][0]["target"] == "ad-main"
    assert systems[3]["links"][0]["target"] == "ad-main"
    assert errors_only(validate_scenario({**mini, "systems": systems})) == []


def test_deleting_a_system_drops_its_links_with_a_note(mini) -> None:
    system_rows = tables.rows_from_items(mini["systems"], tables.system_spec())
    del system_rows[0]
    systems, dropped = tables.systems_from_tables(
        mini["systems"], system_rows, tables.link_rows(mini["systems"])
    )
    assert [system["id"] for system in systems] == ["vpn", "ad", "dpi", "urgences"]
    assert len(dropped) == 1 and "'internet'" in dropped[0]


def test_link_kind_change_keeps_only_fields_of_the_new_kind(mini) -> None:
    rows = tables.link_rows(mini["systems"])
    assert rows[1]["delay"] == "PT2H..PT6H"
    rows[1].update(kind="depends", grace="PT30M")
    rows.append({"source": "urgences", "kind": "reach", "target": "dpi", "delay": "PT1H~PT4H"})
    systems, _ = tables.systems_from_tables(
        mini["systems"], tables.rows_from_items(mini["systems"], tables.system_spec()), rows
    )
    assert systems[1]["links"] == [{"kind": "depends", "target": "ad", "grace": "PT30M"}]
    assert systems[4]["links"][-1] == {
        "kind": "reach",
        "target": "dpi",
        "delay": {"dist": "lognormal", "median": "PT1H", "p90": "PT4H"},
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT2H", {"dist": "fixed", "value": "PT2H"}),
        ("pt1h..pt3h", {"dist": "uniform", "min": "PT1H", "max": "PT3H"}),
        ("PT1H..PT2H..PT4H", {"dist": "triangular", "min": "PT1H", "mode": "PT2H", "max": "PT4H"}),
        ("PT2H~P1D", {"dist": "lognormal", "median": "PT2H", "p90": "P1D"}),
    ],
)
def test_delay_text_round_trips(text: str, expected: dict[str, str]) -> None:
    assert tables.parse_delay(text) == expected
    assert tables.parse_delay(tables.format_delay(expected)) == expected


@pytest.mark.parametrize("text", ["two hours", "PT1H..", "PT1H..PT2H..PT3H..PT4H"])
def test_bad_delay_text_is_a_table_error(text: str) -> None:
    with pytest.raises(tables.TableError):
        tables.parse_delay(text)


def test_criteria_follow_a_renamed_objective(mini) -> None:
    objective_rows = tables.rows_from_items(mini["objectives"], tables.objective_spec())
    objective_rows[0]["id"] = "obj-crise"
    criterion_rows = tables.criterion_rows(mini["objectives"])
    criterion_rows.append({"objective": "obj-crise", "id": "c2", "text": "Point de situation à l'ARS"})
    objectives = tables.objectives_from_tables(mini["objectives"], objective_rows, criterion_rows)
    assert [criterion["id"] for criterion in objectives[0]["criteria"]] == ["c1", "c2"]


def test_id_choices_cover_sections_and_sites(mini) -> None:
    assert tables.id_choices(mini, "cells") == ["cdc", "anim"]
    assert tables.id_choices(mini, "sites") == ["site-a", "site-b"]
    assert tables.id_choices({}, "systems") == []


def test_exercise_values_round_trip_and_empty_text_removes(mini) -> None:
    values = tables.exercise_values(mini)
    assert values["safety.stop_code"] == "PAPILLON" and values["subtitle"] == ""
    assert tables.apply_exercise_values(mini, values) == mini
    values.update({"title": "  ", "subtitle": "Nuit du 10 mars"})
    updated = tables.apply_exercise_values(mini, values)
    assert "title" not in updated["exercise"] and updated["exercise"]["subtitle"] == "Nuit du 10 mars"
    assert mini["exercise"]["title"]  # the input is not changed
    assert any(problem.rule.startswith("schema.") for problem in validate_scenario(updated))


def test_filter_values_and_filtering_by_site(mini) -> None:
    values = tables.filter_values(mini)
    assert values["site"] == ["", "site-a", "site-b"]
    subset = tables.filter_systems(mini, {"site": ["site-a"], "zone": [], "kind": []})
    assert [system["id"] for system in subset["systems"]] == ["vpn", "ad", "dpi"]
    # Links to systems left out are dropped from the copy, never from the scenario.
    assert subset["systems"][0]["links"][0]["target"] == "ad"
    assert mini["systems"][4]["links"]


def test_filtering_with_neighbours_adds_one_hop(mini) -> None:
    subset = tables.filter_systems(mini, {"site": ["site-b"]}, neighbours=True)
    assert [system["id"] for system in subset["systems"]] == ["dpi", "urgences"]


def test_add_systems_skips_ids_already_present(mini) -> None:
    updated, skipped = tables.add_systems(
        mini,
        [
            {"id": "ad", "name": "AD", "kind": "identity"},
            {"id": "pacs", "name": "PACS", "kind": "application"},
        ],
    )
    assert skipped == ["ad"] and updated["systems"][-1]["id"] == "pacs"
    assert len(mini["systems"]) == 5


def test_catalogue_label_uses_the_language() -> None:
    entry = {"id": "dpi", "text": {"fr": {"name": "Dossier patient"}, "en": {"name": "Patient record"}}}
    assert tables.catalogue_label(entry, "en") == "Patient record (dpi)"
    assert tables.catalogue_label(entry, "de") == "Dossier patient (dpi)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT5H", {"at": "PT5H"}),
        ("detected", {"on": "detected"}),
        ("compromised:ad", {"on": "compromised", "node": "ad"}),
        ("encrypted+PT30M", {"on": "encrypted", "delay": {"dist": "fixed", "value": "PT30M"}}),
        (
            "down:dpi+PT1H..PT2H",
            {"on": "down", "node": "dpi", "delay": {"dist": "uniform", "min": "PT1H", "max": "PT2H"}},
        ),
    ],
)
def test_trigger_text_round_trips(text: str, expected: dict) -> None:
    assert tables.parse_trigger(text) == expected
    assert tables.parse_trigger(tables.format_trigger(expected)) == expected


def test_unknown_trigger_event_is_a_table_error() -> None:
    with pytest.raises(tables.TableError, match="events"):
        tables.parse_trigger("sunrise")


def test_playbooks_and_actions_round_trip_and_edit(mini) -> None:
    mini["playbooks"] = [
        {
            "id": "pb",
            "name": "Confinement",
            "default": True,
            "actions": [
                {
                    "id": "a1",
                    "action": "isolate_zone",
                    "trigger": {"on": "detected", "delay": {"dist": "fixed", "value": "PT1H"}},
                    "zones": ["srv"],
                }
            ],
        },
    ]
    playbook_rows = tables.rows_from_items(mini["playbooks"], tables.playbook_spec())
    action_rows = tables.nested_rows(mini["playbooks"], "actions", tables.action_columns())
    assert action_rows[0]["trigger"] == "detected+PT1H"
    assert tables.playbooks_from_tables(mini["playbooks"], playbook_rows, action_rows) == mini["playbooks"]
    action_rows.append({"playbook": "pb", "id": "a2", "action": "cut_internet", "trigger": "PT6H"})
    playbooks = tables.playbooks_from_tables(mini["playbooks"], playbook_rows, action_rows)
    assert playbooks[0]["actions"][1] == {"id": "a2", "action": "cut_internet", "trigger": {"at": "PT6H"}}
    assert errors_only(validate_scenario({**mini, "playbooks": playbooks})) == []


def test_attack_form_values_round_trip_and_bad_trigger(mini) -> None:
    values = tables.attack_values(mini)
    assert values["detonation_trigger"] == "PT5H" and values["detonation_scope"] == "compromised"
    assert tables.apply_attack(mini, values) == mini
    values.update(detonation_trigger="encrypted:dpi", dwell="P2D", detonation_scope="compromised, backups")
    attack = tables.apply_attack(mini, values)["attack"]
    assert attack["detonation"] == {
        "trigger": {"on": "encrypted", "node": "dpi"},
        "scope": ["compromised", "backups"],
    }
    assert attack["dwell"] == "P2D"
    with pytest.raises(tables.TableError, match="detonation_trigger"):
        tables.apply_attack(mini, {"detonation_trigger": "soon"})


def test_initial_access_rows(mini) -> None:
    rows = tables.rows_from_items(mini["attack"]["initial_access"], tables.INITIAL_ACCESS_SPEC)
    rows.append({"node": "internet", "at": "PT1H", "vector": "phishing"})
    updated = tables.with_initial_access(mini, mini["attack"]["initial_access"], rows)
    assert updated["attack"]["initial_access"][1] == {"node": "internet", "at": "PT1H", "vector": "phishing"}
    assert updated["attack"]["detonation"] == mini["attack"]["detonation"]


def test_result_rows_from_monte_carlo_json() -> None:
    metrics = {
        "encryption": {
            "runs": 10,
            "p_happened": 0.8,
            "never_ended": 0,
            "percentiles": {"p5": 100.0, "p50": 300.0, "p95": 900.0},
            "mean": 350.0,
        }
    }
    assert tables.metric_rows(metrics) == [
        {
            "metric": "encryption",
            "happened %": 80.0,
            "p5": 100.0,
            "median": 300.0,
            "p95": 900.0,
            "mean": 350.0,
            "never ended": 0,
        }
    ]
    systems = {
        "ad": {"p_compromised": 0.5, "p_encrypted": 0.1, "p_down": 0.2},
        "dpi": {"p_compromised": 0.9, "p_encrypted": 0.9, "p_down": 0.9},
    }
    rows = tables.hit_rows(systems, {"dpi": "DPI"}, top=1)
    assert rows == [{"system": "DPI", "compromised %": 90.0, "encrypted %": 90.0, "down %": 90.0}]
    assert tables.finite_values([1.0, math.nan, math.inf, 2]) == [1.0, 2.0]
    differences = {
        "encryption": {
            "paired_runs": 8,
            "p_b_earlier": 0.25,
            "p_b_later": 0.5,
            "p_happened_a": 1.0,
            "p_happened_b": 0.8,
            "percentiles": {"p50": -30.0},
        }
    }
    assert tables.difference_rows(differences)[0]["b later %"] == 50.0


def test_inject_rows_and_form_changes(mini) -> None:
    inject = mini["injects"][0]
    assert tables.inject_rows([inject])[0]["to"] == "cdc"
    values = tables.inject_form_values(inject)
    assert values["to"] == ["cdc"] and values["expected_actions"] == "" and values["priority"] == ""
    assert tables.inject_changes(inject, values) == {}
    values.update(
        title="Appel de l'ARS (relance)", expected_actions="Rappeler l'ARS\n\n Tenir la main courante "
    )
    assert tables.inject_changes(inject, values) == {
        "title": "Appel de l'ARS (relance)",
        "expected_actions": ["Rappeler l'ARS", "Tenir la main courante"],
    }
    assert tables.inject_changes(inject, {"message": "  ", "priority": None}) == {"message": None}


@pytest.mark.parametrize("entry", list_library(), ids=lambda entry: entry.name)
def test_every_library_scenario_round_trips_through_the_tables(entry) -> None:
    """Showing a real scenario in the studio's tables and reading them back changes nothing."""
    doc = load_library(entry.name)
    for spec in (tables.cell_spec(), tables.persona_spec()):
        assert (
            tables.items_from_rows(doc[spec.section], tables.rows_from_items(doc[spec.section], spec), spec)
            == (doc[spec.section])
        )
    systems, dropped = tables.systems_from_tables(
        doc["systems"],
        tables.rows_from_items(doc["systems"], tables.system_spec()),
        tables.link_rows(doc["systems"]),
    )
    assert systems == doc["systems"] and dropped == []
    objectives = tables.objectives_from_tables(
        doc["objectives"],
        tables.rows_from_items(doc["objectives"], tables.objective_spec()),
        tables.criterion_rows(doc["objectives"]),
    )
    assert objectives == doc["objectives"]
    playbooks = doc.get("playbooks") or []
    assert (
        tables.playbooks_from_tables(
            playbooks,
            tables.rows_from_items(playbooks, tables.playbook_spec()),
            tables.nested_rows(playbooks, "actions", tables.action_columns()),
        )
        == playbooks
    )
    assert tables.apply_attack(doc, tables.attack_values(doc)) == doc
    assert tables.apply_exercise_values(doc, tables.exercise_values(doc)) == doc


def test_with_hours_adds_an_hours_column() -> None:
    assert tables.with_hours([{"minute": 90, "node": "ad"}]) == [{"minute": 90, "node": "ad", "hours": 1.5}]


@pytest.mark.parametrize("entry", list_library(), ids=lambda entry: entry.name)
def test_rebuilding_from_edited_tables_leaves_the_original_untouched(entry) -> None:
    """The rebuilt items share what the table does not show with the original (no deep copy): an
    edit of every column, nested ones included, must still write only into the rebuilt copy."""
    import copy
    import json

    doc = load_library(entry.name)
    before = json.dumps(doc, sort_keys=True)
    for spec in (tables.cell_spec(), tables.persona_spec(), tables.system_spec()):
        rows = tables.rows_from_items(doc[spec.section], spec)
        for row in rows:
            for column in spec.columns[1:]:
                row[column.name] = None  # clears the field, at its nested path too
        rebuilt = tables.items_from_rows(doc[spec.section], rows, spec)
        assert rebuilt != doc[spec.section]
    link_rows = tables.link_rows(doc["systems"])
    for row in link_rows:
        row["delay"] = "PT2H" if row.get("kind") == "reach" else None
        row["p_success"] = 0.5 if row.get("kind") == "reach" else None
        row["note"] = "edited"
    edited = copy.deepcopy(link_rows)
    systems, _ = tables.systems_from_tables(
        doc["systems"], tables.rows_from_items(doc["systems"], tables.system_spec()), edited
    )
    assert systems != doc["systems"]
    objectives = doc["objectives"]
    criteria = tables.criterion_rows(objectives)
    for row in criteria:
        for column in tables.CRITERION_COLUMNS[1:]:
            row[column.name] = None
    tables.objectives_from_tables(
        objectives, tables.rows_from_items(objectives, tables.objective_spec()), criteria
    )
    assert json.dumps(doc, sort_keys=True) == before


def test_a_nested_column_is_written_into_a_copy_of_its_parents() -> None:
    """Rebuilt items share their unshown fields with the original; a column at a nested path
    (``detail.x``) copies the dicts on its path before writing, so the original keeps its value."""
    spec = tables.TableSpec("things", (tables.Column("id"), tables.Column("x", "int", path=("detail", "x"))))
    original = [{"id": "a", "detail": {"x": 1, "y": 2}, "other": {"kept": True}}]
    rows = tables.rows_from_items(original, spec)
    rows[0]["x"] = 5
    (rebuilt,) = tables.items_from_rows(original, rows, spec)
    assert rebuilt == {"id": "a", "detail": {"x": 5, "y": 2}, "other": {"kept": True}}
    rows[0]["x"] = None
    (cleared,) = tables.items_from_rows(original, rows, spec)
    assert cleared["detail"] == {"y": 2}
    assert original == [{"id": "a", "detail": {"x": 1, "y": 2}, "other": {"kept": True}}]


def test_links_rows_left_as_shown_keep_their_links(mini) -> None:
    """With the rows the editor was shown, an untouched links row keeps its original link as it is
    (even a field the table would write differently), an edited row is converted again, and a
    renamed system makes every row convert again so the new id reaches the links."""
    systems = mini["systems"]
    system_rows = tables.rows_from_items(systems, tables.system_spec())
    shown = tables.link_rows(systems)
    holder = next(index for index, system in enumerate(systems) if system.get("links"))
    systems[holder]["links"][0]["note_unshown"] = "kept"  # a field no column shows
    edited = [dict(row) for row in shown]
    edited[-1]["note"] = "edited in the table"
    rebuilt, dropped = tables.systems_from_tables(systems, system_rows, edited, shown)
    assert dropped == []
    assert rebuilt[holder]["links"][0] == systems[holder]["links"][0]
    last_holder = max(index for index, system in enumerate(systems) if system.get("links"))
    assert rebuilt[last_holder]["links"][-1]["note"] == "edited in the table"
    assert rebuilt == tables.systems_from_tables(systems, system_rows, edited)[0]

    renamed_rows = [dict(row) for row in system_rows]
    old_id = systems[holder]["id"]
    renamed_rows[holder]["id"] = old_id + "-renamed"
    target_of = {link.get("target") for system in systems for link in system.get("links") or []}
    fast, _ = tables.systems_from_tables(systems, renamed_rows, edited, shown)
    assert fast == tables.systems_from_tables(systems, renamed_rows, edited)[0]
    assert fast[holder]["id"] == old_id + "-renamed" and fast[holder]["links"]
    if old_id in target_of:
        assert old_id + "-renamed" in {link.get("target") for s in fast for link in s.get("links") or []}


class _Unchanged(list):
    """Rows of a links editor holding no edit (as the studio's ShownRows says)."""

    unchanged = True


@pytest.mark.parametrize("entry", list_library(), ids=lambda entry: entry.name)
def test_an_unchanged_links_table_gives_what_reading_it_gives(entry) -> None:
    """Skipping an unedited links table gives the same systems and notes as converting it, after a
    system edit, an added system, a rename and a deletion."""
    systems = load_library(entry.name)["systems"]
    links = tables.link_rows(systems)
    base_rows = tables.rows_from_items(systems, tables.system_spec())
    holder = next(index for index, system in enumerate(systems) if system.get("links"))
    edits = {
        "name": lambda rows: rows[0].update(name="Edited"),
        "added": lambda rows: rows.append({"id": "new-system", "name": "New", "kind": "server"}),
        "renamed": lambda rows: rows[holder].update(id=rows[holder]["id"] + "-renamed"),
        "deleted": lambda rows: rows.pop(holder),
    }
    for edit in edits.values():
        rows = [dict(row) for row in base_rows]
        edit(rows)
        assert tables.systems_from_tables(systems, rows, _Unchanged(links)) == tables.systems_from_tables(
            systems, rows, links
        )
