"""Simulation page: attack profile and playbooks, one run, Monte Carlo, playbook comparison, timeline."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from studio.propagation import run_timeline
from studio.propagation.engines import ENGINES
from studio.propagation.montecarlo import compare_playbooks, monte_carlo
from studio.scenario import tables
from studio.scenario.exercise_clock import (
    duration_label,
    timeline_chart_rows,
)
from studio.scenario.validate import errors_only
from studio.ui import labels, session, widgets
from studio.ui.state_frames import StateFrames

# Above this many systems in a timeline, its chart has one lane per event family, not per system.
# (Comments, not docstrings: Streamlit's "magic" would print a bare string of a page script.)
TIMELINE_LANES = 40


def _attack_form(doc: dict[str, Any]) -> None:
    values = tables.attack_values(doc)
    generation = session.generation()
    with st.form(key=f"attack_form@{generation}"):
        edited = {}
        columns = st.columns(len(tables.ATTACK_FIELDS))
        for column, field in zip(columns, tables.ATTACK_FIELDS, strict=True):
            with column:
                edited[field.name] = st.text_input(
                    labels.column(field.name),
                    value=str(values[field.name]),
                    help=labels.column_help(field.name, field.help),
                    key=f"attack.{field.name}@{generation}",
                )
        if st.form_submit_button(labels.text("sim.apply_attack"), type="primary"):
            with widgets.user_errors(labels.text("sim.apply_attack")):
                if session.update(tables.apply_attack(doc, edited)):
                    st.rerun()


def _rebuild(
    doc: dict[str, Any], base: Mapping[str, Any], edited: list[list[dict[str, Any]]]
) -> dict[str, Any]:
    access_rows, playbook_rows, action_rows = edited
    updated = tables.with_initial_access(
        doc, (base.get("attack") or {}).get("initial_access") or [], access_rows
    )
    updated["playbooks"] = tables.playbooks_from_tables(
        base.get("playbooks") or [], playbook_rows, action_rows
    )
    return updated


def _attack_and_playbooks(doc: dict[str, Any]) -> dict[str, Any]:
    st.subheader(labels.text("sim.attack_profile"))
    _attack_form(doc)
    doc = session.document()
    playbook_spec = tables.playbook_spec()
    action_columns = tables.action_columns()
    editors = [
        widgets.EditorTable(
            "initial_access",
            labels.text("sim.entry_points"),
            tables.INITIAL_ACCESS_SPEC.columns,
            lambda d: tables.rows_from_items(
                (d.get("attack") or {}).get("initial_access") or [], tables.INITIAL_ACCESS_SPEC
            ),
            rows_at="/attack/initial_access/*",
        ),
        widgets.EditorTable(
            "playbooks",
            labels.text("sim.playbooks"),
            playbook_spec.columns,
            lambda d: tables.rows_from_items(d.get("playbooks") or [], playbook_spec),
            rows_at="/playbooks/*",
        ),
        widgets.EditorTable(
            "actions",
            labels.text("sim.actions"),
            action_columns,
            lambda d: tables.nested_rows(d.get("playbooks") or [], "actions", action_columns),
            rows_at="/playbooks/*/actions/*",
        ),
    ]
    choices = widgets.choices_of("systems", "playbooks")
    doc = widgets.apply_table_edits("simulation", doc, editors, choices, _rebuild)
    widgets.problem_panel(
        session.problems(), prefixes=("/attack", "/playbooks"), title=labels.text("problems.here")
    )
    return doc


def _playbook_choice(doc: Mapping[str, Any], label: str, key: str) -> str | None:
    return st.selectbox(
        label,
        [None, *tables.id_choices(doc, "playbooks")],
        key=key,
        format_func=lambda value: value or labels.text("sim.default_playbook"),
    )


def _engine_choice(key: str) -> str:
    return st.selectbox(
        labels.text("sim.engine"), list(ENGINES), key=key, help=labels.text("sim.engine_help")
    )


def _stale_note(stored: Mapping[str, Any]) -> None:
    if stored["version"] != st.session_state.get("doc_version"):
        st.caption(f":orange[{labels.text('sim.stale')}]")


def _use_as_timeline(doc: dict[str, Any], timeline: dict[str, Any], key: str) -> None:
    if st.button(labels.text("sim.use_timeline"), key=key, icon=":material/check_circle:"):
        session.update({**doc, "timeline": timeline})
        st.success(labels.text("sim.timeline_kept", run=timeline.get("run", ""), seed=timeline["seed"]))


def _single_run(doc: dict[str, Any], runnable: bool) -> None:
    left, middle, right = st.columns(3)
    with left:
        seed = st.number_input(labels.text("common.seed"), min_value=0, value=0, step=1, key="run_seed")
    with middle:
        playbook = _playbook_choice(doc, labels.text("sim.playbook"), "run_playbook")
    with right:
        nominal = st.checkbox(labels.text("sim.nominal"), key="run_nominal")
    if st.button(
        labels.text("sim.run_once"), key="run_once", disabled=not runnable, icon=":material/play_arrow:"
    ):
        with widgets.user_errors(labels.text("sim.the_simulation")):
            timeline = run_timeline(doc, seed=int(seed), playbook=playbook, nominal=nominal)
            st.session_state["sim_run"] = {"version": st.session_state["doc_version"], "timeline": timeline}
    stored = st.session_state.get("sim_run")
    if stored is not None:
        _stale_note(stored)
        timeline, source = stored["timeline"], labels.text("sim.this_run")
    elif doc.get("timeline"):
        timeline, source = doc["timeline"], labels.text("sim.scenario_timeline")
    else:
        st.caption(labels.text("sim.run_first"))
        return
    rows = timeline_chart_rows(doc, timeline, labels.language())
    title = labels.text("sim.timeline_of", source=source)
    st.markdown(labels.text("sim.timeline_line", title=title, count=len(rows)))
    window = widgets.session_window(doc, "run_window")
    # One lane per system while they fit; a large run gets one lane per event family instead.
    lanes = "system" if len({row["system"] for row in rows}) <= TIMELINE_LANES else "family"
    widgets.event_chart(
        rows,
        x="exercise_minute",
        y=lanes,
        color="family",
        tooltip=("time", "kind", "system", "detail"),
        names={name: labels.column(name) for name in ("time", "kind", "system", "detail", "family")},
        clock=doc,
        window=window,
    )
    with st.expander(labels.text("sim.events_table")):
        st.dataframe(
            widgets.localised_rows(
                [
                    {
                        **{key: value for key, value in row.items() if key != "exercise_minute"},
                        "family": labels.option("family", row["family"]),
                        "kind": labels.option("event", row["kind"]),
                    }
                    for row in rows
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    settings = widgets.graph_controls(doc, "simulation_graph")
    _state_graph(doc, timeline, settings)
    if stored is not None:
        _use_as_timeline(doc, stored["timeline"], "use_single_run")


@st.fragment
def _state_graph(doc: dict[str, Any], timeline: dict[str, Any], settings: widgets.GraphSettings) -> None:
    """The time slider and the graph coloured by state at that time.

    A fragment holding only these two: moving the slider reruns them alone. Node positions are
    fixed (studio.graph.layout), the states of an instant are computed once per timeline and then
    looked up, and the chart is recoloured in place (assets/graph_hook.js).
    """
    frames = _state_frames(doc, timeline)
    minute = st.select_slider(
        labels.text("sim.state_at"),
        options=frames.instants,
        value=frames.instants[-1],
        format_func=frames.label,
        # The steps are in the key: a time kept from another run may not be one of these events.
        key=f"state_minute@{len(frames.instants)}:{frames.instants[-1]}",
    )
    # A canvas: recolouring 150 systems and their links redraws one bitmap, where SVG restyled and
    # repainted over a thousand elements (0.24 s against 0.53 s per step, benchmarks/studio_browser.py).
    widgets.graph_chart(doc, "simulation_graph", settings, states=frames.states(minute), renderer="canvas")


def _state_frames(doc: dict[str, Any], timeline: dict[str, Any]) -> StateFrames:
    """The slider's instants and states of this timeline, kept while the document and run stay."""
    identity = (st.session_state.get("doc_version"), id(timeline), labels.language())
    cached = st.session_state.get("_state_frames")
    if cached is None or cached[0] != identity:
        cached = (identity, StateFrames(doc, timeline, labels.language()))
        st.session_state["_state_frames"] = cached
    return cached[1]


