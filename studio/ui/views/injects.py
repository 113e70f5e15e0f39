"""Injects page: generate or import the MSEL, filter, edit and review injects, LLM proposals, lint, chart."""

from __future__ import annotations

from typing import Any

import streamlit as st

from studio.config import Settings
from studio.durations import format_clock, parse_minutes
from studio.exports.msel import MselImport, import_msel, merge_injects
from studio.exports.msel.columns import column_kinds
from studio.injects.lint import lint_msel
from studio.injects.review import (
    TRANSITIONS,
    InvalidEdit,
    Proposal,
    apply,
    chart_rows,
    edit_inject,
    filter_injects,
)
from studio.safety import markdown_literal
from studio.scenario import tables
from studio.scenario.validate import errors_only
from studio.ui import session, teamgate, widgets

LLM_ACTIONS = {
    "rewrite": "Rewrite the text (give an instruction)",
    "contingency": "Propose contingency injects",
    "discussion": "Propose discussion questions",
}


class _GenerationProgress(widgets.ProgressBar):
    """The generator reports (done, total, stage): show the stage as the label."""

    def __call__(self, done: int, total: int, stage: str = "") -> None:  # type: ignore[override]
        self.label = stage or self.label
        super().__call__(done, total)


def _generate(doc: dict[str, Any], runnable: bool) -> None:
    with st.expander("Generate the MSEL", expanded=not doc.get("injects")):
        st.caption(
            "Injects are written from the scenario's timeline (or a fresh simulation run). Edited and "
            "reviewed injects are kept as they are."
        )
        left, right = st.columns(2)
        with left:
            seed = st.number_input(
                "Seed", min_value=0, value=int((doc.get("generation") or {}).get("seed", 0)), key="gen_seed"
            )
        with right:
            providers = ["offline", "openai"]
            configured = Settings().provider
            provider = st.selectbox(
                "Text provider",
                providers,
                index=providers.index(configured) if configured in providers else 0,
                key="gen_provider",
                help="offline: templates, no network; openai: OpenAI-compatible endpoint (OPENAI_BASE_URL)",
            )
        if st.button(
            "Generate", key="gen_run", type="primary", disabled=not runnable, icon=":material/bolt:"
        ):
            progress = _GenerationProgress("Generating injects")
            with widgets.user_errors("The generation"):
                result = teamgate.generate(
                    doc, seed=int(seed), provider=provider, progress=progress
                )  # issue 14
                session.update(result.scenario)
                st.session_state["_generation_report"] = {
                    "generated": len(result.generated),
                    "kept": len(result.kept),
                    "skipped": result.skipped,
                    "notes": result.notes,
                }
            progress.finish()
        report = st.session_state.get("_generation_report")
        if report:
            st.success(f"{report['generated']} injects generated, {report['kept']} kept as they were.")
            for note in report["notes"]:
                st.warning(note)
            if report["skipped"]:
                st.caption(f"{len(report['skipped'])} beats not produced: " + "; ".join(report["skipped"]))


def _read_msel(doc: dict[str, Any], upload: Any, mapping: dict[str, str]) -> MselImport:
    """The import of the uploaded sheet, kept until the file, the mapping or the document changes.

    Rows with errors are left out (``accept_partial``); the page imports nothing while there are
    issues unless the designer ticks "Import valid rows only". Raises MselReadError.
    """
    key = (upload.file_id, tuple(sorted(mapping.items())), st.session_state.get("doc_version"))
    cached = st.session_state.get("_msel_read")
    if cached is None or cached[0] != key:
        result = import_msel(upload.getvalue(), upload.name, doc, mapping=mapping, accept_partial=True)
        cached = (key, result)
        st.session_state["_msel_read"] = cached
    return cached[1]


