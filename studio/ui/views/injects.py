"""Injects page: generate or import the MSEL, filter, edit and review injects, LLM proposals, lint, chart."""

from __future__ import annotations

from typing import Any

import streamlit as st

from studio.config import Settings
from studio.durations import parse_minutes
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
from studio.scenario.exercise_clock import (
    clock_style,
    exercise_label,
    filter_stops,
    offset_label,
    offset_of_exercise_time,
    stamp_label,
)
from studio.scenario.validate import errors_only
from studio.ui import labels, session, teamgate, widgets

LLM_ACTIONS = ("rewrite", "contingency", "discussion")
# Minutes between two stops of the time filter (a comment: Streamlit's "magic" prints bare strings).
FILTER_STEP = 15


class _GenerationProgress(widgets.ProgressBar):
    """The generator reports (done, total, stage): show the stage as the label."""

    def __call__(self, done: int, total: int, stage: str = "") -> None:  # type: ignore[override]
        self.label = stage or self.label
        super().__call__(done, total)


def _generate(doc: dict[str, Any], runnable: bool) -> None:
    with st.expander(labels.text("inj.generate_title"), expanded=not doc.get("injects")):
        st.caption(labels.text("inj.generate_help"))
        left, right = st.columns(2)
        with left:
            seed = st.number_input(
                labels.text("common.seed"),
                min_value=0,
                value=int((doc.get("generation") or {}).get("seed", 0)),
                key="gen_seed",
            )
        with right:
            providers = ["offline", "openai"]
            configured = Settings().provider
            provider = st.selectbox(
                labels.text("inj.provider"),
                providers,
                index=providers.index(configured) if configured in providers else 0,
                key="gen_provider",
                help=labels.text("inj.provider_help"),
            )
        if st.button(
            labels.text("inj.generate"),
            key="gen_run",
            type="primary",
            disabled=not runnable,
            icon=":material/bolt:",
        ):
            progress = _GenerationProgress(labels.text("inj.generating"))
            with widgets.user_errors(labels.text("inj.generate")):
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
            st.success(labels.text("inj.generated", generated=report["generated"], kept=report["kept"]))
            for note in report["notes"]:
                st.warning(note)
            if report["skipped"]:
                # The generator's own reasons (library text), one per line, folded away.
                with st.expander(labels.text("inj.skipped", count=len(report["skipped"]))):
                    st.text("\n".join(report["skipped"]))


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
    with st.expander(labels.text("inj.import_title"), expanded=False):
        st.caption(labels.text("inj.import_help"))
        # A new key after each import empties the uploader, so the same file is not imported twice.
        round_ = int(st.session_state.get("_msel_round", 0))
        upload = st.file_uploader(
            labels.text("inj.import_file"),
            type=["xlsx", "csv"],
            key=f"msel_upload@{round_}",
            disabled=not runnable,
        )
        report = st.session_state.get("_msel_import_report")
        if report and report[0] == doc.get("id") and upload is None:
            st.success(report[1])
        if upload is None or not runnable:
            return
        with widgets.user_errors(labels.text("inj.reading")):
            first = _read_msel(doc, upload, {})
            mapping: dict[str, str] = {}
            if first.ignored_columns:
                st.markdown(labels.text("inj.unknown_columns"))
                fields = list(column_kinds())
                places = st.columns(min(len(first.ignored_columns), 4))
                for index, header in enumerate(first.ignored_columns):
                    with places[index % len(places)]:
                        chosen = st.selectbox(
                            header,
                            fields,
                            index=None,
                            key=f"msel_map@{round_}.{header}",
                            placeholder=labels.text("inj.ignore"),
                        )
                    if chosen:
                        mapping[header] = chosen
            result = _read_msel(doc, upload, mapping) if mapping else first
            _import_result(doc, upload.name, result, round_)