def _monte_carlo(doc: dict[str, Any], runnable: bool) -> None:
    runs_column, seed_column, playbook_column, engine_column = st.columns(4)
    with runs_column:
        runs = st.number_input(
            labels.text("mc.runs_input"), min_value=1, max_value=20000, value=200, step=50, key="mc_runs"
        )
    with seed_column:
        seed = st.number_input(labels.text("mc.first_seed"), min_value=0, value=0, step=1, key="mc_seed")
    with playbook_column:
        playbook = _playbook_choice(doc, labels.text("sim.playbook"), "mc_playbook")
    with engine_column:
        engine = _engine_choice("mc_engine")
    if st.button(labels.text("mc.run"), key="mc_run", disabled=not runnable, icon=":material/casino:"):
        progress = widgets.ProgressBar(labels.text("mc.progress"))
        with widgets.user_errors(labels.text("mc.the_batch")):
            result = monte_carlo(
                doc, runs=int(runs), seed=int(seed), playbook=playbook, progress=progress, engine=engine
            )
            st.session_state["sim_mc"] = {"version": st.session_state["doc_version"], "result": result}
        progress.finish()
    stored = st.session_state.get("sim_mc")
    if stored is None:
        st.caption(labels.text("mc.run_first"))
        return
    _stale_note(stored)
    result = stored["result"]
    summary = result.to_json()
    st.markdown(labels.text("mc.summary", runs=result.runs, engine=result.engine, median=result.median_run))
    st.dataframe(_metric_table(doc, summary["metrics"], result.values), hide_index=True, width="stretch")
    # Options are the labels themselves: the widget keeps a label, never a stale metric name.
    metric_of = {widgets.metric_label(doc, name): name for name in result.values}
    chosen = st.selectbox(
        labels.text("mc.distribution_of"), list(metric_of), key=f"mc_metric.{labels.language()}"
    )
    widgets.distribution_chart(tables.finite_values(result.values[metric_of[chosen]]), chosen)
    st.markdown(f"**{labels.text('mc.most_hit')}**")
    st.dataframe(
        widgets.localised_rows(tables.hit_rows(summary["systems"], tables.system_names(doc))),
        hide_index=True,
        width="stretch",
    )
    choice = st.radio(
        labels.text("mc.keep_which"),
        ["median", "run number"],
        horizontal=True,
        key="mc_choice",
        format_func=lambda value: labels.text(f"mc.keep.{value.replace(' ', '_')}"),
    )
    run: int | str = "median"
    if choice == "run number":
        run = int(
            st.number_input(
                labels.text("mc.run_index"),
                min_value=0,
                max_value=result.runs - 1,
                value=0,
                key="mc_run_index",
            )
        )
    if st.button(labels.text("sim.use_timeline"), key="use_mc_run", icon=":material/check_circle:"):
        with widgets.user_errors(labels.text("sim.use_timeline")):
            timeline = result.timeline(doc, run)
            session.update({**doc, "timeline": timeline})
            st.success(labels.text("sim.timeline_kept", run=run, seed=timeline["seed"]))