def _import(doc: dict[str, Any], runnable: bool) -> None:
    with st.expander("Import an MSEL spreadsheet", expanded=False):
        st.caption(
            "First sheet of an .xlsx, or a .csv. Times are relative to STARTEX (T+01:30, J+1 H+2, D+1...); "
            "senders and recipients by id or name. An inject with the same id is replaced, the others are "
            "added. Nothing is imported while a row has an error, unless you import the valid rows only."
        )
        # A new key after each import empties the uploader, so the same file is not imported twice.
        round_ = int(st.session_state.get("_msel_round", 0))
        upload = st.file_uploader(
            "MSEL spreadsheet", type=["xlsx", "csv"], key=f"msel_upload@{round_}", disabled=not runnable
        )
        report = st.session_state.get("_msel_import_report")
        if report and report[0] == doc.get("id") and upload is None:
            st.success(report[1])
        if upload is None or not runnable:
            return
        with widgets.user_errors("Reading the spreadsheet"):
            first = _read_msel(doc, upload, {})
            mapping: dict[str, str] = {}
            if first.ignored_columns:
                st.markdown("**Columns not recognised**: choose the inject field each one holds, if any.")
                fields = list(column_kinds())
                places = st.columns(min(len(first.ignored_columns), 4))
                for index, header in enumerate(first.ignored_columns):
                    with places[index % len(places)]:
                        chosen = st.selectbox(
                            header,
                            fields,
                            index=None,
                            key=f"msel_map@{round_}.{header}",
                            placeholder="ignore",
                        )
                    if chosen:
                        mapping[header] = chosen
            result = _read_msel(doc, upload, mapping) if mapping else first
            _import_result(doc, upload.name, result, round_)


def _import_result(doc: dict[str, Any], filename: str, result: MselImport, round_: int) -> None:
    st.caption(
        f"{result.rows_read} rows read, {result.rows_rejected} with errors, "
        f"{len(result.injects)} ready to import"
    )
    partial = False
    if result.issues:
        st.error(
            f"{len(result.issues)} problem(s) in {filename}: nothing is imported unless you import the "
            "valid rows only."
        )
        st.dataframe(
            [
                {
                    "row": issue.row,
                    "column": issue.column_letter,
                    "header": issue.column,
                    "message": issue.message,
                }
                for issue in result.issues
            ],
            hide_index=True,
            width="stretch",
        )
        if result.injects:
            partial = st.checkbox(
                f"Import valid rows only ({len(result.injects)}; {result.rows_rejected} rejected)",
                key=f"msel_partial@{round_}",
            )
    ready = bool(result.injects) and (not result.issues or partial)
    if st.button("Import", key="msel_import", type="primary", disabled=not ready, icon=":material/upload:"):
        existing = {inject["id"] for inject in doc.get("injects") or []}
        replaced = sum(inject["id"] in existing for inject in result.injects)
        session.update(merge_injects(doc, result.injects))
        st.session_state["_msel_import_report"] = (
            doc.get("id"),
            f"{len(result.injects)} injects imported from {filename} "
            f"({len(result.injects) - replaced} new, {replaced} replaced)"
            + (f"; {result.rows_rejected} rows rejected." if result.rows_rejected else "."),
        )
        st.session_state["_msel_round"] = round_ + 1
        st.session_state.pop("_msel_read", None)
        st.rerun()


def _filters(doc: dict[str, Any]) -> list[dict[str, Any]]:
    injects = doc.get("injects") or []
    minutes = [parse_minutes(inject["offset"]) for inject in injects] or [0.0]
    last = int(max(minutes)) + 1
    cells, categories, statuses, window, reserve = st.columns([2, 2, 2, 3, 1])
    with cells:
        chosen_cells = st.multiselect("Cells", tables.id_choices(doc, "cells"), key="flt_cells")
    with categories:
        chosen_categories = st.multiselect(
            "Categories", tables.schema_enum("inject_category"), key="flt_categories"
        )
    with statuses:
        chosen_statuses = st.multiselect("Statuses", tables.schema_enum("review_status"), key="flt_statuses")
    with window:
        start, end = st.slider(
            # The range is in the key: a kept selection could fall outside a new, shorter MSEL.
            "Exercise time (minutes from STARTEX)",
            0,
            last,
            (0, last),
            key=f"flt_time@{last}",
            format="%d min",
        )
    with reserve:
        contingency = st.selectbox("Contingency", ["any", "only", "without"], key="flt_contingency")
    return filter_injects(
        injects,
        cells=set(chosen_cells) or None,
        categories=set(chosen_categories) or None,
        statuses=set(chosen_statuses) or None,
        start=start,
        end=end,
        contingency=None if contingency == "any" else contingency == "only",
    )


