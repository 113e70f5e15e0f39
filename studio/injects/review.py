"""Editing, reviewing and filtering injects, and LLM proposals applied only when accepted.

All functions are pure: they take a scenario and return a new one, never changing their input, so
that the studio can keep an undo history and the workspace saves whole documents.

Review statuses follow :data:`TRANSITIONS`: ``draft -> reviewed -> approved``, any status can be
``rejected``, and a rejected, reviewed or approved inject can be sent back to ``draft``. Each change
appends ``{status, by, at, comment}`` to the inject's ``review_log``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from studio.durations import format_clock, parse_minutes
from studio.scenario.problems import Problem

TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"reviewed", "rejected"}),
    "reviewed": frozenset({"approved", "rejected", "draft"}),
    "approved": frozenset({"rejected", "draft"}),
    "rejected": frozenset({"draft"}),
}

PROTECTED_FIELDS = frozenset({"id", "status", "review_log", "provenance"})
"""Fields an edit may not change: identity and review state have their own functions."""


class ReviewError(ValueError):
    """A review or edit request that cannot be honoured (unknown inject, forbidden transition...)."""


class InvalidEdit(ReviewError):
    """An edit would make the scenario invalid; ``problems`` says why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in problems))


class StaleProposal(ReviewError):
    """The inject changed since the proposal was made; ask for a new proposal."""


def find_inject(scenario: dict[str, Any], inject_id: str) -> tuple[int, dict[str, Any]]:
    """Index and dict of the inject ``inject_id``; ReviewError when there is none."""
    for index, inject in enumerate(scenario.get("injects", [])):
        if inject.get("id") == inject_id:
            return index, inject
    raise ReviewError(f"no inject {inject_id!r} in the scenario")


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def set_review_status(
    scenario: dict[str, Any],
    inject_id: str,
    status: str,
    reviewer: str,
    comment: str = "",
    *,
    at: str | None = None,
) -> dict[str, Any]:
    """Return a copy of ``scenario`` where inject ``inject_id`` has ``status``, logged with who and when.

    ``at`` is an ISO date-time with time zone (default: now, UTC). Raises ReviewError for an unknown
    inject, an empty reviewer name or a transition :data:`TRANSITIONS` does not allow.
    """
    if not reviewer.strip():
        raise ReviewError("a review needs the reviewer's name")
    result = copy.deepcopy(scenario)
    index, inject = find_inject(result, inject_id)
    current = inject.get("status", "draft")
    if status not in TRANSITIONS.get(current, frozenset()):
        allowed = ", ".join(sorted(TRANSITIONS.get(current, ()))) or "nothing"
        raise ReviewError(f"inject {inject_id!r} is {current}; it can go to {allowed}, not {status}")
    entry = {"status": status, "by": reviewer.strip()[:300], "at": at or _now()}
    if comment:
        entry["comment"] = comment
    inject["status"] = status
    inject.setdefault("review_log", []).append(entry)
    _check(result, index)
    return result


def _check(scenario: dict[str, Any], index: int) -> None:
    """Raise InvalidEdit with the validation errors found on inject ``index`` (or that it causes)."""
    from studio.scenario.validate import validate_scenario

    prefix = f"/injects/{index}"
    errors = [
        p
        for p in validate_scenario(scenario)
        if p.is_error and (p.path == prefix or p.path.startswith(prefix + "/") or p.rule.startswith("ids."))
    ]
    if errors:
        raise InvalidEdit(errors)


