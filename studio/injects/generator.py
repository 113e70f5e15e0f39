"""The MSEL generator's public entry points (the stages live in :mod:`studio.injects.generation`)."""

from __future__ import annotations

from studio.injects.generation import (
    GenerationError,
    GenerationResult,
    build_plan,
    generate_msel,
    is_protected,
    kept_injects,
    obtain_timeline,
)
from studio.injects.generation.followups import SUSTAIN_KINDS, sustain
from studio.injects.generation.pacing import (
    DEFAULT_MAX_QUIET,
    PACING_WINDOW,
    counts_for_pacing,
    quarter_minute,
)
from studio.injects.generation.plan import DEFAULT_MAX_PER_15MIN
from studio.injects.generation.story import service_profile

__all__ = [
    "DEFAULT_MAX_PER_15MIN",
    "DEFAULT_MAX_QUIET",
    "PACING_WINDOW",
    "SUSTAIN_KINDS",
    "GenerationError",
    "GenerationResult",
    "build_plan",
    "counts_for_pacing",
    "generate_msel",
    "is_protected",
    "kept_injects",
    "obtain_timeline",
    "quarter_minute",
    "service_profile",
    "sustain",
]
