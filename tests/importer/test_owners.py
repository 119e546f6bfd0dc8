import csv
import random
from pathlib import Path

import pytest

import bot
from bot.importer.html_text import clean_html
from bot.importer.owners import OwnerSplit, owner_vocabulary, split_owners

SAMPLES = Path(bot.__file__).parent / "samples"


def _read_csv(name: str) -> list[dict[str, str]]:
    with (SAMPLES / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


PLAN_ROWS = _read_csv("ncc-financial-management-2017.csv")
OWNER_CELLS = {row["Action Ref."]: row["Action Task Owner"] for row in PLAN_ROWS}
OWNERS_FILE_NAMES = [row["owner"] for row in _read_csv("ncc-owners-example.csv")]

# What every owner cell of the real plan splits into, with the owners file as `known`.
EXPECTED_WITH_OWNERS_FILE: dict[str, list[str]] = {
    "1.1": ["CEO", "Strategic Leadership Team", "Overview and Scrutiny Committee Chair"],
    "1.2": ["Finance & Comms", "Learning & Development", "Finance"],
    "1.3": ["Management Team", "Communications"],
    "1.4": ["Business Intelligence", "Democratic Services"],
    "1.5": ["Learning & Development", "Finance"],
    "1.6": ["Internal Audit"],
    "1.7": ["Corporate Leadership Team"],
    "2.1": ["Business Intelligence", "Finance", "Management Team", "Directors"],
    "2.2": ["Commercial Director", "Finance"],
    "2.3": ["Scrutiny", "Finance"],
    "2.4": ["Finance"],
    "2.5": ["Directorates (BI&PM Finance Support)"],
    "2.6": ["Internal Audit", "BI&PM"],
    "2.7": ["Finance"],
    "2.8": ["Commercial Director"],
    "2.9": ["Management Team"],
    "3.1": [
        "Corporate Leadership Team",
        "Management Team",
        "BI&PM",
        "Management Team with Audit and Governance Committee",
    ],
    "3.2": ["Management Team"],
    "3.3": ["Learning & Development", "Finance", "BI&PM"],
    "4.1": ["Management Team", "BI&PM", "Leader"],
    "4.2": ["Management Team", "Finance"],
    "4.3": ["BI&PM", "Management Team"],
    "4.4": ["Finance with Northants Finance Officers"],
    "4.5": ["Procurement"],
    "4.6": ["Property"],
}
WARNINGS_WITH_OWNERS_FILE: dict[str, list[str]] = {
    "2.5": [
        "'Directorates (BI&PM Finance Support)' kept as one owner; it mentions known owners "
        "BI&PM, Finance — check it"
    ],
    "3.1": [
        "'Management Team with Audit and Governance Committee' kept as one owner; it "
        "mentions known owner Management Team — check it"
    ],
    "4.4": [
        "'Finance with Northants Finance Officers' kept as one owner; it mentions known "
        "owner Finance — check it"
    ],
}

# With no owners file the vocabulary comes from the plan alone. "Directors", "Scrutiny"
# and "Comms" never appear on their own, so the cells holding them stay whole, with a
# warning naming the owners they mention.
EXPECTED_WITHOUT_OWNERS_FILE = {
    **EXPECTED_WITH_OWNERS_FILE,
    "2.1": ["Business Intelligence Finance Management Team Directors"],
    "2.3": ["Scrutiny Finance"],
}
WARNINGS_WITHOUT_OWNERS_FILE: dict[str, list[str]] = {
    **WARNINGS_WITH_OWNERS_FILE,
    "1.2": ["'Finance & Comms' kept as one owner; it mentions known owner Finance — check it"],
    "2.1": [
        "'Business Intelligence Finance Management Team Directors' kept as one owner; it "
        "mentions known owners Business Intelligence, Finance, Management Team — check it"
    ],
    "2.3": ["'Scrutiny Finance' kept as one owner; it mentions known owner Finance — check it"],
}


def test_every_row_of_the_real_plan_is_covered() -> None:
    assert sorted(OWNER_CELLS) == sorted(EXPECTED_WITH_OWNERS_FILE)


@pytest.mark.parametrize("ref", sorted(EXPECTED_WITH_OWNERS_FILE))
def test_real_plan_with_the_owners_file(ref: str) -> None:
    vocabulary = owner_vocabulary(OWNER_CELLS.values(), known=OWNERS_FILE_NAMES)
    split = split_owners(OWNER_CELLS[ref], known=vocabulary)
    assert split == OwnerSplit(
        names=EXPECTED_WITH_OWNERS_FILE[ref], warnings=WARNINGS_WITH_OWNERS_FILE.get(ref, [])
    )


@pytest.mark.parametrize("ref", sorted(EXPECTED_WITHOUT_OWNERS_FILE))
def test_real_plan_without_an_owners_file(ref: str) -> None:
    vocabulary = owner_vocabulary(OWNER_CELLS.values(), known=())
    split = split_owners(OWNER_CELLS[ref], known=vocabulary)
    assert split == OwnerSplit(
        names=EXPECTED_WITHOUT_OWNERS_FILE[ref],
        warnings=WARNINGS_WITHOUT_OWNERS_FILE.get(ref, []),
    )


def test_real_plan_vocabulary_without_an_owners_file() -> None:
    assert owner_vocabulary(OWNER_CELLS.values()) == {
        "BI&PM",
        "Business Intelligence",
        "CEO",
        "Commercial Director",
        "Communications",
        "Corporate Leadership Team",
        "Democratic Services",
        "Finance",
        "Internal Audit",
        "Leader",
        "Learning & Development",
        "Management Team",
        "Overview and Scrutiny Committee Chair",
        "Procurement",
        "Property",
        "Strategic Leadership Team",
    }


def test_real_plan_vocabulary_with_the_owners_file_is_the_owners_file() -> None:
    vocabulary = owner_vocabulary(OWNER_CELLS.values(), known=OWNERS_FILE_NAMES)
    assert vocabulary == set(OWNERS_FILE_NAMES)


def test_split_with_only_the_raw_owners_file_names() -> None:
    # The owners file alone, without the plan's own vocabulary, still splits run-together
    # names but cannot know plan-only names.
    split = split_owners(OWNER_CELLS["2.1"], known=OWNERS_FILE_NAMES)
    assert split.names == ["Business Intelligence", "Finance", "Management Team", "Directors"]


VOCABULARY = [
    "Business Intelligence",
    "Finance",
    "Management Team",
    "Directors",
    "Commercial Director",
    "BI&PM",
    "Learning & Development",
    "Procurement",
    "Property",
]


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        (
            "Business Intelligence Finance Management Team Directors",
            ["Business Intelligence", "Finance", "Management Team", "Directors"],
        ),
        ("Commercial Director Finance Finance", ["Commercial Director", "Finance"]),
        ("Management Team BI&PM", ["Management Team", "BI&PM"]),
        ("Learning and Development with Finance", ["Learning & Development", "Finance"]),
        ("learning AND development", ["Learning & Development"]),
        ("  FINANCE  ", ["Finance"]),
        ("Finance and Property", ["Finance", "Property"]),
        ("Finance, Property & Procurement", ["Finance", "Property", "Procurement"]),
        ("Finance; Property", ["Finance", "Property"]),
        ("Finance / Property", ["Finance", "Property"]),
        ("Finance\nProperty", ["Finance", "Property"]),
        ("<ul><li>Finance</li><li>Property</li></ul>", ["Finance", "Property"]),
        ("Finance<br>Property<br/>Finance", ["Finance", "Property"]),
        ("<p>BI&amp;PM</p>", ["BI&PM"]),
        ("Procurement Procurement Procurement Procurement", ["Procurement"]),
        ("", []),
        ("<p> </p>", []),
    ],
)
def test_split_with_a_vocabulary(cell: str, names: list[str]) -> None:
    split = split_owners(cell, known=VOCABULARY)
    assert split == OwnerSplit(names=names, warnings=[])


