"""The wheel the Docker image installs can make the Teams app package. Regression: the wheel
lacked manifests/teams/, so `actionbot teams-package` failed in the container ("run this in
actionbot's source folder"). The wheel is built here, offline, installed into a folder of
its own, and `teams-package` runs from there, outside the source tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parent.parent
APP_ID = "1b2c3d4e-0000-4000-8000-00000000abcd"


def test_teams_package_runs_from_the_installed_wheel(tmp_path: Path) -> None:
    built = tmp_path / "wheel"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index"]
        + ["--quiet", "--wheel-dir", str(built), str(ROOT)],
        check=True,
        timeout=300,
        capture_output=True,
    )
    (wheel,) = built.glob("actionbot-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {"bot/teams_app/manifest.json", "bot/teams_app/color.png"} <= set(names)
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet"]
        + ["--target", str(site), str(wheel)],
        check=True,
        timeout=300,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"  # not the source folder: no manifests/ here
    elsewhere.mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": str(site),
        "TEAMS_CLIENT_ID": APP_ID,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'register.db'}",
    }
    script = (
        "import bot, sys; assert bot.__file__.startswith(sys.argv[1]), bot.__file__; "
        "from bot.cli.main import main; sys.argv = ['actionbot', 'teams-package']; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(site)],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    with zipfile.ZipFile(elsewhere / "actionbot-teams.zip") as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        assert json.loads(package.read("manifest.json"))["id"] == APP_ID
