"""`--help` that reads like the README: `--dry-run`, not `--dry-run <bool>`; `--at ISO_TIME`,
not `--at <str>`. Every command of every `HumanTyper` gets these metavars, so commands added
later need nothing of their own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup, TyperOption

# Option name → what to type; anything else is shown as its name in capitals.
METAVARS = {
    "at": "ISO_TIME",
    "plan": "CODE",
    "default_due": "YYYY-MM-DD",
    "output": "FILE",
    "owners": "FILE",
    "database_url": "URL",
    "map_": 'FIELD="Header"',
    "channel": "CHANNEL_ID",
    "days": "30,14,7,1,0",
    "port": "N",
    "weeks": "N",
    "host": "ADDRESS",
}


def humanise(params: list[Any]) -> list[Any]:
    for param in params:
        if not isinstance(param, TyperOption) or param.metavar is not None:
            continue
        if param.is_flag or param.count:
            param.metavar = ""  # a flag takes no value: show none
        elif not param.type_descriptor.is_choice:
            param.metavar = METAVARS.get(param.name or "", (param.name or "value").upper())
    return params


class HumanCommand(TyperCommand):
    # Typer bundles its own Click; its Context type is private, hence Any.
    def get_params(self, ctx: Any) -> list[Any]:
        return humanise(super().get_params(ctx))


class HumanGroup(TyperGroup):
    # Typer bundles its own Click; its Context type is private, hence Any.
    def get_params(self, ctx: Any) -> list[Any]:
        return humanise(super().get_params(ctx))


class HumanTyper(typer.Typer):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", HumanGroup)
        super().__init__(**kwargs)

    def command(
        self, name: str | None = None, *, cls: type[TyperCommand] | None = None, **kwargs: Any
    ) -> Callable[[Any], Any]:
        return super().command(name, cls=cls or HumanCommand, **kwargs)