@pytest.mark.parametrize(
    ("cell", "names", "mentioned"),
    [
        ("Finance & Comms", ["Finance & Comms"], "Finance"),
        ("Jon Lee, Head of Finance", ["Jon Lee, Head of Finance"], "Finance"),
        ("Finance with Comms", ["Finance with Comms"], "Finance"),
        ("and Finance", ["and Finance"], "Finance"),
        ("Finance and", ["Finance and"], "Finance"),
        ("Finance Team", ["Finance Team"], "Finance"),
    ],
)
def test_soft_separators_split_only_into_known_names(
    cell: str, names: list[str], mentioned: str
) -> None:
    split = split_owners(cell, known=VOCABULARY)
    assert split.names == names
    assert split.warnings == [
        f"'{names[0]}' kept as one owner; it mentions known owner {mentioned} — check it"
    ]


def test_finance_and_comms_is_one_owner_when_it_is_known() -> None:
    split = split_owners("Finance &amp; Comms", known=[*VOCABULARY, "Finance & Comms"])
    assert split == OwnerSplit(names=["Finance & Comms"], warnings=[])


def test_unknown_owner_is_kept_whole_without_a_warning() -> None:
    split = split_owners("Head of Paid Service", known=VOCABULARY)
    assert split == OwnerSplit(names=["Head of Paid Service"], warnings=[])


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("Procurement Procurement Procurement Procurement", ["Procurement"]),
        ("Finance Team Finance Team", ["Finance Team"]),
        ("<p>Audit</p><p>Audit</p>", ["Audit"]),
        ("Jon Lee, Jon Lee", ["Jon Lee, Jon Lee"]),
    ],
)
def test_repeated_phrases_collapse_even_without_a_vocabulary(cell: str, names: list[str]) -> None:
    assert split_owners(cell, known=()).names == names


