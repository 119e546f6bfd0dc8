"""Teams setup: the manifest against the official schema (kept offline), the package
command, and settings that no stray environment can change."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import jsonschema
import pytest
from PIL import Image
from typer.testing import CliRunner

from bot.cli.main import app
from bot.commands.help import GRAMMAR
from bot.core.config import ConfigError, Settings

ROOT = Path(__file__).parent.parent
TEAMS = ROOT / "manifests" / "teams"
SCHEMA = TEAMS / "schema" / "MicrosoftTeams.v1.22.schema.json"
APP_ID = "3f2b6a0e-5d4c-4b7a-9e1f-0a1b2c3d4e5f"


def validate(manifest: dict[str, object]) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(manifest)


def test_the_committed_manifest_validates_and_lists_the_commands() -> None:
    manifest = json.loads((TEAMS / "manifest.json").read_text(encoding="utf-8"))
    validate(manifest)
    (bot,) = manifest["bots"]
    # Regression: group chats' mentions are answered, but the app could not be added to one.
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    assert all(set(c["scopes"]) == set(bot["scopes"]) for c in bot["commandLists"])
    commands = [c["title"] for lists in bot["commandLists"] for c in lists["commands"]]
    assert commands == ["help", "mine", "overdue", "due 7d"]
    usages = " ".join(f.example for f in GRAMMAR)
    assert all(c in usages for c in commands)  # each one is a form the grammar reads


def test_a_broken_manifest_is_caught_by_the_schema() -> None:
    manifest = json.loads((TEAMS / "manifest.json").read_text(encoding="utf-8"))
    manifest["bots"][0]["botId"] = "not-a-guid"
    with pytest.raises(jsonschema.ValidationError):
        validate(manifest)


def test_teams_package_writes_a_flat_zip_with_the_app_id(tmp_path: Path) -> None:
    output = tmp_path / "actionbot-teams.zip"
    env = {"TEAMS_CLIENT_ID": APP_ID, "COLUMNS": "200"}
    result = CliRunner().invoke(
        app,
        ["--database-url", f"sqlite:///{tmp_path}/r.db", "teams-package", "--output", str(output)],
        env=env,
    )
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(output) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
        color = Image.open(io.BytesIO(package.read("color.png")))
        outline = Image.open(io.BytesIO(package.read("outline.png")))
    validate(manifest)
    assert manifest["id"] == APP_ID and manifest["bots"][0]["botId"] == APP_ID
    # Regression: always 1.0.0, so a package made after an upgrade did not replace the app.
    assert manifest["version"] == metadata.version("actionbot")
    # The committed developer block is a placeholder: said plainly, the package still made.
    assert "Warning: The package names its developer as the placeholder" in result.stderr
    assert "'Your council'" in result.stderr
    assert color.size == (192, 192)
    assert outline.size == (32, 32) and outline.mode == "RGBA"
    pixels = (
        outline.get_flattened_data()
        if hasattr(outline, "get_flattened_data")
        else outline.getdata()
    )
    assert min(p[3] for p in pixels) == 0  # transparent background
    assert {p[:3] for p in pixels if p[3] > 0} == {(255, 255, 255)}  # white outline only


def test_teams_package_needs_a_real_app_id(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "--database-url",
            f"sqlite:///{tmp_path}/r.db",
            "teams-package",
            "--output",
            str(tmp_path / "x.zip"),
        ],
        env={"TEAMS_CLIENT_ID": "your-app-id"},
    )
    assert result.exit_code != 0 and "TEAMS_CLIENT_ID" in result.output
    assert not (tmp_path / "x.zip").exists()


def settings(**values: str) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_teams_settings_are_required_together_and_checked() -> None:
    assert not settings().teams_enabled
    with pytest.raises(ConfigError, match="TEAMS_TENANT_ID"):
        settings(TEAMS_CLIENT_ID=APP_ID, TEAMS_CLIENT_SECRET="s3cret-value").require_teams()
    with pytest.raises(ConfigError, match="TEAMS_CLIENT_SECRET"):
        settings(TEAMS_CLIENT_ID=APP_ID, TEAMS_TENANT_ID=APP_ID).require_teams()
    creds = settings(
        TEAMS_CLIENT_ID=APP_ID, TEAMS_TENANT_ID=APP_ID, TEAMS_CLIENT_SECRET="s3cret-value"
    ).require_teams()
    assert (creds.client_id, creds.tenant_id, creds.insecure) == (APP_ID, APP_ID, False)
    assert "s3cret" not in repr(creds)


def test_the_insecure_switch_is_off_by_default_and_refused_in_production() -> None:
    assert settings().teams_insecure_dev is False
    dev = settings(ACTIONBOT_TEAMS_INSECURE_DEV="1").require_teams()
    assert dev.insecure is True
    with pytest.raises(ConfigError, match="production"):
        settings(ACTIONBOT_TEAMS_INSECURE_DEV="1", ACTIONBOT_ENV="production").require_teams()


def test_the_sdk_never_sees_a_stray_env_file_or_variable(tmp_path: Path) -> None:
    """Importing the SDK loads `.env` from the working directory; App() reads CLIENT_ID and
    friends, and DANGEROUSLY_ALLOW_UNAUTHENTICATED_REQUESTS. None of it may count."""
    (tmp_path / ".env").write_text(
        "CLIENT_SECRET=from-a-stray-env-file\nSERVICE_URL=https://stray\n"
    )
    script = f"""
