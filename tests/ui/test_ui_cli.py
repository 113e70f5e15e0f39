"""``crisis-studio ui``: the command it runs and the environment it passes (no server started)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from studio.cli import build_parser
from studio.cli import ui as ui_command


def test_command_serves_the_app_on_loopback_without_telemetry() -> None:
    command = ui_command.streamlit_command(8600)
    assert command[:4] == [sys.executable, "-m", "streamlit", "run"]
    assert Path(command[4]).name == "app.py" and Path(command[4]).is_file()
    options = dict(zip(command[5::2], command[6::2], strict=True))
    assert options == {
        "--server.address": "127.0.0.1",
        "--server.port": "8600",
        "--server.headless": "true",
        "--browser.gatherUsageStats": "false",
        "--client.toolbarMode": "minimal",
        "--client.showErrorDetails": "type",  # no traceback or file path in the browser
        "--runner.postScriptGC": "false",  # no full GC after each run: the time slider stays fast
    }


def test_run_passes_workspace_and_returns_the_exit_code(monkeypatch, tmp_path: Path) -> None:
    seen = {}

    def fake_run(command, env, check):
        seen.update(command=command, env=env)
        return subprocess.CompletedProcess(command, 3)

    monkeypatch.setattr(ui_command.subprocess, "run", fake_run)
    args = build_parser().parse_args(["ui", "--port", "8765", "--workspace", str(tmp_path / "ws")])
    assert args.handler(args) == 3
    assert seen["env"]["CRISIS_STUDIO_WORKSPACE"] == str((tmp_path / "ws").resolve())
    assert "8765" in seen["command"]


def test_default_port_and_bad_port() -> None:
    assert build_parser().parse_args(["ui"]).port == 8501
    with pytest.raises(SystemExit):
        build_parser().parse_args(["ui", "--port", "70000"])


def test_a_busy_port_suggests_another_one_and_starts_nothing(monkeypatch, capsys) -> None:
    import socket

    def never_run(*args, **kwargs):
        raise AssertionError("no server is started on a busy port")

    monkeypatch.setattr(ui_command.subprocess, "run", never_run)
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        args = build_parser().parse_args(["ui", "--port", str(port)])
        assert args.handler(args) == 2
    message = capsys.readouterr().err
    assert f"port {port} is already in use" in message and "--port" in message
