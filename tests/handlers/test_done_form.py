"""The Done… form on a plan whose closure is verified: Slack's modal with a file input (each
file looked up and fetched from Slack's file host when the form is sent), Teams' card (links
and a note; a file comes in the chat), the console's questions. A plan without a verifier
keeps its one-click Done."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.handlers.console import DoneForm
from bot.render.terminal import reply_render
from store.models import Evidence, Review
from tests.handlers.test_closure_scenarios import LINK, action_id, said, state
from tests.handlers.test_closure_scenarios import slack as slack  # noqa: F401 (fixture)
from tests.handlers.test_closure_scenarios import teams as teams  # noqa: F401 (fixture)
from tests.handlers.test_console import seeded
from tests.harness import SlackWorld
from tests.services.test_closure import closure_plan
from tests.teams_harness import TeamsWorld

HOSTILE = "<!channel> *bold* `x` <tag> \x07 🎉 " + "é" * 1400


def slack_values(links: str = "", note: str = "", files: Any = None) -> dict[str, Any]:
    return {
        "links": {"value": {"type": "plain_text_input", "value": links or None}},
        "note": {"value": {"type": "plain_text_input", "value": note or None}},
        "files": {"value": files or {"type": "file_input", "files": []}},
    }


def notes(sessions: sessionmaker[Session]) -> list[str | None]:
    with sessions() as session:
        return list(session.scalars(select(Review.note).order_by(Review.id)))


def kept(sessions: sessionmaker[Session]) -> list[tuple[str, str | None, bytes | None]]:
    with sessions() as session:
        rows = session.scalars(select(Evidence).order_by(Evidence.id))
        return [(e.kind, e.url or e.filename, e.content) for e in rows]


def test_slack_done_opens_the_form_whose_file_is_fetched_from_slack(slack: SlackWorld) -> None:
    sessions = slack.runtime.sessions
    own = action_id(sessions, "2.4")
    slack.click("action_done", str(own), user="UFIN")
    view = slack.fake.wait_for("views.open")[-1].params["view"]
    assert view["callback_id"] == "closure_done" and view["private_metadata"] == str(own)
    [file_input] = [b["element"] for b in view["blocks"] if b.get("block_id") == "files"]
    assert file_input["type"] == "file_input" and "pdf" in file_input["filetypes"]
    assert state(sessions, "2.4")[2] == []  # the click changed nothing by itself

    data = b"%PDF-1.4 the signed minutes"
    shared = slack.fake.share_file("minutes <!channel> *b*.pdf", data, user="UFIN")
    values = slack_values(LINK, HOSTILE, slack.fake.file_input_value(shared["id"]))
    slack.submit("closure_done", values, user="UFIN", metadata=str(own))
    assert state(sessions, "2.4")[2] == ["pending"]
    assert notes(sessions) == [HOSTILE.strip()]  # exactly as typed
    assert kept(sessions) == [
        ("link", LINK, None),
        ("file", "minutes <!channel> *b*.pdf", data),
    ]
    assert slack.fake.shared[shared["id"]].downloads == 1
    answer = said(slack.fake.calls_to("chat.postMessage")[-1].params)
    assert "with 2 pieces of evidence and awaits verification" in answer


def test_slack_done_form_with_a_file_slack_does_not_know_changes_nothing(
    slack: SlackWorld,
) -> None:
    sessions = slack.runtime.sessions
    own = action_id(sessions, "2.4")
    forged = {"type": "file_input", "files": [{"id": "F0NOTREAL", "name": "x.pdf", "size": 3}]}
    slack.submit("closure_done", slack_values(files=forged), user="UFIN", metadata=str(own))
    answer = said(slack.fake.calls_to("chat.postMessage")[-1].params)
    assert "Slack answered file_not_found" in answer and "Nothing was changed" in answer
    assert state(sessions, "2.4")[2] == [] and kept(sessions) == []


def test_slack_done_form_refuses_a_link_that_is_not_one_beside_its_field(
    slack: SlackWorld,
) -> None:
    sessions = slack.runtime.sessions
    own = action_id(sessions, "2.4")
    refused = slack.submit(
        "closure_done", slack_values("ftp://files.example/x"), user="UFIN", metadata=str(own)
    ).json()
    assert (
        refused["response_action"] == "errors" and "is not a web link" in refused["errors"]["links"]
    )
    assert state(sessions, "2.4")[2] == []


def test_slack_done_form_file_of_a_type_the_plan_refuses_names_its_types(
    slack: SlackWorld,
) -> None:
    from tests.cli.test_cli import run

    sessions = slack.runtime.sessions
    run(slack.runtime.settings.database_url, "plans", "set", "NCC", "--evidence-types", "pdf")
    own = action_id(sessions, "2.4")
    shared = slack.fake.share_file("budget.xlsx", b"PK", user="UFIN")
    values = slack_values(files=slack.fake.file_input_value(shared["id"]))
    slack.submit("closure_done", values, user="UFIN", metadata=str(own))
    answer = said(slack.fake.calls_to("chat.postMessage")[-1].params)
    assert "not a kind of file kept as evidence on NCC; accepted: pdf." in answer
    assert state(sessions, "2.4")[2] == [] and kept(sessions) == []


def test_slack_done_without_a_verifier_still_closes_at_once(slack: SlackWorld) -> None:
    sessions = slack.runtime.sessions
    closure_plan(sessions, verify=None, approve=None)
    slack.click("action_done", str(action_id(sessions, "2.4")), user="UFIN")
    assert state(sessions, "2.4")[0] == "done"
    assert slack.fake.calls_to("views.open") == []


def test_teams_done_shows_the_form_that_says_how_to_send_a_file(teams: TeamsWorld) -> None:
    from tests.teams_harness import executes

    sessions = teams.runtime.sessions
    fiona = teams.fake.add_user(
        "aaaaaaaa-0000-0000-0000-00000000f1a0", name="Fiona", email="finance@northants.example"
    )
    own = action_id(sessions, "2.4")
    data = {"action_id": str(own), "ids": str(own)}
    form = teams.click(fiona, {**data, "action": "done"})["value"]
    assert [b["verb"] for b in executes(form)][0] == "save_done"
    assert "send it to me in this chat with the words “NCC:2.4 done”" in said(form)
    assert {"links", "note"} <= {e.get("id") for e in form["body"]}
    assert state(sessions, "2.4")[2] == []
    again = teams.click(fiona, {**data, "action": "save_done", "links": "www.x", "note": "n"})
    assert "is not a web link" in said(again) and state(sessions, "2.4")[2] == []
    teams.click(fiona, {**data, "action": "save_done", "links": LINK, "note": HOSTILE})
    assert state(sessions, "2.4")[2] == ["pending"] and notes(sessions) == [HOSTILE.strip()]
    assert kept(sessions) == [("link", LINK, None)]


def test_teams_done_without_a_verifier_still_closes_at_once(teams: TeamsWorld) -> None:
    sessions = teams.runtime.sessions
    closure_plan(sessions, verify=None, approve=None)
    fiona = teams.fake.add_user(
        "aaaaaaaa-0000-0000-0000-00000000f1a0", name="Fiona", email="finance@northants.example"
    )
    own = action_id(sessions, "2.4")
    teams.click(fiona, {"action_id": str(own), "ids": str(own), "action": "done"})
    assert state(sessions, "2.4")[0] == "done"


def test_console_done_asks_for_paths_links_and_a_note(
    db_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    console = seeded(db_url, sessions)
    closure_plan(sessions, verify="Internal Audit", approve=None)
    finance = console.user("Finance")
    view = reply_render(console.say(finance, "2.4").reply)
    form = console.click(finance, view.choices[0])
    assert isinstance(form, DoneForm) and "pdf" in form.questions[0][1]
    spaced = tmp_path / "signed minutes.pdf"
    spaced.write_bytes(b"%PDF signed")
    missing = console.submit_done(finance, form, {"paths": str(tmp_path / "gone.pdf")})
    assert not missing.reply.ok and "No file at" in missing.reply.text
    done = console.submit_done(
        finance, form, {"paths": f"'{spaced}'", "links": LINK, "note": HOSTILE}
    )
    assert done.reply.ok, done.reply.text
    assert notes(sessions) == [HOSTILE.strip()]
    assert kept(sessions) == [("link", LINK, None), ("file", "signed minutes.pdf", b"%PDF signed")]


def test_console_done_without_a_verifier_still_closes_at_once(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    console = seeded(db_url, sessions)
    finance = console.user("Finance")
    view = reply_render(console.say(finance, "2.4").reply)
    done = console.click(finance, view.choices[0])
    assert not isinstance(done, str | DoneForm) and done.reply.ok


def test_actionbot_chat_asks_the_done_form_questions_at_the_terminal(
    db_url: str, tmp_path: Path
) -> None:
    from tests.app.test_chat import chat, cli, events, register

    register(db_url)
    cli(db_url, "plans", "set", "NCC", "--verify-by", "Internal Audit")
    minutes = tmp_path / "minutes.pdf"
    minutes.write_bytes(b"%PDF minutes")
    out = chat(db_url, "2.7", "1", str(minutes), LINK, "*signed* <!channel>")
    assert "Files to add" in out and "Evidence links" in out
    assert "awaits verification by Internal Audit" in " ".join(out.split())
    kinds = [(field, new) for source, field, new in events(db_url, "2.7") if source == "console"]
    assert ("verification", "requested") in kinds and ("evidence", LINK) in kinds
    assert any(f == "evidence" and (n or "").startswith("minutes.pdf (") for f, n in kinds)
