"""The console Messenger: DMs and channel posts printed in the terminal and kept as a record.

It is how `actionbot demo` and `actionbot chat` show what owners and the leadership channel
would get, through the same outbox and delivery worker as Slack and Teams. It stands in for
every platform (see `stand_in_for_all`), since a register imported from a plan has people
that Slack or Teams would reach, and the console has no tokens.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rich.cells import cell_len
from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from bot.core.messages import Reply, reply_to_dict
from bot.messengers.base import Address, FileUpload, Messenger, Progress
from bot.render.terminal import reply_render

PLATFORMS = ("slack", "teams", "console")


@dataclass
class Sent:
    """One DM or channel post as the console delivered it."""

    to: str  # how the terminal named the recipient
    replies: list[Reply]
    address: Address | None = None  # a DM's recipient
    channel: str | None = None  # a channel post's channel

    @property
    def email(self) -> str | None:
        return self.address.email if self.address else None


@dataclass
class ConsoleMessenger:
    """Prints each message in a panel headed by its recipient, and records it in `sent`.

    `names` maps a lower-cased email to the owner names it stands for, so a DM is headed
    "Finance <finance@…>" rather than an id.
    """

    console: Console
    names: Mapping[str, str] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)
    platform: str = "console"
    # Print a DM identical to the one just printed as one line naming its recipient.
    compact: bool = False
    # Where files (the digest's chart) are saved; the terminal shows their path.
    files_dir: Path = field(default_factory=lambda: Path(tempfile.gettempdir()) / "actionbot")
    _last: list[dict[str, object]] | None = None

    def send_direct(self, address: Address, replies: list[Reply], progress: Progress) -> Address:
        to = self.recipient(address)
        payload = [reply_to_dict(r) for r in replies]
        if self.compact and payload == self._last and progress.sent == 0:
            self.console.print(Text(f"  ↳ and the same DM to {to}", style="blue"))
            progress.sent = len(replies)
        else:
            self._show(f"DM to {to}", replies, progress)
        self._last = payload
        self.sent.append(Sent(to, replies, address=address))
        return address

    def post_channel(self, channel: str, replies: list[Reply], progress: Progress) -> None:
        name = channel if channel.startswith("#") else f"#{channel}"
        self._show(f"Post in {name}", replies, progress)
        self._last = None
        self.sent.append(Sent(name, replies, channel=channel))

    def upload_file(self, channel: str, upload: FileUpload, *, thread: str | None) -> None:
        """A file for a channel (the digest's chart) is saved, and its path shown."""
        self.files_dir.mkdir(parents=True, exist_ok=True)
        path = self.files_dir / upload.filename
        path.write_bytes(upload.content)
        name = channel if channel.startswith("#") else f"#{channel}"
        where = " (in the digest's thread)" if thread else ""
        self.console.print(Text(f"  ↳ {upload.title}, for {name}{where}: {path}", style="blue"))

    def recipient(self, address: Address) -> str:
        email = (address.email or "").lower()
        name = self.names.get(email)
        ident = address.email or address.slack_user_id or address.teams_user_id or "unknown"
        return f"{name} <{ident}>" if name else ident

    def _title(self, title: str) -> str:
        """The panel title whole, or without its <address>, or cut at a word: never mid-word."""
        room = self.console.width - 6  # "╭─ " and " ─╮"
        if cell_len(title) <= room:
            return title
        short = title.split(" <")[0]
        if cell_len(short) <= room:
            return short
        words: list[str] = []
        for word in short.split(" "):
            if cell_len(" ".join([*words, word])) + 1 > room:
                break
            words.append(word)
        return " ".join(words) + "…"

    def _show(self, title: str, replies: list[Reply], progress: Progress) -> None:
        for number, reply in enumerate(replies[progress.sent :], start=progress.sent + 1):
            heading = self._title(
                title if number == 1 else f"{title} (part {number}, in the thread)"
            )
            view = reply_render(reply)
            self.console.print(
                Panel(view.renderable, title=heading, title_align="left", border_style="blue")
            )
            progress.sent += 1


def stand_in_for_all(messenger: ConsoleMessenger) -> dict[str, Messenger]:
    """The console as the messenger for every platform the outbox may name."""
    return dict.fromkeys(PLATFORMS, messenger)
