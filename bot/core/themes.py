"""Theme names as plans write them: "Managing Resources" and "managing  resources" are one
theme, spelt the way it first appears."""

from __future__ import annotations

from collections.abc import Iterable


def theme_key(theme: str) -> str:
    """Case and spacing do not make a different theme."""
    return " ".join(theme.split()).casefold()


def first_spellings(themes: Iterable[str | None]) -> dict[str, str]:
    """Each theme's key → its first spelling, in the order given."""
    spelt: dict[str, str] = {}
    for theme in themes:
        if theme and theme.strip():
            spelt.setdefault(theme_key(theme), " ".join(theme.split()))
    return spelt


def same_spelling(themes: list[str | None]) -> list[str | None]:
    """The themes with every variant written as the first spelling of its theme."""
    spelt = first_spellings(themes)
    return [spelt[theme_key(t)] if t and t.strip() else t for t in themes]
