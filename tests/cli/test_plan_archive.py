"""A plan can be archived (kept for audit, out of reminders, digests, reports and lists of
open work) and brought back, and deleted for good only after an export and a confirmation.
Every step is recorded. Regression: a trial plan stayed in every digest forever."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.clock import FixedClock
from bot.core.config import Settings
from bot.handlers.console import ConsoleDoor
from store.models import Action, Event, Plan
from tests.cli.test_cli_honest import OWNERS, SAMPLE, run

AT = "2018-03-16T10:00"  # both plans due Fri 30 Mar: every owner's 14-day reminder is today


def two_plans(db_url: str) -> None:
    run(db_url, "owners", "import", str(OWNERS))
    run(db_url, "import", str(SAMPLE), "--plan", "NCC", "--default-due", "2018-03-30")
    run(db_url, "import", str(SAMPLE), "--plan", "TRIAL", "--default-due", "2018-03-30")


def console(db_url: str, sessions: sessionmaker[Session]) -> ConsoleDoor:
    settings = Settings(_env_file=None, DATABASE_URL=db_url)  # type: ignore[call-arg]
    clock = FixedClock(datetime(2018, 3, 16, 10, tzinfo=UTC))
    return ConsoleDoor(sessions=sessions, clock=clock, settings=settings)


def plan_events(sessions: sessionmaker[Session]) -> list[tuple[str, str | None, str | None]]:
    with sessions() as session:
        rows = session.execute(
            select(Event.field, Event.old_value, Event.new_value)
            .where(Event.field.in_(["plan.archived", "plan.deleted"]))
            .order_by(Event.id)
        ).all()
    return [(f, o, n) for f, o, n in rows]


def test_an_archived_plan_is_kept_but_out_of_every_list_of_work(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    two_plans(db_url)
    code, out, _ = run(db_url, "plans", "archive", "TRIAL")
    assert code == 0 and "TRIAL is archived" in out
    # Listed as archived; still shown and exported whole (kept for audit).
    _, listed, _ = run(db_url, "plans", "list")
    assert "TRIAL (archived" in listed
    _, as_json, _ = run(db_url, "plans", "list", "--json")
    assert {p["code"]: bool(p["archived_at"]) for p in json.loads(as_json)} == {
        "NCC": False,
        "TRIAL": True,
    }
    assert run(db_url, "show", "--plan", "TRIAL", "2.4")[0] == 0
    assert '"ref": "2.4"' in run(db_url, "export", "--plan", "TRIAL")[1]
    # Out of reminders, the digest and reports.
    _, nudged, _ = run(db_url, "nudge", "--dry-run", "--at", AT)
    assert "NCC:" in nudged and "TRIAL" not in nudged
    _, digest, _ = run(db_url, "digest", "--dry-run", "--at", AT)
    assert "NCC" in digest and "TRIAL" not in digest
    code, _, err = run(db_url, "report", "--plan", "TRIAL", "--format", "html", "--output", "x")
    assert code == 1 and "TRIAL is archived" in err
    # Out of /action mine; its actions no longer change; a bare ref means the live plan.
    door = console(db_url, sessions)
    finance = door.user("Finance")
    mine = door.say(finance, "mine").reply
    assert mine.cards and all(c.plan_code == "NCC" for c in mine.cards)
    refused = door.say(finance, "TRIAL:2.4 done").reply
    assert not refused.ok and "TRIAL is archived" in refused.text
    assert door.say(finance, "2.4 done").reply.ok
    shown = door.say(finance, "TRIAL:2.4").reply
    assert shown.ok and "TRIAL is archived" in shown.text
    with sessions() as session:
        status = dict(
            session.execute(
                select(Plan.code, Action.status).join(Action.plan).where(Action.ref == "2.4")
            ).all()
        )
    assert status == {"NCC": "done", "TRIAL": "not_started"}
    # Nothing is imported into an archived plan.
    code, _, err = run(db_url, "import", str(SAMPLE), "--plan", "TRIAL")
    assert code == 1 and "plans unarchive TRIAL" in err
    # Back again, recorded both ways.
    assert run(db_url, "plans", "unarchive", "TRIAL")[0] == 0
    assert any(c.plan_code == "TRIAL" for c in door.say(finance, "mine").reply.cards)
    events = plan_events(sessions)
    assert [(f, o is None, n is None) for f, o, n in events] == [
        ("plan.archived", True, False),
        ("plan.archived", False, True),
    ]


def test_a_plan_is_deleted_only_after_an_export_and_a_yes(
    db_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    two_plans(db_url)
    door = console(db_url, sessions)
    assert door.say(door.user("Finance"), "TRIAL:2.4 progress draft").reply.ok
    first = tmp_path / "first.json"
    # No terminal to ask at, no --yes: exported, not deleted.
    code, out, err = run(db_url, "plans", "delete", "TRIAL", "--export-to", str(first))
    assert code == 1 and "TRIAL was not deleted: confirm with --yes" in err
    # The terminal may wrap the path anywhere: compared without spaces.
    assert f"ExportedTRIAL(25actions,withhistory)to{first}" in "".join(out.split())
    with sessions() as session:
        assert session.scalar(select(Plan).where(Plan.code == "TRIAL")) is not None
    # An export is never written over.
    code, _, err = run(db_url, "plans", "delete", "TRIAL", "--export-to", str(first), "--yes")
    assert code == 1 and "exists already" in err
    second = tmp_path / "second.json"
    code, out, _ = run(db_url, "plans", "delete", "TRIAL", "--export-to", str(second), "--yes")
    assert code == 0 and "Deleted TRIAL: 25 actions and" in out
    exported = json.loads(second.read_text(encoding="utf-8"))
    # The same JSON as `actionbot export --plan TRIAL`: every action with its history.
    assert len(exported) == 25 and {a["plan"] for a in exported} == {"TRIAL"}
    noted = next(a for a in exported if a["ref"] == "2.4")
    assert any(e.get("note") == "draft" for e in noted["history"])
    with sessions() as session:
        assert session.scalars(select(Plan.code)).all() == ["NCC"]
        assert session.scalar(
            select(Event).where(Event.plan_id.is_(None), Event.field == "plan.deleted")
        )
        deleted = session.scalars(select(Event).where(Event.field == "plan.deleted")).one()
        assert deleted.old_value == "TRIAL" and deleted.actor == "cli"
        assert deleted.note is not None and str(second) in deleted.note
        assert "25 actions" in deleted.note
        # NCC and its history are untouched.
        assert len(session.scalars(select(Action).join(Action.plan)).all()) == 25


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("answer", "deleted"), [("n", False), ("y", True)])
def test_at_a_terminal_delete_asks_first(
    db_url: str, tmp_path: Path, answer: str, deleted: bool
) -> None:
    two_plans(db_url)
    export = tmp_path / "trial.json"
    command = [sys.executable, "-m", "bot", "plans", "delete", "TRIAL", "--export-to", str(export)]
    env = {**os.environ, "DATABASE_URL": db_url, "COLUMNS": "200"}
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        command, stdin=terminal, stdout=terminal, stderr=terminal, env=env, cwd=tmp_path
    )
    os.close(terminal)
    said = b""
    while b"for good?" not in said:
        said += os.read(controller, 1024)
    os.write(controller, f"{answer}\n".encode())
    assert process.wait(timeout=60) == (0 if deleted else 1)
    try:
        while chunk := os.read(controller, 1024):
            said += chunk
    except OSError:  # the terminal closed with the process
        pass
    os.close(controller)
    assert export.exists()
    _, listed, _ = run(db_url, "plans", "list")
    assert ("TRIAL" in listed) is not deleted
    assert (b"Deleted TRIAL" in said) is deleted
