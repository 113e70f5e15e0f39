"""Settings read from the environment, with embedded defaults that need no key and no server.

| variable | meaning | default |
|---|---|---|
| CRISIS_STUDIO_WORKSPACE | folder where scenarios are saved | ~/.local/share/crisis-studio/workspace |
| CRISIS_STUDIO_KEEP_REVISIONS | previous revisions kept per scenario | 10 |
| CRISIS_STUDIO_PROVIDER | inject text provider: offline or openai | offline |
| OPENAI_BASE_URL | OpenAI-compatible endpoint (OpenAI, Mistral, Ollama, vLLM...) | openai default |
| OPENAI_API_KEY | key for that endpoint; read when a request is made, never stored | none |
| CRISIS_STUDIO_MODEL | model name sent to the endpoint | gpt-4o-mini |
| CRISIS_STUDIO_LLM_TIMEOUT | seconds per LLM request, from sending to the last byte | 60 |
| CRISIS_STUDIO_LLM_RUN_TIMEOUT | seconds for all the requests of one generation | 900 |
| CRISIS_STUDIO_LLM_CONCURRENCY | LLM requests in flight at once | 8 |
| CRISIS_STUDIO_CACHE | folder of the LLM response cache | ~/.cache/crisis-studio |

The API key is deliberately not a field of Settings: it is fetched by ``api_key()`` at the moment a
client is built, so that no settings object, repr, log line or saved file can carry it.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path


def _path_from_env(variable: str, default: Path) -> Path:
    value = os.environ.get(variable)
    return Path(value).expanduser() if value else default


def _int_from_env(variable: str, default: int) -> int:
    try:
        return int(os.environ.get(variable, default))
    except ValueError:
        return default


def _float_from_env(variable: str, default: float) -> float:
    """The number in ``variable``; NaN when it is not one, so that the check of the value refuses it
    by name instead of silently running with the default."""
    try:
        return float(os.environ.get(variable, default))
    except ValueError:
        return math.nan


@dataclass(frozen=True)
class Settings:
    workspace: Path = field(
        default_factory=lambda: _path_from_env(
            "CRISIS_STUDIO_WORKSPACE", Path.home() / ".local" / "share" / "crisis-studio" / "workspace"
        )
    )
    keep_revisions: int = field(default_factory=lambda: _int_from_env("CRISIS_STUDIO_KEEP_REVISIONS", 10))
    provider: str = field(default_factory=lambda: os.environ.get("CRISIS_STUDIO_PROVIDER", "offline"))
    llm_base_url: str | None = field(default_factory=lambda: os.environ.get("OPENAI_BASE_URL") or None)
    llm_model: str = field(default_factory=lambda: os.environ.get("CRISIS_STUDIO_MODEL", "gpt-4o-mini"))
    llm_timeout: float = field(default_factory=lambda: _float_from_env("CRISIS_STUDIO_LLM_TIMEOUT", 60.0))
    llm_run_timeout: float = field(
        default_factory=lambda: _float_from_env("CRISIS_STUDIO_LLM_RUN_TIMEOUT", 900.0)
    )
    llm_concurrency: int = field(default_factory=lambda: _int_from_env("CRISIS_STUDIO_LLM_CONCURRENCY", 8))
    cache_dir: Path = field(
        default_factory=lambda: _path_from_env(
            "CRISIS_STUDIO_CACHE", Path.home() / ".cache" / "crisis-studio"
        ),
    )


def api_key() -> str | None:
    """The LLM API key from OPENAI_API_KEY, read now and never kept.

    Blanks around it are not part of it: a key read from a file ends with a line end (a carriage
    return from Windows), which no HTTP header can carry and which would hide the key from the
    checks that look for it in a scenario."""
    return (os.environ.get("OPENAI_API_KEY") or "").strip() or None