def _import_result(doc: dict[str, Any], filename: str, result: MselImport, round_: int) -> None:
    st.caption(
        labels.text(
            "inj.rows_read", read=result.rows_read, rejected=result.rows_rejected, ready=len(result.injects)
        )
    )
    partial = False
    if result.issues:
        st.error(labels.text("inj.import_problems", count=len(result.issues), filename=filename))
        st.dataframe(
            widgets.localised_rows(
                [
                    {
                        "row": issue.row,
                        "column": issue.column_letter,
                        "header": issue.column,
                        "message": issue.message,
                    }
                    for issue in result.issues
                ]
            ),
            hide_index=True,
            width="stretch",
        )
        if result.injects:
            partial = st.checkbox(
                labels.text("inj.valid_only", ready=len(result.injects), rejected=result.rows_rejected),
                key=f"msel_partial@{round_}",
            )
    ready = bool(result.injects) and (not result.issues or partial)
    if st.button(
        labels.text("inj.import"),
        key="msel_import",
        type="primary",
        disabled=not ready,
        icon=":material/upload:",
    ):
        existing = {inject["id"] for inject in doc.get("injects") or []}
        replaced = sum(inject["id"] in existing for inject in result.injects)
        session.update(merge_injects(doc, result.injects))
        st.session_state["_msel_import_report"] = (
            doc.get("id"),
            labels.text(
                "inj.imported",
                count=len(result.injects),
                filename=filename,
                new=len(result.injects) - replaced,
                replaced=replaced,
            )
            + (
                labels.text("inj.rejected_rows", rejected=result.rows_rejected)
                if result.rows_rejected
                else ""
            )
            + ".",
        )
        st.session_state["_msel_round"] = round_ + 1
        st.session_state.pop("_msel_read", None)
        st.rerun()


def _filters(doc: dict[str, Any]) -> list[dict[str, Any]]:
    injects = doc.get("injects") or []
    minutes = [parse_minutes(inject["offset"]) for inject in injects] or [0.0]
    stops = filter_stops(max(minutes), FILTER_STEP)
    style = clock_style(doc)
    cells, categories, statuses, window, reserve = st.columns([2, 2, 2, 3, 1])
    with cells:
        chosen_cells = st.multiselect(
            labels.text("ex.cells"),
            tables.id_choices(doc, "cells"),
            key="flt_cells",
            format_func=_cell_names(doc).get,
            placeholder=labels.text("common.choose"),
        )
    with categories:
        chosen_categories = st.multiselect(
            labels.text("inj.categories"),
            tables.schema_enum("inject_category"),
            key="flt_categories",
            format_func=lambda value: labels.option("category", value),
            placeholder=labels.text("common.choose"),
        )
    with statuses:
        chosen_statuses = st.multiselect(
            labels.text("inj.statuses"),
            tables.schema_enum("review_status"),
            key="flt_statuses",
            format_func=lambda value: labels.option("status", value),
            placeholder=labels.text("common.choose"),
        )
    with window:
        start, end = st.select_slider(
            labels.text("inj.time_window"),
            options=stops,
            value=(stops[0], stops[-1]),
            format_func=lambda minute: exercise_label(doc, minute, style),
            # The range is in the key: a kept selection could fall outside a new, shorter MSEL.
            key=f"flt_time@{stops[-1]}",
        )
    with reserve:
        contingency = st.selectbox(
            labels.text("inj.contingency"),
            ["any", "only", "without"],
            key="flt_contingency",
            format_func=lambda value: labels.text(f"inj.contingency.{value}"),
        )
    return filter_injects(
        injects,
        cells=set(chosen_cells) or None,
        categories=set(chosen_categories) or None,
        statuses=set(chosen_statuses) or None,
        start=start,
        end=end,
        contingency=None if contingency == "any" else contingency == "only",
    )


def _cell_names(doc: dict[str, Any]) -> dict[str, str]:
    return {cell["id"]: cell.get("name") or cell["id"] for cell in doc.get("cells") or []}


