"""When the weekly digest is due: both forms of ACTIONBOT_DIGEST_CRON, and catching up."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.config import ConfigError
from bot.jobs.scheduler import missed_digest_time, parse_digest_cron

LONDON = ZoneInfo("Europe/London")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2018, 4, day, hour, minute, tzinfo=LONDON)  # Mon 16 Apr 2018 … Sun 22


@pytest.mark.parametrize("spec", ["mon 08:30", "30 8 * * mon"])
def test_both_forms_mean_monday_half_past_eight(spec: str) -> None:
    trigger = parse_digest_cron(spec, "Europe/London")
    assert trigger.get_next_fire_time(None, at(14, 12)) == at(16, 8, 30)


@pytest.mark.parametrize("spec", ["someday 25:00", "* * *  * * *"])
def test_a_setting_it_cannot_read_is_a_clear_error(spec: str) -> None:
    with pytest.raises(ConfigError, match="ACTIONBOT_DIGEST_CRON .* 'mon 08:30'"):
        parse_digest_cron(spec)


def test_a_digest_missed_this_week_is_still_due_later_that_week() -> None:
    trigger = parse_digest_cron("mon 08:30", "Europe/London")
    assert missed_digest_time(trigger, at(16, 8, 0)) is None  # not yet time
    assert missed_digest_time(trigger, at(16, 8, 30)) == at(16, 8, 30)
    assert missed_digest_time(trigger, at(18, 15, 0)) == at(16, 8, 30)  # down until Wednesday
    assert missed_digest_time(trigger, at(22, 23, 0)) == at(16, 8, 30)  # Sunday night


def test_last_weeks_digest_is_not_posted_this_week() -> None:
    # Scheduled on Sundays: on Monday the last one belongs to the ISO week before.
    trigger = parse_digest_cron("sun 18:00", "Europe/London")
    assert missed_digest_time(trigger, at(23, 9, 0)) is None
    assert missed_digest_time(trigger, at(22, 19, 0)) == at(22, 18, 0)
