"""A real actionbot HTTP server on loopback, wired to the fake Bot Framework.

Activities are real Teams JSON, POSTed to /api/messages with a JWT signed by the fake's
key; the SDK validates it (validation on), and everything the bot says lands at the fake.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import jwt

from bot.app.asgi import Service, build_app
from bot.app.serve import job_trigger
from bot.core.clock import Clock, FixedClock
from bot.core.config import Settings
from bot.core.runtime import Runtime, open_runtime
from bot.messengers.teams import make_teams_messenger
from tests.fakes.bot_framework import (
    CONSENT_CARD,
    FakeBotFramework,
    TeamsUser,
    fake_bot_framework,
)
from tests.harness import serve_in_thread

APP_ID = "00000000-0000-0000-0000-00000000b07e"
TENANT = "11111111-2222-3333-4444-555555555555"
CHANNEL = "19:digest0123456789@thread.tacv2"
TEAM_CHANNEL = "19:general@thread.tacv2;messageid=1"  # a thread in the team's General
_ids = itertools.count(1_600_000_000_000)


TEAMS_PATIENCE = 15.0  # seconds Teams waits for the answer to a request it sent the bot


def outbound_token(scope: Any, tenant_id: str | None) -> str:
    """What the bot puts in `Authorization` on its calls to the connector (or Graph, for a
    Graph scope). JWT-shaped: the SDK decodes it (unverified) before use."""
    audience = str(scope).removesuffix("/.default")
    return jwt.encode(
        {"aud": audience, "scope": str(scope), "tid": tenant_id or ""},
        "not-a-real-secret-0123456789abcdef",
        algorithm="HS256",
    )


def teams_settings(db_url: str, fake: FakeBotFramework, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "DATABASE_URL": db_url,
        "TEAMS_CLIENT_ID": APP_ID,
        "TEAMS_CLIENT_SECRET": "unused-in-tests-the-token-callable-replaces-it",
        "TEAMS_TENANT_ID": TENANT,
        "TEAMS_OPENID_METADATA_URL": fake.openid_metadata_url,
        "TEAMS_GRAPH_URL": fake.base_url,  # Graph too is the fake (used with TEAMS_GRAPH=1)
        # Channel posts and first messages to people who never wrote: the fake connector.
        "TEAMS_SERVICE_URL": fake.base_url,
        "TEAMS_DIGEST_CONVERSATION": CHANNEL,
        "ACTIONBOT_ADMINS": "admin@northants.example",
        # The fake's OneDrive is on loopback, not *.sharepoint.com: trusted explicitly.
        "ACTIONBOT_DEV_FILE_ORIGINS": fake.base_url,
    }
    values.update(extra)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def executes(card: Any) -> list[dict[str, Any]]:
    """Every Action.Execute (button) anywhere in a card or activity, in order."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute":
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