def test_punctuation_only_part_is_reported_not_silently_dropped() -> None:
    split = split_owners("<p>Finance</p><p>?</p>", known=VOCABULARY)
    assert split.names == ["Finance"]
    assert split.warnings == ["'?' has no letters or digits; not taken as an owner"]


def test_punctuation_only_parts_never_join_the_vocabulary() -> None:
    assert owner_vocabulary(["<p>Finance</p><p>?</p>", "-"]) == {"Finance"}


def test_a_very_long_cell_is_split_without_deep_recursion() -> None:
    cell = "Finance Property " * 3000 + "Management Team"
    split = split_owners(cell, known=VOCABULARY)
    assert split == OwnerSplit(names=["Finance", "Property", "Management Team"], warnings=[])


def test_names_differing_in_case_or_and_are_one_name_in_the_vocabulary() -> None:
    vocabulary = owner_vocabulary(
        ["<p>learning and development</p><p>finance</p>", "Finance"],
        known=["Learning & Development"],
    )
    assert vocabulary == {"Learning & Development", "finance"}


def test_vocabulary_keeps_known_names_that_contain_other_names() -> None:
    vocabulary = owner_vocabulary(["Finance & Comms"], known=["Finance", "Finance & Comms"])
    assert vocabulary == {"Finance", "Finance & Comms"}


def test_vocabulary_takes_single_part_cells_only_when_they_hold_no_other_name() -> None:
    vocabulary = owner_vocabulary(["Property", "Scrutiny Finance", "<p>Finance</p><p>CEO</p>"])
    assert vocabulary == {"Property", "Finance", "CEO"}


def _squashed(text: str) -> str:
    return "".join(text.lower().split()).replace("and", "&")


def test_fuzz_never_raises_and_never_invents_an_owner() -> None:
    rng = random.Random(3)
    pieces = ["Finance", "Property", "and", "&", "&amp;", "with", ",", ";", " / ", "/", "<p>",
              "</p>", "<li>", "\n", " ", "Team", "BI&PM", "(", ")", "\u2022", "-", "?", "x"]  # fmt: skip
    for _ in range(2000):
        cells = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 10))) for _ in range(3)]
        vocabulary = owner_vocabulary(cells, known=rng.choice([(), ("Finance", "Team")]))
        for cell in cells:
            split = split_owners(cell, known=vocabulary)
            assert len(split.names) == len(set(split.names))
            text = _squashed(clean_html(cell))
            for name in split.names:
                assert _squashed(name) in text
