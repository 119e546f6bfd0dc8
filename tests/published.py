"""The rules of tests/fixtures/published/expected.json, applied to an exported register.

expected.json says what a correct import of each published document (a PDF plan, minutes,
a report) yields, as `actionbot export --format json` shows it; its `_about` gives the
rules this module implements: actions found by ref (compared without spaces, brackets or
case) or by a phrase of the title with `theme_has`; phrases compared ignoring case, runs of
white space, curly v straight quotes, dash kinds and '&' v 'and', as whole words; then
`title_is`, `title_has`, `theme_has`, `owners`, `owners_allowed`, `due`, `tasks`,
`fields_have`, `raw_has`; `optional` entries checked only if imported; `not_actions` must
not be actions. `check` returns every failure as a sentence, so a test shows them all.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.conftest import FIXTURES

PUBLISHED = FIXTURES / "published"
EXPECTED: dict[str, Any] = json.loads((PUBLISHED / "expected.json").read_text(encoding="utf-8"))

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_DASHES = re.compile(r"[\u2010-\u2015\u2212-]")


def documents() -> list[str]:
    return [name for name in EXPECTED if not name.startswith("_")]


def expectation(name: str) -> dict[str, Any]:
    """The document's entry, with `same_as` resolved (the .docx of the PDF minutes)."""
    entry = dict(EXPECTED[name])
    if "same_as" in entry:
        entry = {**EXPECTED[entry["same_as"]], "plan": entry["plan"]}
    return entry


def path_of(name: str) -> Path:
    return PUBLISHED / name


def normal(text: str | None) -> str:
    text = (text or "").translate(_QUOTES)
    text = _DASHES.sub("-", text)
    text = re.sub(r"\s*&\s*", " and ", text)
    return " ".join(text.lower().split())


def has_phrase(text: str | None, phrase: str) -> bool:
    """`phrase` in `text` as whole words, after `normal`."""
    pattern = r"(?<!\w)" + re.escape(normal(phrase)) + r"(?!\w)"
    return re.search(pattern, normal(text)) is not None


def ref_key(ref: str) -> str:
    return re.sub(r"[\s()\[\]]", "", ref).lower()


def check(entry: dict[str, Any], register: list[dict[str, Any]]) -> list[str]:
    """Every way `register` (the export) differs from `entry`; [] when it is right."""
    problems: list[str] = []
    low, high = entry["count"]
    if not low <= len(register) <= high:
        problems.append(f"{len(register)} actions, expected {low}-{high}")
    if "themes" in entry:
        themes = {normal(a["theme"]) for a in register if a.get("theme")}
        low, high = entry["themes"]
        if not low <= len(themes) <= high:
            problems.append(f"{len(themes)} themes {sorted(themes)}, expected {low}-{high}")
    for expected in entry["actions"]:
        found = _find(expected, register)
        label = expected.get("ref") or expected.get("find")
        if found is None:
            if not expected.get("optional"):
                problems.append(f"{label}: not imported")
            continue
        problems += [f"{label}: {p}" for p in _fields(expected, found)]
    for not_action in entry.get("not_actions", []):
        for action in register:
            if _is(not_action, action):
                problems.append(
                    f"{not_action.get('ref') or not_action['find']} ({not_action['why']}) "
                    f"was imported as {action['ref']}"
                )
    return problems


def _find(expected: dict[str, Any], register: list[dict[str, Any]]) -> dict[str, Any] | None:
    if "ref" in expected:
        key = ref_key(expected["ref"])
        return next((a for a in register if ref_key(a["ref"]) == key), None)
    for action in register:
        if any(has_phrase(action["title"], p) for p in expected["find"]) and _theme_has(
            expected.get("theme_has", []), action
        ):
            return action
    return None


def _is(not_action: dict[str, Any], action: dict[str, Any]) -> bool:
    if "ref" in not_action and ref_key(not_action["ref"]) == ref_key(action["ref"]):
        return True
    return any(has_phrase(action["title"], p) for p in not_action.get("find", []))


def _theme_has(phrases: list[str], action: dict[str, Any]) -> bool:
    where = f"{action.get('theme') or ''} | {action.get('section') or ''}"
    return all(has_phrase(where, p) for p in phrases)


def _fields(expected: dict[str, Any], action: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    title = action["title"]
    if "title_is" in expected and normal(title) != normal(expected["title_is"]):
        problems.append(f"title {title!r}, expected {expected['title_is']!r}")
    for phrase in expected.get("title_has", []):
        if not has_phrase(title, phrase):
            problems.append(f"title {title!r} lacks {phrase!r}")
    if not _theme_has(expected.get("theme_has", []), action):
        problems.append(
            f"theme {action.get('theme')!r} | section {action.get('section')!r} lacks "
            f"{expected['theme_has']}"
        )
    owners = action["owners"]
    if "owners" in expected and {normal(o) for o in owners} != {
        normal(o) for o in expected["owners"]
    }:
        problems.append(f"owners {owners}, expected {expected['owners']}")
    if "owners_allowed" in expected:
        allowed = expected["owners_allowed"]
        strays = [o for o in owners if not any(has_phrase(o, p) for p in allowed["phrases"])]
        if strays or len(owners) < allowed["min"]:
            problems.append(f"owners {owners}, allowed {allowed}")
    if "due" in expected:
        problems += _due(expected["due"], action["due_date"])
    if "tasks" in expected and len(action["tasks"]) != expected["tasks"]:
        problems.append(f"{len(action['tasks'])} tasks, expected {expected['tasks']}")
    for name, phrase in expected.get("fields_have", {}).items():
        if not has_phrase(action.get(name), phrase):
            problems.append(f"{name} {action.get(name)!r} lacks {phrase!r}")
    if "raw_has" in expected and not has_phrase(json.dumps(action), expected["raw_has"]):
        problems.append(f"nothing in the action holds {expected['raw_has']!r}")
    return problems


def _due(rule: list[str] | None, due: str | None) -> list[str]:
    if rule is None:
        return [] if due is None else [f"due {due}, expected none"]
    kind, low, high = rule
    if due is None:
        return [] if kind == "range_or_null" else [f"no due date, expected {low}..{high}"]
    return [] if low <= due <= high else [f"due {due}, expected {low}..{high}"]
