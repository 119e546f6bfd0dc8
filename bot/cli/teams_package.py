"""`actionbot teams-package`: the zip an admin uploads to Teams (manifest and two icons).

The zip is flat (files at its root), as Teams requires; the app and bot ids are filled in
from TEAMS_CLIENT_ID, so the committed manifest never holds a real id. Its `version` is
actionbot's own, so the package made after an upgrade replaces the app Teams has (Teams
keeps an uploaded app whose version is not higher). The `developer` block as committed names
nobody real; a package made with it is written, with a warning to fill it in.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from bot.core.config import ConfigError, Settings

# manifests/teams: in a checkout through the link bot/teams_app, in an installed wheel (the
# Docker image) as the package data the link became.
MANIFEST_DIR = Path(__file__).resolve().parent.parent / "teams_app"
FILES = ("manifest.json", "color.png", "outline.png")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


PLACEHOLDER_DEVELOPER = ("your council", "example.gov.uk", "example.com")


@dataclass(frozen=True)
class Package:
    path: Path
    warnings: list[str]


def app_version() -> str:
    """actionbot's version (pyproject.toml), as the manifest's semver `version`."""
    try:
        found = metadata.version("actionbot")
    except metadata.PackageNotFoundError:
        return "1.0.0"
    parts = (found.split("+")[0].split(".") + ["0", "0"])[:3]
    return ".".join(str(int("".join(c for c in p if c.isdigit()) or 0)) for p in parts)


def manifest_warnings(manifest: dict[str, Any]) -> list[str]:
    """What an admin should fix before uploading the package for everyone."""
    developer = json.dumps(manifest.get("developer", {})).lower()
    if any(marker in developer for marker in PLACEHOLDER_DEVELOPER):
        return [
            "The package names its developer as the placeholder in manifests/teams/manifest.json "
            f"({manifest.get('developer', {}).get('name')!r}, example links): Teams shows these "
            "to everyone on the app's About page. Put your organisation's name and its website, "
            "privacy and terms pages under `developer`, and make the package again."
        ]
    return []


def filled_manifest(settings: Settings, source: Path = MANIFEST_DIR) -> dict[str, Any]:
    app_id = (settings.teams_client_id or "").strip()
    if not _GUID.match(app_id):
        raise ConfigError(
            "TEAMS_CLIENT_ID must be the bot's Application (client) ID, a GUID such as "
            "1b2c3d4e-…; see 'Set up in Teams' in the README"
        )
    if not (source / "manifest.json").is_file():
        raise ConfigError(f"no {source / 'manifest.json'}: reinstall actionbot")
    manifest: dict[str, Any] = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    manifest["id"] = app_id
    manifest["version"] = app_version()
    for bot in manifest.get("bots", []):
        bot["botId"] = app_id
    return manifest


def write_package(settings: Settings, output: Path, source: Path = MANIFEST_DIR) -> Package:
    """Write the flat zip to `output`; its path, and what to fix before uploading it."""
    manifest = filled_manifest(settings, source)
    missing = [name for name in FILES[1:] if not (source / name).is_file()]
    if missing:
        raise ConfigError(f"missing from {source}: {', '.join(missing)}")
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for name in FILES[1:]:
            package.write(source / name, arcname=name)
    return Package(output, manifest_warnings(manifest))
