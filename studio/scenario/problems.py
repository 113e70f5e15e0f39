"""A problem found in a scenario: where (JSON pointer), which rule, what to do about it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum

from studio.safety import printable


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One finding of validation or lint.

    ``path`` is a JSON pointer into the scenario (``/systems/12/links/0/target``; ``""`` is the whole
    document), ``rule`` a stable machine name (``schema.required``, ``ref.link_target``...), ``message``
    what is wrong and ``hint`` what a designer can do about it.
    """

    path: str
    rule: str
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR

    def __post_init__(self) -> None:
        # Messages quote ids, keys and texts of the file: shown, never obeyed by a terminal.
        for name in ("message", "hint"):
            text = getattr(self, name)
            if isinstance(text, str) and not text.isprintable():
                object.__setattr__(self, name, printable(text))

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def to_dict(self) -> dict[str, str]:
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data

    def __str__(self) -> str:
        where = printable(self.path) or "/"
        text = f"{self.severity}: {where}: {self.message} [{self.rule}]"
        return f"{text}\n    hint: {self.hint}" if self.hint else text


def pointer(parts: tuple[object, ...] | list[object]) -> str:
    """Build a JSON pointer from path parts, escaping ``~`` and ``/`` as RFC 6901 says."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def has_errors(problems: list[Problem]) -> bool:
    return any(problem.is_error for problem in problems)
