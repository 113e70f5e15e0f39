"""A team studio for browser tests: a real OIDC provider (oidc-provider-mock) and ``crisis-studio ui --team``.

Both listen on 127.0.0.1 only and stop with the test session.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from studio_browser import stop_process_group, wait_healthy

START_TIMEOUT = 60.0

# (sub shown on the provider's sign-in page, ID-token claims)
PEOPLE = {
    "dana": {"email": "dana@chu.example.org", "name": "Dana Designer", "email_verified": True},
    "remi": {"email": "remi@chu.example.org", "name": "Remi Reviewer", "groups": ["reviewers"]},
    "alex": {"email": "alex@ars.example.org", "name": "Alex Approver"},
    "olga": {"email": "olga@prefecture.example.org", "name": "Olga Observer"},
    "nina": {"email": "nina@elsewhere.example.org", "name": "Nina Nobody"},
}

SETTINGS = """
workspace = "workspace"

[server]
address = "127.0.0.1"
port = {port}
public_url = "http://127.0.0.1:{port}"
allowed_hosts = ["127.0.0.1"]

[oidc]
server_metadata_url = "http://127.0.0.1:{provider_port}/.well-known/openid-configuration"
client_id = "crisis-studio"
group_claim = "groups"

[roles]
designer = ["dana@chu.example.org"]
reviewer = ["group:reviewers"]
approver = ["alex@ars.example.org"]
observer = ["*@prefecture.example.org"]
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def oidc_provider() -> Iterator[int]:
    """oidc-provider-mock on a free loopback port with the people above; yields the port."""
    import werkzeug.serving
    from oidc_provider_mock import User, app

    users = [User(sub=sub, claims=claims) for sub, claims in PEOPLE.items()]
    server = werkzeug.serving.make_server("127.0.0.1", 0, app(user_claims=users), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@dataclass(frozen=True)
class TeamStudio:
    url: str
    settings: Path
    workspace: Path
    audit_log: Path
    log: Path


@contextlib.contextmanager
def team_studio(folder: Path, provider_port: int) -> Iterator[TeamStudio]:
    """``crisis-studio ui --team`` with a settings file in ``folder``; stopped (process group) at the end."""
    port = free_port()
    settings = folder / "team.toml"
    settings.write_text(SETTINGS.format(port=port, provider_port=provider_port), encoding="utf-8")
    log = folder / "studio.log"
    environment = {
        **os.environ,
        "CRISIS_STUDIO_OIDC_CLIENT_SECRET": "client-secret-for-tests",
        "CRISIS_STUDIO_COOKIE_SECRET": "c" * 40,
        "CRISIS_STUDIO_CACHE": str(folder / "cache"),
        "CRISIS_STUDIO_LANGUAGE": "en",  # the tests look for English labels (French is the default)
    }
    for variable in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "CRISIS_STUDIO_WORKSPACE"):
        environment.pop(variable, None)
    executable = Path(sys.executable).parent / "crisis-studio"
    command = [str(executable)] if executable.is_file() else [sys.executable, "-m", "studio.cli"]
    with log.open("wb") as output:
        server = subprocess.Popen(
            [*command, "ui", "--team", str(settings)],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=environment,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_healthy(url, server, log, START_TIMEOUT)
        workspace = folder / "workspace"
        yield TeamStudio(url, settings, workspace, workspace / ".team" / "audit.jsonl", log)
    finally:
        stop_process_group(server)
