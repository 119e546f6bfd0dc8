"""What every command shares: the settings and the register opened once per command, errors
as one red line, the screen and --json."""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console

if TYPE_CHECKING:
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    from bot.core.config import Settings
    from bot.core.runtime import Runtime
    from bot.services.audit import Actor


out = Console()


err = Console(stderr=True, soft_wrap=True)


log = logging.getLogger("actionbot")


def cli_actor() -> Actor:
    from bot.services.audit import Actor

    return Actor(name="cli", source="cli")


class _State:
    settings: Settings | None = None
    runtime: Runtime | None = None
    # --database-url or $DATABASE_URL as typer read it; Settings() reads .env and the rest.
    database_url: str | None = None


state = _State()


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def open_runtime(settings: Settings) -> Runtime:
    """The register, opened on first use (a name tests can point at a fixed clock)."""
    from bot.core.runtime import open_runtime as open_register

    return open_register(settings)


def load_settings() -> Settings:
    """The settings (environment, .env), read once; logging set up from them."""
    if state.settings is None:
        from pydantic import ValidationError

        from bot.core.config import Settings
        from bot.core.logs import configure_logging

        try:
            settings = Settings()
        except ValidationError as exc:
            raise fail(f"bad settings: {exc.errors()[0]['msg']}") from exc
        configure_logging(settings)
        if state.database_url:
            settings.database_url = state.database_url
        state.settings = settings
    return state.settings


def runtime() -> Runtime:
    if state.runtime is None:
        from sqlalchemy.exc import OperationalError

        settings = load_settings()
        try:
            state.runtime = open_runtime(settings)
        except OperationalError as exc:
            raise fail(
                f"cannot open the register at {safe_url(settings.database_url)}: {why(exc)}"
            ) from None
    return state.runtime


def safe_url(url: str) -> str:
    """The database URL without its password, fit to print."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(an unreadable DATABASE_URL)"


def why(exc: OperationalError) -> str:
    """The driver's own first line (e.g. "connection refused"), without SQLAlchemy's noise."""
    lines = [line.strip() for line in str(exc.orig).splitlines() if line.strip()]
    return " ".join(lines) or type(exc.orig).__name__


def parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise fail(f"{option} wants YYYY-MM-DD, got {value!r}") from exc


def parse_map(pairs: list[str]) -> dict[str, str]:
    from bot.importer.hints import MappingError, parse_mapping

    try:
        return parse_mapping(pairs)
    except MappingError as exc:
        raise fail(f'--map wants field="Header in file", got {exc.pair!r}') from exc


def plan_codes(session: Session) -> str:
    from store.queries import all_plans

    return ", ".join(p.code for p in all_plans(session)) or "(none yet)"


JsonFlag = Annotated[bool, typer.Option("--json", help="JSON instead of a table.")]


def print_json(data: object) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def screen() -> Console:
    """A console measured now (COLUMNS may have changed since import), for tables."""
    return Console(highlight=False)


def parse_at(value: str | None, tz: str) -> datetime | None:
    """An ISO time; without an offset it is read in ACTIONBOT_TZ (a council's wall clock)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise fail(f"--at wants an ISO time such as 2018-03-01T09:30, got {value!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(tz))


def start_of_day(value: str | None, option: str, tz: str) -> datetime | None:
    """--since YYYY-MM-DD: midnight at the start of that day, council time."""
    day = parse_day(value, option)
    return None if day is None else datetime.combine(day, time(0), tzinfo=ZoneInfo(tz))
