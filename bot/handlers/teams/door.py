"""Teams entry points (Teams SDK, async). Thin: identity → `converse` → neutral Reply → cards.

The SDK checks every request's JWT before any of this runs. Messages use the `/action`
grammar without the slash: anything in a personal chat, and in a channel or group chat
only what @mentions the bot (the mention is removed before parsing). Card buttons are
`Action.Execute` invokes answered with the refreshed card.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from microsoft_teams.api.activities import (
    InstalledActivity,
    MessageActivity,
    UninstalledActivity,
)
from microsoft_teams.api.activities.conversation import ConversationUpdateActivity
from microsoft_teams.api.activities.invoke.adaptive_card import AdaptiveCardInvokeActivity
from microsoft_teams.api.activities.invoke.file_consent import FileConsentInvokeActivity
from microsoft_teams.api.activities.utils import StripMentionsTextOptions
from microsoft_teams.api.models import (
    FILE_DOWNLOAD_INFO_CONTENT_TYPE,
    Account,
    Action,
    AdaptiveCardActionCardResponse,
    AdaptiveCardActionMessageResponse,
    ClientInfoEntity,
    ConversationAccount,
    FileDownloadInfo,
    MentionEntity,
)
from microsoft_teams.apps import ActivityContext, App
from microsoft_teams.cards import AdaptiveCard
from sqlalchemy.orm import Session, sessionmaker

from bot.commands import buttons
from bot.commands.types import Command
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.messages import Reply, error
from bot.handlers.file_fetch import TEAMS_FILES, FetchFailed, fetch_pre_authorised
from bot.handlers.teams.closure import VERBS as CLOSURE_VERBS
from bot.handlers.teams.closure import fetch_evidence, review_answer, review_step
from bot.messengers.teams_client import card_activity, personal_conversation_params
from bot.messengers.teams_directory import TeamsDirectory
from bot.messengers.teams_files import (
    UploadFailed,
    consent_activity,
    file_info_activity,
    upload,
)
from bot.render import cards as render
from bot.services.actions import MakePack, RunJob
from bot.services.conversation import (
    Outcome,
    Who,
    action_ref,
    converse,
    current_cards,
    form_refusal,
    local_today,
    needs_email,
    unknown_ids,
)
from bot.services.imports.chat import (
    MAX_UPLOAD_BYTES,
    ChatImportAnswer,
    Decision,
    Upload,
    check_upload,
    decide,
    preview_upload,
)
from bot.services.inbound import first_time
from bot.services.packs import admin_report, drop_report, held_report
from bot.services.people.identity import Mentioned
from bot.services.people.reach import TeamsReference, forget_teams, remember_teams
from store.outage import outage_of

log = logging.getLogger(__name__)

JobTrigger = Callable[[str], Awaitable[str]]  # "nudge" | "digest" → a sentence for the admin

AnyActivity = MessageActivity | InstalledActivity | ConversationUpdateActivity
InvokeAnswer = AdaptiveCardActionCardResponse | AdaptiveCardActionMessageResponse
SORRY_MESSAGE = (
    "Sorry, something went wrong on my side and nothing was changed. "
    "Please try again; if it keeps happening, tell an actionbot admin."
)
SORRY_CLICK = "Sorry, something went wrong on my side and nothing was changed."
SORRY_REPORT = (
    "Sorry, something went wrong on my side and the report was not sent. "
    "Please try again, or use `actionbot report`."
)
Handler = Callable[[ActivityContext[Any]], Awaitable[Any]]
_SLASH = re.compile(r"^\s*/?action\b\s*", re.IGNORECASE)


def reference_of(activity: AnyActivity) -> TeamsReference:
    """What a later proactive message needs, from any activity the user sent."""
    channel_data = activity.channel_data
    tenant = channel_data.tenant.id if channel_data and channel_data.tenant else None
    conversation = activity.conversation
    personal = conversation.conversation_type in (None, "personal")
    return TeamsReference(
        service_url=activity.service_url or "",
        tenant_id=tenant or conversation.tenant_id,
        chat_id=activity.from_.id,
        conversation_id=conversation.id if personal and not conversation.is_group else None,
    )


def is_personal(activity: Any) -> bool:
    conversation = activity.conversation
    return conversation.conversation_type in (None, "personal") and not conversation.is_group


def command_text(activity: MessageActivity) -> str | None:
    """The command in a message, or None when it is not for us (a channel message that does
    not @mention the bot)."""
    personal = activity.conversation.conversation_type in (None, "personal")
    if not personal and not activity.is_recipient_mentioned():
        return None
    stripped = activity.strip_mentions_text(
        StripMentionsTextOptions(account_id=activity.recipient.id)
    )
    text = (stripped.text or "").replace("\u00a0", " ").strip()
    # Anybody else @mentioned (`admin owner "Finance" @Jane`) becomes <@their id>, the form
    # the grammar reads for a platform user.
    for entity in _mentions(activity):
        if entity.text:
            text = text.replace(entity.text, f"<@{entity.mentioned.id}>")
    # New Teams sends a name picked from the list as one mention per word ("<at>Raj</at>
    # <at>Patel</at>", the same user twice): one person.
    text = _SAME_MENTION.sub(r"\1", text)
    return _SLASH.sub("", text, count=1)


_SAME_MENTION = re.compile(r"(<@([^>\s]+)>)(?:\s*<@\2>)+")


def _mentions(activity: MessageActivity) -> list[MentionEntity]:
    """The message's mentions of people, the bot left out."""
    return [
        entity
        for entity in activity.entities or []
        if isinstance(entity, MentionEntity) and entity.mentioned.id != activity.recipient.id
    ]


