"""Helpers shared by the CLI commands: reading scenarios, printing problems, writing outputs."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from studio.safety import printable
from studio.scenario.document import ScenarioReadError, load_scenario
from studio.scenario.problems import Problem, has_errors

if TYPE_CHECKING:
    from studio.scenario.validate import ScenarioValidator

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def read_checked(
    path: str | Path, stream: TextIO | None = None, checker: ScenarioValidator | None = None
) -> tuple[dict[str, Any] | None, int]:
    """Load, upgrade and validate a scenario for a command that needs a valid one.

    Returns (document, EXIT_OK), or (None, exit code) after printing why it cannot be used:
    unreadable files give EXIT_UNREADABLE, invalid scenarios EXIT_INVALID with their errors.
    A command that validates what it makes from the document passes a ``checker`` and reuses it.
    """
    from studio.scenario.validate import check_document

    # Streams are looked up at call time: pytest and the studio swap sys.stdout/sys.stderr.
    stream = stream or sys.stderr
    try:
        document = load_scenario(path)
    except ScenarioReadError as exc:
        print(f"error: {printable(str(exc))}", file=stream)
        return None, EXIT_UNREADABLE
    document, problems = check_document(document, checker)
    if has_errors(problems):
        print_problems(str(path), [problem for problem in problems if problem.is_error], stream)
        print(f"{path}: invalid scenario; fix the errors above (crisis-studio validate {path})", file=stream)
        return None, EXIT_INVALID
    return document, EXIT_OK


def print_problems(source: str, problems: list[Problem], stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    for problem in problems:
        print(f"{source}: {problem}", file=stream)


def problems_json(problems: list[Problem]) -> list[dict[str, str]]:
    return [problem.to_dict() for problem in problems]


def dump_json(data: Any, stream: TextIO | None = None) -> None:
    """``data`` as JSON; control and bidi characters (only ever inside strings) as JSON escapes, so
    the data reads back the same and a terminal shows them instead of obeying them."""
    stream = stream or sys.stdout
    stream.write(printable(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)) + "\n")


def write_scenario_file(path: str | Path, document: dict[str, Any], stream: TextIO | None = None) -> int:
    """Write ``document`` as canonical JSON, atomically and never with the API key in it.

    Returns EXIT_OK, EXIT_INVALID (the document holds the key: nothing written) or EXIT_UNREADABLE (the
    file cannot be written), after printing why. ``path`` may be the input file itself.
    """
    from studio.scenario.canonical import canonical_bytes
    from studio.scenario.store import SecretInDocument, refuse_secrets, write_atomic

    stream = stream or sys.stderr
    data = canonical_bytes(document)
    try:
        refuse_secrets(data)
        write_atomic(Path(path), data)
    except SecretInDocument as exc:
        print(f"error: {printable(str(exc))}; nothing written", file=stream)
        return EXIT_INVALID
    except OSError as exc:
        print(f"error: cannot write {path}: {exc.strerror or exc}", file=stream)
        return EXIT_UNREADABLE
    return EXIT_OK


def os_error_words(exc: OSError) -> str:
    """What went wrong, with the file it happened to (a file inside the output folder, say)."""
    words = printable(exc.strerror or str(exc))
    return f"{printable(str(exc.filename))}: {words}" if exc.filename else words


def empty_output(output: str | None, stream: TextIO | None = None) -> bool:
    """True, after saying so, when ``-o`` was given an empty path (a script's unset variable): it is
    not a request for standard output or for the current folder."""
    if output is None or output.strip():
        return False
    print("error: -o/--output is empty; give the path to write to", file=stream or sys.stderr)
    return True


def llm_problem(provider: str) -> str | None:
    """Why the ``openai`` provider cannot run with the current settings (no key for a remote endpoint,
    a bad timeout), or None. Checked before any work so that a misconfiguration costs nothing."""
    if provider != "openai":
        return None
    from studio.config import Settings, api_key
    from studio.injects.llm import settings_problem
    from studio.injects.privacy import is_loopback

    settings = Settings()
    if api_key() is None and not is_loopback(settings.llm_base_url):
        return "the openai provider needs OPENAI_API_KEY for a remote endpoint"
    return settings_problem(settings)


def add_export_options(parser: Any, *, toc_pages: bool) -> None:
    """The options of the exported files, shared by ``export`` and ``pack``: with the same options
    both write the same files. ``toc_pages`` is the command's default for the page numbers."""
    parser.add_argument(
        "--csv-separator", choices=(";", ","), default=None,
        help="separator of the MSEL CSV (default: ';' for French scenarios, which French Excel expects, "
        "',' for English ones)",
    )  # fmt: skip
    pages = parser.add_mutually_exclusive_group()
    default = "default" if toc_pages else "not the default"
    pages.add_argument(
        "--toc-pages", dest="toc_pages", action="store_true",
        help="ask LibreOffice for the page numbers of the Word packs' tables of contents, when it and "
        f"python3-uno are installed ({default}; it takes seconds per pack)",
    )  # fmt: skip
    pages.add_argument(
        "--no-toc-pages", dest="toc_pages", action="store_false",
        help="leave the tables of contents without page numbers (Word numbers them when it refreshes "
        "the field)",
    )  # fmt: skip
    parser.set_defaults(toc_pages=toc_pages)


def add_accept_offline(parser: Any) -> None:
    parser.add_argument(
        "--accept-offline",
        action="store_true",
        help="with --provider openai: accept the offline text when no answer of the model could be "
        "used (otherwise nothing is written and the exit code is 1)",
    )


def nothing_assisted(scenario: dict[str, Any], generated: list[str], stream: TextIO | None = None) -> bool:
    """True, after saying so, when injects were generated and none of them got the model's text."""
    llm_written = {
        inject.get("id")
        for inject in scenario.get("injects", [])
        if inject.get("provenance", {}).get("source") == "llm"
    }
    if not generated or llm_written & set(generated):
        return False
    print(
        "error: no inject got its text from the language model (see the notes above); nothing written. "
        "Fix the endpoint, or pass --accept-offline to keep the offline text",
        file=stream or sys.stderr,
    )
    return True