def _edit_form(doc: dict[str, Any], inject: dict[str, Any]) -> None:
    values = tables.inject_form_values(inject)
    generation = session.generation()
    key = f"edit.{inject['id']}@{generation}"
    with st.form(key=key):
        edited: dict[str, Any] = {}
        options = {
            "from": tables.id_choices(doc, "personas"),
            "to": tables.id_choices(doc, "cells"),
        }
        for column in tables.INJECT_FORM_FIELDS:
            label = column.name.replace("_", " ").capitalize()
            field_key = f"{key}.{column.name}"
            current = values[column.name]
            if column.kind in ("choice", "ref"):
                choices = list(column.options) if column.kind == "choice" else options[column.name]
                edited[column.name] = st.selectbox(
                    label,
                    choices,
                    index=choices.index(current) if current in choices else None,
                    key=field_key,
                )
            elif column.kind == "list":
                edited[column.name] = st.multiselect(
                    label, list(dict.fromkeys([*options["to"], *current])), default=current, key=field_key
                )
            elif column.name in ("message", "synopsis", "animator_notes") or column.kind == "lines":
                edited[column.name] = st.text_area(
                    label, value=current, help=column.help or None, key=field_key
                )
            else:
                edited[column.name] = st.text_input(
                    label, value=current, help=column.help or None, key=field_key
                )
        if st.form_submit_button("Save the inject", type="primary"):
            changes = tables.inject_changes(inject, edited)
            try:
                updated = edit_inject(doc, inject["id"], changes) if changes else doc
            except InvalidEdit as exc:
                st.error(
                    "Not applied: "
                    + "; ".join(f"{problem.path}: {problem.message}" for problem in exc.problems)
                )
            except ValueError as exc:
                st.error(f"Not applied: {exc}")
            else:
                if session.update(updated):
                    st.rerun()


def _review(doc: dict[str, Any], inject: dict[str, Any]) -> None:
    current = inject.get("status", "draft")
    st.markdown(f"Status: **{current}**")
    reviewer, target, comment = st.columns([2, 2, 3])
    with reviewer:
        name = teamgate.reviewer_name() or st.text_input("Reviewer", key="reviewer")  # issue 14
    with target:
        # Forward steps first, "rejected" last: the default choice must never be the destructive one.
        steps = sorted(TRANSITIONS.get(current, ()), key=("reviewed", "approved", "draft", "rejected").index)
        status = st.selectbox("New status", steps, key=f"review_status.{current}")
    with comment:
        note = st.text_input("Comment", key="review_comment")
    if st.button("Change status", key="review_apply", disabled=status is None):
        with widgets.user_errors("The review"):
            session.update(teamgate.set_review_status(doc, inject["id"], status, name, note))  # issue 14
            st.rerun()
    for entry in reversed(inject.get("review_log") or []):
        st.caption(
            f"{entry['at']} {entry['by']}: {entry['status']}"
            + (f" ({entry['comment']})" if entry.get("comment") else "")
        )


def _ask_llm(doc: dict[str, Any], inject_id: str, action: str, instruction: str) -> Proposal:
    from studio.injects.llm import Assistant

    assistant = Assistant.from_settings(doc)
    if action == "rewrite":
        return assistant.rewrite(doc, inject_id, instruction)
    if action == "contingency":
        return assistant.propose_contingencies(doc, inject_id)
    return assistant.discussion_questions(doc, inject_id=inject_id)


