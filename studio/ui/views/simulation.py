"""Simulation page: attack profile and playbooks, one run, Monte Carlo, playbook comparison, timeline."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from studio.propagation import run_timeline, state_at
from studio.propagation.engines import ENGINES
from studio.propagation.montecarlo import compare_playbooks, monte_carlo
from studio.scenario import tables
from studio.scenario.exercise_clock import (
    clock_style,
    duration_label,
    event_time_label,
    timeline_chart_rows,
)
from studio.scenario.validate import errors_only
from studio.ui import labels, session, widgets

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
                    field.name.replace("_", " ").capitalize(),
                    value=str(values[field.name]),
                    help=field.help or None,
                    key=f"attack.{field.name}@{generation}",
                )
        if st.form_submit_button("Apply attack profile", type="primary"):
            with widgets.user_errors("Applying the attack profile"):
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
    st.subheader("Attack profile")
    _attack_form(doc)
    doc = session.document()
    playbook_spec = tables.playbook_spec()
    action_columns = tables.action_columns()
    editors = [
        widgets.EditorTable(
            "initial_access",
            "Entry points",
            tables.INITIAL_ACCESS_SPEC.columns,
            lambda d: tables.rows_from_items(
                (d.get("attack") or {}).get("initial_access") or [], tables.INITIAL_ACCESS_SPEC
            ),
            rows_at="/attack/initial_access/*",
        ),
        widgets.EditorTable(
            "playbooks",
            "Defender playbooks",
            playbook_spec.columns,
            lambda d: tables.rows_from_items(d.get("playbooks") or [], playbook_spec),
            rows_at="/playbooks/*",
        ),
        widgets.EditorTable(
            "actions",
            "Playbook actions",
            action_columns,
            lambda d: tables.nested_rows(d.get("playbooks") or [], "actions", action_columns),
            rows_at="/playbooks/*/actions/*",
        ),
    ]
    choices = widgets.choices_of("systems", "playbooks")
    doc = widgets.apply_table_edits("simulation", doc, editors, choices, _rebuild)
    widgets.problem_panel(session.problems(), prefixes=("/attack", "/playbooks"), title="Problems here")
    return doc


def _playbook_choice(doc: Mapping[str, Any], label: str, key: str) -> str | None:
    return st.selectbox(
        label,
        [None, *tables.id_choices(doc, "playbooks")],
        key=key,
        format_func=lambda value: value or "default playbook (or none)",
    )


def _engine_choice(key: str) -> str:
    return st.selectbox(
        "Engine",
        list(ENGINES),
        key=key,
        help="auto: the compiled kernel when numba is installed (its first use compiles it), else the "
        "reference engine. Both give the same results.",
    )


def _stale_note(stored: Mapping[str, Any]) -> None:
    if stored["version"] != st.session_state.get("doc_version"):
        st.caption(":orange[These results come from an earlier version of the scenario: run again.]")


def _use_as_timeline(doc: dict[str, Any], timeline: dict[str, Any], key: str) -> None:
    if st.button("Use as the scenario's timeline", key=key, icon=":material/check_circle:"):
        session.update({**doc, "timeline": timeline})
        st.success(f"The scenario's timeline is now run {timeline.get('run', '')} (seed {timeline['seed']}).")


def _single_run(doc: dict[str, Any], runnable: bool) -> None:
    left, middle, right = st.columns(3)
    with left:
        seed = st.number_input("Seed", min_value=0, value=0, step=1, key="run_seed")
    with middle:
        playbook = _playbook_choice(doc, "Playbook", "run_playbook")
    with right:
        nominal = st.checkbox("Nominal (median delays)", key="run_nominal")
    if st.button("Run once", key="run_once", disabled=not runnable, icon=":material/play_arrow:"):
        with widgets.user_errors("The simulation"):
            timeline = run_timeline(doc, seed=int(seed), playbook=playbook, nominal=nominal)
            st.session_state["sim_run"] = {"version": st.session_state["doc_version"], "timeline": timeline}
    stored = st.session_state.get("sim_run")
    if stored is not None:
        _stale_note(stored)
        timeline, source = stored["timeline"], "this run"
    elif doc.get("timeline"):
        timeline, source = doc["timeline"], "the scenario's timeline"
    else:
        st.caption("Run the simulation to see its timeline.")
        return
    rows = timeline_chart_rows(doc, timeline)
    st.markdown(
        f"**{labels.text('sim.timeline_of', source=source)}**: {len(rows)} {labels.text('sim.events')}"
    )
    window = widgets.session_window(doc, "run_window")
    # One lane per system while they fit; a large run gets one lane per event family instead.
    lanes = "system" if len({row["system"] for row in rows}) <= TIMELINE_LANES else "family"
    widgets.event_chart(
        rows,
        x="exercise_minute",
        y=lanes,
        color="family",
        tooltip=("time", "kind", "system", "detail"),
        clock=doc,
        window=window,
    )
    with st.expander(labels.text("sim.events_table")):
        st.dataframe(
            [{key: value for key, value in row.items() if key != "exercise_minute"} for row in rows],
            hide_index=True,
            width="stretch",
        )
    _state_graph(doc, timeline)
    if stored is not None:
        _use_as_timeline(doc, stored["timeline"], "use_single_run")


@st.fragment
def _state_graph(doc: dict[str, Any], timeline: dict[str, Any]) -> None:
    """The time slider and the graph coloured by state at that time.

    A fragment: moving the slider reruns only this part, and since node positions are fixed
    (studio.graph.layout) only the colours change.
    """
    minutes = sorted({0.0, *(float(event["minute"]) for event in timeline.get("events") or [])})
    style = clock_style(doc)
    minute = st.select_slider(
        labels.text("sim.state_at"),
        options=minutes,
        value=minutes[-1],
        format_func=lambda minute: event_time_label(doc, minute, style),
        # The steps are in the key: a time kept from another run may not be one of these events.
        key=f"state_minute@{len(minutes)}:{minutes[-1]}",
    )
    widgets.graph_view(doc, key="simulation_graph", states=state_at(doc, timeline, minute))


def _monte_carlo(doc: dict[str, Any], runnable: bool) -> None:
    runs_column, seed_column, playbook_column, engine_column = st.columns(4)
    with runs_column:
        runs = st.number_input("Runs", min_value=1, max_value=20000, value=200, step=50, key="mc_runs")
    with seed_column:
        seed = st.number_input("First seed", min_value=0, value=0, step=1, key="mc_seed")
    with playbook_column:
        playbook = _playbook_choice(doc, "Playbook", "mc_playbook")
    with engine_column:
        engine = _engine_choice("mc_engine")
    if st.button("Run Monte Carlo", key="mc_run", disabled=not runnable, icon=":material/casino:"):
        progress = widgets.ProgressBar("Monte Carlo runs")
        with widgets.user_errors("The Monte Carlo batch"):
            result = monte_carlo(
                doc, runs=int(runs), seed=int(seed), playbook=playbook, progress=progress, engine=engine
            )
            st.session_state["sim_mc"] = {"version": st.session_state["doc_version"], "result": result}
        progress.finish()
    stored = st.session_state.get("sim_mc")
    if stored is None:
        st.caption("Run a batch to see the distributions of detection, encryption and outages.")
        return
    _stale_note(stored)
    result = stored["result"]
    summary = result.to_json()
    st.markdown(f"**{result.runs} runs** (engine {result.engine}); median run: {result.median_run}")
    st.dataframe(_metric_table(summary["metrics"], result.values), hide_index=True, width="stretch")
    metric = st.selectbox(labels.text("mc.distribution_of"), list(result.values), key="mc_metric")
    widgets.distribution_chart(tables.finite_values(result.values[metric]), metric)
    st.markdown("**Systems most often hit**")
    st.dataframe(
        tables.hit_rows(summary["systems"], tables.system_names(doc)), hide_index=True, width="stretch"
    )
    choice = st.radio(
        "Run to keep as the timeline", ["median", "run number"], horizontal=True, key="mc_choice"
    )
    run: int | str = "median"
    if choice == "run number":
        run = int(st.number_input("Run", min_value=0, max_value=result.runs - 1, value=0, key="mc_run_index"))
    if st.button("Use as the scenario's timeline", key="use_mc_run", icon=":material/check_circle:"):
        with widgets.user_errors("Keeping the run"):
            timeline = result.timeline(doc, run)
            session.update({**doc, "timeline": timeline})
            st.success(f"The scenario's timeline is now run {run} (seed {timeline['seed']}).")


def _metric_table(
    metrics: Mapping[str, Mapping[str, Any]], values: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Monte Carlo statistics in hours and minutes: how often it happened, p10, p50, p90."""
    from studio.scenario.exercise_clock import distribution_summary

    rows = []
    for name, stats in metrics.items():
        summary = distribution_summary(values.get(name, []))
        rows.append(
            {
                labels.text("mc.metric"): name,
                labels.text("mc.happened"): round(100 * float(stats.get("p_happened", 0.0)), 1),
                "p10": summary["p10 label"],
                "p50": summary["p50 label"],
                "p90": summary["p90 label"],
                labels.text("mc.mean"): duration_label(stats.get("mean")),
                labels.text("mc.never_ended"): stats.get("never_ended", 0),
            }
        )
    return rows


