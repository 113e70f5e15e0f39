"""``crisis-studio ui --team SETTINGS``: the shared studio, hardened, with OIDC sign-in.

What it does before starting Streamlit:

1. reads and checks the settings file (studio.team.settings), and the two secrets from the
   environment or the secrets file;
2. creates the workspace's history repository if needed (and imports the scenarios already there);
3. writes Streamlit's ``[auth]`` secrets (for ``st.login``) into a file readable only by this user,
   in a private temporary folder removed when the server stops; the secrets never appear on the
   command line, where any local user could read them;
4. starts Streamlit with: the settings' address and port, its host allow-list (``server.allowedHosts``),
   XSRF protection and CORS on, error details hidden from the browser (``client.showErrorDetails
   none``: exceptions go to the server log), no file watcher, no usage statistics.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from studio.team.settings import (
    CLIENT_SECRET_VARIABLE,
    COOKIE_SECRET_VARIABLE,
    SETTINGS_VARIABLE,
    TeamSettings,
    load_team_settings,
    read_secrets,
)


def auth_secrets_toml(settings: TeamSettings, secrets: Mapping[str, str]) -> str:
    """Streamlit's ``[auth]`` table for ``st.login()`` with the settings' OIDC provider."""
    values = {
        "redirect_uri": settings.redirect_uri,
        "cookie_secret": secrets["cookie_secret"],
        "client_id": settings.client_id,
        "client_secret": secrets["client_secret"],
        "server_metadata_url": settings.server_metadata_url,
    }
    # JSON string escapes are valid TOML basic-string escapes.
    lines = ["[auth]", *(f"{key} = {json.dumps(value)}" for key, value in values.items())]
    lines += [
        "",
        "[auth.client_kwargs]",
        f"scope = {json.dumps(settings.scope)}",
        'prompt = "select_account"',
    ]
    return "\n".join(lines) + "\n"


def team_streamlit_command(base: list[str], settings: TeamSettings, secrets_file: Path) -> list[str]:
    """The local studio command (``base``, from studio.cli.ui) with the team server's options."""
    command = [*base]
    _replace_option(command, "--server.address", settings.address)
    _replace_option(command, "--server.port", str(settings.port))
    command += [
        "--secrets.files",
        str(secrets_file),
        "--server.enableXsrfProtection",
        "true",
        "--server.enableCORS",
        "true",
        "--client.showErrorDetails",
        "none",
        "--server.fileWatcherType",
        "none",
        "--server.runOnSave",
        "false",
        "--global.developmentMode",
        "false",
    ]
    for host in settings.allowed_hosts:
        command += ["--server.allowedHosts", host]
    return command


def _replace_option(command: list[str], option: str, value: str) -> None:
    if option in command:
        command[command.index(option) + 1] = value
    else:
        command += [option, value]


@contextlib.contextmanager
def prepared_team_server(
    settings_path: str | Path, base_command: list[str], environment: Mapping[str, str]
) -> Iterator[tuple[list[str], dict[str, str], TeamSettings]]:
    """(command, environment, settings) for the team server; the secrets file lives while this is open.

    Raises TeamSettingsError when the settings or the secrets are wrong.
    """
    from studio.team.actions import Team

    settings = load_team_settings(settings_path)
    secrets = read_secrets(settings)
    Team.from_settings(settings)  # the workspace and its history exist before anyone signs in
    with tempfile.TemporaryDirectory(prefix="crisis-studio-team-") as folder:  # mode 0700
        secrets_file = Path(folder) / "secrets.toml"
        descriptor = os.open(secrets_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(auth_secrets_toml(settings, secrets))
        child = {
            key: value
            for key, value in environment.items()
            if key not in (CLIENT_SECRET_VARIABLE, COOKIE_SECRET_VARIABLE)
        }
        child[SETTINGS_VARIABLE] = str(settings.source)
        child["CRISIS_STUDIO_WORKSPACE"] = str(settings.workspace)
        yield team_streamlit_command(base_command, settings, secrets_file), child, settings