def _metric_table(
    doc: Mapping[str, Any], metrics: Mapping[str, Mapping[str, Any]], values: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Monte Carlo statistics in hours and minutes: how often it happened, p10, p50, p90."""
    from studio.scenario.exercise_clock import distribution_summary

    rows = []
    for name, stats in metrics.items():
        summary = distribution_summary(values.get(name, []), labels.language())
        rows.append(
            {
                labels.text("mc.metric"): widgets.metric_label(doc, name),
                labels.text("mc.happened"): round(100 * float(stats.get("p_happened", 0.0)), 1),
                "p10": summary["p10 label"],
                "p50": summary["p50 label"],
                "p90": summary["p90 label"],
                labels.text("mc.mean"): duration_label(stats.get("mean"), labels.language()),
                labels.text("mc.never_ended"): stats.get("never_ended", 0),
            }
        )
    return rows


def _comparison(doc: dict[str, Any], runnable: bool) -> None:
    first_column, second_column, runs_column, engine_column = st.columns(4)
    with first_column:
        first = _playbook_choice(doc, labels.text("cmp.a"), "cmp_a")
    with second_column:
        # b starts on another playbook than a: comparing a playbook with itself teaches nothing.
        others = [value for value in [None, *tables.id_choices(doc, "playbooks")] if value != first]
        if st.session_state.get("cmp_b") == first and others:
            st.session_state["cmp_b"] = others[0]
        second = _playbook_choice(doc, labels.text("cmp.b"), "cmp_b")
    with runs_column:
        runs = st.number_input(
            labels.text("cmp.runs_each"), min_value=1, max_value=10000, value=200, step=50, key="cmp_runs"
        )
    with engine_column:
        engine = _engine_choice("cmp_engine")
    if st.button(
        labels.text("cmp.run"), key="cmp_run", disabled=not runnable, icon=":material/compare_arrows:"
    ):
        progress = widgets.ProgressBar(labels.text("cmp.progress"))
        with widgets.user_errors(labels.text("cmp.run")):
            comparison = compare_playbooks(
                doc, first, second, runs=int(runs), progress=progress, engine=engine
            )
            st.session_state["sim_cmp"] = {
                "version": st.session_state["doc_version"],
                "comparison": comparison,
            }
        progress.finish()
    stored = st.session_state.get("sim_cmp")
    if stored is None:
        st.caption(labels.text("cmp.fair"))
        return
    _stale_note(stored)
    comparison = stored["comparison"]
    none = labels.text("common.none")
    st.markdown(f"a = **{comparison.a.playbook or none}**, b = **{comparison.b.playbook or none}**")
    st.dataframe(_difference_table(doc, comparison.differences), hide_index=True, width="stretch")


def _difference_table(doc: Mapping[str, Any], differences: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The comparison per metric, its median difference in hours and minutes (never raw minutes)."""
    rows = []
    for row in tables.difference_rows(differences):
        minutes = row.pop("median b - a (min)")
        row["metric"] = widgets.metric_label(doc, row["metric"])
        row["median b - a"] = None if minutes is None else duration_label(minutes, labels.language())
        rows.append(row)
    return widgets.localised_rows(rows)


def render() -> None:
    st.title(labels.text("page.simulation"))
    doc = widgets.require_document()
    if doc is None:
        return
    attack_tab, run_tab, batch_tab, compare_tab = st.tabs(
        [labels.text(f"sim.tab.{name}") for name in ("attack", "run", "batch", "compare")]
    )
    with attack_tab:
        doc = _attack_and_playbooks(doc)
    errors = errors_only(session.problems())
    runnable = not errors
    for tab, draw in ((run_tab, _single_run), (batch_tab, _monte_carlo), (compare_tab, _comparison)):
        with tab:
            if errors:
                st.error(labels.text("sim.errors_first", count=len(errors)))
            draw(doc, runnable)


render()
