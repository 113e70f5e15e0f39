"""Exports page: the chronogramme preview, a download button per pack and format, the briefing summary."""

from __future__ import annotations

from typing import Any

import streamlit as st

from studio.exports import (
    CHRONO_COLUMNS,
    FORMATS,
    chronogramme_headers,
    chronogramme_rows,
)
from studio.exports.common import labels_for
from studio.injects.review import diff_fields
from studio.scenario import tables
from studio.scenario.validate import errors_only
from studio.ui import labels, session, teamgate, widgets
from studio.ui.bundle import zip_bytes

_MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "zip": "application/zip",
    "json": "application/json",
}


def _preview(doc: dict[str, Any]) -> None:
    st.subheader(labels.text("exp.chronogramme"))
    players_view = st.toggle(labels.text("exp.players_view"), key="chrono_players")
    rows = chronogramme_rows(doc, include_control=not players_view)
    if not rows:
        st.caption(labels.text("exp.no_injects"))
        return
    headers = dict(zip(CHRONO_COLUMNS, chronogramme_headers(labels_for(labels.language())), strict=True))
    st.dataframe(
        [{headers.get(key, key): value for key, value in row.items() if key != "id"} for row in rows],
        hide_index=True,
        width="stretch",
    )
    st.caption(labels.text("exp.count", count=len(rows)))


def _downloads(doc: dict[str, Any]) -> None:
    st.subheader(labels.text("exp.files"))
    formats = st.multiselect(
        labels.text("exp.formats"),
        list(FORMATS),
        default=list(FORMATS),
        format_func=lambda fmt: labels.option("format", fmt),
        key="export_formats",
        placeholder=labels.text("common.choose"),
    )
    if st.button(
        labels.text("exp.build"),
        key="export_build",
        type="primary",
        disabled=not formats,
        icon=":material/build:",
    ):
        with st.spinner(labels.text("exp.building")), widgets.user_errors(labels.text("exp.build")):
            files = teamgate.export(doc, formats)  # issue 14: checked and audited in team mode
            st.session_state["exports"] = {"version": st.session_state["doc_version"], "files": files}
    built = st.session_state.get("exports")
    if built is None:
        st.caption(labels.text("exp.build_first"))
        return
    if built["version"] != st.session_state.get("doc_version"):
        st.caption(f":orange[{labels.text('exp.stale')}]")
    files = built["files"]
    stem = st.session_state.get("doc_name") or doc.get("id") or "scenario"
    st.download_button(
        labels.text("exports.download_all", count=len(files)),
        data=zip_bytes((export.filename, export.data) for export in files),
        file_name=f"{stem}-exports.zip",
        mime=_MIME["zip"],
        key="download_all",
        type="primary",
        icon=":material/folder_zip:",
    )
    with st.expander(labels.text("exports.one_by_one")):
        for export in files:
            extension = export.filename.rsplit(".", 1)[-1]
            st.download_button(
                f"{export.filename} ({len(export.data) / 1024:.0f} KiB)",
                data=export.data,
                file_name=export.filename,
                mime=_MIME.get(extension, "application/octet-stream"),
                key=f"download:{export.filename}",
                icon=":material/download:",
            )


def _ask_summary(doc: dict[str, Any]) -> None:
    from studio.injects.llm import Assistant

    proposal = Assistant.from_settings(doc).summarise(doc, audience="players")
    # The context it would replace is kept with it: accepting after the context changed is refused.
    st.session_state["_summary"] = {
        "proposal": proposal,
        "scenario": doc.get("id"),
        "context": tables.exercise_values(doc)["context"],
    }


def _briefing(doc: dict[str, Any]) -> None:
    st.subheader(labels.text("exp.briefing"))
    st.caption(labels.text("exp.briefing_help"))
    if not widgets.llm_status():
        return
    if st.button(labels.text("exp.summarise"), key="summary_ask", icon=":material/smart_toy:"):
        with st.spinner(labels.text("llm.waiting")), widgets.user_errors(labels.text("llm.request")):
            _ask_summary(doc)
    stored = st.session_state.get("_summary")
    if stored is None or stored["scenario"] != doc.get("id"):  # asked for another scenario
        return
    proposal = stored["proposal"]
    if not proposal.ok:
        st.error(labels.text("llm.unusable", error=proposal.error))
        return
    summary = proposal.text[0]
    changes = diff_fields({"context": stored["context"]}, {"context": summary})
    if not changes:
        st.caption(labels.text("exp.same_summary"))
    else:
        st.markdown(f"**{labels.text('exp.proposed_change')}**")
        st.dataframe(
            widgets.localised_rows(
                [
                    {"field": change.field, "now": change.before, "proposed": change.after}
                    for change in changes
                ]
            ),
            hide_index=True,
            width="stretch",
        )
        st.text_area(labels.text("exp.proposed_context"), value=summary, disabled=True, height=200)
    accept, discard = st.columns(2)
    with accept:
        if st.button(
            labels.text("llm.accept"),
            key="summary_accept",
            type="primary",
            disabled=not changes,
            icon=":material/check:",
        ):
            if tables.exercise_values(doc)["context"] != stored["context"]:
                st.error(labels.text("exp.context_changed"))
            else:
                session.update(tables.apply_exercise_values(doc, {"context": summary}))
                st.session_state.pop("_summary", None)
                st.rerun()
    with discard:
        if st.button(labels.text("drafts.discard"), key="summary_discard", icon=":material/close:"):
            st.session_state.pop("_summary", None)
            st.rerun()


def render() -> None:
    st.title(labels.text("page.exports"))
    doc = widgets.require_document()
    if doc is None:
        return
    errors = errors_only(session.problems())
    if errors:
        st.error(labels.text("exp.errors_first", count=len(errors)))
        widgets.problem_panel(session.problems(), title=labels.text("scn.validation"))
        return
    with widgets.user_errors(labels.text("exp.chronogramme")):
        _preview(doc)
    _downloads(doc)
    _briefing(doc)


render()