def _comparison(doc: dict[str, Any], runnable: bool) -> None:
    first_column, second_column, runs_column, engine_column = st.columns(4)
    with first_column:
        first = _playbook_choice(doc, "Playbook a", "cmp_a")
    with second_column:
        # b starts on another playbook than a: comparing a playbook with itself teaches nothing.
        others = [value for value in [None, *tables.id_choices(doc, "playbooks")] if value != first]
        if st.session_state.get("cmp_b") == first and others:
            st.session_state["cmp_b"] = others[0]
        second = _playbook_choice(doc, "Playbook b", "cmp_b")
    with runs_column:
        runs = st.number_input("Runs each", min_value=1, max_value=10000, value=200, step=50, key="cmp_runs")
    with engine_column:
        engine = _engine_choice("cmp_engine")
    if st.button("Compare", key="cmp_run", disabled=not runnable, icon=":material/compare_arrows:"):
        progress = widgets.ProgressBar("Comparison runs")
        with widgets.user_errors("The comparison"):
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
        st.caption(
            "Both playbooks meet the same attacker in every run (same seeds), so differences are fair."
        )
        return
    _stale_note(stored)
    comparison = stored["comparison"]
    st.markdown(f"a = **{comparison.a.playbook or 'none'}**, b = **{comparison.b.playbook or 'none'}**")
    st.dataframe(tables.difference_rows(comparison.differences), hide_index=True, width="stretch")


def render() -> None:
    st.title("Simulation")
    doc = widgets.require_document()
    if doc is None:
        return
    attack_tab, run_tab, batch_tab, compare_tab = st.tabs(
        ["Attack and playbooks", "Single run", "Monte Carlo", "Compare playbooks"]
    )
    with attack_tab:
        doc = _attack_and_playbooks(doc)
    errors = errors_only(session.problems())
    runnable = not errors
    for tab, draw in ((run_tab, _single_run), (batch_tab, _monte_carlo), (compare_tab, _comparison)):
        with tab:
            if errors:
                st.error(f"The scenario has {len(errors)} validation error(s): fix them before simulating.")
            draw(doc, runnable)


render()