@dataclass
class TeamsWorld:
    fake: FakeBotFramework
    runtime: Runtime
    service: Service
    base: str
    http: httpx.Client
    clock: Clock
    answers: list[httpx.Response] = field(default_factory=list)

    def activity(
        self,
        user: TeamsUser,
        *,
        kind: str = "message",
        conversation: str | None = None,
        channel: bool = False,
        **extra: Any,
    ) -> dict[str, Any]:
        tenant = user.tenant or TENANT
        if channel:
            conv: dict[str, Any] = {
                "id": conversation or TEAM_CHANNEL,
                "conversationType": "channel",
                "isGroup": True,
                "tenantId": tenant,
            }
            self.fake.join(conv["id"], user)  # only a team's members post in its channels
        else:
            conv = {
                "id": conversation or self.fake.personal_conversation(user),
                "conversationType": "personal",
                "tenantId": tenant,
            }
        body: dict[str, Any] = {
            "type": kind,
            "id": str(next(_ids)),
            "timestamp": "2018-01-15T09:00:00.000Z",
            "serviceUrl": self.fake.base_url,
            "channelId": "msteams",
            "from": {"id": user.chat_id, "name": user.name, "aadObjectId": user.aad_id},
            "conversation": conv,
            "recipient": {"id": f"28:{APP_ID}", "name": "actionbot"},
            "locale": "en-GB",
            "channelData": {"tenant": {"id": tenant}},
        }
        body.update(extra)
        return body

    def post(self, body: dict[str, Any], *, token: str | None = "good") -> httpx.Response:
        """Send an activity as Teams does. Teams stops waiting after TEAMS_PATIENCE seconds
        (counted on the fake's virtual clock): a slower answer comes back as the 504 the
        person's client would show as an error, whatever the bot answered."""
        if token == "good":
            token = self.fake.sign(app_id=APP_ID)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.fake.begin_request()
        try:
            response = self.http.post(f"{self.base}/api/messages", json=body, headers=headers)
        finally:
            spent = self.fake.end_request()
        if spent > TEAMS_PATIENCE:
            response = httpx.Response(
                504, json={"error": f"Teams stopped waiting: the bot took {spent:.1f} s"}
            )
        self.answers.append(response)
        return response

    def say(self, user: TeamsUser, text: str, **kw: Any) -> httpx.Response:
        return self.post(self.activity(user, text=text, textFormat="plain", **kw))

    def mention(self, user: TeamsUser, text: str, **kw: Any) -> httpx.Response:
        """A channel message that @mentions the bot, as Teams sends it."""
        entity = {
            "type": "mention",
            "text": "<at>actionbot</at>",
            "mentioned": {"id": f"28:{APP_ID}", "name": "actionbot"},
        }
        body = self.activity(user, text=f"<at>actionbot</at> {text}", channel=True, **kw)
        body["entities"] = [entity]
        return self.post(body)

    def mentions(
        self, text: str, *people: TeamsUser, split: bool = False
    ) -> tuple[str, list[dict[str, Any]]]:
        """`text` with each `{}` an @mention of the next person, and the mention entities.

        `split`: as new Teams sends a name picked from the list, one mention per word
        ("<at>Raj</at> <at>Patel</at>", two entities of the same user)."""
        entities: list[dict[str, Any]] = []
        parts: list[str] = []
        for person in people:
            words = person.name.split() if split else [person.name]
            tags = [f"<at>{word}</at>" for word in words]
            entities += [
                {"type": "mention", "text": tag, "mentioned": {"id": person.chat_id, "name": word}}
                for tag, word in zip(tags, words, strict=True)
            ]
            parts.append(" ".join(tags))
        return text.format(*parts), entities

    def click(self, user: TeamsUser, data: dict[str, Any], **kw: Any) -> dict[str, Any]:
        """An Action.Execute click: the answer is the card that replaces the clicked one."""
        body = self.activity(
            user,
            kind="invoke",
            name="adaptiveCard/action",
            value={
                "action": {"type": "Action.Execute", "verb": data["action"], "data": data},
                "trigger": "manual",
            },
            **kw,
        )
        response = self.post(body)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    def consent_cards(self) -> list[tuple[str, dict[str, Any]]]:
        """(conversation id, attachment) of every file consent card the bot sent."""
        found = []
        for rec in self.fake.activities():
            for attachment in rec.body.get("attachments") or []:
                if attachment.get("contentType") == CONSENT_CARD:
                    found.append((rec.path.split("/")[3], attachment))
        return found

    def answer_consent(self, user: TeamsUser, *, accept: bool) -> httpx.Response:
        """The user clicks Allow or Decline on the last consent card: Teams opens an upload
        session in their OneDrive (on Allow) and sends the bot a signed `fileConsent/invoke`."""
        conversation, card = self.consent_cards()[-1]
        content = card["content"]
        value: dict[str, Any] = {"type": "fileUpload", "action": "accept" if accept else "decline"}
        if accept:
            value["context"] = content.get("acceptContext")
            value["uploadInfo"] = self.fake.upload_session(card["name"])
        else:
            value["context"] = content.get("declineContext")
        body = self.activity(
            user, kind="invoke", name="fileConsent/invoke", value=value, conversation=conversation
        )
        return self.post(body)

    def install(self, user: TeamsUser) -> httpx.Response:
        return self.post(self.activity(user, kind="installationUpdate", action="add"))

    def uninstall(self, user: TeamsUser) -> httpx.Response:
        """The user removes the app: Teams tells the bot, and refuses its messages after."""
        body = self.activity(user, kind="installationUpdate", action="remove")
        self.fake.uninstall(user)
        return self.post(body)


@contextmanager
def teams_world(
    db_url: str,
    *,
    clock: Clock | None = None,
    fake: FakeBotFramework | None = None,
    jobs: bool = False,
    **settings: Any,
) -> Iterator[TeamsWorld]:
    """`jobs`: `admin nudge` and `admin digest` run the real jobs, sending through the
    Teams messenger to the fake, as `actionbot serve` does."""
    with _fake(fake) as bf:
        clock = clock or FixedClock(datetime(2018, 1, 15, 9, 0, tzinfo=UTC))
        runtime = open_runtime(teams_settings(db_url, bf, **settings), clock=clock)
        messenger = make_teams_messenger(runtime.settings, token=outbound_token) if jobs else None
        run_job = job_trigger(runtime, {"teams": messenger}) if messenger else None
        service = build_app(runtime, teams_token=outbound_token, run_job=run_job)
        asyncio.run(service.teams.initialize())
        try:
            with serve_in_thread(service.asgi) as base, httpx.Client(timeout=20) as http:
                yield TeamsWorld(bf, runtime, service, base, http, clock)
        finally:
            if messenger is not None:
                messenger.connector.close()
            runtime.engine.dispose()


@contextmanager
def _fake(fake: FakeBotFramework | None) -> Iterator[FakeBotFramework]:
    if fake is not None:
        yield fake
        return
    with fake_bot_framework() as made:
        made.home_tenant = TENANT
        yield made