import os, sys
sys.path.insert(0, {str(ROOT)!r})
from bot.core.config import Settings
from bot.messengers.teams_client import HostRoutes, build_teams_app
assert "CLIENT_SECRET" not in os.environ, "the SDK's load_dotenv leaked into os.environ"
os.environ["DANGEROUSLY_ALLOW_UNAUTHENTICATED_REQUESTS"] = "true"
os.environ["CLIENT_ID"] = "stray-client"
os.environ["TENANT_ID"] = "stray-tenant"
s = Settings(_env_file=None, TEAMS_CLIENT_ID={APP_ID!r}, TEAMS_TENANT_ID="real-tenant",
             TEAMS_CLIENT_SECRET="real-secret-value")
app = build_teams_app(s, HostRoutes())
assert app.options.dangerously_allow_unauthenticated_requests is False
assert app.id == {APP_ID!r}
assert app.credentials.tenant_id == "real-tenant"
assert app.api.service_url.startswith("https://smba.trafficmanager.net/teams")
print("ok")
"""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("TEAMS_", "CLIENT_", "TENANT_"))
    }
    done = subprocess.run(  # a fresh interpreter: the import side effect happens once
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("ok")


def test_serve_mounts_teams_only_when_configured(tmp_path: Path) -> None:
    from bot.app.asgi import build_app
    from bot.core.runtime import open_runtime

    rt = open_runtime(settings(DATABASE_URL=f"sqlite:///{tmp_path}/r.db"))
    service = build_app(rt)
    assert service.teams is None
    assert "/api/messages" not in [getattr(r, "path", "") for r in service.asgi.routes]
    rt.engine.dispose()


@pytest.mark.parametrize(
    ("status", "headers", "kind"),
    [
        (429, {"Retry-After": "12"}, "RateLimited"),
        (412, {}, "TemporaryFailure"),
        (502, {}, "TemporaryFailure"),
        (504, {}, "TemporaryFailure"),
        (500, {}, "TemporaryFailure"),
        (403, {}, "Removed"),  # permanent, and nothing more is sent to them there
        (404, {}, "PermanentFailure"),
        (400, {}, "PermanentFailure"),
    ],
)
def test_connector_errors_are_classified_like_slack_errors(
    status: int, headers: dict[str, str], kind: str
) -> None:
    import httpx

    from bot.messengers.teams import classify

    request = httpx.Request("POST", "https://smba.example/v3/conversations/a:1/activities")
    response = httpx.Response(
        status, headers=headers, json={"error": {"code": "X", "message": "y"}}, request=request
    )
    error = classify("send", httpx.HTTPStatusError("boom", request=request, response=response))
    assert type(error).__name__ == kind
    assert f"HTTP {status}" in str(error)
    if status == 429:
        assert error.retry_after == 12.0
    assert error.permanent is (kind in ("PermanentFailure", "Removed"))


def test_outbound_calls_have_a_timeout() -> None:
    from bot.messengers.teams_client import TIMEOUT, HostRoutes, build_teams_app

    s = settings(TEAMS_CLIENT_ID=APP_ID, TEAMS_TENANT_ID=APP_ID, TEAMS_CLIENT_SECRET="s3cret-value")
    teams = build_teams_app(s, HostRoutes())
    assert teams.http_client.http.timeout.read == TIMEOUT


def test_the_insecure_switch_is_loud(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from bot.app.asgi import build_app
    from bot.core.runtime import open_runtime

    rt = open_runtime(
        settings(DATABASE_URL=f"sqlite:///{tmp_path}/r.db", ACTIONBOT_TEAMS_INSECURE_DEV="1")
    )
    with caplog.at_level("WARNING"):
        service = build_app(rt)
    assert service.teams is not None
    assert service.teams.options.dangerously_allow_unauthenticated_requests is True
    assert any("WITHOUT" in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)
    rt.engine.dispose()


def test_admins_may_be_named_by_email_slack_id_or_entra_object_id() -> None:
    from bot.jobs.nudges import admin_recipients

    s = settings(ACTIONBOT_ADMINS=f"Ada@Council.example, UADMIN, {APP_ID.upper()}")
    assert admin_recipients(s) == [f"teams:{APP_ID}", "email:ada@council.example", "slack:UADMIN"]


def test_a_package_with_a_real_developer_has_no_warning(tmp_path: Path) -> None:
    source = tmp_path / "teams"
    source.mkdir()
    manifest = json.loads((TEAMS / "manifest.json").read_text(encoding="utf-8"))
    manifest["developer"] = {
        "name": "North Northamptonshire Council",
        "websiteUrl": "https://www.northnorthants.gov.uk",
        "privacyUrl": "https://www.northnorthants.gov.uk/privacy",
        "termsOfUseUrl": "https://www.northnorthants.gov.uk/terms",
    }
    (source / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    for icon in ("color.png", "outline.png"):
        (source / icon).write_bytes((TEAMS / icon).read_bytes())
    from bot.cli.teams_package import write_package

    package = write_package(settings(TEAMS_CLIENT_ID=APP_ID), tmp_path / "p.zip", source)
    assert package.warnings == [] and package.path.is_file()