def mentioned_names(activity: MessageActivity) -> dict[str, str | None]:
    """The people a message @mentions (their chat ids, 29:…) and the names the mentions
    show; a name split over adjacent mentions of one person is put back together."""
    names: dict[str, list[str]] = {}
    for entity in _mentions(activity):
        shown = entity.mentioned.name or (entity.text or "").removeprefix("<at>")
        names.setdefault(entity.mentioned.id, []).append(shown.removesuffix("</at>").strip())
    return {
        user: " ".join(dict.fromkeys(n for n in parts if n)) or None
        for user, parts in names.items()
    }


def _entra_ids(activity: MessageActivity) -> dict[str, str]:
    """Chat id → Entra object id, for mentions that carry both."""
    return {
        e.mentioned.id: e.mentioned.aad_object_id
        for e in _mentions(activity)
        if e.mentioned.aad_object_id
    }


def _picked(value: Any) -> list[str]:
    """The people picker's value: AAD object ids, comma-separated."""
    return [p.strip() for p in str(value or "").split(",") if p.strip()]


def time_zone_of(activity: Any) -> str | None:
    """The user's time zone, from the clientInfo entity Teams clients attach to messages."""
    for entity in getattr(activity, "entities", None) or []:
        if isinstance(entity, ClientInfoEntity) and entity.timezone:
            try:
                ZoneInfo(entity.timezone)
            except (ZoneInfoNotFoundError, ValueError):
                return None
            return str(entity.timezone)
    return None


