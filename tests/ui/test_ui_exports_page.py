"""AppTest of the Exports page: chronogramme preview and download buttons."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest
from studio_app import go, open_library, seed_edits


def _exports_page(app: AppTest) -> AppTest:
    return go(open_library(app), "exports")


def test_chronogramme_preview_lists_the_injects(app: AppTest, mini) -> None:
    _exports_page(app)
    preview = app.dataframe[0].value
    assert len(preview) == len(mini["injects"])
    assert "Appel de l'ARS" in preview.to_string()


def test_building_gives_one_download_button_per_file(app: AppTest) -> None:
    _exports_page(app)
    app.multiselect(key="export_formats").set_value(["csv", "openbas"])
    app.button(key="export_build").click().run()
    assert not app.exception and not app.error, [element.value for element in app.error]
    labels = [button.label for button in app.get("download_button")]
    assert any(label.startswith("mini-ch") and ".csv" in label for label in labels)
    assert any(".zip" in label for label in labels)


def test_invalid_scenario_is_not_exported(app: AppTest) -> None:
    go(open_library(app), "exercise")
    seed_edits(app, "cells", edited_rows={0: {"type": None}})
    app.run()
    go(app, "exports")
    assert app.error and "validation error" in app.error[0].value
    assert not app.get("download_button")
