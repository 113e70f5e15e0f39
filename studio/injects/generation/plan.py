"""The plan object that every stage of the MSEL generator reads and adds to.

The generator is a pipeline of stages (see :mod:`studio.injects.generation`); each is a function
``stage(plan)`` that reads what the earlier ones put in the :class:`Plan` and adds its own part:

1. :mod:`~studio.injects.generation.story` — beats: the scenario's own storyline and the simulated
   events read as the story players live through, plus the alerts that activate cells;
2. :mod:`~studio.injects.generation.routing` — senders and recipients, through the information
   model: an inject is sent only by someone who knows, to a cell that is active;
3. :mod:`~studio.injects.generation.schedule` — pacing over every played session
   (:mod:`~studio.injects.generation.pacing`, shared with lint) and the follow-ups of quiet periods
   (:mod:`~studio.injects.generation.followups`);
4. :mod:`~studio.injects.generation.text` — the words: templates, role lexicon, checks.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from studio.injects.context import ScenarioContext
from studio.injects.kinds import InjectKind
from studio.scenario.information import Knowledge

Progress = Callable[[int, int, str], None]
"""progress(done, total, label): called as each inject is written (label: its id). Contingency
injects ride along with the inject they back up and are not counted."""


DEFAULT_MAX_PER_15MIN = 4


WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "actor": "un groupe non identifié",
        "amount": "une somme non précisée",
        "hours": "{n} heures",
        "days": "{n} jours",
        "data": "des données de patients et de personnels",
        "leak_site": "leur site de revendication",
        "fallback": "l'établissement de repli désigné par l'ARS",
        "samu": "le SAMU",
        "unknown": "non précisé",
        "information_system": "le système d'information",
        "volume": "volume non précisé",
        "gb": "{n:g} Go",
        "date": "%d/%m/%Y",
        "time": "{h:02d}h{m:02d}",
        "minutes": "{n} minutes",
        "hour": "{n} heure",
        "day": "{n} jour",
        "no_limit": "sans limite fixée",
        "no_procedure": "aucune procédure dégradée n'est décrite dans le plan de continuité.",
        "no_delay": "non précisé",
        "none_yet": "aucun pour l'instant",
        "none_left": "plus aucun",
    },
    "en": {
        "actor": "an unidentified group",
        "amount": "an unspecified sum",
        "hours": "{n} hours",
        "days": "{n} days",
        "data": "patient and staff data",
        "leak_site": "their leak site",
        "fallback": "the fallback hospital designated by the health agency",
        "samu": "the emergency medical service",
        "unknown": "unknown",
        "information_system": "the information system",
        "volume": "undisclosed volume",
        "gb": "{n:g} GB",
        "date": "%Y-%m-%d",
        "time": "{h:02d}:{m:02d}",
        "minutes": "{n} minutes",
        "hour": "{n} hour",
        "day": "{n} day",
        "no_limit": "no set limit",
        "no_procedure": "no downtime procedure is described in the continuity plan.",
        "no_delay": "unspecified",
        "none_yet": "none yet",
        "none_left": "none left",
    },
}


class GenerationError(Exception):
    """The generator cannot run on this scenario (e.g. no timeline can be obtained)."""


@dataclass
class Beat:
    """A planned inject before routing and text: a kind, a scenario minute and what caused it."""

    kind: InjectKind
    minute: float
    cause: dict[str, Any]
    establishment: str | None
    node: str | None = None
    systems: list[str] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)
    priority_override: str | None = None
    members: list[Beat] = field(default_factory=list)
    """The service beats a situation point gathers (empty for other beats)."""
    rotation: int = 0
    """Which variant of the service lines to use (set when the MSEL is written)."""
    variant_turn: int | None = None
    """Which template variant to use, for kinds that take turns (None: drawn with the seed)."""
    story: dict[str, Any] | None = None
    """The storyline beat of the scenario this beat plays (its text is the designer's)."""
    window_end: float | None = None
    """Last exercise minute at which a storyline beat may still be played."""
    recipient: str | None = None
    """The one cell an activation alert goes to."""
    sender_id: str | None = None
    """The persona who must send it (an alert comes from whoever passes it on)."""

    @property
    def priority(self) -> str:
        return self.priority_override or self.kind.priority

    @property
    def cause_ids(self) -> list[str]:
        """The events that cause the beat: its own, or those of the beats it gathers."""
        if not self.members:
            return [self.cause["id"]]
        return sorted({member.cause["id"] for member in self.members})


@dataclass
class GenerationResult:
    """What :func:`generate_msel` did: the new scenario and an account for the designer."""

    scenario: dict[str, Any]
    generated: list[str] = field(default_factory=list)
    """Ids of the injects written by this run."""
    kept: list[str] = field(default_factory=list)
    """Ids of protected injects left as they were."""
    skipped: list[str] = field(default_factory=list)
    """Beats not produced, with the reason (no sender, outside the exercise, pacing)."""
    notes: list[str] = field(default_factory=list)
    """Messages of the text provider (e.g. an LLM answer refused and the offline text kept)."""
    knowledge: Knowledge | None = None
    """Who learns of the crisis when (studio.scenario.information), as generation used it: lint of
    the returned scenario may take it (``lint_msel(scenario, knowledge=...)``)."""


def is_protected(inject: dict[str, Any]) -> bool:
    """True when regeneration must leave the inject alone: a person touched it or wrote it."""
    provenance = inject.get("provenance", {})
    return (
        inject.get("status", "draft") != "draft"
        or bool(provenance.get("edited"))
        or provenance.get("source", "manual") in {"manual", "import"}
    )


def make_inject_id(*parts: str) -> str:
    """A schema-valid id from parts; long ones are shortened with a hash so they stay stable."""
    raw = "-".join(re.sub(r"[^A-Za-z0-9_.-]", "-", part) for part in parts)
    if len(raw) <= 64:
        return raw
    digest = hashlib.sha1(raw.encode()).hexdigest()[:10]
    return f"{raw[:40]}-{digest}-{parts[-1][:12]}"[:64]


@dataclass
class Candidate:
    """A beat with its id, exercise minute, sender and recipients, waiting for pacing and text."""

    beat: Beat
    inject_id: str
    exercise_minute: float
    sender: dict[str, Any]
    to: list[str]
    cc: list[str]
    first_call: bool = False
    """The first inject its sender sends in the MSEL (no « Re-bonjour » then; set when writing)."""


@dataclass
class Settings:
    """The generation settings of a scenario (``generation`` in the schema), with defaults."""

    limit: int = DEFAULT_MAX_PER_15MIN
    """Most injects one player cell receives in 15 minutes."""
    max_quiet: float = 30.0
    """Longest stretch of play (exercise minutes) an active cell goes without an inject."""
    per_hour: float = 3.0
    """Target stimuli per active cell and hour of play."""
    noise_share: float = 0.12
    """Share of distractions among each player cell's played injects (followups.balance_noise)."""
    contingency: bool = True


@dataclass
class Plan:
    """Everything the stages know and decide about one MSEL (see the module doc)."""

    scenario: dict[str, Any]
    ctx: ScenarioContext
    events: list[dict[str, Any]]
    seed: int
    settings: Settings
    windows: list[tuple[float, float]]
    """Played sessions, exercise minutes."""
    knowledge: Knowledge
    activation: dict[str, float]
    """Exercise minute from which each player cell is active (absent: never reached)."""
    fixed: list[dict[str, Any]]
    """Protected injects (a person wrote, edited or reviewed them): kept as they are."""
    taken: set[str] = field(default_factory=set)
    beats: list[Beat] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    placed: list[Candidate] = field(default_factory=list)
    injects: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    progress: Progress | None = None
    memo: dict[str, Any] = field(default_factory=dict)
    """What a stage computes once per plan and may use again (indexes over the timeline)."""
