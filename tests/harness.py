"""A real actionbot HTTP server on loopback, wired to a fake Slack Web API.

Used by the Slack scenario tests and by bench/: requests are signed like Slack signs
them and go over real HTTP; everything the bot says comes out at the fake Slack.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import uvicorn

from bot.app.asgi import Service, build_app
from bot.core.clock import Clock, FixedClock
from bot.core.config import Settings
from bot.core.runtime import Runtime, open_runtime
from bot.handlers.slack.door import JobTrigger
from tests.fakes.block_kit import SlackRefusal, check_message
from tests.fakes.signing import (
    as_slack_sends,
    block_action_body,
    event_body,
    sign,
    slash_command_body,
    view_submission_body,
)
from tests.fakes.slack_api import FakeSlackAPI

SECRET = "test-signing-secret-0123456789"
TOKEN = "xoxb-test-token"


def make_settings(db_url: str, fake: FakeSlackAPI, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "DATABASE_URL": db_url,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.base_url,
        "ACTIONBOT_ADMINS": "UADMIN",
        "DIGEST_CHANNEL": "CDIGEST",
    }
    values.update(extra)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@contextmanager
def serve_in_thread(app: Any) -> Iterator[str]:
    """Run an ASGI app under uvicorn on a pre-bound loopback socket.

    The socket listens before uvicorn starts, so requests simply queue until it accepts:
    no readiness polling needed. It is made with IPPROTO_TCP, as getaddrinfo gives
    `actionbot serve`: asyncio sets TCP_NODELAY only on accepted sockets of that proto
    (asyncio.base_events._set_nodelay). Without it uvicorn's two writes per answer (headers,
    then body) meet Nagle and the client's delayed ACK: about 40 ms on every answer with a
    body, which production does not pay.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def check_ack(response: httpx.Response) -> None:
    """An ack that carries a message is shown by Slack: it must pass Slack's checks too."""
    if response.status_code != 200 or "json" not in response.headers.get("content-type", ""):
        return
    body = response.json()
    if not isinstance(body, dict) or "response_action" in body:
        return
    try:
        check_message(body)
    except SlackRefusal as e:
        raise AssertionError(f"Slack would refuse this ack: {e}") from e


@dataclass
class SlackWorld:
    fake: FakeSlackAPI
    runtime: Runtime
    service: Service
    base: str
    http: httpx.Client
    clock: Clock

    def post(
        self, body: str, *, timestamp: int | None = None, secret: str = SECRET
    ) -> httpx.Response:
        # Bolt checks the signature's age against the real clock, so sign with real time.
        ts = int(time.time()) if timestamp is None else timestamp
        headers = sign(body, secret=secret, timestamp=ts)
        response = self.http.post(
            f"{self.base}/slack/events", content=body.encode(), headers=headers
        )
        check_ack(response)
        return response

    def command(
        self,
        text: str,
        *,
        user: str,
        key: str = "r1",
        trigger_id: str | None = None,
        **kw: Any,
    ) -> httpx.Response:
        """`/action text` as the person typed it (escaped the way Slack sends it); `kw` may
        say it comes from another workspace (`team_id`) or org (`enterprise_id`)."""
        return self.post(
            slash_command_body(
                as_slack_sends(text),
                user_id=user,
                response_url=self.fake.response_url(key),
                trigger_id=self.fake.issue_trigger(trigger_id),
                **kw,
            )
        )

    def click(
        self,
        action_id: str,
        value: str,
        *,
        user: str,
        key: str = "c1",
        trigger_id: str | None = None,
        **kw: Any,
    ) -> httpx.Response:
        return self.post(
            block_action_body(
                user_id=user,
                action_id=action_id,
                value=value,
                response_url=self.fake.response_url(key),
                trigger_id=self.fake.issue_trigger(trigger_id),
                **kw,
            )
        )

    def submit(
        self, callback_id: str, values: dict[str, Any], *, user: str, metadata: str, **kw: Any
    ) -> httpx.Response:
        return self.post(
            view_submission_body(
                user_id=user,
                callback_id=callback_id,
                values=values,
                private_metadata=metadata,
                **kw,
            )
        )

    def event(
        self, event: dict[str, Any], *, event_id: str, retry: int | None = None, **kw: Any
    ) -> httpx.Response:
        body = event_body(event, event_id=event_id, **kw)
        headers = sign(body, secret=SECRET, timestamp=int(time.time()))
        if retry is not None:
            headers["X-Slack-Retry-Num"] = str(retry)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        return self.http.post(f"{self.base}/slack/events", content=body.encode(), headers=headers)


