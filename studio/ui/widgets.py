"""Small render helpers shared by the studio pages (the only place page code is factored into).

Each helper draws one recurring piece: the "open a scenario first" guard, the problems panel, the
document status box, table editors over library row conversions, and the error guard that turns a
library exception into ``st.error`` instead of a traceback.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from studio.safety import markdown_literal
from studio.scenario import tables
from studio.scenario.problems import Problem
from studio.ui import session

HIDDEN_COLUMNS = (tables.ROW_KEY, tables.LINK_KEY)


# --------------------------------------------------------------------------------------------- guards


def require_document() -> dict[str, Any] | None:
    """The current scenario, or None after a pointer to the Scenario page (the page then returns).

    Not ``st.stop()``: that would also stop the entry script, which draws the sidebar status after
    the page has run.
    """
    doc = session.document()
    if doc is None:
        st.info("No scenario open yet: open or upload one on the **Scenario** page.")
    return doc


@contextlib.contextmanager
def user_errors(action: str) -> Iterator[None]:
    """Show any exception raised by a library call on user input as ``st.error``, never a traceback.

    The session's document is only replaced after a call succeeds, so a failure loses nothing.
    """
    try:
        yield
    except Exception as exc:  # every library failure on user input is shown, not raised
        st.error(f"{action} failed: {exc}")


# --------------------------------------------------------------------------------------------- status


def document_status(container: Any) -> None:
    """Title, origin, unsaved-changes flag and validation counts of the current scenario."""
    doc = session.document()
    with container:
        if doc is None:
            st.caption("No scenario open")
            return
        title = (doc.get("exercise") or {}).get("title") or doc.get("id") or "(untitled)"
        st.markdown(f"**{markdown_literal(title)}**")
        st.caption(st.session_state.get("doc_origin") or "")
        if st.session_state.get("doc_dirty"):
            st.warning("Unsaved changes", icon=":material/edit:")
        else:
            st.success(
                "Saved" if st.session_state.get("doc_name") else "Not changed", icon=":material/check:"
            )
        st.markdown(validation_summary(session.problems()))


def validation_summary(problems: Sequence[Problem]) -> str:
    """One line: "Valid", or the number of errors and warnings."""
    errors = sum(problem.is_error for problem in problems)
    warnings = len(problems) - errors
    if errors:
        return f":red[**Invalid**: {errors} error(s), {warnings} warning(s)]"
    if warnings:
        return f":green[**Valid**] with {warnings} warning(s)"
    return ":green[**Valid**]"


def problem_panel(problems: Sequence[Problem], prefixes: Sequence[str] = (), title: str = "Problems") -> None:
    """The problems whose JSON pointer starts with one of ``prefixes`` (all when empty), as a table."""
    shown = [problem for problem in problems if not prefixes or problem.path.startswith(tuple(prefixes))]
    errors = sum(problem.is_error for problem in shown)
    label = f"{title}: {errors} error(s), {len(shown) - errors} warning(s)"
    with st.expander(label, expanded=errors > 0):
        if not shown:
            st.caption("Nothing to report.")
            return
        st.dataframe(
            pd.DataFrame(
                [problem.to_dict() for problem in shown],
                columns=["severity", "path", "message", "hint", "rule"],
            ),
            hide_index=True,
            width="stretch",
        )


# --------------------------------------------------------------------------------------------- editors


@dataclass(frozen=True)
class EditorTable:
    """One table editor of a page: its widget name, heading, columns and how to make its rows."""

    name: str
    label: str
    columns: Sequence[tables.Column]
    make_rows: Callable[[Mapping[str, Any]], list[dict[str, Any]]]


def editor_key(name: str, generation: int) -> str:
    """Widget key of a table editor for one document generation (tests seed edits under it)."""
    return f"{name}@{generation}"


def _has_edits(state: Any) -> bool:
    if not isinstance(state, Mapping):
        return False
    return any(state.get(part) for part in ("edited_rows", "added_rows", "deleted_rows"))


_DTYPES = {"bool": "boolean", "int": "Int64", "float": "Float64"}


def _typed(frame: pd.DataFrame, columns: Sequence[tables.Column]) -> pd.DataFrame:
    """Give each column the dtype its editor expects, even when the table is empty or all blank.

    pandas would make an empty or all-None column float, which Streamlit refuses to edit as text.
    A column whose values do not fit (an invalid document) is left as it is.
    """
    for column in columns:
        try:
            frame[column.name] = frame[column.name].astype(_DTYPES.get(column.kind, "string"))
        except (TypeError, ValueError):
            frame[column.name] = frame[column.name].astype("object")
    return frame


def _column_config(column: tables.Column, choices: Mapping[str, Sequence[str]], values: pd.Series) -> Any:
    if column.kind == "choice":
        return st.column_config.SelectboxColumn(
            column.name, options=list(column.options), help=column.help or None
        )
    if column.kind == "ref":
        # Values already in the table stay selectable even if they point nowhere (validation says so).
        present = [value for value in values.dropna().unique() if isinstance(value, str)]
        options = list(dict.fromkeys([*choices.get(column.refers_to, []), *present]))
        return st.column_config.SelectboxColumn(column.name, options=options, help=column.help or None)
    if column.kind == "bool":
        return st.column_config.CheckboxColumn(column.name, help=column.help or None)
    if column.kind == "int":
        return st.column_config.NumberColumn(column.name, step=1, format="%d", help=column.help or None)
    if column.kind == "float":
        return st.column_config.NumberColumn(column.name, help=column.help or None)
    return st.column_config.TextColumn(column.name, help=column.help or None)


Choices = Callable[[Mapping[str, Any]], Mapping[str, Sequence[str]]]
"""Given a document, the ids each ``ref`` column may choose from (section name -> ids)."""


def choices_of(*sections: str) -> Choices:
    """A Choices function offering the ids of ``sections`` (see ``tables.id_choices``)."""
    return lambda doc: {section: tables.id_choices(doc, section) for section in sections}


def edit_tables(
    group: str, doc: Mapping[str, Any], editors: Sequence[EditorTable], choices: Choices
) -> tuple[Mapping[str, Any], list[list[dict[str, Any]]] | None]:
    """Draw the table editors of one page; return (base document, edited rows per table or None).

    Editors show rows of a *base* snapshot of the document and report edits relative to it, so the
    page rebuilds its section from the base plus the edited rows on every run (edits are never
    applied twice). The base is retaken whenever an editor has no state yet: first display, coming
    back to the page, or after the document was replaced (new generation, new keys). The second
    value is None while no editor holds an edit, so merely looking at a page never changes anything.

    Everything an editor is drawn from (rows, select-box options) comes from the base: Streamlit
    derives a dynamic editor's identity from its data and column configuration, and a new identity
    would drop the edits the browser holds.
    """
    generation = session.generation()
    keys = [editor_key(editor.name, generation) for editor in editors]
    base_key = f"_base:{group}"
    stored = st.session_state.get(base_key)
    if stored is None or stored[0] != keys or any(key not in st.session_state for key in keys):
        stored = (keys, doc)
        st.session_state[base_key] = stored
    base = stored[1]
    options = choices(base)
    edited: list[list[dict[str, Any]]] = []
    for editor, key in zip(editors, keys, strict=True):
        st.markdown(f"**{editor.label}**")
        frame = pd.DataFrame(editor.make_rows(base))
        names = [column.name for column in editor.columns]
        frame = frame.reindex(columns=[*[c for c in HIDDEN_COLUMNS if c in frame.columns], *names])
        frame = _typed(frame, editor.columns)
        config: dict[str, Any] = {hidden: None for hidden in HIDDEN_COLUMNS if hidden in frame.columns}
        config.update(
            {column.name: _column_config(column, options, frame[column.name]) for column in editor.columns}
        )
        result = st.data_editor(
            frame, key=key, num_rows="dynamic", hide_index=True, column_config=config, width="stretch"
        )
        edited.append(result.to_dict("records"))
    if not any(_has_edits(st.session_state.get(key)) for key in keys):
        return base, None
    return base, edited


def apply_table_edits(
    group: str,
    doc: dict[str, Any],
    editors: Sequence[EditorTable],
    choices: Choices,
    rebuild: Callable[[dict[str, Any], Mapping[str, Any], list[list[dict[str, Any]]]], dict[str, Any]],
) -> dict[str, Any]:
    """Draw editors and record the document ``rebuild(doc, base, edited rows)`` returns.

    ``rebuild`` replaces only its own sections of the current ``doc``, using the base document's
    items as the originals the rows refer to (another group may have changed other sections since).
    When an edit adds, renames or removes an id that select boxes offer, the editors are started
    again from the edited document (nothing is lost: the edits are in it), so the new id can be
    chosen at once. A cell that cannot be converted shows an error and leaves the document as it was.
    """
    base, edited = edit_tables(group, doc, editors, choices)
    if edited is None:
        return doc
    with user_errors("Applying the table edits"):
        updated = rebuild(doc, base, edited)
        if choices(updated) != choices(base):
            session.update(updated)
            st.rerun()
        session.update(updated, from_editor=True)
        return updated
    return doc


# --------------------------------------------------------------------------------------------- graph

GRAPH_LIMIT = 150
"""Above this many systems a graph drawing is unreadable (and slow): the view asks for a filter."""
GRAPH_OPENS_FILTERED_ABOVE = 40
"""Scenarios with more systems open their graph on one group and its neighbours (a readable start)."""


def graph_view(doc: Mapping[str, Any], key: str, states: Mapping[str, Any] | None = None) -> None:
    """The systems graph with filters on site, zone and kind, drawn from the library's DOT text.

    ``states`` (system id -> state, from the simulation) colours the nodes. Large scenarios start
    filtered on their first site so that the first view stays readable.
    """
    values = tables.filter_values(doc)
    total = len(doc.get("systems") or [])
    # A large scenario opens on one group (the first site, else zone, else kind with several values)
    # and the systems one link away from it.
    default_field = next((field for field in tables.GRAPH_FILTER_FIELDS if len(values[field]) > 1), None)
    opens_filtered = total > GRAPH_OPENS_FILTERED_ABOVE and default_field is not None
    columns = st.columns([3, 3, 3, 2, 2])
    selected: dict[str, list[str]] = {}
    for column, field in zip(columns, tables.GRAPH_FILTER_FIELDS, strict=False):
        options = values[field]
        default = []
        if opens_filtered and field == default_field:
            default = [next(value for value in options if value)]
        with column:
            selected[field] = st.multiselect(
                field.capitalize(),
                options,
                default=default,
                key=f"{key}.{field}",
                format_func=lambda value: value or "(none)",
            )
    with columns[3]:
        cluster_by = st.radio("Clusters", ["site", "zone"], key=f"{key}.cluster", horizontal=True)
    with columns[4]:
        neighbours = st.toggle(
            "Neighbours",
            value=opens_filtered,
            key=f"{key}.neighbours",
            help="Also show systems one link away",
        )
    subset = tables.filter_systems(doc, selected, neighbours=neighbours)
    shown = len(subset["systems"])
    st.caption(f"{shown} of {total} systems shown")
    if shown > GRAPH_LIMIT:
        st.warning(f"{shown} systems are too many to draw readably: filter by site, zone or kind.")
        return
    try:
        from studio.graph.dot import to_dot
    except ImportError:
        st.info("The graph drawing (studio.graph.dot) is not available in this installation.")
        return
    with user_errors("Drawing the graph"):
        st.graphviz_chart(to_dot(subset, states=states, cluster_by=cluster_by), width="stretch")


# --------------------------------------------------------------------------------------------- charts


def event_chart(
    rows: Sequence[Mapping[str, Any]], x: str, y: str, color: str, tooltip: Sequence[str]
) -> None:
    """Points on a time axis, one lane per ``y`` value, coloured by ``color`` (timelines, injects)."""
    if not rows:
        st.caption("Nothing to chart.")
        return
    lanes = len({row.get(y) for row in rows})
    chart = (
        alt.Chart(pd.DataFrame(rows))
        .mark_circle(size=70, opacity=0.85)
        .encode(
            x=alt.X(f"{x}:Q", title=x),
            y=alt.Y(f"{y}:N", title=None, sort=None),
            color=alt.Color(f"{color}:N"),
            tooltip=list(tooltip),
        )
        .properties(height=min(22 * lanes + 40, 900))
    )
    st.altair_chart(chart, width="stretch")


def histogram(values: Sequence[float], title: str) -> None:
    """Distribution of one metric over Monte Carlo runs (minutes)."""
    if not values:
        st.caption(f"{title}: did not happen (or never ended) in any run.")
        return
    chart = (
        alt.Chart(pd.DataFrame({title: list(values)}))
        .mark_bar()
        .encode(x=alt.X(f"{title}:Q", bin=alt.Bin(maxbins=30)), y=alt.Y("count():Q", title="runs"))
    )
    st.altair_chart(chart, width="stretch")


class ProgressBar:
    """A ``progress(done, total)`` callback for library functions, drawn as ``st.progress``.

    It redraws at most once per percent: a batch of thousands of runs would otherwise send
    thousands of messages to the browser.
    """

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar = st.progress(0.0, text=label)
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        percent = int(100 * done / max(total, 1))
        if percent != self.shown:
            self.shown = percent
            self.bar.progress(percent / 100, text=f"{self.label}: {done}/{total}")

    def finish(self) -> None:
        self.bar.empty()


# --------------------------------------------------------------------------------------------- LLM


def llm_status() -> bool:
    """Say which LLM endpoint LLM actions use, or how to configure one; True when one is configured.

    An endpoint is configured when ``CRISIS_STUDIO_PROVIDER`` is ``openai`` or ``OPENAI_BASE_URL`` is
    set (studio.config.Settings). The key is never shown: only whether it is set.
    """
    from studio.config import Settings, api_key

    settings = Settings()
    if settings.provider != "openai" and not settings.llm_base_url:
        st.info(
            "No LLM endpoint is configured. Set `CRISIS_STUDIO_PROVIDER=openai` and `OPENAI_API_KEY`, "
            "and `OPENAI_BASE_URL` for another OpenAI-compatible endpoint (Mistral, a gateway, or a local "
            "Ollama, vLLM or llama.cpp server such as `http://127.0.0.1:11434/v1`, which needs no key); "
            "`CRISIS_STUDIO_MODEL` chooses the model. Then start the studio again.",
            icon=":material/smart_toy:",
        )
        return False
    key = "API key set" if api_key() else "no API key"
    st.caption(f"LLM: {settings.llm_model} at {settings.llm_base_url or 'the OpenAI API'} ({key})")
    return True
