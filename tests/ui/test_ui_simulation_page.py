"""AppTest of the Simulation page: attack profile, playbooks, runs, Monte Carlo, comparison."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest
from studio_app import document, go, graph_nodes, open_library, seed_edits, shown_text


def _simulation_page(app: AppTest) -> AppTest:
    return go(open_library(app), "simulation")


def _charts(app: AppTest) -> list:
    return app.get("vega_lite_chart")


def test_single_run_shows_timeline_state_graph_and_can_become_the_timeline(app: AppTest) -> None:
    _simulation_page(app)
    app.button(key="run_once").click().run()
    assert not app.exception and not app.error
    assert "Timeline of this run" in shown_text(app)
    assert _charts(app), "the timeline chart is drawn"
    slider = next(slider for slider in app.select_slider if slider.label == "Graph state at")
    colours_at_end = graph_nodes(app)
    slider.set_value(0.0).run()
    colours_at_start = graph_nodes(app)
    # Only the colours (the state category) change with the time: every node stays where it was.
    assert {key: (n["x"], n["y"]) for key, n in colours_at_end.items()} == {
        key: (n["x"], n["y"]) for key, n in colours_at_start.items()
    }
    states_at_start = [n["value"] for n in colours_at_start.values()]
    states_at_end = [n["value"] for n in colours_at_end.values()]
    assert states_at_start != states_at_end and "normal" in states_at_start
    # The timeline table is in exercise time (one-day exercise: T+hh:mm).
    events = next(frame.value for frame in app.dataframe if "family" in frame.value.columns)
    assert all(str(label).startswith(("T+", "before STARTEX")) for label in events["time"])
    app.button(key="use_single_run").click().run()
    timeline = document(app)["timeline"]
    assert timeline["seed"] == 0 and timeline["events"]
    assert app.session_state["doc_dirty"] is True


def test_monte_carlo_shows_distributions_and_keeps_the_median_run(app: AppTest) -> None:
    _simulation_page(app)
    app.number_input(key="mc_runs").set_value(20)
    app.selectbox(key="mc_engine").select("reference")  # no numba compilation inside a unit test
    app.button(key="mc_run").click().run()
    assert not app.exception and not app.error
    assert "20 runs" in shown_text(app)
    metrics = next(frame.value for frame in app.dataframe if "happened %" in frame.value.columns)
    assert "encryption" in set(metrics["metric"])
    # Percentiles in hours and minutes, not raw minutes.
    encryption = metrics[metrics["metric"] == "encryption"].iloc[0]
    assert {"p10", "p50", "p90"} <= set(metrics.columns)
    assert " h " in encryption["p50"] or encryption["p50"].endswith(" min")
    app.selectbox(key="mc_metric.en").select("encryption").run()
    assert "**p10**" in shown_text(app) and "**p90**" in shown_text(app)
    app.button(key="use_mc_run").click().run()
    assert document(app)["timeline"]["run"] == "median"


def test_playbooks_edited_in_tables_can_be_compared(app: AppTest) -> None:
    _simulation_page(app)
    seed_edits(
        app,
        "playbooks",
        added_rows=[{"id": "tot", "name": "Isoler tôt"}, {"id": "tard", "name": "Isoler tard"}],
    )
    seed_edits(
        app,
        "actions",
        added_rows=[
            {"playbook": "tot", "id": "iso1", "action": "isolate_zone", "trigger": "PT1H", "zones": "srv"},
            {"playbook": "tard", "id": "iso2", "action": "isolate_zone", "trigger": "PT4H", "zones": "srv"},
        ],
    )
    app.run()
    playbooks = document(app)["playbooks"]
    assert [playbook["id"] for playbook in playbooks] == ["tot", "tard"]
    assert playbooks[0]["actions"][0]["trigger"] == {"at": "PT1H"}
    assert "**Valid**" in shown_text(app)
    app.selectbox(key="cmp_a").select("tot")
    app.selectbox(key="cmp_b").select("tard")
    app.number_input(key="cmp_runs").set_value(10)
    app.selectbox(key="cmp_engine").select("reference")
    app.button(key="cmp_run").click().run()
    assert not app.exception and not app.error
    assert "a = **tot**, b = **tard**" in shown_text(app)


def test_bad_trigger_in_the_attack_form_is_an_error_and_nothing_changes(app: AppTest, mini) -> None:
    _simulation_page(app)
    generation = app.session_state["doc_generation"]
    app.text_input(key=f"attack.detonation_trigger@{generation}").set_value("bientôt")
    app.button[0].click().run()
    assert app.error and "detonation_trigger" in app.error[0].value
    assert document(app) == mini


def test_invalid_scenario_cannot_be_run(app: AppTest) -> None:
    _simulation_page(app)
    seed_edits(app, "initial_access", edited_rows={0: {"node": "nowhere"}})
    app.run()
    assert app.error and "validation error" in app.error[0].value
    assert app.button(key="run_once").disabled


def test_comparison_does_not_start_on_a_playbook_against_itself(app: AppTest) -> None:
    _simulation_page(app)
    seed_edits(app, "playbooks", added_rows=[{"id": "tot", "name": "Isoler tôt"}])
    app.run()
    assert app.selectbox(key="cmp_a").value != app.selectbox(key="cmp_b").value
