"""The chart in the Teams digest card: hosted by actionbot at PUBLIC_URL/charts/<token>.png,
fetched by the (fake) Teams client, and never holding the digest's text back."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy import func, select

from bot.core.clock import FixedClock
from bot.core.messages import Picture, Reply
from bot.core.runtime import Runtime
from bot.jobs.digest_chart import NO_PUBLIC_URL
from bot.jobs.runner import run_delivery, run_digest
from bot.messengers.base import PermanentFailure, Progress
from bot.messengers.teams import TeamsMessenger, make_teams_messenger
from store.hosted import CHART, host_file
from store.models import AdminNotice, Delivery, HostedFile
from tests.fakes.bot_framework import fake_bot_framework
from tests.harness import seed_sample
from tests.teams_harness import CHANNEL, TeamsWorld, outbound_token, teams_world

MONDAY = datetime(2018, 3, 5, 8, 30, tzinfo=UTC)


@pytest.fixture
def world(db_url: str) -> Iterator[TeamsWorld]:
    with (
        fake_bot_framework() as bf,
        teams_world(db_url, fake=bf, clock=FixedClock(MONDAY), TEAMS_SERVICE_URL=bf.base_url) as w,
    ):
        seed_sample(w.runtime, MONDAY)
        yield w


def runtime_with(world: TeamsWorld, **settings: Any) -> Runtime:
    """The world's register and clock, with settings changed (PUBLIC_URL is only known once
    the server is listening)."""
    return dataclasses.replace(
        world.runtime, settings=world.runtime.settings.model_copy(update=settings)
    )


def deliver(runtime: Runtime) -> tuple[int, int]:
    messenger = make_teams_messenger(runtime.settings, token=outbound_token)
    try:
        stats = run_delivery(runtime, {"teams": messenger}, sleep=lambda _: None)
    finally:
        messenger.connector.close()
    return stats.sent, stats.failed


def images(card: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(card, dict):
        if card.get("type") == "Image":
            found.append(card)
        for value in card.values():
            found += images(value)
    elif isinstance(card, list):
        for item in card:
            found += images(item)
    return found


def test_the_digest_card_shows_the_chart_from_public_url(world: TeamsWorld) -> None:
    runtime = runtime_with(world, public_url=world.base)
    result = run_digest(runtime, now=MONDAY, platform="teams", channel=CHANNEL)
    assert result.enqueued and [c.plan_code for c in result.charts] == ["NCC"]
    assert deliver(runtime) == (1, 0)

    cards = world.fake.cards(CHANNEL)
    shown = [image for card in cards for image in images(card)]
    assert len(shown) == 1
    url = shown[0]["url"]
    assert url.startswith(f"{world.base}/charts/") and url.endswith(".png")
    assert shown[0]["altText"].startswith("NCC: actions by theme, 5 March 2018.")
    # The fake Teams client fetched it from actionbot: a real PNG that Teams can show.
    png = world.fake.images[url]
    with Image.open(io.BytesIO(png)) as picture:
        assert picture.format == "PNG" and max(picture.size) <= 1024
    # The same figures stay in the text, just above the picture.
    text = str(cards)
    assert "Chart by theme (the picture below): " in text
    assert "in the thread" not in text
    # No separate upload row for Teams: the picture is inside the card.
    with runtime.sessions() as session:
        kinds = session.scalars(select(Delivery.kind)).all()
        assert "digest_chart" not in kinds
        assert session.scalar(select(func.count()).select_from(HostedFile)) == 1
        assert session.scalar(select(AdminNotice).where(AdminNotice.key == NO_PUBLIC_URL)) is None


def test_without_public_url_the_card_goes_without_the_chart_and_admins_are_told_once(
    world: TeamsWorld,
) -> None:
    runtime = runtime_with(world, public_url=None)
    run_digest(runtime, now=MONDAY, platform="teams", channel=CHANNEL)
    assert deliver(runtime) == (1, 0)
    later = MONDAY + timedelta(hours=1)
    assert isinstance(world.clock, FixedClock)
    world.clock.set(later)
    run_digest(runtime, now=later, platform="teams", channel=CHANNEL)
    sent, _ = deliver(runtime)  # the office day has begun: the admins' summary is queued too
    assert sent == 1
    with runtime.sessions() as session:
        summary = session.scalars(select(Delivery).where(Delivery.kind == "admin_summary")).one()
        assert "set PUBLIC_URL" in str(summary.payload)
    cards = world.fake.cards(CHANNEL)
    assert cards and not [i for card in cards for i in images(card)]
    assert "By theme: no RAG yet 25" in str(cards)  # the figures are still there
    with runtime.sessions() as session:
        notices = session.scalars(select(AdminNotice).where(AdminNotice.key == NO_PUBLIC_URL))
        (notice,) = notices.all()
        assert "PUBLIC_URL" in notice.text
        assert session.scalar(select(func.count()).select_from(HostedFile)) == 0
    # Once it is set, the problem is forgotten (so it would be told again if it came back).
    fixed = runtime_with(world, public_url=world.base)
    run_digest(fixed, now=MONDAY + timedelta(hours=2), platform="teams", channel=CHANNEL)
    with runtime.sessions() as session:
        assert session.scalar(select(AdminNotice).where(AdminNotice.key == NO_PUBLIC_URL)) is None


def test_a_failed_chart_never_holds_the_text_back(
    world: TeamsWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # matplotlib itself failing (not our code): the digest goes as text.
    from matplotlib.figure import Figure

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("no fonts")

    monkeypatch.setattr(Figure, "savefig", broken)
    runtime = runtime_with(world, public_url=world.base)
    result = run_digest(runtime, now=MONDAY, platform="teams", channel=CHANNEL)
    assert result.charts == []
    assert deliver(runtime) == (1, 0)
    assert "NCC" in str(world.fake.cards(CHANNEL))


def test_chart_urls_are_unguessable_and_expire(world: TeamsWorld) -> None:
    now = MONDAY
    with world.runtime.sessions.begin() as session:
        old = host_file(
            session,
            kind=CHART,
            filename="old.png",
            media_type="image/png",
            content=b"\x89PNG old",
            now=now - timedelta(days=31),
            keep_for=timedelta(days=30),
        )
        report = host_file(
            session,
            kind="report",
            filename="NCC.xlsx",
            media_type="application/octet-stream",
            content=b"PK secret",
            now=now,
            keep_for=timedelta(days=1),
        )
        tokens = {old.token, report.token}
    assert all(len(t) >= 43 for t in tokens)
    with httpx.Client(base_url=world.base) as http:
        assert http.get(f"/charts/{old.token}.png").status_code == 404  # expired
        assert http.get(f"/charts/{report.token}.png").status_code == 404  # not a chart
        assert http.get("/charts/not-a-token.png").status_code == 404
    # Storing a new file clears the expired ones out.
    with world.runtime.sessions.begin() as session:
        host_file(
            session,
            kind=CHART,
            filename="new.png",
            media_type="image/png",
            content=b"\x89PNG new",
            now=now,
            keep_for=timedelta(days=30),
        )
    with world.runtime.sessions() as session:
        left = set(session.scalars(select(HostedFile.token)))
        assert old.token not in left and report.token in left


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("http://charts.example/x.png", "absolute https"),
        ("/charts/relative.png", "absolute https"),
        ("{base}/healthz", "not an image"),
        ("{base}/charts/missing-token-0123456789abcdef.png", "HTTP 404"),
    ],
)
def test_the_fake_teams_refuses_images_it_could_not_show(
    world: TeamsWorld, path: str, problem: str
) -> None:
    url = path.format(base=world.base)
    messenger: TeamsMessenger = make_teams_messenger(
        world.runtime.settings.model_copy(update={"teams_service_url": world.fake.base_url}),
        token=outbound_token,
    )
    reply = Reply(lines=["A chart"], pictures=[Picture(url, "alt", 0)], public=True)
    try:
        with pytest.raises(PermanentFailure, match=f"HTTP 400 BadArgument .*{problem}"):
            messenger.post_channel(CHANNEL, [reply], Progress())
    finally:
        messenger.connector.close()
    assert world.fake.requests[-1].status == 400
    assert url not in world.fake.images


def test_public_url_is_checked_and_kept_without_a_trailing_slash() -> None:
    from pydantic import ValidationError

    from bot.core.config import Settings

    def settings(value: str) -> Settings:
        return Settings(_env_file=None, PUBLIC_URL=value)  # type: ignore[call-arg]

    assert settings("https://bot.council.example/").public_url == "https://bot.council.example"
    assert settings("  ").public_url is None
    for bad in ("bot.council.example", "ftp://x", "https://x/?a=1"):
        with pytest.raises(ValidationError, match="PUBLIC_URL"):
            settings(bad)


def test_the_fake_teams_refuses_an_activity_over_28_kb(world: TeamsWorld) -> None:
    from microsoft_teams.cards import AdaptiveCard, TextBlock

    from bot.messengers.teams_client import card_activity

    messenger = make_teams_messenger(
        world.runtime.settings.model_copy(update={"teams_service_url": world.fake.base_url}),
        token=outbound_token,
    )
    big = AdaptiveCard(version="1.5", body=[TextBlock(text="x" * 29_000, wrap=True)])
    try:
        with pytest.raises(httpx.HTTPStatusError) as refused:
            messenger.connector.send(world.fake.base_url, CHANNEL, card_activity("big", [big]))
    finally:
        messenger.connector.close()
    assert refused.value.response.status_code == 413


def test_plans_with_the_same_figures_each_get_their_own_chart(sessions: Any) -> None:
    """Regression: a chart went under the first paragraph with the same figures, so plans
    with equal figures stacked their charts under the first plan, and the thread reply that
    said "the picture below" had nothing below it."""
    from bot.jobs.digest_chart import DigestChart, host_charts

    same = "Chart by theme (the picture below): done 2, overdue 3"
    first = Reply(
        title="Weekly digest",
        lines=[f"*AAA: Adults*\n5 actions\n{same}", "*Done this week (2)*"],
        public=True,
    )
    thread = Reply(lines=[f"*BBB*\n5 actions\n{same}", "_Part 2 of 2_"], public=True)
    png = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(png, format="PNG")
    charts = [
        DigestChart(code, f"{code}.png", code, f"{code} figures", png.getvalue(), same)
        for code in ("AAA", "BBB")
    ]
    with sessions.begin() as session:
        host_charts(session, [first, thread], charts, public_url="https://bot.example", now=MONDAY)
    assert [(p.alt_text, p.after) for p in first.pictures] == [("AAA figures", 0)]
    assert [(p.alt_text, p.after) for p in thread.pictures] == [("BBB figures", 0)]
