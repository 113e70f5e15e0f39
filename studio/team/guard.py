"""What each role may do, checked on the data itself.

Two kinds of checks:

* an *action* (generate, export control packs, read the audit, lock a version, restore) needs one of
  the roles in :data:`ACTIONS`;
* a *change* of a scenario is compared with the document it started from, part by part, and each
  changed part needs its roles (:func:`change_requirements`): the systems and anything outside the
  injects need a designer; adding or removing injects needs a designer; editing an inject's text
  needs a designer or a reviewer; setting an inject to ``approved`` needs an approver, other review
  statuses a reviewer or an approver. Review-trail entries can only be appended, signed by the
  person acting.

Checking changes instead of buttons means every path that changes a scenario (a table, a form, an
LLM proposal, an upload saved over a scenario, a restore) is held to the same rules.
A refusal is :class:`Refused`, whose message says which role the action needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from studio.team.identity import Actor

DESIGNER, REVIEWER, APPROVER, OBSERVER = "designer", "reviewer", "approver", "observer"
EDITORS = (DESIGNER, REVIEWER, APPROVER)

ACTIONS: dict[str, tuple[str, ...]] = {
    "create a scenario": (DESIGNER,),
    "generate injects": (DESIGNER,),
    "restore a revision": (DESIGNER,),
    "save": EDITORS,
    "export control-only documents": EDITORS,
    "export player packs": (DESIGNER, REVIEWER, APPROVER, OBSERVER),
    "read the audit log": (APPROVER,),
    "lock an exercise version": (APPROVER,),
}

_PARTS = {
    "systems": "the systems and links",
    "attack": "the attack",
    "exercise": "the exercise settings",
    "timeline": "the simulated timeline",
    "cells": "the player cells",
    "personas": "the personas",
    "organisations": "the organisations",
    "objectives": "the objectives",
    "playbooks": "the playbooks",
    "generation": "the generation settings",
}
_INJECT_REVIEW_FIELDS = frozenset({"status", "review_log"})


class Refused(PermissionError):
    """The acting person lacks the role an action needs; ``needed`` lists the roles that would do."""

    def __init__(self, actor: Actor, action: str, needed: tuple[str, ...], reason: str = "") -> None:
        self.actor = actor
        self.action = action
        self.needed = needed
        sentence = action[:1].upper() + action[1:]
        if needed:
            text = f"{sentence} needs the {' or '.join(needed)} role; {actor.label} has {actor.roles_text}."
        else:
            text = f"{sentence} is refused to everyone: {reason}."
        super().__init__(text)


def _a_role(actor: Actor, action: str, needed: tuple[str, ...]) -> None:
    if not actor.has(*needed):
        raise Refused(actor, action, needed)


def require(actor: Actor, action: str) -> None:
    """Raise Refused unless ``actor`` has one of the roles :data:`ACTIONS` gives ``action``."""
    _a_role(actor, action, ACTIONS[action])


@dataclass(frozen=True)
class Requirement:
    """One changed part of a scenario and the roles allowed to change it."""

    action: str
    roles: tuple[str, ...]
    reason: str = ""  # why nobody may do it, when ``roles`` is empty


def _injects(document: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    items = document.get("injects") or []
    return {str(item.get("id")): item for item in items if isinstance(item, Mapping)}


def _review_requirements(
    actor: Actor, inject_id: str, before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[Requirement]:
    needs = []
    old_log, new_log = before.get("review_log") or [], after.get("review_log") or []
    if new_log[: len(old_log)] != old_log:
        needs.append(
            Requirement(f"rewriting the review trail of inject {inject_id}", (), "the trail is append-only")
        )
    for entry in new_log[len(old_log) :]:
        signer = str(entry.get("by", "")) if isinstance(entry, Mapping) else ""
        if signer != actor.label:
            needs.append(
                Requirement(
                    f"signing a review of inject {inject_id} as {signer!r}",
                    (),
                    "a review is signed by the person who makes it",
                )
            )
    status = after.get("status", "draft")
    if status != before.get("status", "draft"):
        needs.append(
            Requirement(f"setting inject {inject_id} to {status}", (APPROVER,))
            if status == "approved"
            else Requirement(f"setting inject {inject_id} to {status}", (REVIEWER, APPROVER))
        )
    return needs


def change_requirements(
    actor: Actor, before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[Requirement]:
    """Each part that differs between ``before`` and ``after``, with the roles allowed to change it."""
    needs = []
    for key in sorted(before.keys() | after.keys()):
        if key != "injects" and before.get(key) != after.get(key):
            needs.append(Requirement(f"changing {_PARTS.get(key, key)}", (DESIGNER,)))
    old, new = _injects(before), _injects(after)
    added, removed = sorted(new.keys() - old.keys()), sorted(old.keys() - new.keys())
    if added:
        needs.append(Requirement(f"adding injects ({', '.join(added[:5])})", (DESIGNER,)))
    if removed:
        needs.append(Requirement(f"removing injects ({', '.join(removed[:5])})", (DESIGNER,)))
    for inject_id in sorted(old.keys() & new.keys()):
        first, second = old[inject_id], new[inject_id]
        if first == second:
            continue
        edited = {
            name for name in first.keys() | second.keys() if first.get(name) != second.get(name)
        } - _INJECT_REVIEW_FIELDS
        if edited:
            needs.append(Requirement(f"editing inject {inject_id}", (DESIGNER, REVIEWER)))
        needs += _review_requirements(actor, inject_id, first, second)
    if [item.get("id") for item in before.get("injects") or []] != [
        item.get("id") for item in after.get("injects") or []
    ] and not (added or removed):
        needs.append(Requirement("reordering injects", (DESIGNER,)))
    return needs


def check_change(actor: Actor, before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
    """Raise Refused for the first changed part ``actor`` may not change (nothing is changed here)."""
    for requirement in change_requirements(actor, before, after):
        if not requirement.roles:
            raise Refused(actor, requirement.action, (), requirement.reason)
        _a_role(actor, requirement.action, requirement.roles)
