"""Systems page: systems and links as tables, systems added from the catalogue, the graph."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from studio.graph.catalogue import catalogue_entries, instantiate
from studio.scenario import tables
from studio.ui import session, widgets


def _add_from_catalogue(doc: dict[str, Any]) -> None:
    language = str((doc.get("exercise") or {}).get("language") or "fr")
    entries = {entry["id"]: entry for entry in catalogue_entries()}
    with st.expander("Add systems from the catalogue"):
        chosen = st.multiselect(
            "Catalogue entries",
            list(entries),
            key="catalogue_entries",
            format_func=lambda entry_id: tables.catalogue_label(entries[entry_id], language),
        )
        left, middle, right = st.columns(3)
        organisations = tables.id_choices(doc, "organisations")
        with left:
            organisation = st.selectbox("Organisation", organisations, key="catalogue_organisation")
        with middle:
            site = st.selectbox(
                "Site",
                [None, *tables.id_choices(doc, "sites")],
                key="catalogue_site",
                format_func=lambda value: value or "(none)",
            )
        with right:
            prefix = st.text_input("Id prefix", key="catalogue_prefix", help="e.g. chn gives chn-dpi")
        if st.button("Add to the scenario", key="catalogue_add", disabled=not chosen, icon=":material/add:"):
            with widgets.user_errors("Adding catalogue systems"):
                if organisation is None:
                    raise ValueError("add an organisation to the scenario first")
                new_systems = instantiate(
                    chosen, organisation=organisation, site=site, prefix=prefix.strip(), language=language
                )
                updated, skipped = tables.add_systems(doc, new_systems)
                session.update(updated)
                st.session_state["_catalogue_skipped"] = skipped
                st.rerun()
        skipped = st.session_state.pop("_catalogue_skipped", None)
        if skipped:
            st.warning("Already in the scenario, not added again: " + ", ".join(skipped))


def _rebuild(
    doc: dict[str, Any], base: Mapping[str, Any], edited: list[list[dict[str, Any]]]
) -> dict[str, Any]:
    system_rows, link_rows = edited
    systems, dropped = tables.systems_from_tables(base.get("systems") or [], system_rows, link_rows)
    # Kept in the session: deleting a system restarts the editors (new ids), which reruns the page.
    st.session_state["_dropped_links"] = dropped
    return {**doc, "systems": systems}


def render() -> None:
    st.title("Systems")
    doc = widgets.require_document()
    if doc is None:
        return
    _add_from_catalogue(doc)
    doc = session.document()
    spec = tables.system_spec()
    editors = [
        widgets.EditorTable(
            "systems", "Systems", spec.columns, lambda d: tables.rows_from_items(d.get("systems") or [], spec)
        ),
        widgets.EditorTable(
            "links",
            "Links (reach: the attacker moves on; depends: needs the target to work)",
            tables.LINK_COLUMNS,
            lambda d: tables.link_rows(d.get("systems") or []),
        ),
    ]
    choices = widgets.choices_of("organisations", "sites", "systems")
    doc = widgets.apply_table_edits("systems", doc, editors, choices, _rebuild)
    for note in st.session_state.pop("_dropped_links", None) or []:
        st.warning(note)
    widgets.problem_panel(session.problems(), prefixes=("/systems", "/attack"), title="Problems here")
    st.subheader("Graph")
    widgets.graph_view(doc, key="systems_graph")


render()
