"""Themes that differ only by case or spacing are one theme, spelt as first written."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.themes import first_spellings, same_spelling, theme_key
from bot.services.audit import Actor
from bot.services.imports.apply import ImportOptions, import_file
from store.models import Action
from tests.conftest import SAMPLES


def test_keys_ignore_case_and_spacing() -> None:
    assert theme_key(" Managing  resources ") == theme_key("Managing Resources")
    assert first_spellings(["Managing Resources", None, "managing resources", "Governance"]) == {
        "managing resources": "Managing Resources",
        "governance": "Governance",
    }
    assert same_spelling(["A b", "a  B", None, ""]) == ["A b", "A b", None, ""]


def test_the_sample_plans_two_spellings_are_one_theme_after_import(
    sessions: sessionmaker[Session],
) -> None:
    # Row 2.2 of the bundled plan says "Managing resources"; the rows before it, "Managing
    # Resources".
    import_file(
        sessions,
        path=SAMPLES / "ncc-financial-management-2017.csv",
        options=ImportOptions(
            plan_code="NCC", source_file="ncc.csv", default_due=date(2018, 3, 31)
        ),
        actor=Actor("test", "cli"),
        now=datetime(2018, 3, 1, tzinfo=UTC),
    )
    with sessions() as session:
        themes = {a.ref: a.theme for a in session.scalars(select(Action))}
    assert themes["2.2"] == themes["1.2"] == "Managing Resources"
    assert {t for t in themes.values() if t and t.lower() == "managing resources"} == {
        "Managing Resources"
    }
