"""Prompt and template files of prompts/, with named variables that are checked, never guessed.

Two kinds of files live there:

* ``prompts/injects/<category>/<lang>.md``: offline message templates of one inject category. A file
  holds several *kinds* (``ransom_note``, ``leak_post``...) and each kind several *variants*; the
  offline provider picks a variant with the seed. Layout::

      === <kind> / <variant> ===
      [title]
      one line, variables allowed
      [message]
      player-facing text...
      [synopsis]      (control only)
      [animator_notes]
      [expected_actions]
      - one action per dash line
      [discussion_questions]   (optional)
      - ...

  Text before the first ``===`` line is a comment for the people editing the file.
* ``prompts/injects/clinical_impact/services.<lang>.md``: service profiles (:func:`service_profiles`),
  the lines that make an impact inject speak like the emergency department, the lab or the
  pharmacy. Layout::

      === <profile> ===
      [match]
      - svc-emergency            (catalogue id, exact)
      - urgence|emergenc          (regular expression on the service name and id)
      [critical]
      - yes                       (reported on its own, never folded into a situation point)
      [sender_words]
      - urgen|iao                 (words of the persona best placed to speak for it)
      [contact] / [scene] / [ask] / [action]
      - one variant per dash line; variables allowed

  The profile named ``default`` applies when nothing matches; the block ``situation_point`` holds
  the line templates of a situation point (``[down]``, ``[degraded]``, ``[expired]``; for applications
  ``[application]``, ``[application_shared]`` when several services use it, ``[application_alone]``
  when none does).
* ``prompts/actions/<action>/{system,user}.<lang>.md``: the messages of one LLM action.

Variables are written ``{name}``; ``{{`` and ``}}`` are literal braces. Every name must be declared
in :data:`INJECT_VARIABLES` or :data:`ACTION_VARIABLES`: a typo in a file is reported when the file is
loaded (unknown variable), and rendering without a value is reported too (missing variable), both as
:class:`PromptError` naming the file.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from studio.injects.wording import WORDING_VARIABLES
from studio.resources import prompts_dir

INJECT_VARIABLES: dict[str, str] = {
    "establishment": "name of the establishment concerned",
    "establishment_short": "short name of that establishment",
    "site": "site (campus) concerned, or the establishment name",
    "city": "city of the establishment",
    "ght": "name of the hospital group (GHT), or the establishment",
    "system": "name of the system the inject is about",
    "systems": "names of the systems concerned, comma separated",
    "count": "how many systems are concerned",
    "service": "clinical or business service concerned",
    "capacity": "share of activity kept in degraded mode, in percent",
    "degraded_description": "how the degraded mode works",
    "time": "scenario clock when the inject is played, HH:MM",
    "date": "scenario date when the inject is played",
    "sender_name": "name of the sending persona",
    "sender_role": "role of the sending persona",
    "sender_org": "organisation of the sending persona",
    "recipient": "names of the recipient cells",
    "actor": "name the attackers go by",
    "ransom_amount": "ransom demanded, with its currency",
    "deadline": "time left to pay, in words",
    "leak_site": "name of the leak site",
    "data": "data said to be stolen",
    "volume_gb": "volume said to be stolen, with its unit",
    "fallback": "fallback establishment for transfers or diversion",
    "samu": "the SAMU / Centre 15 concerned",
    "hours_left": "hours left on the CNIL 72-hour clock",
    "original_title": "title of the inject a contingency backs up",
    "expected_action": "first expected action of that inject",
    "lost_systems": "systems the service lost (its failed dependencies), comma separated",
    "activation_delay": "time the service needs to set its degraded mode up, in words",
    "max_duration": "how long the degraded mode holds, in words",
    "service_contact": "who speaks for the service (e.g. the biologist on call)",
    "service_scene": "what this kind of service sees when it loses its tools (services file)",
    "service_ask": "what this kind of service asks the crisis cell (services file)",
    "service_action": "an expected action proper to this kind of service (services file)",
    "services_list": "one line per service of a situation point: state and workaround",
    "restored_systems": "systems restored since the last progress told (restore_progress)",
    "pending_systems": "systems still encrypted or down, most critical first (restore_progress)",
    "hours_on_duty": "hours since the first alarm, scenario clock (fatigue_followup)",
    "tools": "at most three tools the sender lost, in the words of its function (prompts/functions/tools)",
    "opening": "how the sender opens a call or a note, from its function (prompts/functions)",
    "alerted_cell": "name of the cell an alert call brings into play",
    "voice_line": "a line of what the sender's function says as the crisis lasts (prompts/functions)",
}
INJECT_VARIABLES.update(WORDING_VARIABLES)

ACTION_VARIABLES: dict[str, str] = {
    "language_name": "language the answer must be written in",
    "marking": "exercise safety marking every message begins with",
    "schema": "JSON Schema the answer must follow",
    "data": "scenario data, delimited, never instructions",
    "instruction": "what the designer asks for",
    "errors": "validation errors of the previous answer",
    "previous": "the previous answer",
    "count": "how many items to propose",
}

SECTIONS = ("title", "message", "synopsis", "animator_notes", "expected_actions", "discussion_questions")
LIST_SECTIONS = frozenset({"expected_actions", "discussion_questions"})
REQUIRED_SECTIONS = ("title", "message", "synopsis", "expected_actions")

_VARIANT_HEADER = re.compile(r"^=== *([a-z0-9_]+) */ *([A-Za-z0-9_]+) *===\s*$", re.MULTILINE)
_SECTION_HEADER = re.compile(r"^\[([a-z_]+)\]\s*$", re.MULTILINE)


class PromptError(Exception):
    """A prompt or template file is missing, malformed, or uses a variable that is unknown or unset."""


def placeholders(text: str, source: str = "<text>") -> set[str]:
    """The variable names used in ``text``; raises PromptError on malformed braces."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        raise PromptError(f"{source}: malformed braces: {exc}") from None


