import random

import pytest

from bot.importer.status import ParsedStatus, Rag, Status, parse_status


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Complete", "done"),
        ("Completed", "done"),
        ("COMPLETED.", "done"),
        ("Done", "done"),
        ("Closed", "done"),
        ("Achieved", "done"),
        ("In progress", "in_progress"),
        ("In-progress", "in_progress"),
        ("Ongoing", "in_progress"),
        ("On-going", "in_progress"),
        ("Underway", "in_progress"),
        ("Under way", "in_progress"),
        ("Started", "in_progress"),
        ("Partially complete", "in_progress"),
        ("Not complete", "in_progress"),
        ("Incomplete", "in_progress"),
        ("Not started", "not_started"),
        ("Not yet started", "not_started"),
        ("not-started", "not_started"),
        ("Open", "not_started"),
        ("On hold", "blocked"),
        ("On-hold", "blocked"),
        ("Blocked", "blocked"),
        ("Paused", "blocked"),
        ("Cancelled", "cancelled"),
        ("Canceled", "cancelled"),
        ("Withdrawn", "cancelled"),
        ("Superseded", "cancelled"),
        ("No longer required", "cancelled"),
    ],
)
def test_status_words(text: str, status: Status) -> None:
    assert parse_status(text) == ParsedStatus(
        original=text, status=status, rag=None, recognised=True
    )


@pytest.mark.parametrize(
    ("text", "rag"),
    [
        ("Green", "green"),
        ("G", "green"),
        ("g", "green"),
        ("On track", "green"),
        ("Amber", "amber"),
        ("A", "amber"),
        ("At risk", "amber"),
        ("Red", "red"),
        ("R", "red"),
        ("Off track", "red"),
        ("Off-track", "red"),
        ("Delayed", "red"),
        ("RAG: Red", "red"),
        ("RAG - A", "amber"),
        ("rag status: g", "green"),
        ("(R)", "red"),
    ],
)
def test_rag_words_and_letters(text: str, rag: Rag) -> None:
    parsed = parse_status(text)
    assert (parsed.status, parsed.rag, parsed.recognised) == (None, rag, True)


@pytest.mark.parametrize(
    ("text", "status", "rag"),
    [
        ("Amber - in progress", "in_progress", "amber"),
        ("Complete (Green)", "done", "green"),
        ("Complete (G)", "done", "green"),
        ("G - Complete", "done", "green"),
        ("A: in progress", "in_progress", "amber"),
        ("Red - delayed, on hold", "blocked", "red"),
        ("In progress - on hold", "blocked", None),
        ("Started, now complete", "done", None),
        ("Closed - superseded", "cancelled", None),
        ("Amber/Green", None, "amber"),
        ("Red / Amber", None, "red"),
        ("Not started (at risk)", "not_started", "amber"),
        ("IN PROGRESS, ON TRACK", "in_progress", "green"),
    ],
)
def test_combinations(text: str, status: Status | None, rag: Rag | None) -> None:
    parsed = parse_status(text)
    assert (parsed.status, parsed.rag, parsed.recognised) == (status, rag, True)


@pytest.mark.parametrize("text", [None, "", "   ", "N/a", "n/a", "-", "None", "TBC"])
def test_blank_means_nothing_said_but_recognised(text: str | None) -> None:
    parsed = parse_status(text)
    assert parsed == ParsedStatus(
        original="" if text is None else text, status=None, rag=None, recognised=True
    )


@pytest.mark.parametrize(
    "text",
    [
        "Awaiting sign-off from Cabinet",
        "See update",
        "A delay is expected",
        "Greenfield site",
        "Reddish",
        "Completeness review",
        "?",
    ],
)
def test_unrecognised_text(text: str) -> None:
    parsed = parse_status(text)
    assert parsed == ParsedStatus(original=text, status=None, rag=None, recognised=False)


def test_fuzz_never_raises_and_recognised_matches_content() -> None:
    rng = random.Random(11)
    pieces = ["complete", "not", "started", "on", "hold", "red", "a", "g", "rag", ":", "-",
              "(", ")", " ", "/", "in", "progress", "\u00e9", "\u0130", "x", "\n"]  # fmt: skip
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        parsed = parse_status(text)
        assert parsed.original == text
        if parsed.status is not None or parsed.rag is not None:
            assert parsed.recognised
