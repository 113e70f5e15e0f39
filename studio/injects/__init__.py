"""Injects: MSEL generation, prompts, the LLM provider, review and lint.

Public API (plain functions over scenario dicts; the studio's "Injects" page is built on them):

- :func:`generate_msel` (offline or LLM provider, with a progress callback) -> :class:`GenerationResult`
- :func:`lint_msel` -> list of Problems
- :func:`filter_injects`, :func:`chart_rows`
- :func:`edit_inject`, :func:`set_review_status`
- :class:`Assistant` (LLM actions returning :class:`Proposal`) and :func:`apply`
"""

from studio.injects.generator import GenerationError, GenerationResult, generate_msel, is_protected
from studio.injects.lint import lint_msel
from studio.injects.review import (
    FieldChange,
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

__all__ = [
    "Assistant",
    "FieldChange",
    "GenerationError",
    "GenerationResult",
    "InvalidEdit",
    "LLMClient",
    "LLMError",
    "Proposal",
    "ReviewError",
    "StaleProposal",
    "apply",
    "chart_rows",
    "edit_inject",
    "filter_injects",
    "generate_msel",
    "is_protected",
    "lint_msel",
    "set_review_status",
]


def __getattr__(name: str) -> object:
    # The LLM module imports jsonschema and, on use, openai: loaded only when asked for.
    if name in {"Assistant", "LLMClient", "LLMError"}:
        from studio.injects import llm

        return getattr(llm, name)
    raise AttributeError(name)