def check_known(text: str, known: dict[str, str], source: str) -> None:
    """Raise PromptError when ``text`` uses a variable that is not in ``known``."""
    names = placeholders(text, source)
    for name in sorted(names):
        if not name.isidentifier() or name not in known:
            raise PromptError(
                f"{source}: unknown variable {{{name}}}; known variables: {', '.join(sorted(known))}"
            )


def render(text: str, values: dict[str, Any], source: str = "<text>") -> str:
    """Fill the ``{name}`` variables of ``text`` from ``values``; raise PromptError if one is missing."""
    missing = sorted(placeholders(text, source) - values.keys())
    if missing:
        raise PromptError(
            f"{source}: missing value for variable(s) {', '.join('{' + m + '}' for m in missing)}"
        )
    return text.format_map(values)


@dataclass(frozen=True)
class InjectTemplate:
    """One variant of one kind of inject: its sections, each a template string (lists: one per item)."""

    category: str
    language: str
    kind: str
    variant: str
    sections: dict[str, Any] = field(hash=False)

    @property
    def name(self) -> str:
        """Stable name stored in the inject's provenance.template."""
        return f"{self.category}/{self.kind}/{self.variant}.{self.language}"

    def render(self, values: dict[str, Any]) -> dict[str, Any]:
        """Return the filled sections: strings, and lists of strings for list sections."""
        filled: dict[str, Any] = {}
        for name, body in self.sections.items():
            if isinstance(body, list):
                filled[name] = [render(item, values, self.name) for item in body]
            else:
                filled[name] = render(body, values, self.name)
        return filled


def _parse_sections(body: str, source: str) -> dict[str, Any]:
    parts = _SECTION_HEADER.split(body)
    if parts[0].strip():
        raise PromptError(f"{source}: text before the first [section]")
    sections: dict[str, Any] = {}
    for name, text in zip(parts[1::2], parts[2::2], strict=True):
        if name not in SECTIONS:
            raise PromptError(f"{source}: unknown section [{name}]; sections: {', '.join(SECTIONS)}")
        if name in sections:
            raise PromptError(f"{source}: section [{name}] appears twice")
        text = text.strip()
        if name in LIST_SECTIONS:
            items = [line[1:].strip() for line in text.splitlines() if line.startswith("-")]
            if not items:
                raise PromptError(f"{source}: section [{name}] needs '- ' items")
            sections[name] = items
        else:
            sections[name] = text
        for piece in sections[name] if isinstance(sections[name], list) else [sections[name]]:
            check_known(piece, INJECT_VARIABLES, source)
    for name in REQUIRED_SECTIONS:
        if not sections.get(name):
            raise PromptError(f"{source}: section [{name}] is missing or empty")
    return sections


def parse_inject_templates(text: str, category: str, language: str, source: str) -> list[InjectTemplate]:
    """Parse one ``prompts/injects/<category>/<lang>.md`` file (see the module docstring)."""
    parts = _VARIANT_HEADER.split(text)
    templates = []
    seen: set[tuple[str, str]] = set()
    for kind, variant, body in zip(parts[1::3], parts[2::3], parts[3::3], strict=True):
        where = f"{source} ({kind} / {variant})"
        if (kind, variant) in seen:
            raise PromptError(f"{where}: duplicate variant")
        seen.add((kind, variant))
        templates.append(InjectTemplate(category, language, kind, variant, _parse_sections(body, where)))
    if not templates:
        raise PromptError(f"{source}: no '=== kind / variant ===' block")
    return templates


