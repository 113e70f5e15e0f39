"""Who is acting: an authenticated person and the roles the settings give them.

Roles come from ``[roles]`` in the team settings. Each entry is an e-mail address (matched without
regard to case, and only when the provider does not say the address is unverified), ``*@domain``
for a whole domain, or ``group:NAME`` for a value of the provider's group claim.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from studio.team.settings import ROLES


@dataclass(frozen=True)
class Actor:
    """A signed-in person (or the local user in local mode) and their roles."""

    email: str
    name: str
    roles: frozenset[str]

    @property
    def label(self) -> str:
        """``Name <email>``: how the person appears in the review trail, the history and the audit."""
        return f"{self.name} <{self.email}>" if self.name and self.name != self.email else self.email

    def has(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    @property
    def roles_text(self) -> str:
        return ", ".join(role for role in ROLES if role in self.roles) or "no role"


def _groups(claims: Mapping[str, Any], group_claim: str) -> set[str]:
    value = claims.get(group_claim)
    if isinstance(value, str):
        return {part for part in value.replace(",", " ").split() if part}
    if isinstance(value, list | tuple):
        return {str(item) for item in value}
    return set()


def roles_for(
    claims: Mapping[str, Any], roles: Mapping[str, tuple[str, ...]], group_claim: str
) -> frozenset[str]:
    """The roles that ``roles`` (role -> members) give the person described by the ID-token ``claims``."""
    email = str(claims.get("email") or "").strip().lower()
    if claims.get("email_verified") is False:
        email = ""  # an address the provider did not verify proves nothing
    groups = _groups(claims, group_claim)
    granted = set()
    for role, members in roles.items():
        for member in members:
            entry = member.strip()
            if entry.startswith("group:"):
                matched = entry[len("group:") :] in groups
            elif entry.startswith("*@"):
                matched = bool(email) and email.endswith(entry[1:].lower())
            else:
                matched = bool(email) and email == entry.lower()
            if matched:
                granted.add(role)
                break
    return frozenset(granted)


def actor_from_claims(
    claims: Mapping[str, Any], roles: Mapping[str, tuple[str, ...]], group_claim: str
) -> Actor:
    """The Actor for the ID-token ``claims`` (``email``, ``name``, ``sub``, the group claim)."""
    email = str(claims.get("email") or claims.get("sub") or "").strip()
    name = str(claims.get("name") or claims.get("preferred_username") or email).strip()
    return Actor(email=email[:200], name=name[:100], roles=roles_for(claims, roles, group_claim))
