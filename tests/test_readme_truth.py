"""What the README says is so. Regressions: the reminder and digest paragraphs were pasted
twice into each other, "How it is built" came twice with rows that disagreed and linked to a
design document outside the repository, and the first hour's example (`chat --as "Head of
Finance"`, `4.4 at risk …`) failed on the bundled sample."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_links_only_inside_the_repository() -> None:
    assert "../" not in README
    for target in re.findall(r"\]\(([^)#\s]+)[^)]*\)", README):
        if not target.startswith(("http://", "https://")):
            assert (ROOT / target).exists(), target
    assert (ROOT / "docs" / "design.md").is_file()
    assert "](docs/design.md)" in README


def test_each_part_is_said_once() -> None:
    assert README.count("## How it is built") == 1
    built = README[README.index("## How it is built") :]
    table = built[: built.index("`make lint`")]
    places = re.findall(r"^\| `([^`]+)`", table, flags=re.M)
    assert len(places) == len(set(places)) and len(places) >= 15
    for sentence in (
        "**The digest** is posted",
        "Each owner gets **one DM a day**",
        "**The admins' daily summary**",
    ):
        assert README.count(sentence) == 1, sentence
    assert "ACTIONBOT_DIGEST_CRON`:\n  in the digest" not in README


def first_hour() -> list[str]:
    part = README[README.index("1. **Try it yourself**") :]
    block = re.search(r"```sh\n(.*?)```", part, re.S)
    assert block is not None
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


def test_the_sample_the_readme_names_is_bundled() -> None:
    for path in re.findall(r"bot/samples/[\w.-]+", README):
        assert (ROOT / path).is_file(), path


def test_the_first_hour_works_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the README's paths are the checkout's
    env = {"COLUMNS": "120", "SLACK_BOT_TOKEN": "", "TEAMS_CLIENT_ID": ""}
    outputs = []
    lines = first_hour()
    assert lines[0].startswith("export DATABASE_URL=")
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'trial.db'}"  # not the checkout's trial.db
    said = "mine\n2.4 done\n2.7 at risk supplier late\n2.7 date 30/06/2027 the auditors asked\n"
    for line in lines[1:]:
        words = shlex.split(line)
        assert words[0] == ".venv/bin/actionbot", line
        stdin = said + ":day +7\n:digest\n" if words[1] == "chat" else None
        result = CliRunner().invoke(app, words[1:], env=env, input=stdin)
        assert result.exit_code == 0, (line, result.output)
        outputs.append(" ".join(result.stdout.split()))
    dry_run, chat = outputs[-2], outputs[-1]
    assert re.search(r"As of \w+ 17 Mar 2027 09:00: 19 reminder messages", dry_run)
    # Every example the README gives is Finance's to type, and is accepted.
    assert "belongs to" not in chat and "Try `/action" not in chat
    assert "NCC:2.4 is now done" in chat and "NCC:2.7 is at risk" in chat
    assert "because the auditors asked" in chat or "the auditors asked" in chat
    assert "It is now Wed 24 Mar 2027 09:00." in chat and "This week's digest" in chat
