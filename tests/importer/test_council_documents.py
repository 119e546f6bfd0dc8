"""Minutes, reports and trackers written the other ways councils, police and fire bodies
write them (tests/fixtures/council_styles.py), imported through the CLI into a real
register (SQLite and PostgreSQL) and read back. What each should yield was read off the
documents themselves, as their reader would: the clauses that ask someone to act, with
the minute's number, the officer named and the date given; what decides is listed, not
imported; nothing is dropped without a word or made up.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import FIXTURES
from tests.fixtures.council_styles import HOSTILE_CLAUSES, HOSTILE_HEADING, TRACKER_ROWS
from tests.importer.test_plan_files import _Register, cli_clock, db, imported

__all__ = ["cli_clock", "db"]

DOCUMENTS = FIXTURES / "documents"


def _source(action: dict[str, Any]) -> str:
    return str(action["extra"]["Source text"])


def _flagged(action: dict[str, Any], words: str) -> bool:
    return any(words in flag for flag in action["flags"])


# --- minutes --------------------------------------------------------------------------------


def test_audit_committee_minutes_numbered_minute_46_with_paragraphs(db: _Register) -> None:
    out = imported(db.url, DOCUMENTS / "audit-committee-minutes-paragraphs.docx", "AC", "--yes")
    register = db.export("AC")
    # 46.2's ACTION line, 46.3 (ii) and (iii), 47.3, 49.1 and 49.2; a minute's second
    # resolution is told from its first by its paragraph number.
    assert list(register) == ["46", "46 (ii)", "46 (iii)", "47.3", "49", "49.2"]
    action = register["46"]
    assert action["title"] == (
        "Head of Audit and Assurance to circulate the payroll audit report to all members of "
        "the Committee by 6 February 2026"
    )
    assert _source(action) == (
        "ACTION: Head of Audit and Assurance to circulate the payroll audit report to all "
        "members of the Committee by 6 February 2026."
    )
    assert (action["owners"], action["due_date"]) == (["Head of Audit and Assurance"], "2026-02-06")
    assert action["theme"] == "Internal Audit Progress Report"
    # "attend the next meeting": minute 51 gives its date.
    attend = register["46 (ii)"]
    assert (attend["owners"], attend["due_date"]) == (["Section 151 Officer"], "2026-03-19")
    # Named by name and title: the person is the owner.
    assert register["46 (iii)"]["owners"] == ["Jane Smith"]
    assert register["46 (iii)"]["due_date"] == "2026-03-31"
    assert register["49.2"]["owners"] == ["Craig Webb"]
    assert register["49.2"]["due_date"] is None  # "the 2026/27 plan" is no deadline
    review = register["49"]
    assert (review["owners"], review["due_date"]) == (["Head of Audit and Assurance"], "2026-07-31")
    assert review["theme"] == "Risk Management Update"
    assert register["47.3"]["owners"] == ["Monitoring Officer"]
    for decided in (
        "45  paragraph 9: previous minutes approved as a correct record",
        "46 (i)  paragraph 15: noted",
        "47  paragraph 20: recommended to Council",
        "48  paragraph 23: authority delegated",
        "50  paragraph 28: deferred",
    ):
        assert decided in out
    assert "Apologies" not in out


def test_before_the_end_of_the_municipal_year_is_kept_as_words_and_flagged(
    db: _Register,
) -> None:
    imported(db.url, DOCUMENTS / "audit-committee-minutes-paragraphs.docx", "AC", "--yes")
    training = db.export("AC")["47.3"]
    assert training["target_text"] == "before the end of the municipal year"
    assert training["due_date"] is None
    assert _flagged(training, "before the end of the municipal year")


def test_police_panel_minutes_with_running_head_and_footnotes(db: _Register) -> None:
    out = imported(db.url, DOCUMENTS / "police-panel-minutes.pdf", "PCP", "--yes")
    register = db.export("PCP")
    assert list(register) == ["44 (ii)", "44 (iii)", "45 (ii)", "45 (iii)", "46"]
    # After "It was moved by Councillor Barnes, seconded by Mrs Fielding and RESOLVED:".
    reserves = register["44 (ii)"]
    assert reserves["title"] == (
        "the Chief Finance Officer provide the Panel with a breakdown of the reserves "
        "strategy by 31 March 2026"
    )
    assert (reserves["owners"], reserves["due_date"]) == (["Chief Finance Officer"], "2026-03-31")
    assert reserves["theme"] == "PROPOSED POLICE PRECEPT 2026/27"
    assert register["44 (iii)"]["owners"] == ["Chief Executive of the OPCC"]
    assert register["44 (iii)"]["due_date"] is None
    # Due at the meeting it reports to; the heading runs over two lines.
    invited = register["45 (ii)"]
    assert (invited["owners"], invited["due_date"]) == (["Commissioner"], "2026-06-16")
    assert invited["theme"] == "POLICE AND CRIME PLAN PERFORMANCE REPORT – QUARTER 3"
    assert invited["extra"]["Source page"] == "2"
    assert _source(invited).endswith("survey of victims of rural crime carried out in the autumn;")
    assert register["45 (iii)"]["owners"] == ["Panel Support Officer"]
    # The Panel writes itself: an action, no officer named, flagged.
    letter = register["46"]
    assert letter["title"] == (
        "to write to the Home Secretary to ask for the complaints regulations to be reviewed"
    )
    assert _source(letter) == f"The Panel agreed {letter['title']}."
    assert letter["owners"] == [] and _flagged(letter, "no owner")
    for decided in (
        "43  page 1: previous minutes",
        "44 (i)  page 1: endorsed",
        "45 (i)  page 2: noted",
    ):
        assert decided in out
    # Neither the running head, the page numbers nor the footnotes are in any text.
    for action in register.values():
        for text in (action["title"], _source(action), action["theme"]):
            assert "Minutes – 3 February" not in text and "Page " not in text
            assert "Referendum Principles" not in text and "provisional" not in text


def test_fire_authority_minutes_in_the_authoritys_own_voice(db: _Register) -> None:
    out = imported(db.url, DOCUMENTS / "fire-authority-minutes.docx", "FRA", "--yes")
    register = db.export("FRA")
    # Word numbers the minutes from 23: 25.2 (c), 26.1, 27.1 (b).
    assert list(register) == ["25 (c)", "26", "27 (b)"]
    report = register["25 (c)"]
    assert report["title"] == (
        "instructs the Chief Fire Officer to bring a report on on-call recruitment and "
        "retention to the Authority in March 2026"
    )
    assert (report["owners"], report["due_date"]) == (["Chief Fire Officer"], "2026-03-31")
    assert report["theme"] == "REVENUE BUDGET MONITORING 2025/26 – QUARTER 2"
    options = register["26"]
    assert (options["owners"], options["due_date"]) == (["Treasurer/S151 Officer"], "2026-02-12")
    # Twenty working days from the meeting of 11 December 2025, not from the meeting of
    # 25 September 2025 whose minutes were signed.
    seminar = register["27 (b)"]
    assert (seminar["owners"], seminar["due_date"]) == (
        ["Clerk and Monitoring Officer"],
        "2026-01-08",
    )
    for decided in (
        "24  paragraph 7: previous minutes approved as a correct record",
        "25 (a)  paragraph 11: noted",
        "25 (b)  paragraph 12: approved",
        "26.2  paragraph 16: approved",
        "27 (a)  paragraph 19: endorsed",
    ):
        assert decided in out


def test_a_body_referring_the_plan_to_a_committee_decides_it(db: _Register) -> None:
    """ "refers the action plan to the Overview and Scrutiny Committee" hands the plan on:
    no action for an officer, and no owner made up from the committee's name."""
    out = imported(db.url, DOCUMENTS / "fire-authority-minutes.docx", "FRA", "--yes")
    assert "27 (c)" not in db.export("FRA")
    assert "27 (c)  paragraph 21: referred to another body" in out


