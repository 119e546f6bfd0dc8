"""The Bolt-side Web API client never repeats a post blindly; reads are still retried."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import ClientError

from bot.core.config import Settings
from bot.messengers.slack_client import make_async_client
from tests.fakes.fault_proxy import Fault, FaultProxy
from tests.fakes.slack_api import FakeSlackAPI
from tests.harness import TOKEN


def test_a_post_whose_answer_was_lost_is_not_posted_again() -> None:
    with FakeSlackAPI(bot_token=TOKEN) as fake, FaultProxy(fake.base_url) as proxy:
        fake.add_user("UFIN")
        settings = Settings(_env_file=None, SLACK_API_URL=proxy.base_url)  # type: ignore[call-arg]
        client = make_async_client(settings, TOKEN)
        proxy.program("chat.postMessage", Fault.RESET_AFTER, at=1)
        proxy.program("users.info", Fault.RESET_BEFORE, at=1)

        async def run() -> None:
            with pytest.raises(ClientError):
                await client.chat_postMessage(channel="UFIN", text="hello")
            await client.users_info(user="UFIN")  # retried after the reset

        asyncio.run(run())
        assert len(fake.calls_to("chat.postMessage")) == 1
        assert [p.method for p in proxy.passages] == [
            "chat.postMessage",
            "users.info",
            "users.info",
        ]