INLINE_ACK_BUDGET = 30.0


@contextmanager
def slack_world(
    db_url: str,
    *,
    clock: Clock | None = None,
    inline: bool = True,
    run_job: JobTrigger | None = None,
    with_jobs: bool = False,
    ack_budget: float | None = None,
    install: dict[str, Any] | None = None,
    **settings: Any,
) -> Iterator[SlackWorld]:
    """`install` says where the app is installed (FakeSlackAPI's team_id, enterprise_id,
    org_wide); `settings` are actionbot's."""
    with FakeSlackAPI(bot_token=TOKEN, **(install or {})) as fake:
        clock = clock or FixedClock(datetime(2018, 1, 15, 9, 0, tzinfo=UTC))
        runtime = open_runtime(make_settings(db_url, fake, **settings), clock=clock)
        if with_jobs:
            from bot.app.serve import job_trigger
            from bot.messengers.slack import SlackMessenger, make_web_client

            messenger = SlackMessenger(make_web_client(runtime.settings, TOKEN))
            run_job = job_trigger(runtime, {"slack": messenger})
        if ack_budget is None and inline:
            # Inline tests are about what is answered, not when: a loaded machine must not
            # turn an answer into "Working on it". The budget's own tests set one.
            ack_budget = INLINE_ACK_BUDGET
        extra = {} if ack_budget is None else {"ack_budget": ack_budget}
        service = build_app(runtime, inline=inline, run_job=run_job, **extra)
        with serve_in_thread(service.asgi) as base, httpx.Client(timeout=10) as http:
            yield SlackWorld(fake, runtime, service, base, http, clock)
        runtime.engine.dispose()


def seed_sample(runtime: Runtime, now: datetime) -> None:
    """The bundled owners file and sample plan (25 actions, due 31 March 2018)."""
    from datetime import date

    from bot.services.audit import Actor
    from bot.services.imports.apply import ImportOptions, import_file
    from bot.services.people.owners import import_owners, read_owners_file
    from store.db import transaction
    from tests.conftest import SAMPLES

    with transaction(runtime.sessions) as session:
        import_owners(session, rows=read_owners_file(SAMPLES / "ncc-owners-example.csv"), now=now)
    import_file(
        runtime.sessions,
        path=SAMPLES / "ncc-financial-management-2017.csv",
        options=ImportOptions(
            plan_code="NCC", source_file="ncc.csv", default_due=date(2018, 3, 31)
        ),
        actor=Actor("test", "cli"),
        now=now,
    )


def seed_owners_and_plan(runtime: Runtime, now: datetime, path: Any, code: str) -> None:
    """The bundled owners file, then the plan file at `path` imported as plan `code`."""
    from bot.services.audit import Actor
    from bot.services.imports.apply import ImportOptions, import_file
    from bot.services.people.owners import import_owners, read_owners_file
    from store.db import transaction
    from tests.conftest import SAMPLES

    with transaction(runtime.sessions) as session:
        import_owners(session, rows=read_owners_file(SAMPLES / "ncc-owners-example.csv"), now=now)
    import_file(
        runtime.sessions,
        path=path,
        options=ImportOptions(plan_code=code, source_file=path.name),
        actor=Actor("test", "cli"),
        now=now,
    )
