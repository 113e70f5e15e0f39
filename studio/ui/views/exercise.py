"""Exercise page: the exercise metadata, objectives with their criteria, cells and personas."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from studio.scenario import tables
from studio.scenario.exercise_clock import join_date_time, split_date_time, with_schedule
from studio.ui import labels, session, widgets

_LONG_TEXT = frozenset({"context", "ground_truth"})
_DATE_TIME = frozenset({"startex", "endex"})


def _date_time_picker(label: str, value: str, key: str) -> str:
    """A date picker and a time picker for an ISO 8601 stamp; the stamp they give (same time zone).

    A value the pickers cannot show (not a date) is kept as it is, with a note, so nothing is lost.
    """
    day, clock = split_date_time(value)
    if day is None or clock is None:
        if value:
            st.caption(labels.text("forms.not_a_date", label=label, value=value))
        day_column, time_column = st.columns([3, 2])
        with day_column:
            picked_day = st.date_input(
                f"{label} ({labels.text('forms.date')})", value=None, key=f"{key}.date"
            )
        with time_column:
            picked_time = st.time_input(
                f"{label} ({labels.text('forms.time')})", value=None, key=f"{key}.time"
            )
        if picked_day is None or picked_time is None:
            return value
        return join_date_time(picked_day, picked_time, None)
    day_column, time_column = st.columns([3, 2])
    with day_column:
        picked_day = st.date_input(
            f"{label} ({labels.text('forms.date')})", value=day, key=f"{key}.date", format="DD/MM/YYYY"
        )
    with time_column:
        picked_time = st.time_input(
            f"{label} ({labels.text('forms.time')})", value=clock, key=f"{key}.time", step=300
        )
    if picked_day == day and picked_time == clock:
        return value  # untouched: keep the exact stamp (seconds, spelling)
    return join_date_time(picked_day, picked_time, value)


def _metadata_form(doc: dict[str, Any]) -> None:
    values = tables.exercise_values(doc)
    generation = session.generation()
    with st.form(key=f"metadata@{generation}"):
        edited: dict[str, Any] = {}
        left, right = st.columns(2)
        for index, path in enumerate(tables.EXERCISE_TEXT_FIELDS):
            field = ".".join(path)
            label = labels.text(f"ex.{field}")
            if field in _LONG_TEXT:
                edited[field] = st.text_area(label, value=values[field], key=f"meta.{field}@{generation}")
                continue
            if field in _DATE_TIME:
                with left if index % 2 == 0 else right:
                    edited[field] = _date_time_picker(label, values[field], f"meta.{field}@{generation}")
                continue
            with left if index % 2 == 0 else right:
                edited[field] = st.text_input(label, value=values[field], key=f"meta.{field}@{generation}")
        for column, field in zip(
            st.columns(len(tables.EXERCISE_CHOICE_FIELDS)), tables.EXERCISE_CHOICE_FIELDS, strict=True
        ):
            options = tables.exercise_options(field)
            current = values[field]
            with column:
                edited[field] = st.selectbox(
                    labels.text(f"ex.{field}"),
                    options,
                    format_func=lambda value, field=field: labels.option(field, value),
                    index=options.index(current) if current in options else None,
                    key=f"meta.{field}@{generation}",
                    placeholder=labels.text("common.choose"),
                )
        if st.form_submit_button(labels.text("ex.apply"), type="primary") and session.update(
            tables.apply_exercise_values(doc, edited)
        ):
            st.rerun()  # draw the form, the tables and the status again from the new document


def _schedule_form(doc: dict[str, Any]) -> None:
    """Played sessions, hot debrief and the scenario clock's start, each with date and time pickers."""
    exercise = doc.get("exercise") or {}
    generation = session.generation()
    startex, endex = str(exercise.get("startex") or ""), str(exercise.get("endex") or "")
    with st.form(key=f"schedule@{generation}"):
        played = []
        for index, item in enumerate(exercise.get("sessions") or []):
            key = f"session{index}@{generation}"
            st.markdown(f"**{labels.text('ex.session', number=index + 1)}**")
            label = st.text_input(
                labels.text("col.label"), value=str(item.get("label") or ""), key=f"{key}.label"
            )
            start = _date_time_picker(labels.text("ex.start"), str(item.get("start") or ""), f"{key}.start")
            end = _date_time_picker(labels.text("ex.end"), str(item.get("end") or ""), f"{key}.end")
            if not st.checkbox(labels.text("ex.remove_session"), key=f"{key}.remove"):
                played.append({"label": label, "start": start, "end": end})
        if st.checkbox(labels.text("ex.add_session"), key=f"session_add@{generation}"):
            played.append({"label": "", "start": startex, "end": endex})
        st.markdown(f"**{labels.text('ex.hot_debrief')}**")
        debrief = exercise.get("hot_debrief") or {}
        debrief_start = _date_time_picker(
            labels.text("ex.start"), str(debrief.get("start") or ""), f"debrief.start@{generation}"
        )
        debrief_end = _date_time_picker(
            labels.text("ex.end"), str(debrief.get("end") or ""), f"debrief.end@{generation}"
        )
        scenario_start = None
        if isinstance(exercise.get("time_model"), Mapping):
            st.markdown(f"**{labels.text('ex.scenario_clock')}**")
            scenario_start = _date_time_picker(
                labels.text("ex.scenario_start"),
                str(exercise["time_model"].get("scenario_start") or ""),
                f"scenario_start@{generation}",
            )
        if st.form_submit_button(labels.text("ex.apply_schedule"), type="primary"):
            hot = {"start": debrief_start, "end": debrief_end} if debrief_start and debrief_end else None
            if session.update(with_schedule(doc, played, hot, scenario_start)):
                st.rerun()


