"""Settings from the environment and `.env` (12-factor). Loaded once, in `main()`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_MARKERS = ("changeme", "your-", "xxxx", "<", "placeholder")


class ConfigError(Exception):
    """Settings that cannot work; the message says which and why."""


class Settings(BaseSettings):
    # A setting left blank (as in .env.example, or `${VAR:-}` in compose.yaml) means unset.
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    database_url: str = Field(default="sqlite:///actionbot.db", alias="DATABASE_URL")
    slack_bot_token: SecretStr | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(default=None, alias="SLACK_APP_TOKEN")
    slack_api_url: str | None = Field(default=None, alias="SLACK_API_URL")
    # An Enterprise Grid org (E…) all of whose workspaces may use the bot; unset, only the
    # workspace the bot token belongs to (auth.test) may.
    slack_enterprise_id: str | None = Field(default=None, alias="SLACK_ENTERPRISE_ID")
    digest_channel: str | None = Field(default=None, alias="DIGEST_CHANNEL")
    admins: str = Field(default="", alias="ACTIONBOT_ADMINS")
    tz: str = Field(default="Europe/London", alias="ACTIONBOT_TZ")
    port: int = Field(default=3000, alias="PORT")
    # Days before the due date on which owners are reminded (0 = on the day).
    nudge_days: str = Field(default="14,7,1,0", alias="ACTIONBOT_NUDGE_DAYS")
    nudge_hour: int = Field(default=9, alias="ACTIONBOT_NUDGE_HOUR")
    holiday_region: str = Field(default="GB-ENG", alias="ACTIONBOT_HOLIDAYS")
    digest_cron: str = Field(default="mon 08:30", alias="ACTIONBOT_DIGEST_CRON")
    log_level: str = Field(default="INFO", alias="LOG_LEVEL")
    # "text" for people, "json" for one JSON object per log line (log collectors).
    log_format: str = Field(default="text", alias="ACTIONBOT_LOG")

    @field_validator("log_format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        if value.lower() not in ("text", "json"):
            raise ValueError(f"ACTIONBOT_LOG={value!r}: use text or json")
        return value.lower()

    # "production" refuses development shortcuts such as ACTIONBOT_TEAMS_INSECURE_DEV.
    env: str = Field(default="development", alias="ACTIONBOT_ENV")
    teams_client_id: str | None = Field(default=None, alias="TEAMS_CLIENT_ID")
    teams_client_secret: SecretStr | None = Field(default=None, alias="TEAMS_CLIENT_SECRET")
    teams_tenant_id: str | None = Field(default=None, alias="TEAMS_TENANT_ID")
    # Other tenants whose people may use the bot (a shared service for several councils).
    teams_allowed_tenants: str = Field(default="", alias="TEAMS_ALLOWED_TENANTS")
    # The Bot Connector for channel posts and for people who never wrote to the bot.
    teams_service_url: str = Field(
        default="https://smba.trafficmanager.net/teams/", alias="TEAMS_SERVICE_URL"
    )
    teams_digest_conversation: str | None = Field(default=None, alias="TEAMS_DIGEST_CONVERSATION")
    # Turns off the JWT check on POST /api/messages, for a local emulator only.
    teams_insecure_dev: bool = Field(default=False, alias="ACTIONBOT_TEAMS_INSECURE_DEV")
    # Where the Bot Framework's signing keys are published (tests point it at a fake).
    teams_openid_metadata_url: str | None = Field(default=None, alias="TEAMS_OPENID_METADATA_URL")
    # Development and tests only: origins (scheme://host:port) files may be fetched from
    # besides the platforms' own file hosts. Refused when ACTIONBOT_ENV=production.
    dev_file_origins: str = Field(default="", alias="ACTIONBOT_DEV_FILE_ORIGINS")
    # A folder evidence files are written to (named by SHA-256); unset, they are kept in
    # the register. The register keeps each file's name, size, type, SHA-256 and place.
    evidence_dir: Path | None = Field(default=None, alias="EVIDENCE_DIR")

    @field_validator("dev_file_origins")
    @classmethod
    def _origins_only(cls, value: str) -> str:
        for origin in (o.strip() for o in value.split(",") if o.strip()):
            parts = urlsplit(origin)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(
                    f"ACTIONBOT_DEV_FILE_ORIGINS: {origin!r} is not scheme://host[:port]"
                )
            if parts.path.strip("/") or parts.query or parts.fragment:
                raise ValueError(f"ACTIONBOT_DEV_FILE_ORIGINS: {origin!r} has more than an origin")
        return value

    @property
    def extra_file_origins(self) -> list[str]:
        """ACTIONBOT_DEV_FILE_ORIGINS, or a ConfigError in production."""
        origins = [o.strip() for o in self.dev_file_origins.split(",") if o.strip()]
        if origins and self.env.strip().lower() == "production":
            raise ConfigError(
                "ACTIONBOT_DEV_FILE_ORIGINS lets the bot fetch files from hosts that are not "
                "Slack's or Microsoft's; it is refused when ACTIONBOT_ENV=production"
            )
        return origins

    # An admin granted the app Microsoft Graph's User.Read.All: people picked or @mentioned
    # where Teams cannot say who they are, and admins named by email, are looked up there.
    teams_graph: bool = Field(default=False, alias="TEAMS_GRAPH")
    teams_graph_url: str = Field(default="https://graph.microsoft.com", alias="TEAMS_GRAPH_URL")
    # This server's public https address (the one Teams posts /api/messages to): the digest
    # card's chart is an image at PUBLIC_URL/charts/<token>.png.
    public_url: str | None = Field(default=None, alias="PUBLIC_URL")

    @field_validator("public_url")
    @classmethod
    def _absolute_url(cls, value: str | None) -> str | None:
        if not value or not value.strip():
            return None
        url = value.strip().rstrip("/")
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise ValueError(f"PUBLIC_URL={value!r}: give the full address, https://host[/path]")
        if parts.query or parts.fragment:
            raise ValueError(f"PUBLIC_URL={value!r}: no ?query or #fragment")
        return url

    @field_validator("tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"ACTIONBOT_TZ={value!r} is not a known time zone") from exc
        return value

    @property
    def admin_ids(self) -> frozenset[str]:
        """Slack ids, Teams ids or emails, compared case-insensitively."""
        return frozenset(p.strip().lower() for p in self.admins.split(",") if p.strip())

    @property
    def teams_tenants(self) -> frozenset[str]:
        """The tenants whose activities are answered: TEAMS_TENANT_ID and any listed in
        TEAMS_ALLOWED_TENANTS, lower-cased. Empty only without TEAMS_TENANT_ID (the
        insecure development mode), when any tenant is answered."""
        listed = [self.teams_tenant_id or "", *self.teams_allowed_tenants.split(",")]
        return frozenset(t.strip().lower() for t in listed if t.strip())

    @property
    def teams_enabled(self) -> bool:
        return bool(self.teams_client_id) or self.teams_insecure_dev

    def require_teams(self) -> TeamsCredentials:
        """The app id, secret and tenant, or a ConfigError naming what is missing or unsafe."""
        if self.teams_insecure_dev:
            if self.env.strip().lower() == "production":
                raise ConfigError(
                    "ACTIONBOT_TEAMS_INSECURE_DEV=1 turns off the check that requests come from "
                    "Microsoft; it is refused when ACTIONBOT_ENV=production"
                )
            if not self.teams_client_id:
                return TeamsCredentials(None, None, None, insecure=True)
        client_id = _plain(self.teams_client_id, "TEAMS_CLIENT_ID")
        tenant_id = _plain(self.teams_tenant_id, "TEAMS_TENANT_ID")
        secret = _secret(self.teams_client_secret, "TEAMS_CLIENT_SECRET", prefix="")
        return TeamsCredentials(client_id, secret, tenant_id, insecure=self.teams_insecure_dev)

    @property
    def slack_enabled(self) -> bool:
        return self.slack_bot_token is not None

    def require_slack(self) -> tuple[str, str]:
        """The bot token and signing secret, or a ConfigError naming what is missing."""
        token = _secret(self.slack_bot_token, "SLACK_BOT_TOKEN", prefix="xoxb-")
        if self.slack_app_token is not None:
            # Socket Mode does not sign requests, so the secret is optional there.
            _secret(self.slack_app_token, "SLACK_APP_TOKEN", prefix="xapp-")
            secret = (
                self.slack_signing_secret.get_secret_value() if self.slack_signing_secret else ""
            )
            return token, secret
        return token, _secret(self.slack_signing_secret, "SLACK_SIGNING_SECRET", prefix="")


@dataclass(frozen=True)
class TeamsCredentials:
    """The Entra app registration the bot runs as (single tenant)."""

    client_id: str | None
    client_secret: str | None = field(repr=False)
    tenant_id: str | None
    insecure: bool = False


def _plain(value: str | None, name: str) -> str:
    if value is None or not value.strip():
        raise ConfigError(f"{name} is not set (see .env.example)")
    if any(marker in value.lower() for marker in PLACEHOLDER_MARKERS):
        raise ConfigError(f"{name} still holds a placeholder value; put the real one in .env")
    return value.strip()


def _secret(value: SecretStr | None, name: str, *, prefix: str) -> str:
    if value is None or not value.get_secret_value().strip():
        raise ConfigError(f"{name} is not set (see .env.example)")
    raw = value.get_secret_value().strip()
    if any(marker in raw.lower() for marker in PLACEHOLDER_MARKERS):
        raise ConfigError(f"{name} still holds a placeholder value; put the real one in .env")
    if prefix and not raw.startswith(prefix):
        raise ConfigError(f"{name} should start with {prefix!r}")
    return raw
