"""The README and the Slack manifest must match what the code does."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.commands.help import GRAMMAR
from bot.importer.columns import SYNONYMS

ROOT = Path(__file__).parent.parent


def test_readme_lists_every_recognised_header() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for field, words in SYNONYMS.items():
        row = next((line for line in readme.splitlines() if line.startswith(f"| `{field}`")), "")
        assert row, f"README has no row for column field {field}"
        for word in words:
            assert f"`{word}`" in row, f"README does not list header {word!r} for {field}"


def test_readme_starts_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", readme, re.S)
    assert block is not None
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    assert commands == ["make demo", "make test"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci


def test_slack_manifest_matches_the_handlers() -> None:
    manifest = yaml.safe_load((ROOT / "manifests" / "slack.yaml").read_text(encoding="utf-8"))
    commands = manifest["features"]["slash_commands"]
    assert [c["command"] for c in commands] == ["/action"]
    assert commands[0]["should_escape"] is True  # admin owner mapping needs <@U…> mentions
    urls = [
        commands[0]["url"],
        manifest["settings"]["interactivity"]["request_url"],
        manifest["settings"]["event_subscriptions"]["request_url"],
    ]
    assert all(url.endswith("/slack/events") for url in urls)
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == [
        "app_home_opened",
        "message.im",
    ]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    # The scopes the code needs, and no more.
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(
        [
            "commands",
            "chat:write",
            "users:read",
            "users:read.email",
            "files:write",
            "files:read",
            "im:write",
            "im:history",
            "channels:history",
            "groups:history",
        ]
    )


def test_help_covers_every_slack_form_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for verb in (
        "mine",
        "overdue",
        "due",
        "done",
        "progress",
        "on track",
        "at risk",
        "off track",
        "blocked",
        "note",
        "date",
        "snooze",
    ):
        assert any(verb in form.usage for form in GRAMMAR), verb
        assert verb in readme