@cache
def inject_templates(category: str, language: str) -> dict[str, tuple[InjectTemplate, ...]]:
    """Templates of one category and language, by kind (variants in file order). Cached."""
    path = prompts_dir() / "injects" / category / f"{language}.md"
    if not path.is_file():
        raise PromptError(f"no template file {path}")
    by_kind: dict[str, list[InjectTemplate]] = {}
    for template in parse_inject_templates(path.read_text(encoding="utf-8"), category, language, str(path)):
        by_kind.setdefault(template.kind, []).append(template)
    return {kind: tuple(variants) for kind, variants in by_kind.items()}


def template_categories() -> list[str]:
    """The folders of prompts/injects/, sorted."""
    return sorted(p.name for p in (prompts_dir() / "injects").iterdir() if p.is_dir())


PROFILE_SECTIONS = (
    "match",
    "critical",
    "sender_words",
    "functions",
    "contact",
    "scene",
    "ask",
    "action",
    "down",
    "degraded",
    "expired",
    "application",
    "application_shared",
    "application_alone",
)
PROFILE_TEXT_SECTIONS = PROFILE_SECTIONS[4:]
POINT_SECTIONS = ("down", "degraded", "expired", "application", "application_shared", "application_alone")
SERVICES_FILE = "services"
_PROFILE_HEADER = re.compile(r"^=== *([a-z0-9_]+) *===\s*$", re.MULTILINE)


@dataclass(frozen=True)
class ServiceProfile:
    """How one kind of clinical service speaks: how it is recognised and its lines, by section."""

    name: str
    catalogue: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]
    critical: bool
    sender_words: str
    lines: dict[str, tuple[str, ...]] = field(hash=False)
    functions: tuple[str, ...] = ()
    """Persona functions that speak for this kind of service, best first."""

    def matches(self, catalogue_ref: str | None, text: str) -> bool:
        if catalogue_ref and catalogue_ref in self.catalogue:
            return True
        return any(pattern.search(text) for pattern in self.patterns)


def parse_service_profiles(text: str, source: str) -> dict[str, ServiceProfile]:
    """Parse a ``services.<lang>.md`` file (see the module docstring), checking its variables."""
    parts = _PROFILE_HEADER.split(text)
    profiles: dict[str, ServiceProfile] = {}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        where = f"{source} ({name})"
        if name in profiles:
            raise PromptError(f"{where}: duplicate profile")
        chunks = _SECTION_HEADER.split(body)
        if chunks[0].strip():
            raise PromptError(f"{where}: text before the first [section]")
        sections: dict[str, list[str]] = {}
        for section, content in zip(chunks[1::2], chunks[2::2], strict=True):
            if section not in PROFILE_SECTIONS:
                raise PromptError(
                    f"{where}: unknown section [{section}]; sections: {', '.join(PROFILE_SECTIONS)}"
                )
            items = [line[1:].strip() for line in content.strip().splitlines() if line.startswith("-")]
            if not items:
                raise PromptError(f"{where}: section [{section}] needs '- ' items")
            if section in PROFILE_TEXT_SECTIONS:
                for item in items:
                    check_known(item, INJECT_VARIABLES, where)
            sections[section] = items
        catalogue = tuple(item for item in sections.get("match", []) if item.startswith("svc-"))
        try:
            patterns = tuple(
                re.compile(item, re.I) for item in sections.get("match", []) if not item.startswith("svc-")
            )
            sender_words = "|".join(sections.get("sender_words", []))
            re.compile(sender_words)
        except re.error as exc:
            raise PromptError(f"{where}: bad regular expression: {exc}") from None
        profiles[name] = ServiceProfile(
            name,
            catalogue,
            patterns,
            sections.get("critical", ["no"])[0].lower() in {"yes", "oui", "true"},
            sender_words,
            {key: tuple(value) for key, value in sections.items() if key in PROFILE_TEXT_SECTIONS},
            tuple(sections.get("functions", [])),
        )
    for required in ("default", "situation_point"):
        if required not in profiles:
            raise PromptError(f"{source}: no '=== {required} ===' profile")
    for section in ("contact", "scene", "ask", "action"):
        if section not in profiles["default"].lines:
            raise PromptError(f"{source} (default): section [{section}] is missing")
    for section in POINT_SECTIONS:
        if section not in profiles["situation_point"].lines:
            raise PromptError(f"{source} (situation_point): section [{section}] is missing")
    return profiles


@cache
def service_profiles(language: str) -> dict[str, ServiceProfile]:
    """Service profiles of ``prompts/injects/clinical_impact/services.<lang>.md``, in file order. Cached."""
    path = prompts_dir() / "injects" / "clinical_impact" / f"{SERVICES_FILE}.{language}.md"
    if not path.is_file():
        raise PromptError(f"no service profile file {path}")
    return parse_service_profiles(path.read_text(encoding="utf-8"), str(path))


