"""Every kind of Teams card actionbot sends, as Adaptive Card JSON, for looking at.

    .venv/bin/python scripts/card_gallery.py OUT_DIR
    node scripts/render-cards.mjs OUT_DIR        # draws each at 360 px and desktop width

Plays the bundled plan and owners file on a fresh SQLite register at a fixed time, through
the same services and renderer as `actionbot serve` (Teams), with hostile text in a note
(`<cabinet>`, `&amp;`, `*bold*`, a formula, an emoji) and a 3,000-character title. Writes
OUT_DIR/<name>-<n>.json, one card each. Not part of `make test`; the pictures stay outside
the repository.
"""

from __future__ import annotations

import base64
import json
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from microsoft_teams.cards import AdaptiveCard  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bot.core.clock import FixedClock  # noqa: E402
from bot.core.config import Settings  # noqa: E402
from bot.core.messages import Reply, for_platform  # noqa: E402
from bot.core.runtime import open_runtime  # noqa: E402
from bot.jobs.admin_summary import summary_reply  # noqa: E402
from bot.jobs.runner import run_digest, run_sweep  # noqa: E402
from bot.render import cards, closure_cards  # noqa: E402
from bot.services.conversation import Who, converse, current_cards  # noqa: E402
from store.models import Action  # noqa: E402
from tests.harness import seed_sample  # noqa: E402

NOW = datetime(2018, 3, 29, 9, 30, tzinfo=UTC)  # two days before most actions fall due
HOSTILE = (
    "waiting on <cabinet> decision & AT&amp;T; *not bold* "
    '=HYPERLINK("http://evil.example","x") <!channel> 🙂'
)
FIONA = Who("teams", "00000000-0000-0000-0000-00000000f1a0", email="finance@northants.example")
ADMIN = Who("teams", "00000000-0000-0000-0000-00000000ad01", email="admin@northants.example")


def write(out: Path, name: str, made: list[AdaptiveCard]) -> None:
    for number, card in enumerate(made, start=1):
        data = cards.card_json(card)
        (out / f"{name}-{number}.json").write_text(json.dumps(data, ensure_ascii=False, indent=1))


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="actionbot-cards-"))
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        DATABASE_URL=f"sqlite:///{folder}/register.db",
        ACTIONBOT_ADMINS="admin@northants.example",
        TEAMS_DIGEST_CONVERSATION="19:digest@thread.tacv2",
    )
    runtime = open_runtime(settings, clock=FixedClock(NOW))
    seed_sample(runtime, NOW)
    with runtime.sessions.begin() as session:
        long = session.scalars(select(Action).where(Action.ref == "2.7")).one()
        long.title = ("A title of three thousand characters, as a plan may hold. " * 60)[:3000]

    def say(who: Who, text: str) -> Reply:
        return converse(
            runtime.sessions,
            who,
            text=text,
            admins=settings.admin_ids,
            default_tz=settings.tz,
            now=NOW,
        ).reply

    say(FIONA, f"2.4 note {HOSTILE}")
    write(out, "mine", cards.reply_cards(say(FIONA, "mine")))
    write(out, "detail", cards.reply_cards(say(FIONA, "2.4")))
    write(out, "hint", cards.reply_cards(say(FIONA, "2.4 date 31/12/2018")))
    write(out, "help", cards.reply_cards(say(ADMIN, "help")))
    write(out, "owners", cards.reply_cards(say(ADMIN, "admin owners")))
    write(out, "map-form", [cards.map_owner_form(owner="Finance with Northants Finance Officers")])

    sweep = run_sweep(runtime, now=NOW, dry_run=True)
    reminder = max((r for m, r in sweep.messages if m.kind == "nudge"), key=lambda r: len(r.cards))
    write(out, "reminder", cards.reply_cards(for_platform(reminder, "teams")))

    with runtime.sessions() as session:
        ids = [c.action_id for c in reminder.cards]
    now_cards = current_cards(runtime.sessions, ids, today=NOW.date())
    outcome = Reply(lines=[f"{now_cards[2].label} is now done."])
    write(
        out,
        "after-click",
        [cards.refreshed_card(outcome, now_cards, head=reminder.title or "", changed=ids[2])],
    )
    label = f"{now_cards[0].label} {now_cards[0].title}"
    write(
        out,
        "new-date-refused",
        [
            cards.new_date_form(
                action_id=ids[0],
                label=label,
                current=date(2018, 3, 31),
                today=NOW.date(),
                ids=",".join(map(str, ids)),
                problem="The new date 2018-03-01 is in the past.",
                picked="2018-03-01",
                reason=HOSTILE,
            )
        ],
    )
    write(out, "add-update", [cards.add_update_form(action_id=ids[0], label=label, ids="1")])
    done = {"action_id": ids[0], "label": label, "ref": now_cards[0].label, "ids": "1"}
    types = "pdf, docx, xlsx, pptx, csv, txt, png, jpg, jpeg, msg, eml"
    write(out, "done-form", [closure_cards.done_form(**done, types=types)])
    refused = "'ftp://x' is not a web link: evidence links start with https:// (or http://)."
    kept = {"links": "ftp://x", "note": HOSTILE + " " + "x" * 3000}
    write(
        out,
        "done-form-refused",
        [closure_cards.done_form(**done, types="pdf, png", problem=refused, **kept)],
    )

    digest = run_digest(runtime, now=NOW, platform="teams", dry_run=True)
    pictures = {c.plan_code: c for c in digest.charts}
    made = []
    for reply in digest.replies:
        for card in cards.reply_cards(reply):
            made.append(card)
    write(out, "digest", made)
    for chart in pictures.values():  # the chart as Teams would fetch it from PUBLIC_URL
        url = "data:image/png;base64," + base64.b64encode(chart.png).decode()
        picture = cards.Image(url=url, alt_text=chart.alt_text, size="Stretch")
        write(out, f"digest-chart-{chart.plan_code}", [AdaptiveCard(version="1.5", body=[picture])])

    problems = [
        "• *Finance with Northants Finance Officers* (plan NCC), no email: nobody is mapped to "
        "this owner, so nobody gets the reminders for their 1 open action. Fix: add their email "
        "to the owners file and run `actionbot owners import OWNERS.csv`, or "
        '`/action admin owner "Finance with Northants Finance Officers" @person`.',
        "• *Procurement* (plan NCC), procurement@northants.example: their reminder was not "
        "delivered: they removed or blocked actionbot in Teams (or it is not installed for "
        "them), so nothing more is sent to them there. Fix: ask them to add actionbot from Apps "
        "in Teams (or install it for them); their reminders start again when they do.",
    ]
    write(out, "admin-summary", cards.reply_cards(summary_reply(problems, still_open=3)))
    runtime.engine.dispose()
    print(f"wrote {len(list(out.glob('*.json')))} cards to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "cards"))
