"""The `actionbot` CLI end to end against real SQLite and PostgreSQL registers."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot.cli.main import app
from store.db import make_engine
from store.models import Action, Event, Plan
from tests.conftest import FIXTURES, SAMPLES

SAMPLE = SAMPLES / "ncc-financial-management-2017.csv"
OWNERS = SAMPLES / "ncc-owners-example.csv"
CLEAN = FIXTURES / "plans" / "clean.csv"


def run(db_url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--database-url", db_url, *args], env={"COLUMNS": "250"})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def count(db_url: str, model: type) -> int:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(model)).scalar_one()
    engine.dispose()
    return int(n)


def export(db_url: str, plan: str) -> list[dict[str, object]]:
    code, out, _ = run(db_url, "export", "--plan", plan)
    assert code == 0
    data: list[dict[str, object]] = json.loads(out)
    return data


def test_sample_plan_imports_and_exports_all_25_actions(db_url: str) -> None:
    code, out, err = run(
        db_url, "import", str(SAMPLE), "--plan", "NCC", "--default-due", "2018-03-31"
    )
    assert code == 0, err
    assert "25 added" in out
    records = export(db_url, "NCC")
    assert len(records) == 25
    assert [r["ref"] for r in records][:3] == ["1.1", "1.2", "1.3"]
    first = records[0]
    assert first["theme"] == "Financial Governance"
    assert first["section"] == "1. Financial leadership"
    assert first["owners"] == [
        "CEO",
        "Strategic Leadership Team",
        "Overview and Scrutiny Committee Chair",
    ]
    assert first["tasks"] == [
        "Review of the arrangements for incorporating political leadership in shaping the council's budget.",
        "Review pre-approval process for key decisions and major projects involving cabinet members.",
        "Review role and information requirements of Finance and Scrutiny committees for financial and performance related challenge.",
    ]
    assert first["title"] == "Strengthening political involvement in shaping the council's budget."
    # The plan gives no dates: every action falls back to the plan's deadline, and says so.
    assert {r["due_date"] for r in records} == {"2018-03-31"}
    assert all(r["target_date"] is None and r["target_text"] is None for r in records)
    assert all(r["status"] == "not_started" for r in records)
    history = first["history"]
    assert isinstance(history, list) and history[0]["field"] == "created"
    assert history[0]["source"] == "import"
    for key in (
        "plan",
        "ref",
        "title",
        "theme",
        "tasks",
        "owners",
        "target_date",
        "revised_target_date",
        "due_date",
        "target_text",
        "status",
        "rag",
        "outcome",
        "updated_at",
        "history",
    ):
        assert key in first


def test_reimporting_the_same_file_changes_nothing(db_url: str) -> None:
    run(db_url, "import", str(SAMPLE), "--plan", "NCC", "--default-due", "2018-03-31")
    events = count(db_url, Event)
    code, out, _ = run(db_url, "import", str(SAMPLE), "--plan", "NCC")
    assert code == 0
    assert "0 added, 0 changed, 25 unchanged" in out
    assert count(db_url, Event) == events


def test_dry_run_writes_nothing(db_url: str) -> None:
    code, out, _ = run(db_url, "import", str(CLEAN), "--plan", "FIN", "--dry-run")
    assert code == 0
    assert "DRY RUN" in out and "3 added" in out
    assert count(db_url, Plan) == 0 and count(db_url, Event) == 0


def test_csv_export_reimports_to_the_same_register(db_url: str, tmp_path: Path) -> None:
    run(db_url, "owners", "import", str(OWNERS))
    run(db_url, "import", str(SAMPLE), "--plan", "NCC", "--default-due", "2018-03-31")
    exported = tmp_path / "ncc.csv"
    code, _, _ = run(
        db_url, "export", "--plan", "NCC", "--format", "csv", "--output", str(exported)
    )
    assert code == 0
    code, out, err = run(db_url, "import", str(exported), "--plan", "NCC")
    assert code == 0, err
    assert "0 added, 0 changed, 25 unchanged" in out
    code, out, err = run(
        db_url, "import", str(exported), "--plan", "COPY", "--default-due", "2018-03-31"
    )
    assert code == 0, err

    def comparable(records: list[dict[str, object]]) -> list[dict[str, object]]:
        dropped = {"plan", "history", "updated_at", "flags"}
        return [{k: v for k, v in r.items() if k not in dropped} for r in records]

    assert comparable(export(db_url, "COPY")) == comparable(export(db_url, "NCC"))


def test_clean_csv_with_dates_statuses_and_revisions(db_url: str) -> None:
    code, _, err = run(db_url, "import", str(CLEAN), "--plan", "FIN")
    assert code == 0, err
    by_ref = {r["ref"]: r for r in export(db_url, "FIN")}
    assert by_ref["1.1"]["target_date"] == "2018-03-31"
    assert by_ref["1.2"]["owners"] == ["Head of Finance", "Learning & Development"]
    assert by_ref["1.2"]["status"] == "in_progress"
    assert by_ref["2.1"]["revised_target_date"] == "2018-12-31"
    assert by_ref["2.1"]["due_date"] == "2018-12-31"
    assert by_ref["2.1"]["rag"] == "amber"


def test_owners_import_and_list(db_url: str) -> None:
    run(db_url, "import", str(SAMPLE), "--plan", "NCC", "--default-due", "2018-03-31")
    code, out, _ = run(db_url, "owners", "import", str(OWNERS))
    assert code == 0
    assert "19 added" not in out  # most owners already came from the plan
    code, out, _ = run(db_url, "owners", "list")
    assert code == 0
    assert "finance@northants.example" in out
    code, out, _ = run(db_url, "owners", "import", str(OWNERS))
    assert "0 added, 0 updated, 19 unchanged" in out


def test_plans_list(db_url: str) -> None:
    run(db_url, "import", str(CLEAN), "--plan", "FIN", "--name", "Finance plan")
    code, out, _ = run(db_url, "plans", "list")
    assert code == 0
    assert "FIN" in out and "Finance plan" in out and "3" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"", "is empty"),
        (b"  \r\n \n", "is empty"),
        (b"PK\x03\x04\x00\x00binary\x00junk", "zip archive but is damaged"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
        (b"Name,Colour\nJane,Blue\n", "no reference column"),
        (b"Ref,Action\n", "no actions"),
        (b"Ref,Action\n1.1,One\n1.1,Again\n", "appears twice"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(
    db_url: str, tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "plan.csv"
    if content is not None:
        path.write_bytes(content)
    code, out, err = run(db_url, "import", str(path), "--plan", "BAD")
    assert code != 0
    assert message in err
    assert "Nothing was written" in err
    assert "Traceback" not in out + err
    assert count(db_url, Plan) == 0 and count(db_url, Action) == 0 and count(db_url, Event) == 0


def test_unknown_plan_on_export_is_a_clear_error(db_url: str) -> None:
    code, _, err = run(db_url, "export", "--plan", "NOPE")
    assert code != 0
    assert "no plan 'NOPE'" in err


def test_bad_default_due_is_a_clear_error(db_url: str) -> None:
    code, _, err = run(db_url, "import", str(CLEAN), "--plan", "FIN", "--default-due", "31/03/2018")
    assert code != 0 and "YYYY-MM-DD" in err
    assert count(db_url, Plan) == 0


def test_export_csv_is_readable(db_url: str) -> None:
    run(db_url, "import", str(CLEAN), "--plan", "FIN")
    code, out, _ = run(db_url, "export", "--plan", "FIN", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["Ref"] for r in rows] == ["1.1", "1.2", "2.1"]
    assert rows[1]["Owner"] == "Head of Finance; Learning & Development"
    code, out, _ = run(db_url, "export", "--plan", "FIN")
    assert json.loads(out)[1]["owners"] == ["Head of Finance", "Learning & Development"]