def test_an_agenda_front_sheet_of_short_lines_is_not_joined_to_the_minutes_after_it(
    db: _Register,
) -> None:
    """The front sheet's lines are short, so its last one looked full against them and was
    run into the minutes' opening on the next page: the meeting read as 19 March (the
    front sheet's), and the next meeting as no later than it."""
    out = imported(db.url, DOCUMENTS / "agenda-pack-with-minutes.pdf", "KM", "--yes")
    register = db.export("KM")
    assert list(register) == ["33 (b)", "33 (c)"]
    assert "meeting of 22 January 2026" in out
    circulate = register["33 (b)"]
    assert circulate["owners"] == ["Chief Finance Officer"]
    assert (circulate["target_text"], circulate["due_date"]) == (
        "within five working days of this meeting",
        "2026-01-29",
    )
    back = register["33 (c)"]
    assert (back["owners"], back["due_date"]) == (["Audit Manager"], "2026-03-19")
    assert back["theme"] == "EXTERNAL AUDIT UPDATE"
    assert "32  page 2: previous minutes" in out and "33 (a)  page 2: noted" in out


def test_hostile_minutes_text_is_kept_exactly_and_the_unread_emoji_reported(
    db: _Register,
) -> None:
    out = imported(db.url, DOCUMENTS / "hostile-minutes.pdf", "H", "--yes")
    register = db.export("H")
    assert list(register) == ["7/26 (a)", "7/26 (b)"]
    first, second = register["7/26 (a)"], register["7/26 (b)"]
    assert first["theme"] == second["theme"] == HOSTILE_HEADING
    # The emoji is drawn from a colour font PDFium gives no character for: missing from
    # the text, and the import says so, naming the page.
    assert first["title"] == HOSTILE_CLAUSES["a"].replace(" 🎣", "").rstrip(";")
    assert "page 1: 1 piece of text could not be read" in out
    assert (first["owners"], first["due_date"]) == (["Data Protection Officer"], "2026-03-31")
    assert len(second["title"]) > 3000
    # The source is where to look on the page, cut at 1,000 characters; the title is whole.
    source = _source(second)
    assert len(source) == 1000 and source.endswith("…")
    assert f"(b) {HOSTILE_CLAUSES['b']}".startswith(source[:-1])
    assert (second["owners"], second["due_date"]) == (["Head of Digital"], "2026-09-30")