class TeamsDoor:
    """What the Teams handlers need: the register, the clock, settings and job triggers."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        clock: Clock,
        settings: Settings,
        run_job: JobTrigger | None = None,
        directory: TeamsDirectory | None = None,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.settings = settings
        self.run_job = run_job
        self.directory = directory
        self._profiles: dict[str, Who] = {}
        self.file_hosts = TEAMS_FILES.plus(*settings.extra_file_origins)
        # Work that goes on after Teams has its answer (admin jobs): kept so it is not
        # collected half-way, and so a test can wait for it.
        self.background: set[asyncio.Task[None]] = set()

    # -- identity ---------------------------------------------------------------------

    async def who(self, ctx: ActivityContext[Any]) -> Who:
        """The Teams user: AAD object id, with email/UPN from the roster while not linked."""
        sender = ctx.activity.from_
        user_id = sender.aad_object_id or sender.id
        plain = Who(
            "teams", user_id, alias=sender.id, tz=time_zone_of(ctx.activity), name=sender.name
        )
        if user_id in self._profiles:
            return self._profiles[user_id]
        if not await asyncio.to_thread(needs_email, self.sessions, plain):
            return plain
        # Teams always answers for the sender, in any conversation they write in.
        member = await self._member(ctx, sender.id)
        if member is None and self.directory is not None and sender.aad_object_id:
            member = await self.directory.user(sender.aad_object_id)
        if member is None or not member.email:
            return plain
        who = replace(plain, email=member.email, name=plain.name or member.name)
        self._profiles[user_id] = who
        return who

    async def _member(
        self, ctx: ActivityContext[Any], user_id: str, conversation: str | None = None
    ) -> Mentioned | None:
        """The roster entry for `user_id` in `conversation` (default: this one), or None."""
        try:
            member = await ctx.api.conversations.get_member_by_id(
                conversation or ctx.activity.conversation.id, user_id
            )
        except Exception as exc:  # noqa: BLE001 - not in the roster: known by id only
            log.info("Teams roster has no %s: %s", user_id, exc)
            return None
        return Mentioned(
            name=member.name or None,
            email=member.email or member.user_principal_name or None,
            entra_id=member.aad_object_id or None,
        )

    async def remember(self, ctx: ActivityContext[Any], who: Who) -> None:
        await asyncio.to_thread(
            remember_teams,
            self.sessions,
            who,
            reference_of(ctx.activity),
            admins=self.settings.admin_ids,
            now=self.clock.now(),
        )

    async def mentioned_people(
        self, ctx: ActivityContext[Any], shown: dict[str, str | None], entra: dict[str, str]
    ) -> dict[str, Mentioned]:
        """What Teams can say about people a message @mentions or a card picks (id → the
        name shown, or None for the picker's Entra object ids), so the service links them to
        the person the register already has instead of making a second one.

        Asked only where Teams answers: the roster of a team's channel or a group chat
        (a 1:1 chat knows nobody but its user), then the digest channel's team (which the
        bot is in), then Microsoft Graph when granted.
        """
        if not shown:
            return {}
        unknown = set(await asyncio.to_thread(unknown_ids, self.sessions, "teams", list(shown)))
        found: dict[str, Mentioned] = {}
        for user_id, name in shown.items():
            seen = Mentioned(name=name, entra_id=entra.get(user_id))
            if user_id in unknown:
                seen = await self._look_up(ctx, user_id, seen)
            found[user_id] = seen
        return found

    async def _look_up(self, ctx: ActivityContext[Any], user_id: str, seen: Mentioned) -> Mentioned:
        member = None
        if not is_personal(ctx.activity):
            member = await self._member(ctx, user_id)
        team = self.settings.teams_digest_conversation
        if member is None and team and team != ctx.activity.conversation.id.split(";")[0]:
            member = await self._member(ctx, user_id, team)
        entra = seen.entra_id or (None if user_id.startswith("29:") else user_id)
        if member is None and self.directory is not None and entra:
            member = await self.directory.user(entra)
        if member is None:
            return seen
        return Mentioned(
            name=member.name or seen.name,
            email=member.email,
            entra_id=member.entra_id or seen.entra_id,
        )

    async def converse(self, who: Who, **kwargs: Any) -> Outcome:
        return await asyncio.to_thread(
            converse,
            self.sessions,
            who,
            admins=self.settings.admin_ids,
            default_tz=self.settings.tz,
            now=self.clock.now(),
            **kwargs,
        )

    # -- messages ---------------------------------------------------------------------

    async def on_message(self, ctx: ActivityContext[MessageActivity]) -> None:
        activity = ctx.activity
        text = command_text(activity)
        if text is None:
            return
        key = f"{activity.conversation.id}|{activity.id}"
        if not await asyncio.to_thread(
            first_time, self.sessions, platform="teams", event_id=key, now=self.clock.now()
        ):
            log.info("duplicate Teams activity %s ignored", activity.id)
            return
        who = await self.who(ctx)
        await self.remember(ctx, who)
        sent = sent_files(activity)
        if sent and buttons.is_done(text, today=local_today(self.clock.now(), self.settings.tz)):
            # `2.4 done` with files: evidence for an action, not a plan to import.
            files = await fetch_evidence(sent, allowed=self.file_hosts)
            if isinstance(files, Reply):
                await self.send(ctx, files)
                return
            await self.send(ctx, (await self.converse(who, text=text, attachments=files)).reply)
            return
        if sent:
            await self.on_file(ctx, who, sent, text)
            return
        people = await self.mentioned_people(ctx, mentioned_names(activity), _entra_ids(activity))
        outcome = await self.converse(who, text=text, mentioned=people)
        if isinstance(outcome.follow_up, MakePack):
            await self.offer_report(ctx, who, outcome.follow_up)
            return
        await self.send(ctx, outcome.reply)
        if isinstance(outcome.follow_up, RunJob):
            await self.admin_job(ctx, outcome.follow_up)

    # -- a plan file sent in the personal chat -------------------------------------------

    async def on_file(
        self,
        ctx: ActivityContext[MessageActivity],
        who: Who,
        sent: list[tuple[str, FileDownloadInfo]],
        comment: str,
    ) -> None:
        """A file sent to the bot (manifest `supportsFiles`): an admin's plan, previewed."""
        name, info = sent[0]
        refused = await asyncio.to_thread(
            check_upload,
            self.sessions,
            platform="teams",
            user_id=who.user_id,
            email=who.email,
            filename=name,
            comment=comment,
            size=None,
            admins=self.settings.admin_ids,
            now=self.clock.now(),
        )
        if refused is None and len(sent) > 1:
            refused = error("Send me one plan file at a time. Nothing was changed.")
        if refused is not None:
            await self.send(ctx, refused)
            return
        try:
            # The SDK's ctx.files does the same (a plain GET: the URL carries its own short-lived
            # credential, so no token is sent) but fetches whatever host the URL names.
            data = await fetch_pre_authorised(
                info.download_url or "", limit=MAX_UPLOAD_BYTES, allowed=self.file_hosts
            )
        except FetchFailed as exc:
            await self.send(
                ctx, error(f"I could not fetch {name} from Teams: {exc}. Nothing was changed.")
            )
            return
        answer = await asyncio.to_thread(
            preview_upload,
            self.sessions,
            Upload(filename=name, data=data, comment=comment),
            platform="teams",
            user_id=who.user_id,
            email=who.email,
            admins=self.settings.admin_ids,
            now=self.clock.now(),
            attach=False,
        )
        await self.send(ctx, answer.reply)

    async def admin_job(self, ctx: ActivityContext[Any], run: RunJob) -> None:
        """`admin nudge` / `admin digest`: Teams has had its answer ("Queued."); the job runs
        after the request, and says here what it did when it is done. A whole day's
        reminders take far longer than the ~15 s Teams waits for a request."""
        kind = run.job
        if self.run_job is None:
            await ctx.send(f"The {kind} job is not configured in this process.")
            return
        self.after_request(self._run_job(ctx, kind))

    async def _run_job(self, ctx: ActivityContext[Any], kind: str) -> None:
        assert self.run_job is not None
        try:
            said = await self.run_job(kind)
        except Exception:
            log.exception("the %s job started from Teams failed", kind)
            said = f"The {kind} failed on my side; the log says why. Nothing more was sent."
        # The job's summary names owners from the plan: rendered (escaped) like any reply.
        await self.send(ctx, Reply(lines=[said]))

    def after_request(self, work: Awaitable[None]) -> None:
        """Run `work` on this loop once the handler has answered Teams."""

        async def run() -> None:
            try:
                await work
            except Exception:
                log.exception("unhandled error in work done after a Teams request")

        task = asyncio.get_running_loop().create_task(run())
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    # -- the committee pack, by file consent -----------------------------------------

    async def offer_report(self, ctx: ActivityContext[Any], who: Who, pack: MakePack) -> None:
        """`admin report CODE`: the same service as Slack makes the pack; Teams lets a bot
        send a file only in a personal chat, after the person accepts it (file consent)."""
        made = await asyncio.to_thread(
            admin_report,
            self.sessions,
            who,
            plan_code=pack.plan,
            admins=self.settings.admin_ids,
            tz=self.settings.tz,
            now=self.clock.now(),
            hold=True,
            meeting=pack.meeting,
        )
        if isinstance(made, Reply):
            await self.send(ctx, made)
            return
        offer = consent_activity(
            filename=made.filename,
            size=len(made.content),
            description=f"{made.title}: the summary (what changed since the last issued "
            "pack, overdue actions, time extensions), then every action.",
            context={"report": made.token, "plan": pack.plan},
        )
        if is_personal(ctx.activity):
            await ctx.send(offer)
            return
        chat = await self._personal_chat(ctx)
        offer.from_ = Account(id=ctx.activity.recipient.id)
        offer.conversation = ConversationAccount(id=chat)
        await ctx.api.conversations.create_activity(chat, offer)
        await self.send(
            ctx,
            Reply(
                lines=[
                    f"The {pack.plan} committee pack is waiting in our personal chat: "
                    "accept it there and Teams saves it to your OneDrive."
                ]
            ),
        )

    async def _personal_chat(self, ctx: ActivityContext[Any]) -> str:
        """The 1:1 chat with the sender (Teams creates it, or finds the existing one)."""
        activity = ctx.activity
        tenant = reference_of(activity).tenant_id or self.settings.teams_tenant_id or ""
        user = activity.from_.aad_object_id or activity.from_.id
        created = await ctx.api.conversations.create(
            personal_conversation_params(activity.recipient.id, tenant, user)
        )
        return str(created.id)

    async def on_file_consent(self, ctx: ActivityContext[FileConsentInvokeActivity]) -> None:
        """The admin's answer to the consent card: upload the pack, or leave it."""
        value = ctx.activity.value
        context = value.context if isinstance(value.context, dict) else {}
        token, plan = str(context.get("report", "")), str(context.get("plan", "PLAN"))
        who = await self.who(ctx)
        if value.action != Action.ACCEPT:
            await asyncio.to_thread(drop_report, self.sessions, token=token, for_user=who.user_id)
            await self.send(
                ctx,
                Reply(
                    lines=[
                        f"No problem: the {plan} committee pack was not saved. Type "
                        f"`admin report {plan}` whenever you want it."
                    ]
                ),
            )
            return
        made = await asyncio.to_thread(
            held_report, self.sessions, token=token, for_user=who.user_id, now=self.clock.now()
        )
        info = value.upload_info
        if made is None or info is None or not info.upload_url:
            await self.send(
                ctx,
                error(
                    "That report is no longer waiting (it was sent already, or offered more "
                    f"than a day ago). Type `admin report {plan}` for a fresh one."
                ),
            )
            return
        try:
            await upload(info.upload_url, made.content)
        except UploadFailed as exc:
            log.warning("Teams report upload failed: %s", exc)
            await self.send(
                ctx,
                error(
                    f"The report was made but could not be saved to your OneDrive ({exc}). "
                    f"Type `admin report {plan}` to try again, or use `actionbot report`."
                ),
            )
            return
        await asyncio.to_thread(drop_report, self.sessions, token=token, for_user=who.user_id)
        name = info.name or made.filename
        await ctx.send(
            file_info_activity(
                info,
                render.escape(
                    f"{name} is in your OneDrive: every action, what changed since the last "
                    "report, and the slipped, overdue and escalated lists."
                ),
            )
        )

    @staticmethod
    async def send(ctx: ActivityContext[Any], reply: Reply) -> None:
        for card in render.reply_cards(reply):
            await ctx.send(card_activity(render.summary(reply), [card]))

    # -- installs and membership: keep the conversation reference ---------------------

    async def on_install(self, ctx: ActivityContext[InstalledActivity]) -> None:
        await self.remember(ctx, await self.who(ctx))

    async def on_uninstall(self, ctx: ActivityContext[UninstalledActivity]) -> None:
        """They removed actionbot: Teams refuses everything sent to them from now on, so
        nothing is (the admins' summary says so when a reminder is held back)."""
        sender = ctx.activity.from_
        who = Who("teams", sender.aad_object_id or sender.id, alias=sender.id)
        if is_personal(ctx.activity):
            await asyncio.to_thread(forget_teams, self.sessions, who, now=self.clock.now())
        log.info("actionbot was removed from Teams conversation %s", ctx.activity.conversation.id)

    async def on_conversation_update(
        self, ctx: ActivityContext[ConversationUpdateActivity]
    ) -> None:
        added = ctx.activity.members_added or []
        if any(m.id == ctx.activity.recipient.id for m in added):
            await self.remember(ctx, await self.who(ctx))

    # -- card buttons -----------------------------------------------------------------

    async def _clicked(
        self, ctx: ActivityContext[AdaptiveCardInvokeActivity]
    ) -> tuple[Who, dict[str, Any]]:
        """Who clicked (remembered for later messages) and what the button carries."""
        who = await self.who(ctx)
        await self.remember(ctx, who)
        return who, dict(ctx.activity.value.action.data or {})

    async def on_import_click(
        self, ctx: ActivityContext[AdaptiveCardInvokeActivity]
    ) -> InvokeAnswer:
        who, data = await self._clicked(ctx)
        return await self._import_click(ctx, who, data)

    async def on_map_owner(self, ctx: ActivityContext[AdaptiveCardInvokeActivity]) -> InvokeAnswer:
        who, data = await self._clicked(ctx)
        return await self._answered(ctx, await self._map_owner(ctx, who, data))

    async def on_action_click(
        self, ctx: ActivityContext[AdaptiveCardInvokeActivity]
    ) -> InvokeAnswer:
        """A button under an action (or a form it opened), a choice, or a verb not known."""
        who, data = await self._clicked(ctx)
        return await self._answered(ctx, await self._answer_click(who, data))

    async def _answered(self, ctx: ActivityContext[Any], answer: Answer | str) -> InvokeAnswer:
        if isinstance(answer, str):
            return AdaptiveCardActionMessageResponse(value=answer)
        if answer.shared:
            await self._update_for_everyone(ctx, answer.card)
        return AdaptiveCardActionCardResponse(value=answer.card)

    # -- the one error path ---------------------------------------------------------------

    async def on_error(self, ctx: ActivityContext[Any], kind: str) -> InvokeAnswer | None:
        """Whatever a handler raised: logged whole, and the person told that nothing was
        changed, in the form the activity can take (a card action answers its invoke)."""
        log.exception("unhandled error in a Teams %s", kind)
        if kind == "card action":
            return AdaptiveCardActionMessageResponse(value=SORRY_CLICK)
        await ctx.send(SORRY_REPORT if kind == "file consent answer" else SORRY_MESSAGE)
        return None

    async def _update_for_everyone(self, ctx: ActivityContext[Any], card: AdaptiveCard) -> None:
        """The invoke's answer redraws the card for the person who clicked only; in a channel
        or group chat everyone else would go on seeing the old status and buttons, so the
        posted message itself is updated (`PUT …/activities/{id}`)."""
        activity = ctx.activity
        if is_personal(activity) or not activity.reply_to_id:
            return
        try:
            await ctx.api.conversations.update_activity(
                activity.conversation.id, activity.reply_to_id, card_activity("actionbot", [card])
            )
        except Exception as exc:  # noqa: BLE001 - the clicker has the answer either way
            log.warning("could not update the card in Teams conversation for everyone: %s", exc)

    async def _import_click(
        self, ctx: ActivityContext[Any], who: Who, data: dict[str, Any]
    ) -> InvokeAnswer:
        """Import, Cancel or Preview again under a preview: the service decides. The outcome
        replaces the clicked card; a refusal leaves it and answers beside it."""
        answer: ChatImportAnswer = await asyncio.to_thread(
            decide,
            self.sessions,
            str(data.get("value", "")),
            cast(Decision, str(data["action"])),
            platform="teams",
            user_id=who.user_id,
            email=who.email,
            admins=self.settings.admin_ids,
            now=self.clock.now(),
            attach=False,
        )
        reply = answer.reply
        if not reply.ok and not reply.choices:
            return AdaptiveCardActionMessageResponse(value=render.summary(reply))
        cards = render.reply_cards(reply)
        for card in cards[1:]:  # a long fresh preview: the rest follows as messages
            await ctx.send(card_activity(render.summary(reply), [card]))
        return AdaptiveCardActionCardResponse(value=cards[0])

    async def _map_owner(
        self, ctx: ActivityContext[Any], who: Who, data: dict[str, Any]
    ) -> Answer | str:
        """ "Map…" opens the form (for those the service lets run `admin owner`: anyone else
        is told so at the click); its Save runs the same `admin owner` command as text."""
        owner = str(data.get("owner") or "")
        if str(data.get("action")) == render.MAP_OWNER:
            refused = await asyncio.to_thread(
                form_refusal,
                self.sessions,
                who,
                buttons.owner_form(owner),
                admins=self.settings.admin_ids,
                default_tz=self.settings.tz,
                now=self.clock.now(),
            )
            return Answer(render.map_owner_form(owner=owner)) if refused is None else refused.text
        holders, deputies = _picked(data.get("holders")), _picked(data.get("deputies"))
        if not holders:
            return Answer(render.map_owner_form(owner=owner, problem="Choose at least one holder."))
        command = buttons.owner(owner, holders, deputies)
        people = await self.mentioned_people(ctx, dict.fromkeys([*holders, *deputies]), {})
        outcome = await self.converse(who, command=command, mentioned=people)
        if not outcome.reply.ok:
            return Answer(render.map_owner_form(owner=owner, problem=outcome.reply.lines[0]))
        return Answer(render.reply_cards(outcome.reply)[0])

    async def _answer_click(self, who: Who, data: dict[str, Any]) -> Answer | str:
        kind = str(data.get("action", ""))
        head = str(data.get("head") or "")
        if kind == render.CHOOSE:
            pinned, _, raw = str(data.get("value", "")).partition("|")
            if not pinned.isdigit():
                return "That choice is no longer valid."
            outcome = await self.converse(who, text=raw, pinned_action_id=int(pinned))
            return Answer(render.reply_cards(outcome.reply)[0])
        action_id = int(str(data.get("action_id", "0")) or "0")
        ids = [int(i) for i in str(data.get("ids", "")).split(",") if i.isdigit()] or [action_id]
        ids_text = ",".join(str(i) for i in ids)
        today = local_today(self.clock.now(), self.settings.tz)
        ref = await asyncio.to_thread(action_ref, self.sessions, action_id)
        if ref is None:
            return "That action no longer exists."

        def date_form(**kept: Any) -> Answer:
            return Answer(
                render.new_date_form(
                    action_id=action_id,
                    label=ref.label,
                    ids=ids_text,
                    head=head,
                    current=ref.due,
                    today=today,
                    **kept,
                )
            )

        def update_form(**kept: Any) -> Answer:
            return Answer(
                render.add_update_form(
                    action_id=action_id, label=ref.label, ids=ids_text, head=head, **kept
                )
            )

        if kind == "new_date":
            return date_form()
        if kind == "add_update":
            return update_form()
        if kind == render.SHOW:
            return Answer(await self._refreshed(Reply(), ids, today, head=head))
        if kind in CLOSURE_VERBS or buttons.done_opens_form(kind, verified=ref.verified):
            step = review_step(kind, ref, data, action_id=action_id, ids=ids_text, head=head)
            if isinstance(step, AdaptiveCard):
                return Answer(step)
            done = await self.converse(who, command=step, pinned_action_id=action_id)
            return Answer(review_answer(done.reply))
        command: Command | buttons.FormProblems
        if kind in buttons.QUICK:
            command = buttons.quick(kind, ref.target)
        elif kind == render.SAVE_DATE:
            picked = str(data.get("new_due") or "") or None
            reason = str(data.get("reason") or "").strip()
            command = buttons.revision(ref.target, picked, reason, today=today)
            if isinstance(command, buttons.FormProblems):
                return date_form(problem=command.text, picked=picked, reason=reason)
        elif kind == render.SAVE_UPDATE:
            note = str(data.get("note") or "").strip()
            rag = str(data.get("rag") or "none")
            command = buttons.update(ref.target, note, rag)
            if isinstance(command, buttons.FormProblems):
                return update_form(problem=command.text, note=note, rag=rag)
        else:
            return Answer(render.refreshed_card(error("I don't know that button."), []))
        outcome = await self.converse(who, command=command, pinned_action_id=action_id)
        card = await self._refreshed(
            outcome.reply, ids, today, head=head, changed=action_id if outcome.reply.ok else None
        )
        return Answer(card, shared=outcome.reply.ok)

    async def _refreshed(
        self, reply: Reply, ids: list[int], today: date, *, head: str, changed: int | None = None
    ) -> AdaptiveCard:
        cards = await asyncio.to_thread(current_cards, self.sessions, ids, today=today)
        return render.refreshed_card(
            Reply(lines=reply.lines, ok=reply.ok), cards, head=head, changed=changed
        )