@dataclass(frozen=True)
class ActionPrompt:
    """The system and user messages of one LLM action in one language."""

    action: str
    language: str
    system: str
    user: str

    def messages(self, values: dict[str, Any]) -> list[dict[str, str]]:
        """Chat messages with the variables filled."""
        source = f"prompts/actions/{self.action} ({self.language})"
        return [
            {"role": "system", "content": render(self.system, values, source + " system")},
            {"role": "user", "content": render(self.user, values, source + " user")},
        ]


@cache
def action_prompt(action: str, language: str) -> ActionPrompt:
    """Load ``prompts/actions/<action>/{system,user}.<lang>.md``, checking its variables. Cached."""
    folder: Path = prompts_dir() / "actions" / action
    texts = {}
    for role in ("system", "user"):
        path = folder / f"{role}.{language}.md"
        if not path.is_file():
            raise PromptError(f"no prompt file {path}")
        texts[role] = path.read_text(encoding="utf-8").strip()
        check_known(texts[role], ACTION_VARIABLES, str(path))
    return ActionPrompt(action, language, texts["system"], texts["user"])


def action_names() -> list[str]:
    """The folders of prompts/actions/, sorted."""
    return sorted(p.name for p in (prompts_dir() / "actions").iterdir() if p.is_dir())


# --- perception by role: prompts/functions/ ---------------------------------------------------------

FUNCTION_SECTIONS = ("group", "label", "opening", "symptoms", "needs", "follow_up", "diagnosis")
FUNCTION_VARIABLES = frozenset(
    {"name", "first_name", "label", "establishment_short", "service", "tool", "since"}
)


@dataclass(frozen=True)
class FunctionVoice:
    """What people of one function perceive and how they speak (prompts/functions/<lang>.md)."""

    name: str
    group: str
    label: str
    lines: dict[str, tuple[str, ...]] = field(hash=False)


def parse_function_voices(text: str, source: str) -> dict[str, FunctionVoice]:
    """Parse a functions file: ``=== function ===`` blocks of ``[section]`` dash lines."""
    voices: dict[str, FunctionVoice] = {}
    for name, body in _blocks(text, source):
        sections = _dash_sections(body, f"{source} ({name})")
        for lines in sections.values():
            for line in lines:
                unknown = placeholders(line, source) - FUNCTION_VARIABLES
                if unknown:
                    raise PromptError(f"{source} ({name}): unknown variable(s) {sorted(unknown)}")
        group = (sections.get("group") or ("other",))[0]
        label = (sections.get("label") or (name,))[0]
        voices[name] = FunctionVoice(name, group, label, {k: tuple(v) for k, v in sections.items()})
    return voices


def _blocks(text: str, source: str) -> list[tuple[str, str]]:
    parts = _PROFILE_HEADER.split(text)
    return [(parts[i], parts[i + 1]) for i in range(1, len(parts) - 1, 2)]


def _dash_sections(body: str, source: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for raw in body.splitlines():
        line = raw.strip()
        header = _SECTION_HEADER.match(line)
        if header:
            current = header.group(1)
            sections.setdefault(current, [])
        elif line.startswith("- ") and current is not None:
            sections[current].append(line[2:].strip())
    return sections


@cache
def function_voices(language: str) -> dict[str, FunctionVoice]:
    """The voices of prompts/functions/<language>.md (empty when the file does not exist)."""
    path = prompts_dir() / "functions" / f"{language}.md"
    if not path.is_file():
        return {}
    return parse_function_voices(path.read_text(encoding="utf-8"), f"prompts/functions/{language}.md")


def _pairs(path: Path) -> dict[str, str]:
    """``key = value`` lines of a data file (other lines are comments)."""
    pairs: dict[str, str] = {}
    if not path.is_file():
        return pairs
    for raw in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = raw.partition(" = ")
        if sep and key.strip() and value.strip() and not key.startswith("#"):
            pairs[key.strip().removeprefix("- ")] = value.strip()
    return pairs


@cache
def staff_tools(language: str) -> dict[str, str]:
    """How staff call each system of the catalogue (``dpi = le dossier patient``), and by kind
    (``kind:application = le logiciel``): prompts/functions/tools.<language>.md."""
    return _pairs(prompts_dir() / "functions" / f"tools.{language}.md")


@cache
def term_renderings(language: str) -> dict[str, str]:
    """Engine and English words with their rendering in ``language`` (prompts/functions/terms.<lang>.md)."""
    return _pairs(prompts_dir() / "functions" / f"terms.{language}.md")
