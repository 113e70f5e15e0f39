"""``crisis-studio ui``: start the Streamlit studio on 127.0.0.1 and wait until it stops."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

DEFAULT_PORT = 8501
APP_FILE = Path(__file__).resolve().parent.parent / "ui" / "app.py"


def _port(text: str) -> int:
    port = int(text)
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a TCP port (1-65535)")
    return port


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "ui",
        help="start the studio in the browser",
        description="Start the Streamlit studio on http://127.0.0.1:PORT/ (local only). Stop it with Ctrl-C.",
    )
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"TCP port (default {DEFAULT_PORT})")
    parser.add_argument(
        "--workspace",
        type=Path,
        help="folder where scenarios are saved (sets CRISIS_STUDIO_WORKSPACE for the studio)",
    )
    parser.set_defaults(handler=run)


def streamlit_command(port: int) -> list[str]:
    """The command that serves the studio: bound to the loopback interface, no browser, no telemetry."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP_FILE),
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        # "minimal" hides Streamlit's Deploy button and developer menu: designers have no use for them.
        "--client.toolbarMode",
        "minimal",
        # Exception types only: no traceback, message or file path of the server reaches the browser.
        "--client.showErrorDetails",
        "type",
    ]


def run(args: argparse.Namespace) -> int:
    environment = dict(os.environ)
    if args.workspace is not None:
        environment["CRISIS_STUDIO_WORKSPACE"] = str(args.workspace.expanduser().resolve())
    print(f"Crisis Studio on http://127.0.0.1:{args.port}/ (Ctrl-C to stop)", flush=True)
    # subprocess.run kills the server when an exception interrupts the wait. Ctrl-C raises one; turn
    # SIGTERM (process managers, test fixtures) into one too, so that no server is left running.
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        return subprocess.run(streamlit_command(args.port), env=environment, check=False).returncode
    finally:
        signal.signal(signal.SIGTERM, previous)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)