def _llm_actions(doc: dict[str, Any], inject: dict[str, Any]) -> None:
    action = st.selectbox("Action", list(LLM_ACTIONS), format_func=LLM_ACTIONS.get, key="llm_action")
    instruction = ""
    if action == "rewrite":
        instruction = st.text_input(
            "Instruction", key="llm_instruction", placeholder="e.g. plus court, ton plus pressant"
        )
    if st.button("Ask the model", key="llm_ask", icon=":material/smart_toy:"):
        with st.spinner("Waiting for the model..."), widgets.user_errors("The LLM request"):
            st.session_state["_proposal"] = _ask_llm(doc, inject["id"], action, instruction)
    proposal: Proposal | None = st.session_state.get("_proposal")
    if proposal is None or proposal.inject_id != inject["id"]:
        return
    if not proposal.ok:
        st.error(f"The model's answer could not be used, nothing changed: {proposal.error}")
        return
    if proposal.changes:
        st.markdown("**Proposed changes**")
        st.dataframe(
            [
                {"field": change.field, "now": change.before, "proposed": change.after}
                for change in proposal.changes
            ],
            hide_index=True,
            width="stretch",
        )
    for new in proposal.new_injects:
        st.markdown(f"**New inject** `{new['id']}`: {markdown_literal(new.get('title', ''))}")
        st.caption(new.get("message", ""))
    accept, discard = st.columns(2)
    with accept:
        if st.button("Accept", key="llm_accept", type="primary", icon=":material/check:"):
            with widgets.user_errors("Applying the proposal"):
                session.update(apply(doc, proposal))
                st.session_state.pop("_proposal", None)
                st.rerun()
    with discard:
        if st.button("Discard", key="llm_discard", icon=":material/close:"):
            st.session_state.pop("_proposal", None)
            st.rerun()


def _inject_label(inject: dict[str, Any]) -> str:
    return f"{inject.get('number', '')} {format_clock(parse_minutes(inject['offset']))} {inject['title']}"


def _chart(doc: dict[str, Any], shown: list[dict[str, Any]]) -> None:
    ids = {inject["id"] for inject in shown}
    rows = [row for row in chart_rows(doc) if row["inject_id"] in ids]
    widgets.event_chart(
        rows, x="minute", y="cell_name", color="category", tooltip=("clock", "number", "title"), clock=doc
    )


def render() -> None:
    st.title("Injects")
    doc = widgets.require_document()
    if doc is None:
        return
    errors = errors_only(session.problems())
    if errors:
        st.error(f"The scenario has {len(errors)} validation error(s): fix them to generate, lint and edit.")
    _generate(doc, runnable=not errors)
    doc = session.document()
    _import(doc, runnable=not errors)
    if not doc.get("injects") or errors:
        return
    shown = _filters(doc)
    st.caption(f"{len(shown)} of {len(doc['injects'])} injects")
    st.dataframe(tables.inject_rows(shown), hide_index=True, width="stretch")
    st.subheader("Injects by cell")
    _chart(doc, shown)

    st.subheader("Inject")
    by_id = {inject["id"]: inject for inject in shown}
    if not by_id:
        st.caption("No inject matches the filters.")
    else:
        chosen = st.selectbox(
            "Inject",
            list(by_id),
            key="inject_choice",
            format_func=lambda inject_id: _inject_label(by_id[inject_id]),
        )
        inject = by_id[chosen]
        edit_tab, review_tab, llm_tab = st.tabs(["Edit", "Review", "LLM actions"])
        with edit_tab:
            _edit_form(doc, inject)
        with review_tab:
            _review(doc, inject)
        with llm_tab:
            _llm_actions(doc, inject)
    widgets.problem_panel(lint_msel(doc), title="MSEL lint")


render()
