import random

import pytest

from bot.importer.html_text import clean_html, html_parts, list_items, looks_like_html

ACTION_TASKS = (
    '<ul style="list-style-type: none"> <li>Review of the arrangements for incorporating '
    "political leadership in shaping the council's budget.</li> <li>Review pre-approval "
    "process for key decisions and major projects involving cabinet members.</li> </ul>"
)
OWNERS = "<p>Finance &amp; Comms</p> <p>Learning &amp; Development</p> <p>Finance</p>"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<b>Financial Governance</b>", "Financial Governance"),
        (OWNERS, "Finance & Comms\nLearning & Development\nFinance"),
        (
            ACTION_TASKS,
            "Review of the arrangements for incorporating political leadership in shaping "
            "the council's budget.\nReview pre-approval process for key decisions and major "
            "projects involving cabinet members.",
        ),
        ("across 1<sup>st</sup> and 2<sup>nd</sup> tiers", "across 1st and 2nd tiers"),
        ("benefits &gt;£500k", "benefits >£500k"),
        ("line one<br>line two<br/>line three<BR />", "line one\nline two\nline three"),
        ("<div>a</div><div>  b  </div>", "a\nb"),
        ("<p>  lots   of\u00a0 space </p>", "lots of space"),
        ("<p></p><p> </p><p>only</p>", "only"),
        ('<span style="x">in</span>line', "inline"),
        ("<!-- Word comment -->Finance", "Finance"),
        ("<o:p></o:p>Finance<o:p></o:p>", "Finance"),
        ("Finance &amp;amp; Comms", "Finance &amp; Comms"),
        ("&lt;p&gt; is escaped", "<p> is escaped"),
        ("<P>Upper</P><LI>case</LI>", "Upper\ncase"),
    ],
)
def test_clean_html(text: str, expected: str) -> None:
    assert clean_html(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Finance & Comms", "Finance & Comms"),
        ("R&D and AT&T", "R&D and AT&T"),
        ("  spaced    out  ", "spaced out"),
        ("first line\n\n  second line  \r\nthird", "first line\nsecond line\nthird"),
        ("no change at all", "no change at all"),
        ("", ""),
    ],
)
def test_plain_text_only_has_its_whitespace_tidied(text: str, expected: str) -> None:
    assert clean_html(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("spend < £5k", "spend < £5k"),
        ("<p>spend < £5k and > £1k</p>", "spend < £5k and > £1k"),
        ("if x<y and y>z then", "if x<y and y>z then"),
        ("<p>if x<y and y>z then</p>", "if x<y and y>z then"),
        ("budget <5k", "budget <5k"),
        ("if a < b > c", "if a < b > c"),
        ("trailing <", "trailing <"),
        ("<p>unclosed <p", "unclosed <p"),
    ],
)
def test_a_lone_angle_bracket_in_prose_keeps_its_text(text: str, expected: str) -> None:
    assert clean_html(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (OWNERS, ["Finance & Comms", "Learning & Development", "Finance"]),
        ("<p>CEO</p>\n<p>Strategic Leadership Team</p>", ["CEO", "Strategic Leadership Team"]),
        ("Finance<br>BI&amp;PM", ["Finance", "BI&PM"]),
        ("Finance\nProcurement", ["Finance", "Procurement"]),
        (
            "<ul><li>\u2022 Prepare a plan.</li><li>\u2022 Review it.</li></ul>",
            [
                "Prepare a plan.",
                "Review it.",
            ],
        ),
        ("- first\n* second\n-5k stays", ["first", "second", "-5k stays"]),
        ("<p> </p><p></p>", []),
        ("Learning and Development with Finance", ["Learning and Development with Finance"]),
    ],
)
def test_html_parts(text: str, expected: list[str]) -> None:
    assert html_parts(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            ACTION_TASKS,
            [
                "Review of the arrangements for incorporating political leadership in "
                "shaping the council's budget.",
                "Review pre-approval process for key decisions and major projects "
                "involving cabinet members.",
            ],
        ),
        (
            "<ul><li>\u2022 Prepare a new Council Plan for 2018/19 .</li>"
            "<li>\u2022 Prepare a new Medium Term Financial Plan.</li></ul>",
            [
                "Prepare a new Council Plan for 2018/19 .",
                "Prepare a new Medium Term Financial Plan.",
            ],
        ),
        ("<ol><li>one<li>two</ol>", ["one", "two"]),
        ("<ul><li>outer<ul><li>inner</li></ul></li></ul>", ["outer", "inner"]),
        ("<ul><li>a<br>b</li></ul>", ["a\nb"]),
        ("<ul><li>benefits &gt;£500k</li><li> </li></ul>", ["benefits >£500k"]),
        ("<li>unterminated item", ["unterminated item"]),
        (OWNERS, []),
        ("plain text", []),
    ],
)
def test_list_items(text: str, expected: list[str]) -> None:
    assert list_items(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<b>Financial Governance</b>", True),
        (OWNERS, True),
        ("Finance &amp; Comms", True),
        ("&#8226; bullet", True),
        ("<br/>", True),
        ("Finance & Comms", False),
        ("spend < £5k", False),
        ("if x<y and y>z", False),
        ("", False),
    ],
)
def test_looks_like_html(text: str, expected: bool) -> None:
    assert looks_like_html(text) is expected


def test_fuzz_never_raises_and_never_leaves_blank_lines() -> None:
    rng = random.Random(7)
    pieces = ["<p>", "</p>", "<li>", "</li>", "<ul>", "<br>", "<b>", "&amp;", "&", "<", ">",
              "x", " ", "\n", "\u00a0", "\u2022 ", "<!--", "-->", '"', "&#99999999;", "&#x110000;"]  # fmt: skip
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 15)))
        cleaned = clean_html(text)
        assert all(line and line == line.strip() for line in cleaned.split("\n") if cleaned)
        assert all(part for part in html_parts(text))
        assert all(item for item in list_items(text))
        looks_like_html(text)
