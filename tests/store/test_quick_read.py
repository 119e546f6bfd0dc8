"""`store.quick_read` (plans list and show without SQLAlchemy) reads what the ORM reads, on
SQLite and PostgreSQL, with SQL compiled from the models; and steps aside when it cannot."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.core.config import Settings
from bot.quick_cli import DEFAULT_DATABASE_URL, quick
from store.db import make_engine, make_session_factory, transaction
from store.queries import action_counts, actions_of_plan, all_plans
from store.quick_read import QuickReader, open_quick
from store.quick_read_build import compiled
from store.quick_read_sql import SQL
from tests.conftest import FIXTURES, SAMPLES

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = SAMPLES / "ncc-financial-management-2017.csv"
OWNERS = SAMPLES / "ncc-owners-example.csv"
CLEAN = FIXTURES / "plans" / "clean.csv"


def test_the_generated_sql_is_what_the_models_compile_to() -> None:
    # If this fails after a change to store/models.py: python -m store.quick_read_build
    assert compiled() == SQL


def test_the_cli_default_url_is_the_settings_default() -> None:
    assert Settings.model_fields["database_url"].default == DEFAULT_DATABASE_URL


def cli(db_url: str, *args: str) -> None:
    result = CliRunner().invoke(app, ["--database-url", db_url, *args])
    assert result.exit_code == 0, result.output


def seeded(db_url: str) -> None:
    cli(db_url, "owners", "import", str(OWNERS))
    cli(db_url, "import", str(SAMPLE), "--plan", "NCC", "--default-due", "2018-03-31")
    cli(db_url, "import", str(CLEAN), "--plan", "FIN", "--name", "Finance plan")


def reader_on(db_url: str) -> QuickReader:
    reader = open_quick(db_url)
    assert reader is not None, "a migrated register on a known driver is read quickly"
    return reader


def test_reads_what_the_orm_reads(db_url: str) -> None:
    seeded(db_url)
    engine = make_engine(db_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            counts = action_counts(session)
            plans = [
                (p.id, p.code, p.name, p.default_due, p.source_file, counts.get(p.id, 0))
                for p in all_plans(session)
            ]
            registers = {
                p.code: [
                    (a.id, a.ref, a.title, a.theme, a.status, a.rag, a.due_date)
                    + (a.target_date, a.revised_target_date, a.owner_names)
                    for a in actions_of_plan(session, plan_id=p.id)
                ]
                for p in all_plans(session)
            }
    finally:
        engine.dispose()
    assert {code for _, code, *_ in plans} == {"NCC", "FIN"}
    assert any(owners for rows in registers.values() for *_, owners in rows)
    with reader_on(db_url) as reader:
        got = [(p.id, p.code, p.name, p.default_due, p.source_file, n) for p, n in reader.plans()]
        assert got == plans
        for code, rows in registers.items():
            found = reader.plan_by_code(code.lower())
            assert found is not None and found.code == code
            assert [
                (a.id, a.ref, a.title, a.theme, a.status, a.rag, a.due_date)
                + (a.target_date, a.revised_target_date, a.owner_names)
                for a in reader.actions(found.id)
            ] == rows
        assert reader.plan_by_code("NOPE") is None


def test_steps_aside_for_a_register_not_at_head(empty_db_url: str) -> None:
    assert open_quick(empty_db_url) is None  # no schema: the ordinary path creates it


@pytest.mark.parametrize(
    "url",
    ["sqlite://", "sqlite:///:memory:", "mysql://u@h/db", "postgresql+psycopg2://u@h/db"],
)
def test_steps_aside_for_what_it_does_not_read(url: str) -> None:
    assert open_quick(url) is None


def test_steps_aside_for_a_register_not_yet_created(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    assert open_quick(f"sqlite:///{path}") is None
    assert not path.exists()


def _actionbot(env: dict[str, str], *args: str) -> str:
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "COLUMNS": "120"}
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**base, **env},
        check=False,
        timeout=60,
    )
    return f"{done.returncode}\n{done.stdout}{done.stderr}"


@pytest.mark.parametrize(
    "command", [["plans", "list"], ["show", "--plan", "ncc"], ["show", "--plan", "NOPE"]]
)
def test_the_quick_and_the_ordinary_path_print_the_same(db_url: str, command: list[str]) -> None:
    seeded(db_url)
    # DATABASE_URL is what typer reads, so the quick path answers; a lower-case name is read
    # only by Settings (pydantic-settings), so the ordinary path answers.
    quick_out = _actionbot({"DATABASE_URL": db_url}, *command)
    ordinary_out = _actionbot({"database_url": db_url}, *command)
    assert quick_out == ordinary_out
    assert ("NCC" in quick_out) and ("FIN" in quick_out or command[1] == "--plan")


def test_the_quick_path_reads_database_url_from_dot_env(db_url: str, tmp_path: Path) -> None:
    seeded(db_url)
    (tmp_path / ".env").write_text(f"# the register\nDATABASE_URL='{db_url}'\n", encoding="utf-8")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "COLUMNS": "120"}
    probe = (
        "import sys, bot.cli.main\n"
        "sys.argv = ['actionbot', 'plans', 'list']\n"
        "try:\n    bot.cli.main.main()\nexcept SystemExit:\n    pass\n"
        "print('sqlalchemy' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        check=True,
        timeout=60,
    )
    assert "NCC" in done.stdout and "FIN" in done.stdout, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "False"  # answered by store.quick_read


@pytest.mark.parametrize(
    "args",
    [
        ["plans", "list", "--json"],
        ["show", "--plan", "NCC", "1.1"],
        ["show", "--plan", "NCC", "--json"],
        ["show", "--plan", "--json"],
        ["plans", "--help"],
        ["--help"],
        [],
        ["--database-url"],
    ],
)
def test_any_other_command_line_goes_to_typer(args: list[str]) -> None:
    assert quick(args) is None


def test_answers_before_typer_loads(db_url: str, tmp_path: Path) -> None:
    seeded(db_url)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "COLUMNS": "120"}
    probe = (
        "import sys, bot.quick_cli\n"
        f"sys.argv = ['actionbot', '--database-url', {db_url!r}, 'show', '--plan', 'fin']\n"
        "try:\n    bot.quick_cli.main()\nexcept SystemExit as exc:\n    print(exc.code)\n"
        "print(sorted({'typer', 'sqlalchemy', 'pydantic'} & set(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        check=True,
        timeout=60,
    )
    assert "FIN: Finance plan" in done.stdout, done.stdout + done.stderr
    assert done.stdout.splitlines()[-2:] == ["0", "[]"]