def _inject_table(doc: dict[str, Any], shown: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The injects table: exercise time (J1 08:30 or T+01:30) instead of the ISO offset, values in words."""
    style = clock_style(doc)
    personas = {persona["id"]: persona.get("name") or persona["id"] for persona in doc.get("personas") or []}
    cells = _cell_names(doc)
    rows = []
    for inject, row in zip(shown, tables.inject_rows(shown), strict=True):
        rows.append(
            {
                "number": row["number"],
                "time": offset_label(doc, inject.get("offset", ""), style),
                "title": row["title"],
                "category": labels.option("category", row["category"]),
                "channel": labels.option("channel", row["channel"]),
                "from": personas.get(row["from"], row["from"]),
                "to": ", ".join(cells.get(cell, cell) for cell in inject.get("to") or []),
                "status": labels.option("status", row["status"]),
                "priority": labels.option("priority", row["priority"]),
                "contingency": row["contingency"],
                "id": row["id"],
            }
        )
    return widgets.localised_rows(rows)


def _edit_form(doc: dict[str, Any], inject: dict[str, Any]) -> None:
    values = tables.inject_form_values(inject)
    # The time is edited in exercise time (J1 08:30 or T+01:30); the inject keeps its ISO offset.
    values["offset"] = offset_label(doc, str(values["offset"]))
    generation = session.generation()
    key = f"edit.{inject['id']}@{generation}"
    with st.form(key=key):
        edited: dict[str, Any] = {}
        options = {
            "from": tables.id_choices(doc, "personas"),
            "to": tables.id_choices(doc, "cells"),
        }
        for column in tables.INJECT_FORM_FIELDS:
            label = labels.column(column.name)
            help_text = labels.column_help(column.name, column.help)
            field_key = f"{key}.{column.name}"
            current = values[column.name]
            if column.kind in ("choice", "ref"):
                choices = list(column.options) if column.kind == "choice" else options[column.name]
                edited[column.name] = st.selectbox(
                    label,
                    choices,
                    index=choices.index(current) if current in choices else None,
                    key=field_key,
                    format_func=lambda value, name=column.name: labels.option(name, value),
                    placeholder=labels.text("common.choose"),
                )
            elif column.kind == "list":
                edited[column.name] = st.multiselect(
                    label,
                    list(dict.fromkeys([*options["to"], *current])),
                    default=current,
                    key=field_key,
                    placeholder=labels.text("common.choose"),
                )
            elif column.name in ("message", "synopsis", "animator_notes") or column.kind == "lines":
                edited[column.name] = st.text_area(label, value=current, help=help_text, key=field_key)
            else:
                edited[column.name] = st.text_input(label, value=current, help=help_text, key=field_key)
        if st.form_submit_button(labels.text("inj.save"), type="primary"):
            try:
                if edited.get("offset") != values["offset"]:
                    edited["offset"] = offset_of_exercise_time(doc, str(edited.get("offset") or ""))
                else:
                    edited["offset"] = inject.get("offset")
                changes = tables.inject_changes(inject, edited)
                updated = edit_inject(doc, inject["id"], changes) if changes else doc
            except InvalidEdit as exc:
                st.error(
                    labels.text(
                        "inj.not_applied",
                        reason="; ".join(f"{problem.path}: {problem.message}" for problem in exc.problems),
                    )
                )
            except ValueError as exc:
                st.error(labels.text("inj.not_applied", reason=exc))
            else:
                if session.update(updated):
                    st.rerun()


def _review(doc: dict[str, Any], inject: dict[str, Any]) -> None:
    current = inject.get("status", "draft")
    st.markdown(labels.text("inj.status_now", status=labels.option("status", current)))
    reviewer, target, comment = st.columns([2, 2, 3])
    with reviewer:
        name = teamgate.reviewer_name() or st.text_input(
            labels.text("inj.reviewer"), key="reviewer"
        )  # issue 14
    with target:
        # Forward steps first, "rejected" last: the default choice must never be the destructive one.
        steps = sorted(TRANSITIONS.get(current, ()), key=("reviewed", "approved", "draft", "rejected").index)
        status = st.selectbox(
            labels.text("inj.new_status"),
            steps,
            key=f"review_status.{current}",
            format_func=lambda value: labels.option("status", value),
        )
    with comment:
        note = st.text_input(labels.text("inj.comment"), key="review_comment")
    if st.button(labels.text("inj.change_status"), key="review_apply", disabled=status is None):
        with widgets.user_errors(labels.text("inj.change_status")):
            session.update(teamgate.set_review_status(doc, inject["id"], status, name, note))  # issue 14
            st.rerun()
    for entry in reversed(inject.get("review_log") or []):
        st.caption(
            f"{stamp_label(entry['at'])} {entry['by']}: {labels.option('status', entry['status'])}"
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
    action = st.selectbox(
        labels.text("col.action"),
        list(LLM_ACTIONS),
        format_func=lambda name: labels.text(f"llm.action.{name}"),
        key="llm_action",
    )
    instruction = ""
    if action == "rewrite":
        instruction = st.text_input(
            labels.text("llm.instruction"),
            key="llm_instruction",
            placeholder=labels.text("llm.instruction_hint"),
        )
    if st.button(labels.text("llm.ask"), key="llm_ask", icon=":material/smart_toy:"):
        with st.spinner(labels.text("llm.waiting")), widgets.user_errors(labels.text("llm.request")):
            st.session_state["_proposal"] = _ask_llm(doc, inject["id"], action, instruction)
    proposal: Proposal | None = st.session_state.get("_proposal")
    if proposal is None or proposal.inject_id != inject["id"]:
        return
    if not proposal.ok:
        st.error(labels.text("llm.unusable", error=proposal.error))
        return
    if proposal.changes:
        st.markdown(f"**{labels.text('llm.proposed')}**")
        st.dataframe(
            widgets.localised_rows(
                [
                    {"field": change.field, "now": change.before, "proposed": change.after}
                    for change in proposal.changes
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    for new in proposal.new_injects:
        st.markdown(
            f"**{labels.text('llm.new_inject')}** `{new['id']}`: {markdown_literal(new.get('title', ''))}"
        )
        st.caption(new.get("message", ""))
    accept, discard = st.columns(2)
    with accept:
        if st.button(labels.text("llm.accept"), key="llm_accept", type="primary", icon=":material/check:"):
            with widgets.user_errors(labels.text("llm.accept")):
                session.update(apply(doc, proposal))
                st.session_state.pop("_proposal", None)
                st.rerun()
    with discard:
        if st.button(labels.text("drafts.discard"), key="llm_discard", icon=":material/close:"):
            st.session_state.pop("_proposal", None)
            st.rerun()


def _inject_label(doc: dict[str, Any], inject: dict[str, Any]) -> str:
    return f"{inject.get('number', '')} {offset_label(doc, inject['offset'])} {inject['title']}"


def _chart(doc: dict[str, Any], shown: list[dict[str, Any]]) -> None:
    ids = {inject["id"] for inject in shown}
    style = clock_style(doc)
    rows = [
        {
            **row,
            "clock": exercise_label(doc, row["minute"], style),
            "category": labels.option("category", row["category"]),
        }
        for row in chart_rows(doc)
        if row["inject_id"] in ids
    ]
    widgets.event_chart(
        rows,
        x="minute",
        y="cell_name",
        color="category",
        tooltip=("clock", "number", "title"),
        clock=doc,
        names={
            "clock": labels.column("time"),
            "number": labels.column("number"),
            "title": labels.column("title"),
            "category": labels.column("category"),
        },
    )


def render() -> None:
    st.title(labels.text("page.injects"))
    doc = widgets.require_document()
    if doc is None:
        return
    errors = errors_only(session.problems())
    if errors:
        st.error(labels.text("inj.errors_first", count=len(errors)))
    _generate(doc, runnable=not errors)
    doc = session.document()
    _import(doc, runnable=not errors)
    if not doc.get("injects") or errors:
        return
    shown = _filters(doc)
    st.caption(labels.text("inj.shown", shown=len(shown), total=len(doc["injects"])))
    st.dataframe(_inject_table(doc, shown), hide_index=True, width="stretch", key="inject_table")
    st.subheader(labels.text("inj.by_cell"))
    _chart(doc, shown)

    st.subheader(labels.text("inj.one"))
    by_id = {inject["id"]: inject for inject in shown}
    if not by_id:
        st.caption(labels.text("inj.none_match"))
    else:
        chosen = st.selectbox(
            labels.text("inj.one"),
            list(by_id),
            key="inject_choice",
            format_func=lambda inject_id: _inject_label(doc, by_id[inject_id]),
        )
        inject = by_id[chosen]
        edit_tab, review_tab, llm_tab = st.tabs(
            [labels.text(f"inj.tab.{name}") for name in ("edit", "review", "llm")]
        )
        with edit_tab:
            _edit_form(doc, inject)
        with review_tab:
            _review(doc, inject)
        with llm_tab:
            _llm_actions(doc, inject)
    widgets.problem_panel(lint_msel(doc), title=labels.text("inj.lint"))


render()
