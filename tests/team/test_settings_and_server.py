"""The team settings file, the secrets (environment or secrets file only) and the hardened server command."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest

from studio.cli.ui import DEFAULT_PORT, streamlit_command
from studio.scenario.history import History
from studio.team.server import prepared_team_server
from studio.team.settings import TeamSettingsError, load_team_settings, read_secrets

SECRETS = {"CRISIS_STUDIO_OIDC_CLIENT_SECRET": "client-secret", "CRISIS_STUDIO_COOKIE_SECRET": "k" * 40}


def test_settings_resolve_paths_and_defaults(settings_file: Path) -> None:
    settings = load_team_settings(settings_file)
    assert settings.workspace == settings_file.parent / "workspace"
    assert settings.audit_log == settings.workspace / ".team" / "audit.jsonl"
    assert settings.redirect_uri == "http://127.0.0.1:8599/oauth2callback"
    assert settings.allowed_hosts == ("127.0.0.1",)
    assert settings.roles["reviewer"] == ("group:reviewers",)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('client_secret = "x"', "looks like a secret"),
        ('[oidc.extra]\ncookie_secret = "x"', "oidc.extra.cookie_secret looks like a secret"),
        ('[roles.x]\n"a" = 1', "unknown role"),
    ],
)
def test_a_secret_or_an_unknown_role_in_the_settings_is_refused(
    settings_file: Path, line: str, message: str
) -> None:
    settings_file.write_text(settings_file.read_text() + "\n" + line + "\n")
    with pytest.raises(TeamSettingsError, match=message):
        load_team_settings(settings_file)


def test_plain_http_is_only_for_loopback(settings_file: Path) -> None:
    text = settings_file.read_text().replace("http://127.0.0.1:8599", "http://studio.example.org")
    settings_file.write_text(text)
    with pytest.raises(TeamSettingsError, match="must use https"):
        load_team_settings(settings_file)


def test_secrets_come_from_the_environment_or_the_secrets_file(
    settings_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_team_settings(settings_file)
    with pytest.raises(TeamSettingsError, match="missing secret"):
        read_secrets(settings)
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text('[auth]\nclient_secret = "from-file"\ncookie_secret = "short"\n')
    monkeypatch.setenv("CRISIS_STUDIO_SECRETS_FILE", str(secrets_file))
    with pytest.raises(TeamSettingsError, match="32 characters"):
        read_secrets(load_team_settings(settings_file))
    monkeypatch.setenv("CRISIS_STUDIO_COOKIE_SECRET", "e" * 32)
    assert read_secrets(load_team_settings(settings_file)) == {
        "client_secret": "from-file",
        "cookie_secret": "e" * 32,
    }


def test_the_team_server_is_hardened_and_keeps_secrets_off_the_command_line(
    settings_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    with prepared_team_server(settings_file, streamlit_command(DEFAULT_PORT), os.environ) as prepared:
        command, environment, settings = prepared
        options = dict(zip(command[5::2], command[6::2], strict=False))
        assert options["--server.address"] == "127.0.0.1" and options["--server.port"] == "8599"
        assert options["--server.enableXsrfProtection"] == "true"
        assert options["--client.showErrorDetails"] == "none"
        assert options["--server.allowedHosts"] == "127.0.0.1"
        secrets_file = Path(options["--secrets.files"])
        assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
        auth = tomllib.loads(secrets_file.read_text())["auth"]
        assert auth["client_secret"] == "client-secret" and auth["redirect_uri"] == settings.redirect_uri
        assert not any(value in " ".join(command) for value in SECRETS.values())
        assert not set(SECRETS) & set(environment)
        assert environment["CRISIS_STUDIO_TEAM_SETTINGS"] == str(settings.source)
        assert History.open(settings.workspace) is not None
    assert not secrets_file.exists()  # removed when the server stops


def test_local_mode_command_is_unchanged() -> None:
    command = streamlit_command(DEFAULT_PORT)
    assert command[command.index("--server.address") + 1] == "127.0.0.1"
    assert "--secrets.files" not in command and "--server.allowedHosts" not in command


def test_the_cli_refuses_wrong_settings_and_local_options_in_team_mode(
    settings_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from studio.cli import main

    assert main(["ui", "--team", str(settings_file.parent / "missing.toml")]) == 2
    assert "no such settings file" in capsys.readouterr().err
    assert main(["ui", "--team", str(settings_file)]) == 2  # no secrets in the environment
    assert "missing secret(s) client_secret, cookie_secret" in capsys.readouterr().err
    assert main(["ui", "--team", str(settings_file), "--port", "8600"]) == 2
    assert "set in the settings file" in capsys.readouterr().err