@dataclass(frozen=True)
class Answer:
    """The card that replaces the one clicked; `shared`: what it shows changed for everyone
    who sees that card (a form, or a refusal, is only the clicker's)."""

    card: AdaptiveCard
    shared: bool = False


def sent_files(activity: MessageActivity) -> list[tuple[str, FileDownloadInfo]]:
    """Files sent with a message in a personal chat: (name, where to fetch it)."""
    if activity.conversation.conversation_type not in (None, "personal"):
        return []
    found = []
    for attachment in activity.attachments or []:
        if attachment.content_type != FILE_DOWNLOAD_INFO_CONTENT_TYPE:
            continue
        content = attachment.content
        try:
            info = (
                content
                if isinstance(content, FileDownloadInfo)
                else FileDownloadInfo.model_validate(content)
            )
        except ValueError:
            continue
        found.append((attachment.name or f"file.{info.file_type or 'csv'}", info))
    return found


def register(app: App, door: TeamsDoor) -> None:
    """Wire every Teams handler to the door, each behind the door's one error path. Card
    buttons are routed by their verb (`data.action`), one registration per verb."""

    def guarded(kind: str, handler: Handler) -> Handler:
        async def run(ctx: ActivityContext[Any]) -> Any:
            try:
                return await handler(ctx)
            except Exception as error:
                if outage_of(error) is not None:
                    raise  # the register is down: the gate before the door answers 503
                return await door.on_error(ctx, kind)

        return run

    app.on_message(guarded("message handler", door.on_message))
    # Nobody waits on these: a failure is the SDK's to log and answer (a 500 Teams retries).
    app.on_install_add(door.on_install)
    app.on_install_remove(door.on_uninstall)
    app.on_conversation_update(door.on_conversation_update)
    for verb in render.IMPORT_BUTTONS:
        app.on_card_action_execute(verb, guarded("card action", door.on_import_click))
    for verb in (render.MAP_OWNER, render.SAVE_OWNER):
        app.on_card_action_execute(verb, guarded("card action", door.on_map_owner))
    action_verbs = (*buttons.QUICK, *render.OPEN_FORM, render.SAVE_DATE, render.SAVE_UPDATE)
    for verb in (*action_verbs, *sorted(CLOSURE_VERBS), render.SHOW, render.CHOOSE):
        app.on_card_action_execute(verb, guarded("card action", door.on_action_click))
    # Last, so a verb registered above is answered there: any other (an old card's button).
    app.on_card_action_execute(guarded("card action", door.on_action_click))
    app.on_file_consent(guarded("file consent answer", door.on_file_consent))