def edit_inject(scenario: dict[str, Any], inject_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of ``scenario`` with ``changes`` applied to one inject, marked ``provenance.edited``.

    A change to ``None`` removes an optional field. ``id``, ``status``, ``review_log`` and
    ``provenance`` cannot be edited here. The result is validated (schema and references); on errors
    InvalidEdit is raised and nothing changes. Edited injects are never overwritten by regeneration.
    """
    forbidden = sorted(PROTECTED_FIELDS & changes.keys())
    if forbidden:
        raise ReviewError(f"these fields cannot be edited directly: {', '.join(forbidden)}")
    result = copy.deepcopy(scenario)
    index, inject = find_inject(result, inject_id)
    for name, value in changes.items():
        if value is None:
            inject.pop(name, None)
        else:
            inject[name] = copy.deepcopy(value)
    provenance = inject.setdefault("provenance", {"source": "manual"})
    provenance["edited"] = True
    _check(result, index)
    return result


def filter_injects(
    injects: list[dict[str, Any]],
    *,
    cells: set[str] | None = None,
    categories: set[str] | None = None,
    statuses: set[str] | None = None,
    start: float | None = None,
    end: float | None = None,
    contingency: bool | None = None,
) -> list[dict[str, Any]]:
    """Injects matching every given criterion, in their order.

    ``cells`` matches recipients (``to`` or ``cc``); ``start``/``end`` are exercise minutes from
    STARTEX, both inclusive; ``contingency`` True keeps only reserve injects, False drops them.
    None means "any".
    """
    kept = []
    for inject in injects:
        minute = parse_minutes(inject["offset"])
        if cells is not None and not cells & {*inject.get("to", []), *inject.get("cc", [])}:
            continue
        if categories is not None and inject.get("category") not in categories:
            continue
        if statuses is not None and inject.get("status", "draft") not in statuses:
            continue
        if (start is not None and minute < start) or (end is not None and minute > end):
            continue
        if contingency is not None and bool(inject.get("contingency")) != contingency:
            continue
        kept.append(inject)
    return kept


def chart_rows(scenario: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows for a timeline chart of injects by cell: one row per (inject, recipient cell).

    Each row: ``cell``, ``cell_name``, ``inject_id``, ``number``, ``title``, ``category``, ``status``,
    ``priority``, ``contingency``, ``minute`` (exercise minutes from STARTEX), ``clock`` (T+hh:mm)
    and ``scenario_time``. Sorted by minute, then cell, then inject id.
    """
    names = {cell["id"]: cell["name"] for cell in scenario.get("cells", [])}
    rows = []
    for inject in scenario.get("injects", []):
        minute = parse_minutes(inject["offset"])
        for cell in inject["to"]:
            rows.append(
                {
                    "cell": cell,
                    "cell_name": names.get(cell, cell),
                    "inject_id": inject["id"],
                    "number": inject.get("number", ""),
                    "title": inject["title"],
                    "category": inject["category"],
                    "status": inject.get("status", "draft"),
                    "priority": inject.get("priority", "core"),
                    "contingency": bool(inject.get("contingency")),
                    "minute": minute,
                    "clock": format_clock(minute),
                    "scenario_time": inject.get("scenario_time", ""),
                }
            )
    return sorted(rows, key=lambda row: (row["minute"], row["cell"], row["inject_id"]))


@dataclass(frozen=True)
class FieldChange:
    """One field of an inject as it is and as a proposal would make it (None: absent)."""

    field: str
    before: Any
    after: Any


@dataclass
class Proposal:
    """A change an LLM action suggests, shown to a person and applied only if accepted.

    ``before``/``after`` are the whole inject (for actions on one inject); ``new_injects`` are injects
    to add (contingency proposals); ``text`` carries answers that are not injects (discussion
    questions, a briefing summary). ``error`` is set when the action failed: the proposal then
    changes nothing and says why.
    """

    action: str
    inject_id: str | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    new_injects: list[dict[str, Any]] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    error: str | None = None
    model: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def changes(self) -> list[FieldChange]:
        """Field-by-field diff between ``before`` and ``after``, in field-name order."""
        return diff_fields(self.before or {}, self.after or {}) if self.after is not None else []


def diff_fields(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    """The fields whose value differs between two injects, sorted by name."""
    names = sorted(before.keys() | after.keys())
    return [
        FieldChange(name, before.get(name), after.get(name))
        for name in names
        if before.get(name) != after.get(name)
    ]


REVIEWED_CONTENT = frozenset(
    {"title", "message", "synopsis", "expected_actions", "to", "from", "offset", "channel"}
)
"""Fields whose change voids a review: what the players receive, from whom, when and how."""


def _content_changed(before: dict[str, Any], after: dict[str, Any]) -> bool:
    return any(before.get(name) != after.get(name) for name in REVIEWED_CONTENT)


def apply(scenario: dict[str, Any], proposal: Proposal) -> dict[str, Any]:
    """Return a copy of ``scenario`` with an accepted proposal applied.

    The changed inject is marked ``provenance.edited`` (a person accepted it, so regeneration keeps
    it) with the model recorded; a reviewed or approved inject whose content the proposal changes goes
    back to ``draft`` with a review-log entry (it must be reviewed again); added injects are appended.
    Raises ReviewError for a failed proposal, StaleProposal when the inject changed since the
    proposal was made, InvalidEdit when the result would not validate.
    """
    if not proposal.ok:
        raise ReviewError(f"the proposal failed and cannot be applied: {proposal.error}")
    result = copy.deepcopy(scenario)
    if proposal.inject_id is not None and proposal.after is not None:
        index, inject = find_inject(result, proposal.inject_id)
        if inject != proposal.before:
            raise StaleProposal(f"inject {proposal.inject_id!r} changed since the proposal was made")
        updated = copy.deepcopy(proposal.after)
        provenance = updated.setdefault("provenance", {"source": "llm"})
        provenance["edited"] = True
        if proposal.model:
            provenance["model"] = proposal.model[:300]
        if updated.get("status") in {"reviewed", "approved"} and _content_changed(inject, updated):
            # What was reviewed or approved is not this text any more: it goes back to review.
            updated["status"] = "draft"
            updated.setdefault("review_log", []).append(
                {
                    "status": "draft",
                    "by": f"assistant ({proposal.model})"[:120] if proposal.model else "assistant",
                    "at": _now(),
                    "comment": f"rewritten by the assistant ({proposal.action}): to be reviewed again",
                }
            )
        result["injects"][index] = updated
        _check(result, index)
    taken = {inject["id"] for inject in result.get("injects", [])}
    for new in proposal.new_injects:
        if new["id"] in taken:
            raise ReviewError(f"an inject {new['id']!r} already exists")
        result.setdefault("injects", []).append(copy.deepcopy(new))
        taken.add(new["id"])
        _check(result, len(result["injects"]) - 1)
    return result