def _rebuild(
    doc: dict[str, Any], base: Mapping[str, Any], edited: list[list[dict[str, Any]]]
) -> dict[str, Any]:
    objective_rows, criterion_rows, cell_rows, persona_rows = edited
    updated = dict(doc)
    updated["objectives"] = tables.objectives_from_tables(
        base.get("objectives") or [], objective_rows, criterion_rows
    )
    for spec, rows in ((tables.cell_spec(), cell_rows), (tables.persona_spec(), persona_rows)):
        updated[spec.section] = tables.items_from_rows(base.get(spec.section) or [], rows, spec)
    return updated


def render() -> None:
    st.title(labels.text("page.exercise"))
    doc = widgets.require_document()
    if doc is None:
        return
    st.subheader(labels.text("ex.metadata"))
    _metadata_form(doc)
    doc = session.document()
    st.subheader(labels.text("ex.schedule"))
    _schedule_form(doc)
    doc = session.document()

    st.subheader(labels.text("ex.tables"))
    st.caption(labels.text("ex.tables_help"))
    objective_spec, cell_spec, persona_spec = (
        tables.objective_spec(),
        tables.cell_spec(),
        tables.persona_spec(),
    )
    editors = [
        widgets.EditorTable(
            "objectives",
            labels.text("ex.objectives"),
            objective_spec.columns,
            lambda d: tables.rows_from_items(d.get("objectives") or [], objective_spec),
            rows_at="/objectives/*",
        ),
        widgets.EditorTable(
            "criteria",
            labels.text("ex.criteria"),
            tables.CRITERION_COLUMNS,
            lambda d: tables.criterion_rows(d.get("objectives") or []),
            rows_at="/objectives/*/criteria/*",
        ),
        widgets.EditorTable(
            "cells",
            labels.text("ex.cells"),
            cell_spec.columns,
            lambda d: tables.rows_from_items(d.get("cells") or [], cell_spec),
            rows_at="/cells/*",
        ),
        widgets.EditorTable(
            "personas",
            labels.text("ex.personas"),
            persona_spec.columns,
            lambda d: tables.rows_from_items(d.get("personas") or [], persona_spec),
            rows_at="/personas/*",
        ),
    ]
    choices = widgets.choices_of("organisations", "cells", "objectives")
    widgets.apply_table_edits("exercise", doc, editors, choices, _rebuild)
    widgets.problem_panel(
        session.problems(),
        prefixes=("/exercise", "/objectives", "/cells", "/personas"),
        title=labels.text("problems.here"),
    )


render()