def test_body_lines_alike_at_a_page_foot_and_the_next_page_top_are_not_a_running_head(
    db: _Register,
) -> None:
    """Clause (b) runs over the page, its lines alike: the one at the foot of page 1 and
    the one at the top of page 2 were taken for a running head, and dropped."""
    imported(db.url, DOCUMENTS / "hostile-minutes.pdf", "H", "--yes")
    assert db.export("H")["7/26 (b)"]["title"] == HOSTILE_CLAUSES["b"].rstrip(".")


# --- reports, trackers and notes ------------------------------------------------------------


def test_programme_report_next_steps_numbered_paragraphs_and_milestones(db: _Register) -> None:
    out = imported(db.url, DOCUMENTS / "programme-report-next-steps.pdf", "OFC", "--yes")
    actions = {a["title"]: a for a in db.export("OFC").values()}
    assert set(actions) == {
        "Online account for housing repairs launched",
        "Webchat opened for council tax enquiries",
        "The programme will move housing repairs reporting onto the customer system by "
        "January 2027, once the interface with the repairs contractor has passed user "
        "acceptance testing and the contact centre staff who take repairs calls have been "
        "trained in the new screens and the new scripts",
        "The Westgate customer service centre will close, and its services move to the "
        "central library, by March 2027",
        "A report on the first year's savings will be brought to Cabinet on 9 December 2026",
    }
    launched = actions["Online account for housing repairs launched"]
    assert (launched["target_text"], launched["due_date"]) == ("January 2027", "2027-01-31")
    assert (launched["theme"], launched["owners"]) == ("Digital Customer", ["Imran Ali"])
    webchat = actions["Webchat opened for council tax enquiries"]
    assert (webchat["target_text"], webchat["due_date"]) == ("April 2027", "2027-04-30")
    # Next steps name no one; the workstream lead above them leads another section.
    for title, action in actions.items():
        if action["theme"] == "Next steps":
            assert action["owners"] == [] and _flagged(action, "no owner"), title
    savings = actions[
        "A report on the first year's savings will be brought to Cabinet on 9 December 2026"
    ]
    assert savings["due_date"] == "2026-12-09"
    assert "a recommendation to delegate" in out and "a recommendation to comment" in out
    assert "Recruitment to digital roles" not in out  # a risk, not listed


