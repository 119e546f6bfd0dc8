"""`actionbot chat`: the REPL driven through its standard input, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select
from typer.testing import CliRunner

from bot.app.chat import completions
from bot.cli.main import app
from store.db import make_engine
from store.models import Action, Event
from tests.conftest import SAMPLES

SAMPLE = SAMPLES / "ncc-financial-management-2017.csv"
OWNERS = SAMPLES / "ncc-owners-example.csv"


def cli(db_url: str, *args: str, stdin: str | None = None) -> str:
    result = CliRunner().invoke(
        app, ["--database-url", db_url, *args], input=stdin, env={"COLUMNS": "80"}
    )
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return result.stdout.replace("\xa0", " ")


def register(db_url: str) -> None:
    cli(db_url, "owners", "import", str(OWNERS))
    cli(db_url, "import", str(SAMPLE), "--plan", "NCC", "--default-due", "2018-03-30")


def chat(db_url: str, *lines: str, who: str = "Finance") -> str:
    stdin = "".join(line + "\n" for line in lines)
    return cli(db_url, "chat", "--as", who, "--at", "2018-03-16T08:00", stdin=stdin)


def events(db_url: str, ref: str) -> list[tuple[str, str, str | None]]:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(Event.source, Event.field, Event.new_value)
            .join(Action, Action.id == Event.action_id)
            .where(Action.ref == ref)
            .order_by(Event.id)
        ).all()
    engine.dispose()
    return [(r[0], r[1], r[2]) for r in rows]


def test_an_owner_updates_an_action_and_it_is_recorded(db_url: str) -> None:
    register(db_url)
    out = chat(db_url, "/action mine", "2.4 done", ":quit", "never read")
    assert "Finance · Fri 16 Mar 08:00> /action mine" in out
    assert "NCC:2.4" in out and "[1] Done" in out
    assert ("console", "status", "done") in events(db_url, "2.4")
    assert "never read" not in out.split(":quit")[-1]


def test_a_number_clicks_a_button_of_the_last_answer(db_url: str) -> None:
    register(db_url)
    out = chat(db_url, "2.7", "3", "99")
    assert ("console", "rag", "amber") in events(db_url, "2.7")
    assert "No choice 99" in out


def test_others_actions_are_refused_and_nothing_changes(db_url: str) -> None:
    register(db_url)
    out = chat(db_url, "1.1 done", who="finance@northants.example")
    assert "belongs to" in out
    assert not [e for e in events(db_url, "1.1") if e[0] == "console"]


def test_as_switches_person_and_day_runs_that_days_reminders(db_url: str) -> None:
    register(db_url)
    out = chat(db_url, ":as CEO", ":day +0", ":as nobody", ":digest", who="admin")
    assert "You are now CEO." in out
    assert "It is now Fri 16 Mar 2018 09:00." in out
    # 14 days before 30 March: every owner gets their reminder, here in the terminal.
    assert "DM to CEO <ceo@northants.example>" in out
    assert "DM to Finance <finance@northants.example>" in out
    assert "no owner called 'nobody'" in out
    assert "This week's digest" in out and "25 actions" in out
    # A second run the same day finds the reminders already sent: nothing twice.
    again = chat(db_url, ":day +0", who="admin")
    assert "Reminders: 0 messages today." in again


def test_unknown_person_and_session_commands() -> None:
    result = CliRunner().invoke(
        app, ["--database-url", "sqlite:///:memory:", "chat", "--as", "Nobody"], input=""
    )
    assert result.exit_code != 0 and "no owner called 'Nobody'" in result.stderr


def test_tab_completes_refs_and_commands() -> None:
    refs = ["1.1", "2.4", "2.7", "NCC:1.1", "NCC:2.4"]
    assert completions("2.", refs) == ["2.4", "2.7"]
    assert completions("ncc:2", refs) == ["NCC:2.4"]
    assert ":day" in completions(":d", refs) and ":digest" in completions(":d", refs)
    assert "done" in completions("do", refs)
