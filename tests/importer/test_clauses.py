"""Reading one resolution clause (bot/importer/clauses.py): action or decision, the owner it
names, the date it gives. The clauses are written the many ways council minutes write them."""

from __future__ import annotations

from datetime import date

import pytest

from bot.importer.clauses import find_date, read_clause

MEETING = date(2026, 3, 12)  # a Thursday
NEXT = date(2026, 6, 18)

ACTIONS = {
    "the Director of Finance provide members with a briefing note on the loans": [
        "Director of Finance"
    ],
    "the Director of Finance be asked to review the reserves policy": ["Director of Finance"],
    "that the Head of Planning be requested to bring a report to the next meeting": [
        "Head of Planning"
    ],
    "the Chief Executive to write to the Secretary of State": ["Chief Executive"],
    "To ask the Head of Planning to bring a report on enforcement": ["Head of Planning"],
    "To request that the Monitoring Officer reviews the protocol": ["Monitoring Officer"],
    "the report be noted and the Director of Finance be asked to circulate the figures": [
        "Director of Finance"
    ],
    "Karen Osei (Chief Internal Auditor) to share the audit plan with members": ["Karen Osei"],
    "the Director of Finance and the Head of ICT provide a joint report": [
        "Director of Finance",
        "Head of ICT",
    ],
    "the Head of Legal and Democratic Services update the constitution": [
        "Head of Legal and Democratic Services"
    ],
    "the Corporate Director (Resources), in consultation with the Chair, finalise the response": [
        "Corporate Director"
    ],
    "the Democratic Services Officer circulate the revised action tracker": [
        "Democratic Services Officer"
    ],
}

UNOWNED = [
    "officers report back in the autumn on the options for the depot",
    "that officers be requested to investigate the options",
    "a further report be submitted to the Committee in January 2027",
    "the comments of the Committee be forwarded to Cabinet",
    "the Committee receive a further report on the depot in November 2026",
]

DECISIONS = {
    "the External Audit Plan for 2025/26 be noted;": "noted",
    "the progress report be noted": "noted",
    "the Internal Audit Plan for 2026/27 be approved": "approved at the meeting",
    "the revised Internal Audit Charter be endorsed.": "endorsed",
    "Councillor Tom Ashworth be appointed Vice-Chair of the Committee": "appointed at the meeting",
    "the minutes of the meeting held on 15 January 2026 be approved as a correct record": (
        "previous minutes approved as a correct record"
    ),
    "the press and public be excluded for the following item": "the press and public excluded",
    "the revised Local Code be endorsed and recommended to Council for adoption": (
        "recommended to Council: a decision for Council"
    ),
    "it be recommended to Council that the Treasury Management Strategy be approved": (
        "recommended to Council: a decision for Council"
    ),
    "To note the report.": "noted",
    "the Committee noted the update": "noted",
    "authority be delegated to the Director of Place to agree the final terms": (
        "authority delegated: a decision"
    ),
    "the update be received": "received (noted)",
    "the Authority refers the action plan to the Overview and Scrutiny Committee": (
        "referred to another body: its decision"
    ),
}


@pytest.mark.parametrize("clause", list(ACTIONS))
def test_a_clause_that_asks_an_officer_is_an_action_with_that_owner(clause: str) -> None:
    reading = read_clause(clause)
    assert reading.is_action
    assert reading.owners == ACTIONS[clause]
    assert reading.no_owner is None


@pytest.mark.parametrize("clause", UNOWNED)
def test_a_clause_that_asks_but_names_no_officer_is_an_action_flagged(clause: str) -> None:
    reading = read_clause(clause)
    assert reading.is_action and reading.owners == []
    assert reading.no_owner is not None and "names no officer" in reading.no_owner


@pytest.mark.parametrize("clause", list(DECISIONS))
def test_a_clause_that_decides_is_no_action_and_says_why(clause: str) -> None:
    reading = read_clause(clause)
    assert not reading.is_action
    assert reading.why == DECISIONS[clause]


DATES = {
    "bring the results to the Committee by the end of June 2026.": (
        "by the end of June 2026",
        date(2026, 6, 30),
    ),
    "provide a written update, including the February results, by Friday 24 April 2026;": (
        "by Friday 24 April 2026",
        date(2026, 4, 24),
    ),
    "arrange a training session for members of the Committee in September 2026.": (
        "in September 2026",
        date(2026, 9, 30),
    ),
    "circulate the tracker within five working days of this meeting.": (
        "within five working days of this meeting",
        date(2026, 3, 19),
    ),
    "report back in the autumn": ("in the autumn", date(2026, 11, 30)),
    "report back to the next meeting on progress": ("to the next meeting", NEXT),
    "review the policy on 2025/26 outturn by 30 June 2026": ("by 30 June 2026", date(2026, 6, 30)),
    "publish the plan no later than 31 July 2026": (
        "no later than 31 July 2026",
        date(2026, 7, 31),
    ),
    "report the outturn by the end of the financial year": (
        "by the end of the financial year",
        date(2026, 3, 31),
    ),
}


@pytest.mark.parametrize("clause", list(DATES))
def test_the_date_a_clause_gives(clause: str) -> None:
    found = find_date(clause, reference=MEETING, next_meeting=NEXT)
    assert found is not None
    assert (found.text, found.parsed.value) == DATES[clause]


def test_no_date_given_is_no_date() -> None:
    assert find_date("review the score of risk SR07 and confirm it to the Chair") is None


def test_the_next_meeting_with_no_date_for_it_is_kept_as_words_and_flagged() -> None:
    found = find_date("report back to the next meeting", reference=MEETING)
    assert found is not None
    assert found.parsed.value is None and found.parsed.flagged
    assert found.text == "to the next meeting"


def test_the_end_of_a_year_with_no_date_for_it_is_kept_as_words_and_flagged() -> None:
    found = find_date("arrange training before the end of the municipal year", reference=MEETING)
    assert found is not None
    assert found.parsed.value is None and found.parsed.flagged
    assert found.text == "before the end of the municipal year"
