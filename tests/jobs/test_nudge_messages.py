"""Reminder wording: one DM however many actions are due."""

from __future__ import annotations

from datetime import date

from bot.core.messages import for_platform, reply_from_dict, reply_to_dict
from bot.jobs.nudges import nudge_reply
from bot.jobs.planner import ActionFacts, NudgeItem, PlannedMessage
from bot.render.blocks import MAX_MESSAGE_BLOCKS, reply_pages

DAY = date(2018, 3, 29)


def eighty() -> tuple[PlannedMessage, dict[int, ActionFacts]]:
    facts = {
        i: ActionFacts(
            i, "NCC", f"9.{i}", f"Action {i}", date(2018, 3, 31), "in_progress", None, ("Finance",)
        )
        for i in range(80)
    }
    items = [NudgeItem(i, f"overdue by {i + 1} days", "overdue") for i in range(12)]
    items += [NudgeItem(i, "due today", "on_day") for i in range(12, 15)]
    items += [NudgeItem(i, "due in 2 days (Sat 31 Mar)", "before") for i in range(15, 80)]
    return PlannedMessage("person:1", "nudge", DAY, items), facts


def test_eighty_actions_make_one_message_with_counts_ten_cards_and_a_pointer() -> None:
    message, facts = eighty()
    reply = nudge_reply(message, facts)
    assert reply.title == "80 actions to look at today: 12 overdue, 3 due today, 65 coming up"
    assert [c.ref for c in reply.cards] == [f"9.{i}" for i in range(10)]  # most urgent first
    # Slack has a Home tab; Teams (and the terminal) do not, so they are not told of it.
    assert for_platform(reply, "slack").footer[0] == (
        "…and 70 more: `/action mine` lists them all, as does actionbot's Home tab."
    )
    for elsewhere in ("teams", "console"):
        assert (
            for_platform(reply, elsewhere).footer[0]
            == "…and 70 more: `/action mine` lists them all."
        )
    assert reply_from_dict(reply_to_dict(reply)) == reply  # the outbox keeps both wordings
    [only] = reply_pages(for_platform(reply, "slack"))  # one Slack message, nothing in a thread
    assert len(only["blocks"]) <= MAX_MESSAGE_BLOCKS
    assert only["text"].splitlines()[0].startswith("80 actions")


def test_a_few_actions_have_no_more_line() -> None:
    message, facts = eighty()
    message.items = message.items[:3]
    reply = nudge_reply(message, facts)
    assert reply.title == "3 actions to look at today: 3 overdue"
    assert len(reply.cards) == 3 and not any("more:" in line for line in reply.footer)