def test_a_paragraph_cut_by_a_page_break_is_joined_when_its_next_word_would_not_fit(
    db: _Register,
) -> None:
    """Paragraph 4.1 starts at the foot of page 1 and ends on page 2; its last line on page
    1 stops short of the margin because "contractor" did not fit there."""
    imported(db.url, DOCUMENTS / "programme-report-next-steps.pdf", "OFC", "--yes")
    [moved] = [a for a in db.export("OFC").values() if _source(a).startswith("4.1 ")]
    assert _source(moved).endswith("trained in the new screens and the new scripts.")
    assert moved["extra"]["Source page"] == "1"
    assert (moved["target_text"], moved["due_date"]) == ("by January 2027", "2027-01-31")


_STATUS = {"In progress": "in_progress", "Complete": "done", "Not started": "not_started"}


def test_audit_tracker_over_three_pages_gives_every_recommendation(db: _Register) -> None:
    out = imported(db.url, DOCUMENTS / "audit-recommendations-tracker.pdf", "IA")
    register = db.export("IA")
    # The summary of opinions on page 1 is no plan table.
    assert list(register) == [row[0] for row in TRACKER_ROWS]
    assert "page 2, page 3, page 4" in out
    for ref, text, priority, response, officer, original, revised, status in TRACKER_ROWS:
        action = register[ref]
        assert action["title"] == text, ref  # rows run over pages come back whole
        assert action["owners"] == [officer], ref
        # "Mediu"/"m": the word broken at the narrow column's edge is whole again.
        assert action["extra"] == {"Priority": priority, "Management response": response}, ref
        assert action["target_text"] == original, ref
        assert action["revised_text"] == (revised or None), ref
        due = action["revised_target_date"] if revised else action["target_date"]
        assert action["due_date"] == due, ref
        if status == "Overdue":
            assert action["rag"] == "red", ref
        else:
            assert action["status"] == _STATUS[status], ref
    assert register["PAY/24/01"]["due_date"] == "2025-09-30"
    assert register["DFG/25/02"]["due_date"] == "2026-03-31"  # Q4 2025/26


def test_partnership_notes_table_rows_with_no_action_are_reported(db: _Register) -> None:
    out = imported(db.url, DOCUMENTS / "partnership-notes-table.docx", "CSP")
    register = db.export("CSP")
    assert list(register) == ["3", "4"]
    assert register["3"]["title"] == (
        "Circulate the final strategic needs assessment to board members"
    )
    assert (register["3"]["owners"], register["3"]["due_date"]) == (["Gemma Watts"], "2026-03-31")
    assert (register["4"]["owners"], register["4"]["target_text"]) == (
        ["Supt Harris"],
        "March 2026",
    )
    assert register["4"]["extra"] == {
        "Item": "Anti-social behaviour",
        "Discussion": "Figures show a 12% fall in the town centre.",
    }
    for ref in ("1", "2", "5"):
        assert f"ref {ref}: no action, owner or date; not imported" in out


def test_report_actions_table_without_refs_same_in_word_and_pdf(db: _Register) -> None:
    registers = []
    for suffix in ("docx", "pdf"):
        out = imported(db.url, DOCUMENTS / f"report-actions-table.{suffix}", suffix.upper())
        assert "no reference column: 3 refs made from each action's words" in out
        registers.append(db.export(suffix.upper()))
    word, pdf = registers
    assert list(word) == list(pdf)
    by_title = {a["title"]: a for a in word.values()}
    assert list(by_title) == [
        "Extend Sunday opening to the three largest libraries",
        "Install self-service kiosks in community libraries",
        "Recruit 40 new volunteers",
    ]
    for ref, action in word.items():
        for field in ("title", "owners", "target_text", "due_date", "section"):
            assert pdf[ref][field] == action[field], (ref, field)
    assert by_title["Recruit 40 new volunteers"]["due_date"] == "2027-03-31"  # Q4 2026/27
    assert by_title["Install self-service kiosks in community libraries"]["owners"] == [
        "Digital Services Manager"
    ]
    assert {a["section"] for a in word.values()} == {"2. Next steps"}
