"""Systems page: systems and links as tables, systems added from the catalogue, the graph."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from studio.graph.catalogue import catalogue_entries, instantiate
from studio.scenario import tables
from studio.ui import labels, session, widgets


def _add_from_catalogue(doc: dict[str, Any]) -> None:
    language = str((doc.get("exercise") or {}).get("language") or "fr")
    entries = {entry["id"]: entry for entry in catalogue_entries()}
    with st.expander(labels.text("sys.catalogue")):
        chosen = st.multiselect(
            labels.text("sys.catalogue_entries"),
            list(entries),
            key="catalogue_entries",
            format_func=lambda entry_id: tables.catalogue_label(entries[entry_id], language),
            placeholder=labels.text("common.choose"),
        )
        left, middle, right = st.columns(3)
        organisations = tables.id_choices(doc, "organisations")
        with left:
            organisation = st.selectbox(
                labels.text("system.organisation"), organisations, key="catalogue_organisation"
            )
        # Only the chosen organisation's sites: a system cannot sit on another organisation's site.
        sites = tables.sites_of(doc, organisation)
        if st.session_state.get("catalogue_site") not in (None, *sites):
            st.session_state["catalogue_site"] = None
        with middle:
            site = st.selectbox(
                labels.text("system.site"),
                [None, *sites],
                key="catalogue_site",
                format_func=lambda value: value or labels.text("common.none"),
            )
        with right:
            prefix = st.text_input(
                labels.text("sys.prefix"), key="catalogue_prefix", help=labels.text("sys.prefix_help")
            )
        if st.button(
            labels.text("sys.catalogue_add"), key="catalogue_add", disabled=not chosen, icon=":material/add:"
        ):
            with widgets.user_errors(labels.text("sys.catalogue_add")):
                if organisation is None:
                    raise ValueError(labels.text("sys.organisation_first"))
                new_systems = instantiate(
                    chosen, organisation=organisation, site=site, prefix=prefix.strip(), language=language
                )
                updated, skipped = tables.add_systems(doc, new_systems)
                session.update(updated)
                st.session_state["_catalogue_skipped"] = skipped
                st.rerun()
        skipped = st.session_state.pop("_catalogue_skipped", None)
        if skipped:
            st.warning(labels.text("sys.already", ids=", ".join(skipped)))


def _rebuild(
    doc: dict[str, Any], base: Mapping[str, Any], edited: list[list[dict[str, Any]]]
) -> dict[str, Any]:
    system_rows, link_rows = edited
    # The rows the links editor was shown serve only to spot its untouched rows among edited ones.
    shown = None if getattr(link_rows, "unchanged", False) else widgets.shown_rows("systems", "links")
    systems, dropped = tables.systems_from_tables(base.get("systems") or [], system_rows, link_rows, shown)
    # Kept in the session: deleting a system restarts the editors (new ids), which reruns the page.
    st.session_state["_dropped_links"] = dropped
    return {**doc, "systems": systems}


def render() -> None:
    st.title(labels.text("page.systems"))
    doc = widgets.require_document()
    if doc is None:
        return
    _add_from_catalogue(doc)
    doc = session.document()
    # The graph comes first on the page but is drawn last, once this run's table edits are applied.
    graph_area = st.container()
    st.subheader(labels.text("tables.title"))
    spec = tables.system_spec()
    editors = [
        widgets.EditorTable(
            "systems",
            labels.text("page.systems"),
            spec.columns,
            lambda d: tables.rows_from_items(d.get("systems") or [], spec),
            rows_at="/systems/*",
        ),
        widgets.EditorTable(
            "links",
            labels.text("sys.links"),
            tables.LINK_COLUMNS,
            lambda d: tables.link_rows(d.get("systems") or []),
            rows_at="/systems/*/links/*",
        ),
    ]
    choices = widgets.choices_of("organisations", "sites", "systems")
    doc = widgets.apply_table_edits("systems", doc, editors, choices, _rebuild)
    for note in st.session_state.pop("_dropped_links", None) or []:
        st.warning(note)
    widgets.problem_panel(
        session.problems(), prefixes=("/systems", "/attack"), title=labels.text("problems.here")
    )
    with graph_area:
        st.subheader(labels.text("graph.title"))
        selected = widgets.graph_view(doc, key="systems_graph")
        if selected is not None:
            _system_form(doc, selected)


def _system_form(doc: dict[str, Any], system_id: str) -> None:
    """Edit the system selected in the graph (the change is kept like any other edit)."""
    system = next(item for item in doc.get("systems") or [] if item.get("id") == system_id)
    generation = session.generation()
    st.markdown(f"**{labels.text('graph.selected', name=system.get('name') or system_id)}** (`{system_id}`)")
    kinds = tables.schema_enum("system", "kind")
    organisations = tables.id_choices(doc, "organisations")
    with st.form(key=f"system_form.{system_id}@{generation}"):
        name_column, kind_column, criticality_column = st.columns([3, 2, 1])
        values: dict[str, Any] = {}
        with name_column:
            values["name"] = st.text_input(labels.text("system.name"), value=str(system.get("name") or ""))
        with kind_column:
            current = system.get("kind")
            values["kind"] = st.selectbox(
                labels.text("system.kind"),
                kinds,
                index=kinds.index(current) if current in kinds else None,
                format_func=lambda kind: labels.option("kind", kind),
                placeholder=labels.text("common.choose"),
            )
        with criticality_column:
            values["criticality"] = st.number_input(
                labels.text("system.criticality"), 1, 5, int(system.get("criticality") or 3)
            )
        organisation_column, site_column, zone_column = st.columns(3)
        with organisation_column:
            current = system.get("organisation")
            values["organisation"] = st.selectbox(
                labels.text("system.organisation"),
                [None, *organisations],
                index=[None, *organisations].index(current) if current in organisations else 0,
                format_func=lambda value: value or "-",
            )
        sites = tables.sites_of(doc, system.get("organisation"))
        with site_column:
            current = system.get("site")
            options = [None, *dict.fromkeys([*sites, *([current] if current else [])])]
            values["site"] = st.selectbox(
                labels.text("system.site"),
                options,
                index=options.index(current) if current in options else 0,
                format_func=lambda value: value or "-",
            )
        with zone_column:
            values["zone"] = st.text_input(labels.text("system.zone"), value=str(system.get("zone") or ""))
        values["description"] = st.text_area(
            labels.text("system.description"), value=str(system.get("description") or ""), height=80
        )
        if st.form_submit_button(labels.text("system.apply"), type="primary", icon=":material/check:"):
            with widgets.user_errors(labels.text("system.apply")):
                if session.update(tables.edit_system(doc, system_id, values)):
                    st.rerun()


render()
