"""``crisis-studio ui``: start the Streamlit studio on 127.0.0.1 and wait until it stops."""

from __future__ import annotations

import argparse
import os
import signal
import socket
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
    parser.add_argument(  # issue 14
        "--team",
        type=Path,
        metavar="SETTINGS",
        help="team mode: sign-in, roles, history and audit as set in this TOML file (docs/deploy.md)",
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
        # No full garbage collection after every script run: with a scenario, its timeline and Monte
        # Carlo results in the session it took longer than the time slider's whole rerun (issue 11).
        "--runner.postScriptGC",
        "false",
    ]


def port_busy(port: int) -> bool:
    """True when something already listens on 127.0.0.1:``port`` (another studio, say)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As the server will: a port left in TIME_WAIT by a stopped studio is free to use.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def run(args: argparse.Namespace) -> int:
    if port_busy(args.port):
        suggestion = args.port + 1 if args.port < 65535 else DEFAULT_PORT + 1
        print(
            f"crisis-studio ui: port {args.port} is already in use on 127.0.0.1 (another studio?). "
            f"Choose another one, for example: crisis-studio ui --port {suggestion}",
            file=sys.stderr,
        )
        return 2
    if (
        args.workspace is not None
        and args.workspace.expanduser().exists()
        and not args.workspace.expanduser().is_dir()
    ):
        # Started anyway, every save would fail later with "File exists".
        print(f"crisis-studio ui: --workspace {args.workspace} is a file, not a folder", file=sys.stderr)
        return 2
    if getattr(args, "team", None) is not None:  # issue 14: the shared, signed-in studio
        return _run_team(args)
    port = args.port
    environment = dict(os.environ)
    if args.workspace is not None:
        environment["CRISIS_STUDIO_WORKSPACE"] = str(args.workspace.expanduser().resolve())
    print(f"Crisis Studio on http://127.0.0.1:{port}/ (Ctrl-C to stop)", flush=True)
    return _serve(streamlit_command(port), environment)


def _run_team(args: argparse.Namespace) -> int:
    from studio.team.server import prepared_team_server
    from studio.team.settings import TeamSettingsError

    if args.port != DEFAULT_PORT or args.workspace is not None:
        print(
            "crisis-studio ui --team: the port and the workspace are set in the settings file",
            file=sys.stderr,
        )
        return 2
    try:
        with prepared_team_server(args.team, streamlit_command(DEFAULT_PORT), os.environ) as prepared:
            command, environment, settings = prepared
            print(
                f"Crisis Studio (team) on {settings.address}:{settings.port}, public URL "
                f"{settings.public_url} (Ctrl-C to stop)",
                flush=True,
            )
            return _serve(command, environment)
    except TeamSettingsError as exc:
        print(f"crisis-studio ui --team: {exc}", file=sys.stderr)
        return 2


def _serve(command: list[str], environment: dict[str, str]) -> int:
    # subprocess.run kills the server when an exception interrupts the wait. Ctrl-C raises one; turn
    # SIGTERM (process managers, test fixtures) into one too, so that no server is left running.
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        return subprocess.run(command, env=environment, check=False).returncode
    finally:
        signal.signal(signal.SIGTERM, previous)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)
