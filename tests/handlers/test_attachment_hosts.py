"""Attachments are fetched only from the platform's own file hosts (scheme, host and port).

Regression: a Teams attachment whose `downloadUrl` named http://127.0.0.1:<another port>
was fetched and its body shown in the import preview; a Slack `url_private_download` on the
API's host but another port was sent `Authorization: Bearer xoxb-…`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.core.clock import FixedClock
from bot.core.config import ConfigError, Settings
from bot.handlers.file_fetch import SLACK_FILES, TEAMS_FILES, FetchFailed, fetch
from tests.conftest import SAMPLES
from tests.fakes.bystander import Bystander
from tests.harness import SlackWorld, seed_sample, slack_world
from tests.teams_harness import TeamsWorld, teams_world

NOW = datetime(2018, 1, 15, 9, 0, tzinfo=UTC)
SAMPLE = (SAMPLES / "ncc-financial-management-2017.csv").read_bytes()
ADMIN_EMAIL = "admin@northants.example"


@pytest.fixture
def bystander() -> Iterator[Bystander]:
    with Bystander() as b:
        yield b


# -- Slack -----------------------------------------------------------------------------


@pytest.fixture
def slack(db_url: str) -> Iterator[SlackWorld]:
    with slack_world(db_url, clock=FixedClock(NOW)) as w:
        seed_sample(w.runtime, NOW)
        w.fake.add_user("UADMIN", email=ADMIN_EMAIL)
        yield w


def send_to_slack_dm(w: SlackWorld, shared: dict[str, Any], n: int) -> str:
    event = {
        "type": "message",
        "subtype": "file_share",
        "channel": "DUADMIN",
        "channel_type": "im",
        "user": "UADMIN",
        "text": "",
        "files": [shared],
        "ts": f"1516006800.{n:06d}",
        "event_ts": f"1516006800.{n:06d}",
    }
    assert w.event(event, event_id=f"EvFile{n}").status_code == 200
    [told] = w.fake.wait_for("chat.postMessage")
    return json.dumps(told.params)


def test_slack_a_download_address_on_another_port_never_gets_the_token(
    slack: SlackWorld, bystander: Bystander
) -> None:
    shared = slack.fake.share_file(
        "NCC.csv", SAMPLE, user="UADMIN", download_url=f"{bystander.url}/files-pri/NCC.csv"
    )
    said = send_to_slack_dm(slack, shared, 1)
    assert "not where Slack keeps files" in said and "Nothing was changed" in said
    assert bystander.heard == []


def test_slack_a_redirect_off_the_file_host_is_not_followed(
    slack: SlackWorld, bystander: Bystander
) -> None:
    shared = slack.fake.share_file(
        "NCC.csv", SAMPLE, user="UADMIN", redirect_to=f"{bystander.url}/steal"
    )
    said = send_to_slack_dm(slack, shared, 2)
    assert "sent me on to" in said and "not where Slack keeps files" in said
    assert bystander.heard == []


@pytest.mark.parametrize(
    "url",
    [
        "https://files.slack.com/files-pri/T1-F1/download/plan.csv",
        "https://FILES.SLACK.COM:443/files-pri/T1-F1/download/plan.csv",
    ],
)
def test_slacks_own_file_host_is_allowed(url: str) -> None:
    assert SLACK_FILES.allows(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://files.slack.com/files-pri/T1-F1/download/plan.csv",  # not https
        "https://files.slack.com:8443/files-pri/T1-F1/download/plan.csv",  # another port
        "https://files.slack.com.evil.example/x",
        "https://evil.example/files.slack.com/x",
        "https://user@evil.example/x",
        "ftp://files.slack.com/x",
        "https://files.slack.com:notaport/x",
        "//files.slack.com/x",
    ],
)
def test_anything_else_is_refused_before_a_request(url: str) -> None:
    assert not SLACK_FILES.allows(url)
    with pytest.raises(FetchFailed, match="not where Slack keeps files"):
        asyncio.run(fetch(url, limit=10, allowed=SLACK_FILES, token="xoxb-secret"))


def test_the_api_base_allows_its_own_origin_only() -> None:
    fake = SLACK_FILES.plus("http://127.0.0.1:4000/api/")
    assert fake.allows("http://127.0.0.1:4000/files-pri/x")
    assert not fake.allows("http://127.0.0.1:4001/files-pri/x")
    assert not fake.allows("https://127.0.0.1:4000/files-pri/x")


# -- Teams -----------------------------------------------------------------------------


@pytest.fixture
def teams(db_url: str) -> Iterator[TeamsWorld]:
    with teams_world(db_url, clock=FixedClock(NOW)) as w:
        seed_sample(w.runtime, NOW)
        yield w


@pytest.mark.parametrize("where", ["another port", "another host", "plain http elsewhere"])
def test_teams_a_download_url_that_is_not_onedrive_is_not_fetched(
    teams: TeamsWorld, bystander: Bystander, where: str
) -> None:
    ada = teams.fake.add_user("adadadad-0000-0000-0000-000000000001", name="Ada", email=ADMIN_EMAIL)
    url = {
        "another port": f"{bystander.url}/personal/download.aspx?tempauth=x",
        "another host": "https://contoso-my.sharepoint.com.evil.example/download.aspx",
        "plain http elsewhere": "http://contoso-my.sharepoint.com/download.aspx",
    }[where]
    body = teams.activity(ada, text="", textFormat="plain")
    body["attachments"] = [teams.fake.file_attachment("NCC.csv", SAMPLE, download_url=url)]
    assert teams.post(body).status_code == 200
    said = json.dumps(teams.fake.cards(teams.fake.personal_conversation(ada)))
    assert "not where Teams keeps files" in said
    assert "the bystander" not in said
    assert bystander.heard == [] and teams.fake.downloads == []


def test_onedrive_for_business_is_where_teams_files_are() -> None:
    assert TEAMS_FILES.allows("https://contoso-my.sharepoint.com/personal/a/download.aspx?x=1")
    assert TEAMS_FILES.allows("https://contoso.sharepoint.com/sites/x/download.aspx")
    assert not TEAMS_FILES.allows("https://sharepoint.com.evil.example/x")
    assert not TEAMS_FILES.allows("https://evilsharepoint.com/x")
    assert not TEAMS_FILES.allows("https://contoso-my.sharepoint.com:444/x")


# -- the development override ------------------------------------------------------------


def test_the_development_override_is_explicit_and_refused_in_production() -> None:
    plain = Settings(_env_file=None)  # type: ignore[call-arg]
    assert plain.extra_file_origins == []
    dev = Settings(_env_file=None, ACTIONBOT_DEV_FILE_ORIGINS="http://127.0.0.1:9000")  # type: ignore[call-arg]
    assert dev.extra_file_origins == ["http://127.0.0.1:9000"]
    production = Settings(
        _env_file=None,  # type: ignore[call-arg]
        ACTIONBOT_DEV_FILE_ORIGINS="http://127.0.0.1:9000",
        ACTIONBOT_ENV="production",
    )
    with pytest.raises(ConfigError, match="refused when ACTIONBOT_ENV=production"):
        production.extra_file_origins  # noqa: B018
    with pytest.raises(ValueError, match="more than an origin"):
        Settings(_env_file=None, ACTIONBOT_DEV_FILE_ORIGINS="http://127.0.0.1:9000/files")  # type: ignore[call-arg]


def test_a_file_sent_in_many_packets_arrives_whole(slack: SlackWorld) -> None:
    # Regression: the body was read with one StreamReader.read(limit), which answers with
    # what has arrived so far: under load a PDF from Slack came cut short ("Data format error").
    data = bytes(range(256)) * (4 * 4096)  # 4 MB
    shared = slack.fake.share_file("minutes.pdf", data, user="UADMIN")
    allowed = SLACK_FILES.plus(slack.runtime.settings.slack_api_url or "")
    token = slack.fake.bot_token
    got = asyncio.run(
        fetch(shared["url_private_download"], limit=10 * 1024 * 1024, allowed=allowed, token=token)
    )
    assert len(got) == len(data) and got == data
