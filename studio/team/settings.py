"""Team-mode settings: one TOML file, documented in docs/deploy.md, with no secret in it.

Example (every key but ``[oidc]`` and ``[roles]`` has a default)::

    workspace = "/srv/crisis-studio/workspace"
    audit_log = "/srv/crisis-studio/audit.jsonl"       # default: <workspace>/.team/audit.jsonl

    [server]
    address = "127.0.0.1"                              # the TLS reverse proxy forwards to it
    port = 8501
    public_url = "https://studio.example.org"          # what people type; OIDC redirect goes there
    allowed_hosts = ["studio.example.org"]             # Host headers accepted (default: public_url's)

    [oidc]
    server_metadata_url = "https://sso.example.org/realms/ght/.well-known/openid-configuration"
    client_id = "crisis-studio"
    scope = "openid email profile"                     # add "groups" when the provider needs it
    group_claim = "groups"

    [roles]                                            # e-mail, "*@domain" or "group:NAME"
    designer = ["alice@chu.example.org", "group:exercise-designers"]
    reviewer = ["bob@chu.example.org"]
    approver = ["carol@ars.example.org"]
    observer = ["*@prefecture.example.org"]

The OIDC client secret and the cookie-signing secret come from the environment
(``CRISIS_STUDIO_OIDC_CLIENT_SECRET``, ``CRISIS_STUDIO_COOKIE_SECRET``) or from a secrets file
(``secrets_file`` here, or ``$CRISIS_STUDIO_SECRETS_FILE``) with an ``[auth]`` table holding
``client_secret`` and ``cookie_secret``. A settings file that holds a secret is refused.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROLES = ("designer", "reviewer", "approver", "observer")
SETTINGS_VARIABLE = "CRISIS_STUDIO_TEAM_SETTINGS"
SECRETS_FILE_VARIABLE = "CRISIS_STUDIO_SECRETS_FILE"
CLIENT_SECRET_VARIABLE = "CRISIS_STUDIO_OIDC_CLIENT_SECRET"
COOKIE_SECRET_VARIABLE = "CRISIS_STUDIO_COOKIE_SECRET"
_SECRET_WORDS = ("secret", "password", "token", "private_key")
_MIN_COOKIE_SECRET = 32


class TeamSettingsError(ValueError):
    """The team settings file is missing, unreadable or wrong; the message says where."""


@dataclass(frozen=True)
class TeamSettings:
    """The parsed settings file (see the module docstring)."""

    source: Path
    workspace: Path
    audit_log: Path
    address: str
    port: int
    public_url: str
    allowed_hosts: tuple[str, ...]
    server_metadata_url: str
    client_id: str
    scope: str
    group_claim: str
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    secrets_file: Path | None = None

    @property
    def redirect_uri(self) -> str:
        return self.public_url.rstrip("/") + "/oauth2callback"


def _secret_keys(table: dict[str, Any], prefix: str = "") -> list[str]:
    found = []
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            found += _secret_keys(value, path + ".")
        elif any(word in key.lower() for word in _SECRET_WORDS) and key != "secrets_file":
            found.append(path)
    return found


def _text(table: dict[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise TeamSettingsError(f"{where}: '{key}' must be a non-empty string")
    return value.strip()


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise TeamSettingsError(f"{where} must be a list of non-empty strings")
    return tuple(item.strip() for item in value)


def load_team_settings(path: str | Path) -> TeamSettings:
    """Read and check the settings file at ``path``; raise TeamSettingsError naming the problem."""
    source = Path(path).expanduser().resolve()
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise TeamSettingsError(f"{source}: no such settings file") from exc
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise TeamSettingsError(f"{source}: {exc}") from exc
    secrets = _secret_keys(data)
    if secrets:
        raise TeamSettingsError(
            f"{source}: {', '.join(secrets)} looks like a secret; secrets go in the environment "
            f"({CLIENT_SECRET_VARIABLE}, {COOKIE_SECRET_VARIABLE}) or the secrets file, never here"
        )
    base = source.parent
    workspace = (base / _text(data, "workspace", str(source), "workspace")).resolve()
    audit_log = (base / str(data.get("audit_log") or workspace / ".team" / "audit.jsonl")).resolve()
    server = data.get("server") or {}
    oidc = data.get("oidc")
    if not isinstance(oidc, dict):
        raise TeamSettingsError(f"{source}: an [oidc] table is required (server_metadata_url, client_id)")
    port = server.get("port", 8501)
    if not isinstance(port, int) or not 1 <= port <= 65535:
        raise TeamSettingsError(f"{source}: [server] port must be a TCP port (1-65535)")
    address = _text(server, "address", f"{source} [server]", "127.0.0.1")
    public_url = _text(server, "public_url", f"{source} [server]", f"http://127.0.0.1:{port}")
    parsed = urlparse(public_url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise TeamSettingsError(f"{source}: [server] public_url must be an http(s) URL, not {public_url!r}")
    if parsed.scheme == "http" and parsed.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise TeamSettingsError(
            f"{source}: [server] public_url must use https (behind the TLS reverse proxy); plain http is "
            "only for a studio reached on the loopback interface"
        )
    allowed_hosts = _strings(
        server.get("allowed_hosts", [parsed.hostname]), f"{source}: [server] allowed_hosts"
    )
    roles_table = data.get("roles")
    if not isinstance(roles_table, dict) or not roles_table:
        raise TeamSettingsError(f"{source}: a [roles] table is required ({', '.join(ROLES)})")
    unknown = sorted(set(roles_table) - set(ROLES))
    if unknown:
        raise TeamSettingsError(f"{source}: unknown role(s) {unknown}; roles are {', '.join(ROLES)}")
    roles = {role: _strings(members, f"{source}: [roles] {role}") for role, members in roles_table.items()}
    secrets_file = data.get("secrets_file") or os.environ.get(SECRETS_FILE_VARIABLE)
    return TeamSettings(
        source=source,
        workspace=workspace,
        audit_log=audit_log,
        address=address,
        port=port,
        public_url=public_url.rstrip("/"),
        allowed_hosts=allowed_hosts,
        server_metadata_url=_text(oidc, "server_metadata_url", f"{source} [oidc]"),
        client_id=_text(oidc, "client_id", f"{source} [oidc]"),
        scope=_text(oidc, "scope", f"{source} [oidc]", "openid email profile"),
        group_claim=_text(oidc, "group_claim", f"{source} [oidc]", "groups"),
        roles=roles,
        secrets_file=(base / secrets_file).resolve() if secrets_file else None,
    )


def read_secrets(settings: TeamSettings) -> dict[str, str]:
    """``client_secret`` and ``cookie_secret``: from the environment first, else the secrets file.

    Raises TeamSettingsError when one is missing or the cookie secret is too short to sign cookies.
    """
    from_file: dict[str, Any] = {}
    if settings.secrets_file is not None:
        try:
            from_file = tomllib.loads(settings.secrets_file.read_text(encoding="utf-8")).get("auth") or {}
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise TeamSettingsError(f"secrets file {settings.secrets_file}: {exc}") from exc
    secrets = {
        "client_secret": os.environ.get(CLIENT_SECRET_VARIABLE) or from_file.get("client_secret"),
        "cookie_secret": os.environ.get(COOKIE_SECRET_VARIABLE) or from_file.get("cookie_secret"),
    }
    missing = [name for name, value in secrets.items() if not isinstance(value, str) or not value]
    if missing:
        raise TeamSettingsError(
            f"missing secret(s) {', '.join(missing)}: set {CLIENT_SECRET_VARIABLE} and "
            f"{COOKIE_SECRET_VARIABLE}, or put them under [auth] in the secrets file"
        )
    if len(secrets["cookie_secret"]) < _MIN_COOKIE_SECRET:
        raise TeamSettingsError(
            f"the cookie secret needs {_MIN_COOKIE_SECRET} characters or more (`openssl rand -hex 32`)"
        )
    return secrets  # type: ignore[return-value]
