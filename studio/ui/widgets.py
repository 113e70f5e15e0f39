"""Small render helpers shared by the studio pages (the only place page code is factored into).

Each helper draws one recurring piece: the "open a scenario first" guard, the problems panel, the
document status box, table editors over library row conversions, and the error guard that turns a
library exception into ``st.error`` instead of a traceback.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from studio.safety import markdown_literal
from studio.scenario import tables
from studio.scenario.problems import Problem
from studio.ui import labels, session

HIDDEN_COLUMNS = (tables.ROW_KEY, tables.LINK_KEY)


# --------------------------------------------------------------------------------------------- guards


def require_document() -> dict[str, Any] | None:
    """The current scenario, or None after a pointer to the Scenario page (the page then returns).

    Not ``st.stop()``: that would also stop the entry script, which draws the sidebar status after
    the page has run.
    """
    doc = session.document()
    if doc is None:
        st.info(labels.text("common.open_first"))
    return doc


@contextlib.contextmanager
def user_errors(action: str) -> Iterator[None]:
    """Show any exception raised by a library call on user input as ``st.error``, never a traceback.

    The session's document is only replaced after a call succeeds, so a failure loses nothing.
    """
    try:
        yield
    except Exception as exc:  # every library failure on user input is shown, not raised
        st.error(labels.text("common.failed", action=action, reason=exc))


# --------------------------------------------------------------------------------------------- status


def document_status(container: Any) -> None:
    """Title, origin, unsaved-changes flag and validation counts of the current scenario."""
    doc = session.document()
    with container:
        if doc is None:
            st.caption(labels.text("status.none"))
            return
        title = (doc.get("exercise") or {}).get("title") or doc.get("id") or labels.text("common.untitled")
        st.markdown(f"**{markdown_literal(title)}**")
        st.caption(st.session_state.get("doc_origin") or "")
        if st.session_state.get("doc_dirty"):
            st.warning(labels.text("status.unsaved"), icon=":material/edit:")
            if st.session_state.get("draft_error"):
                st.error(labels.text("status.draft_failed", reason=st.session_state["draft_error"]))
            else:
                st.caption(labels.text("status.draft_kept"))
        else:
            st.success(
                labels.text("status.saved" if st.session_state.get("doc_name") else "status.unchanged"),
                icon=":material/check:",
            )
        st.markdown(validation_summary(session.problems()))


def language_choice() -> None:
    """The interface language (French or English), in the sidebar; one language at a time.

    The widget shows the language in use (``labels.language``); picking one records it as the
    user's choice for the rest of the session.
    """

    def remember() -> None:
        picked = st.session_state.get(labels.SESSION_KEY)
        if picked in labels.LANGUAGES:
            st.session_state[labels.CHOSEN_KEY] = picked

    st.session_state[labels.SESSION_KEY] = labels.language()
    st.sidebar.segmented_control(
        "Langue / Language",
        labels.LANGUAGES,
        key=labels.SESSION_KEY,
        format_func=lambda code: {"en": "English", "fr": "Français"}[code],
        label_visibility="collapsed",
        on_change=remember,
    )


_LEAVE_WARNING = """<script>
window.crisisStudioUnsaved = %s;
if (!window.crisisStudioLeaveHook) {
  window.crisisStudioLeaveHook = true;
  window.addEventListener("beforeunload", (event) => {
    if (window.crisisStudioUnsaved) { event.preventDefault(); event.returnValue = ""; }
  });
}
</script>"""


GRAPH_HOOK = Path(__file__).resolve().parent / "assets" / "graph_hook.js"


def graph_hook() -> None:
    """Install the script that keeps the graphs' zoom and pan across reruns (assets/graph_hook.js).

    Streamlit redraws an ECharts chart from scratch whenever its option changes, which would reset
    the view on every click, edit or slider step; the script merges such changes into the chart.
    """
    st.html(f"<script>{GRAPH_HOOK.read_text(encoding='utf-8')}</script>", unsafe_allow_javascript=True)


def leave_warning(unsaved: bool) -> None:
    """Ask the browser to warn before leaving the page while there are unsaved changes.

    Browsers show their own wording and only after the user has interacted with the page. The
    changes are journaled as a draft anyway (studio.scenario.drafts), so leaving loses nothing.
    """
    st.html(_LEAVE_WARNING % ("true" if unsaved else "false"), unsafe_allow_javascript=True)


def validation_summary(problems: Sequence[Problem]) -> str:
    """One line: "Valid", or the number of errors and warnings."""
    errors = sum(problem.is_error for problem in problems)
    warnings = len(problems) - errors
    if errors:
        return f":red[{labels.text('status.invalid', errors=errors, warnings=warnings)}]"
    if warnings:
        return f":green[{labels.text('status.valid_warnings', warnings=warnings)}]"
    return f":green[{labels.text('status.valid')}]"


def problem_panel(
    problems: Sequence[Problem], prefixes: Sequence[str] = (), title: str | None = None
) -> None:
    """The problems whose JSON pointer starts with one of ``prefixes`` (all when empty), as a table."""
    shown = [problem for problem in problems if not prefixes or problem.path.startswith(tuple(prefixes))]
    errors = sum(problem.is_error for problem in shown)
    label = labels.text(
        "problems.count",
        title=title or labels.text("problems.title"),
        errors=errors,
        warnings=len(shown) - errors,
    )
    with st.expander(label, expanded=errors > 0):
        if not shown:
            st.caption(labels.text("problems.none"))
            return
        columns = ["severity", "path", "message", "hint", "rule"]
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        **problem.to_dict(),
                        "severity": labels.option("severity", str(problem.severity)),
                    }
                    for problem in shown
                ],
                columns=columns,
            ).rename(columns={name: labels.column(name) for name in columns}),
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
    rows_at: str | None = None
    """JSON pointer pattern of the items its rows stand for (``/systems/*/links/*``): problems at or
    under such a pointer are listed beside the table, with the row they belong to."""


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
    # The header and help in the interface language; the data (ids, enum values) stays as stored.
    title, help_text = labels.column(column.name), labels.column_help(column.name, column.help)
    if column.kind == "choice":
        return st.column_config.SelectboxColumn(title, options=list(column.options), help=help_text)
    if column.kind == "ref":
        # Values already in the table stay selectable even if they point nowhere (validation says so).
        present = [value for value in values.dropna().unique() if isinstance(value, str)]
        options = list(dict.fromkeys([*choices.get(column.refers_to, []), *present]))
        return st.column_config.SelectboxColumn(title, options=options, help=help_text)
    if column.kind == "bool":
        return st.column_config.CheckboxColumn(title, help=help_text)
    if column.kind == "int":
        return st.column_config.NumberColumn(title, step=1, format="%d", help=help_text)
    if column.kind == "float":
        return st.column_config.NumberColumn(title, help=help_text)
    return st.column_config.TextColumn(title, help=help_text)


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
        # The frames are built once per base: at thousands of systems, making the rows and typing
        # the columns cost most of every rerun of the page.
        stored = (keys, doc, {})
        st.session_state[base_key] = stored
    base, frames = stored[1], stored[2]
    options = choices(base)
    results = []
    slots = st.session_state.setdefault("_problem_slots", {})
    for editor, key in zip(editors, keys, strict=True):
        st.markdown(f"**{editor.label}**")
        # Filled once the edits are applied, so it lists the problems of the document as edited.
        slots[editor.name] = st.container()
        frame = frames.get(editor.name)
        if frame is None:
            frame = frames[editor.name] = _editor_frame(editor, base)
        config: dict[str, Any] = {hidden: None for hidden in HIDDEN_COLUMNS if hidden in frame.columns}
        config.update(
            {column.name: _column_config(column, options, frame[column.name]) for column in editor.columns}
        )
        results.append(
            st.data_editor(
                frame, key=key, num_rows="dynamic", hide_index=True, column_config=config, width="stretch"
            )
        )
    if not any(_has_edits(st.session_state.get(key)) for key in keys):
        return base, None
    # An editor without edits gives back the rows it was shown, converted only if a rebuild reads them.
    return base, [
        result.to_dict("records") if _has_edits(st.session_state.get(key)) else ShownRows(group, editor.name)
        for editor, key, result in zip(editors, keys, results, strict=True)
    ]


class ShownRows(Sequence[dict[str, Any]]):
    """The rows of an editor that holds no edit: those it was shown (``shown_rows``), converted from
    its data frame on first read only. ``unchanged`` tells a rebuild it may keep the section's items
    as they are without reading the rows (at 10,000 systems, converting the links table costs ~1 s)."""

    unchanged = True

    def __init__(self, group: str, editor_name: str) -> None:
        self._where = (group, editor_name)

    def _rows(self) -> list[dict[str, Any]]:
        return shown_rows(*self._where) or []

    def __getitem__(self, index: Any) -> Any:
        return self._rows()[index]

    def __len__(self) -> int:
        return len(self._rows())

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._rows())


def shown_rows(group: str, editor_name: str) -> list[dict[str, Any]] | None:
    """The rows editor ``editor_name`` of page ``group`` was given, as the edited rows come back
    (records of its data frame), made once per base; None before the editor was drawn."""
    stored = st.session_state.get(f"_base:{group}")
    frames = stored[2] if stored else {}
    frame = frames.get(editor_name)
    if frame is None:
        return None
    key = f"{editor_name}:records"
    if key not in frames:
        frames[key] = frame.to_dict("records")
    return frames[key]


def _editor_frame(editor: EditorTable, base: Mapping[str, Any]) -> pd.DataFrame:
    """The typed data frame an editor shows: the rows of ``base``, hidden columns first."""
    frame = pd.DataFrame(editor.make_rows(base))
    names = [column.name for column in editor.columns]
    frame = frame.reindex(columns=[*[c for c in HIDDEN_COLUMNS if c in frame.columns], *names])
    return _typed(frame, editor.columns)


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
    result = doc
    if edited is not None:
        with user_errors(labels.text("tables.applying")):
            updated = rebuild(doc, base, edited)
            if choices(updated) != choices(base):
                session.update(updated)
                st.rerun()
            session.update(updated, from_editor=True)
            result = updated
    row_problems(result, editors, session.problems())
    return result


def _pattern(rows_at: str) -> re.Pattern[str]:
    return re.compile("^" + re.escape(rows_at).replace(r"\*", r"\d+") + "(?=/|$)")


def _item_label(doc: Mapping[str, Any], pointer: str) -> str:
    """Which row a pointer names: the item's id, or ``holder -> target`` for a link."""
    parts = [part for part in pointer.split("/") if part]
    node: Any = doc
    holder = None
    for part in parts:
        if isinstance(node, Mapping) and isinstance(node.get("id"), str):
            holder = node["id"]
        try:
            node = node[int(part)] if isinstance(node, list) else node[part]
        except (KeyError, IndexError, TypeError, ValueError):
            return pointer
    if isinstance(node, Mapping):
        if isinstance(node.get("id"), str):
            return node["id"]
        if isinstance(node.get("target"), str):
            return f"{holder} \u2192 {node['target']}"
    return pointer


_ROW_COLOURS = {"error": "background-color: #ffe3e3", "warning": "background-color: #fff3bf"}


def row_problems(doc: Mapping[str, Any], editors: Sequence[EditorTable], problems: Sequence[Problem]) -> None:
    """Under each table, the rows in error (or with a warning) and the message, highlighted.

    A problem goes to the table whose ``rows_at`` pattern matches it most closely (a link's problem
    to the links table, not to the systems table).
    """
    slots = st.session_state.get("_problem_slots", {})
    patterns = [(editor, _pattern(editor.rows_at)) for editor in editors if editor.rows_at]
    found: dict[str, list[dict[str, str]]] = {}
    for problem in problems:
        matches = [(editor, match) for editor, pattern in patterns if (match := pattern.match(problem.path))]
        if not matches:
            continue
        editor, match = max(matches, key=lambda pair: len(pair[1].group(0)))
        found.setdefault(editor.name, []).append(
            {
                labels.column("row"): _item_label(doc, match.group(0)),
                "severity": str(problem.severity),
                labels.text("problems.column"): problem.message,
                labels.column("where"): problem.path[len(match.group(0)) :] or "/",
            }
        )
    for editor, _ in patterns:
        rows = found.get(editor.name)
        if not rows or editor.name not in slots:
            continue
        frame = pd.DataFrame(rows)
        colours = [_ROW_COLOURS.get(severity, "") for severity in frame["severity"]]
        frame["severity"] = [labels.option("severity", severity) for severity in frame["severity"]]
        frame = frame.rename(columns={"severity": labels.column("severity")})
        styled = frame.style.apply(lambda row, colours=colours: [colours[row.name]] * len(row), axis=1)
        slots[editor.name].dataframe(styled, hide_index=True, width="stretch")


# --------------------------------------------------------------------------------------------- graph

NEIGHBOURHOOD_ABOVE = 300
"""Above this many systems the graph shows the selection's neighbourhood (the whole on request)."""
LABELS_UP_TO = 220
"""Node labels are drawn up to this many shown systems; beyond, hover or select a node to read it."""


def _system_label(doc: Mapping[str, Any]) -> Callable[[str], str]:
    names = tables.system_names(doc)
    return lambda system_id: f"{names.get(system_id, system_id)} ({system_id})"


def _default_centre(doc: Mapping[str, Any]) -> str | None:
    """Where a large graph opens: the first entry point, else the first system."""
    for access in (doc.get("attack") or {}).get("initial_access") or []:
        if isinstance(access, Mapping) and isinstance(access.get("node"), str):
            return access["node"]
    ids = tables.id_choices(doc, "systems")
    return ids[0] if ids else None


@dataclass(frozen=True)
class GraphSettings:
    """What the graph controls chose: grouping, the systems shown (None: all), labels on or off."""

    group_by: str
    shown: frozenset[str] | None
    labels: bool
    total: int


def graph_view(doc: Mapping[str, Any], key: str, states: Mapping[str, Any] | None = None) -> str | None:
    """The interactive systems graph with its controls; return the id of the selected system, if any."""
    return graph_chart(doc, key, graph_controls(doc, key), states)


def graph_controls(doc: Mapping[str, Any], key: str) -> GraphSettings:
    """Search, grouping and neighbourhood controls of the graph ``key``.

    Drawn apart from the chart so that a page can rerun the chart alone (the simulation's time
    slider is a fragment holding only the slider and the chart). Above NEIGHBOURHOOD_ABOVE systems
    the view shows the selection and its neighbours.
    """
    from studio.graph.echarts import neighbourhood
    from studio.graph.layout import GROUP_FIELDS

    selected_key = f"{key}.selected"
    ids = tables.id_choices(doc, "systems")
    if st.session_state.get(selected_key) not in ids:
        st.session_state[selected_key] = None
    total = len(ids)
    large = total > NEIGHBOURHOOD_ABOVE
    search, group, around, whole = st.columns([4, 3, 2, 2])
    with search:
        st.selectbox(
            labels.text("graph.search"),
            ids,
            index=None,
            key=f"{key}.search",
            placeholder=labels.text("graph.search_placeholder"),
            format_func=_system_label(doc),
            on_change=lambda: st.session_state.update({selected_key: st.session_state.get(f"{key}.search")}),
        )
    with group:
        # Open on the first grouping that actually splits the systems (site, zone, organisation).
        values = {
            field: {str(system.get(field) or "") for system in doc.get("systems") or []}
            for field in GROUP_FIELDS
        }
        first = next((field for field in ("site", "zone", "organisation") if len(values[field]) > 1), "none")
        group_by = st.radio(
            labels.text("graph.group_by"),
            GROUP_FIELDS,
            index=GROUP_FIELDS.index(first),
            key=f"{key}.group",
            horizontal=True,
            format_func=lambda field: labels.text(f"graph.group.{field}"),
        )
    with around:
        depth = st.number_input(
            labels.text("graph.depth"), 1, 4, 1 if large else 2, key=f"{key}.depth", disabled=not large
        )
    with whole:
        show_all = st.toggle(
            labels.text("graph.whole"), value=not large, key=f"{key}.whole", disabled=not large
        )
    shown = None
    if large and not show_all:
        centre = st.session_state.get(selected_key) or _default_centre(doc)
        shown = frozenset(neighbourhood(doc, centre, int(depth)) if centre else ())
    count = total if shown is None else len(shown)
    return GraphSettings(group_by=group_by, shown=shown, labels=count <= LABELS_UP_TO, total=total)


def graph_chart(
    doc: Mapping[str, Any],
    key: str,
    settings: GraphSettings,
    states: Mapping[str, Any] | None = None,
    renderer: str | None = None,
) -> str | None:
    """The graph itself (ECharts); return the id of the selected system, if any.

    Pan with the mouse, zoom with the wheel, click a node to select it. Positions come from
    studio.graph.layout (computed once per structure), so ``states`` (system id -> state, from the
    simulation) only changes colours; assets/graph_hook.js then recolours the chart in place and
    keeps the user's zoom and pan. ``renderer`` forces "svg" or "canvas"; by default SVG (sharp,
    findable labels) up to NEIGHBOURHOOD_ABOVE systems shown, a canvas above.
    """
    from studio.graph.echarts import graph_option
    from studio.graph.layout import node_positions

    selected_key, clicks_key = f"{key}.selected", f"{key}.clicks"
    selected = st.session_state.get(selected_key)
    count = settings.total if settings.shown is None else len(settings.shown)
    option, node_ids = graph_option(
        doc,
        node_positions(doc, settings.group_by),
        group_by=settings.group_by,
        states=states,
        shown=settings.shown,
        selected=selected,
        labels=settings.labels,
        names=graph_names(doc),
    )
    st.caption(labels.text("graph.shown", shown=count, total=settings.total))
    event = st.echarts_chart(
        option,
        key=f"{key}.chart",
        on_select="rerun",
        height=640 if count > 40 else 460,
        # SVG keeps labels sharp and findable; a whole large graph draws faster on a canvas.
        renderer=renderer or ("svg" if count <= NEIGHBOURHOOD_ABOVE else "canvas"),
    )
    # A click is new when the chart's selection differs from the last one handled.
    clicked = _clicked_node(event, node_ids)
    if clicked != st.session_state.get(clicks_key):
        st.session_state[clicks_key] = clicked
        if clicked is not None and clicked != selected:
            st.session_state[selected_key] = clicked
            st.rerun()
    return st.session_state.get(selected_key)


def graph_names(doc: Mapping[str, Any]) -> dict[str, str]:
    """The graph's words: legend (system families, states) in the interface language, and the names
    of organisations and sites for the group captions."""
    from studio.graph.echarts import STATE_COLOURS, SYSTEM_FAMILIES

    names = {}
    for organisation in doc.get("organisations") or []:
        if isinstance(organisation, Mapping) and isinstance(organisation.get("id"), str):
            names[organisation["id"]] = str(organisation.get("name") or organisation["id"])
            for site in organisation.get("sites") or []:
                if isinstance(site, Mapping) and isinstance(site.get("id"), str):
                    names[site["id"]] = str(site.get("name") or site["id"])
    names.update(
        {
            name: labels.text(f"legend.{name}")
            for name in (*(family.name for family in SYSTEM_FAMILIES), *STATE_COLOURS)
        }
    )
    return names


def _clicked_node(event: Any, node_ids: Sequence[str | None]) -> str | None:
    """The system a chart selection points at (None: nothing, or a group caption)."""
    try:
        selected = event["selection"]["selected"]
    except (KeyError, TypeError):
        return None
    for item in selected or []:
        for index in item.get("data_indices") or []:
            if item.get("data_type", "node") == "node" and 0 <= index < len(node_ids):
                return node_ids[index]
    return None


# --------------------------------------------------------------------------------------------- charts


def localised_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows of a read-only table with their headers in the interface language (``col.<name>``)."""
    return [{labels.column(name): value for name, value in row.items()} for row in rows]


def metric_label(doc: Mapping[str, Any], metric: str) -> str:
    """A Monte Carlo metric in words: ``first_detection``, or ``down:svc-ed`` as "down: Emergencies"."""
    kind, _, target = metric.partition(":")
    if not target:
        return labels.option("metric", metric)
    names = {
        **tables.system_names(doc),
        **{
            c["id"]: c.get("name", c["id"])
            for c in doc.get("credentials") or []
            if isinstance(c, Mapping) and "id" in c
        },
    }
    return labels.text("metric.of", kind=labels.option("metric", kind), target=names.get(target, target))


def clock_axis_expression(doc: Mapping[str, Any]) -> str:
    """A Vega expression labelling an axis of exercise minutes like exercise_clock.exercise_label."""
    from studio.scenario.exercise_clock import clock_style, day_offset_minutes

    def pad(value: str) -> str:
        return f"(({value}) < 10 ? '0' : '') + ({value})"

    if clock_style(doc) == "offset":
        magnitude = "abs(round(datum.value))"
        return (
            "(datum.value < 0 ? 'T-' : 'T+') + "
            f"{pad(f'floor({magnitude} / 60)')} + ':' + {pad(f'{magnitude} % 60')}"
        )
    minute = f"(round(datum.value) + {day_offset_minutes(doc)})"
    return (
        f"'J' + (floor({minute} / 1440) + 1) + ' ' + "
        f"{pad(f'floor(({minute} % 1440) / 60)')} + ':' + {pad(f'{minute} % 60')}"
    )


def session_window(doc: Mapping[str, Any], key: str) -> tuple[float, float] | None:
    """A "zoom to a session" select box; the chosen window in exercise minutes (None: everything)."""
    from studio.scenario.exercise_clock import sessions

    windows = sessions(doc)
    options: list[int | None] = [None, *range(len(windows))]
    chosen = st.selectbox(
        labels.text("time.window"),
        options,
        key=key,
        format_func=lambda index: labels.text("time.whole") if index is None else windows[index].label,
    )
    return None if chosen is None else (windows[chosen].start, windows[chosen].end)


def event_chart(
    rows: Sequence[Mapping[str, Any]],
    x: str,
    y: str,
    color: str,
    tooltip: Sequence[str],
    clock: Mapping[str, Any] | None = None,
    window: tuple[float, float] | None = None,
    names: Mapping[str, str] | None = None,
) -> None:
    """Points on a time axis, one lane per ``y`` value, coloured by ``color`` (timelines, injects).

    With ``clock`` (the scenario), ``x`` holds exercise minutes and the axis reads in exercise time
    (T+01:30 or J1 08:30); ``window`` zooms on a span of them. When ``color`` is ``family`` (timeline
    event families), each family has its own colour and shape. The wheel zooms the time axis.
    ``names`` gives the column titles shown in tooltips and legends (the interface language).
    """
    title = dict(names or {})
    if not rows:
        st.caption(labels.text("chart.empty"))
        return
    lanes = len({row.get(y) for row in rows})
    frame = pd.DataFrame(rows)
    if color == "family":
        frame["family"] = frame["family"].map(lambda name: labels.option("family", name))
    scale = alt.Scale(domain=list(window)) if window else alt.Undefined
    axis = alt.Axis(labelExpr=clock_axis_expression(clock), tickMinStep=15) if clock else alt.Undefined
    encoding: dict[str, Any] = {
        "x": alt.X(f"{x}:Q", title=labels.text("time.axis") if clock else x, scale=scale, axis=axis),
        "y": alt.Y(f"{y}:N", title=None, sort=None),
        "tooltip": [alt.Tooltip(f"{field}:N", title=title.get(field, field)) for field in tooltip],
    }
    if color == "family":
        from studio.scenario.exercise_clock import EVENT_FAMILIES

        families = [labels.option("family", family.name) for family in EVENT_FAMILIES]
        encoding["color"] = alt.Color(
            "family:N",
            title=title.get("family", "family"),
            scale=alt.Scale(domain=families, range=[family.colour for family in EVENT_FAMILIES]),
        )
        encoding["shape"] = alt.Shape(
            "family:N",
            title=title.get("family", "family"),
            scale=alt.Scale(domain=families, range=[family.shape for family in EVENT_FAMILIES]),
        )
    else:
        encoding["color"] = alt.Color(f"{color}:N", title=title.get(color, color))
    chart = (
        alt.Chart(frame)
        .mark_point(size=80, filled=True, opacity=0.85, clip=True)
        .encode(**encoding)
        .properties(height=min(22 * lanes + 40, 900))
        .interactive(bind_y=False)
    )
    st.altair_chart(chart, width="stretch")


def distribution_chart(values: Sequence[float], title: str) -> None:
    """Distribution of one metric over Monte Carlo runs in hours, with p10, p50 and p90 marked."""
    from studio.scenario.exercise_clock import distribution_summary

    if not values:
        st.caption(labels.text("mc.never", metric=title))
        return
    summary = distribution_summary(values, labels.language())
    hours = pd.DataFrame({"hours": [value / 60 for value in values]})
    low, high = float(hours["hours"].min()), float(hours["hours"].max())
    if high - low < 1:  # (nearly) always the same: an hour either side, not one bar across the chart
        low, high = low - 1, high + 1
    bars = (
        alt.Chart(hours)
        .mark_bar()
        .encode(
            x=alt.X(
                "hours:Q",
                bin=alt.Bin(maxbins=30, extent=[low, high]),
                title=labels.text("mc.hours", metric=title),
            ),
            y=alt.Y("count():Q", title=labels.text("mc.runs")),
        )
    )
    marks = pd.DataFrame(
        [
            {"hours": summary[name] / 60, "mark": f"{name}: {summary[name + ' label']}"}
            for name in ("p10", "p50", "p90")
        ]
    )
    rules = (
        alt.Chart(marks).mark_rule(strokeDash=[4, 3], color="#c1121f").encode(x="hours:Q", tooltip=["mark"])
    )
    marks["height"] = [10, 24, 38]  # one line each: equal percentiles must not print on each other
    texts = (
        alt.Chart(marks)
        .mark_text(align="left", dx=3, color="#7f1d1d", fontWeight="bold")
        .encode(x="hours:Q", y=alt.Y("height:Q", scale=None), text="mark")
    )
    st.altair_chart(bars + rules + texts, width="stretch")
    st.markdown(
        " · ".join(f"**{name}** {summary[name + ' label']}" for name in ("p10", "p50", "p90"))
        + f" ({summary['runs']} {labels.text('mc.runs')})"
    )


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
        st.info(labels.text("llm.not_configured"), icon=":material/smart_toy:")
        return False
    st.caption(
        labels.text(
            "llm.endpoint",
            model=settings.llm_model,
            url=settings.llm_base_url or "api.openai.com",
            api_key=labels.text("llm.key_set" if api_key() else "llm.no_key"),
        )
    )
    return True
