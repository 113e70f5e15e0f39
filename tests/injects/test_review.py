"""Review statuses, validated edits, filters, chart rows and proposals applied only when accepted."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from studio.durations import parse_minutes
from studio.injects.generator import generate_msel
from studio.injects.review import (
    InvalidEdit,
    Proposal,
    ReviewError,
    StaleProposal,
    apply,
    chart_rows,
    edit_inject,
    filter_injects,
    set_review_status,
)

AT = "2025-03-01T10:00:00+01:00"


def test_review_walks_draft_reviewed_approved_with_a_log(generated: dict[str, Any]) -> None:
    inject_id = generated["injects"][0]["id"]
    reviewed = set_review_status(generated, inject_id, "reviewed", "Claire", "relu", at=AT)
    approved = set_review_status(reviewed, inject_id, "approved", "Paul", at=AT)
    inject = approved["injects"][0]
    assert inject["status"] == "approved"
    assert inject["review_log"] == [
        {"status": "reviewed", "by": "Claire", "at": AT, "comment": "relu"},
        {"status": "approved", "by": "Paul", "at": AT},
    ]
    assert generated["injects"][0]["status"] == "draft"  # the input is untouched


@pytest.mark.parametrize(
    ("start", "target"), [("draft", "approved"), ("rejected", "approved"), ("draft", "draft")]
)
def test_forbidden_transitions_are_refused(generated: dict[str, Any], start: str, target: str) -> None:
    generated["injects"][0]["status"] = start
    with pytest.raises(ReviewError, match=f"is {start}"):
        set_review_status(generated, generated["injects"][0]["id"], target, "Claire", at=AT)


def test_any_status_can_be_rejected_and_reopened(generated: dict[str, Any]) -> None:
    inject_id = generated["injects"][0]["id"]
    rejected = set_review_status(generated, inject_id, "rejected", "Claire", "hors sujet", at=AT)
    reopened = set_review_status(rejected, inject_id, "draft", "Claire", at=AT)
    assert [entry["status"] for entry in reopened["injects"][0]["review_log"]] == ["rejected", "draft"]


def test_review_needs_a_name_and_an_existing_inject(generated: dict[str, Any]) -> None:
    with pytest.raises(ReviewError, match="reviewer"):
        set_review_status(generated, generated["injects"][0]["id"], "reviewed", "  ")
    with pytest.raises(ReviewError, match="no inject"):
        set_review_status(generated, "nope", "reviewed", "Claire")


def test_review_time_defaults_to_now_with_a_zone(generated: dict[str, Any]) -> None:
    result = set_review_status(generated, generated["injects"][0]["id"], "reviewed", "Claire")
    assert result["injects"][0]["review_log"][0]["at"].endswith("+00:00")


def test_edit_applies_validates_and_marks_the_inject_edited(generated: dict[str, Any]) -> None:
    inject_id = generated["injects"][0]["id"]
    edited = edit_inject(generated, inject_id, {"title": "Nouveau titre", "animator_notes": None})
    inject = edited["injects"][0]
    assert inject["title"] == "Nouveau titre" and "animator_notes" not in inject
    assert inject["provenance"]["edited"] is True
    # Regeneration then keeps it.
    again = generate_msel(edited, seed=5).scenario
    assert next(i for i in again["injects"] if i["id"] == inject_id)["title"] == "Nouveau titre"


@pytest.mark.parametrize(
    "changes",
    [{"channel": "pigeon"}, {"to": []}, {"from": "ghost"}, {"title": ""}, {"offset": "2 hours"}],
)
def test_invalid_edits_are_refused_with_their_problems(
    generated: dict[str, Any], changes: dict[str, Any]
) -> None:
    before = copy.deepcopy(generated)
    with pytest.raises(InvalidEdit) as raised:
        edit_inject(generated, generated["injects"][0]["id"], changes)
    assert raised.value.problems and all(p.path.startswith("/injects/0") for p in raised.value.problems)
    assert generated == before


def test_identity_and_review_fields_cannot_be_edited(generated: dict[str, Any]) -> None:
    with pytest.raises(ReviewError, match="status"):
        edit_inject(generated, generated["injects"][0]["id"], {"status": "approved"})


def test_filters_combine(generated: dict[str, Any]) -> None:
    injects = generated["injects"]
    technical = filter_injects(injects, cells={"dsi"}, categories={"technical_alert"})
    assert technical and all("dsi" in i["to"] and i["category"] == "technical_alert" for i in technical)
    window = filter_injects(injects, start=60, end=90)
    assert window and all(60 <= parse_minutes(i["offset"]) <= 90 for i in window)
    assert filter_injects(injects, statuses={"approved"}) == []
    reserve = filter_injects(injects, contingency=True)
    assert reserve and len(reserve) + len(filter_injects(injects, contingency=False)) == len(injects)
    assert filter_injects(injects) == injects


def test_chart_rows_have_one_row_per_recipient(generated: dict[str, Any]) -> None:
    rows = chart_rows(generated)
    assert len(rows) == sum(len(i["to"]) for i in generated["injects"])
    assert [row["minute"] for row in rows] == sorted(row["minute"] for row in rows)
    first = rows[0]
    assert first["clock"].startswith("T+") and first["cell_name"]


def test_proposal_diff_and_apply(generated: dict[str, Any]) -> None:
    before = copy.deepcopy(generated["injects"][0])
    after = {**before, "title": "Titre réécrit", "synopsis": "Autre synopsis pour l'animation."}
    proposal = Proposal("rewrite", before["id"], before, after, model="m1")
    assert [change.field for change in proposal.changes] == ["synopsis", "title"]
    applied = apply(generated, proposal)
    inject = applied["injects"][0]
    assert inject["title"] == "Titre réécrit"
    assert inject["provenance"]["edited"] is True and inject["provenance"]["model"] == "m1"


def test_stale_or_failed_proposals_are_not_applied(generated: dict[str, Any]) -> None:
    before = copy.deepcopy(generated["injects"][0])
    proposal = Proposal("rewrite", before["id"], before, {**before, "title": "X"})
    changed = edit_inject(generated, before["id"], {"title": "Modifié entre-temps"})
    with pytest.raises(StaleProposal):
        apply(changed, proposal)
    with pytest.raises(ReviewError, match="failed"):
        apply(generated, Proposal("rewrite", before["id"], before, None, error="HTTP 500"))


def test_proposals_adding_injects_are_validated(generated: dict[str, Any]) -> None:
    new = {**copy.deepcopy(generated["injects"][0]), "id": "nouveau-1"}
    assert any(
        i["id"] == "nouveau-1"
        for i in apply(generated, Proposal("contingency", new_injects=[new]))["injects"]
    )
    with pytest.raises(ReviewError, match="already exists"):
        apply(generated, Proposal("contingency", new_injects=[generated["injects"][0]]))
    with pytest.raises(InvalidEdit):
        apply(generated, Proposal("contingency", new_injects=[{**new, "to": ["ghost"]}]))


def test_an_assisted_rewrite_of_an_approved_inject_goes_back_to_review(generated: dict[str, Any]) -> None:
    inject_id = generated["injects"][0]["id"]
    approved = set_review_status(generated, inject_id, "reviewed", "Relectrice", at=AT)
    approved = set_review_status(approved, inject_id, "approved", "Directeur d'exercice", at=AT)
    before = copy.deepcopy(approved["injects"][0])
    after = {**before, "message": before["message"] + "\nPhrase ajoutée par l'assistant."}
    applied = apply(approved, Proposal("rewrite", inject_id, before, after, model="m1"))
    inject = applied["injects"][0]
    assert inject["status"] == "draft"
    assert inject["review_log"][-1]["status"] == "draft" and "assistant" in inject["review_log"][-1]["by"]
    # A change that leaves what players receive alone keeps the approval.
    notes_only = {**before, "animator_notes": "Note pour l'animation."}
    kept = apply(approved, Proposal("rewrite", inject_id, before, notes_only, model="m1"))
    assert kept["injects"][0]["status"] == "approved"


def test_regeneration_keeps_approved_injects_and_their_contingencies(generated: dict[str, Any]) -> None:
    backed = next(i for i in generated["injects"] if i.get("contingency"))
    original = backed["contingency_for"]
    approved = set_review_status(generated, original, "reviewed", "Relectrice", at=AT)
    approved = set_review_status(approved, original, "approved", "Directeur d'exercice", at=AT)
    again = generate_msel(approved, seed=99).scenario
    by_id = {inject["id"]: inject for inject in again["injects"]}
    assert by_id[original]["status"] == "approved"
    assert by_id[backed["id"]] == backed
