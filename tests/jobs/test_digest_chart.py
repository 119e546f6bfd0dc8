"""The digest's chart reaches Slack through the outbox: after the text, into its thread,
by the real upload sequence; a failed upload is retried and never holds the text back."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.errors import SlackApiError

from bot.jobs.delivery import backoff
from bot.jobs.runner import run_delivery, run_digest
from tests.jobs.conftest import JobWorld

NOW = datetime(2018, 4, 16, 8, 30, tzinfo=UTC)


def test_chart_is_uploaded_into_the_digest_thread(jobs: JobWorld) -> None:
    jobs.at(NOW)
    result = run_digest(jobs.runtime, now=NOW, channel="CDIGEST")
    stats = run_delivery(jobs.runtime, {"slack": jobs.messenger}, sleep=jobs.sleep)
    assert stats.failed == 0 and stats.sent == 2  # the text, then the chart
    methods = [c.method for c in jobs.fake.calls]
    first_post = methods.index("chat.postMessage")
    get_url = methods.index("files.getUploadURLExternal")
    complete = methods.index("files.completeUploadExternal")
    assert first_post < get_url < complete
    assert methods[get_url + 1].startswith("upload:")  # the bytes go to the returned URL
    digest_ts = jobs.fake.calls_to("chat.postMessage")[0].response["ts"]
    [chart] = result.charts
    [shared] = jobs.fake.files.values()
    assert shared.completed and shared.channels == ["CDIGEST"]
    assert shared.thread_ts == digest_ts
    assert shared.data == chart.png and shared.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert shared.filename == "NCC-rag-by-theme-2018-04-16.png"
    assert shared.alt_txt and shared.alt_txt.startswith("NCC: actions by theme, 16 April 2018")
    # The text says what the picture shows.
    figures = shared.alt_txt.split(" actions: ")[1].rstrip(".")
    posted = json.dumps([c.params for c in jobs.fake.calls_to("chat.postMessage")])
    assert f"Chart by theme (in the thread): {figures}" in posted


def test_the_fake_refuses_to_complete_an_upload_whose_bytes_never_came(jobs: JobWorld) -> None:
    """What the tests above rely on: the fake checks the sequence, as Slack does."""
    client = jobs.messenger.client
    ticket = client.files_getUploadURLExternal(filename="chart.png", length=3)
    with pytest.raises(SlackApiError) as refused:
        client.files_completeUploadExternal(files=[{"id": ticket["file_id"]}], channel_id="CDIGEST")
    assert refused.value.response["error"] == "file_not_found"


def test_failed_upload_is_retried_and_the_text_still_goes(jobs: JobWorld) -> None:
    jobs.at(NOW)
    jobs.fake.fail("files.getUploadURLExternal", error="internal_error", status=500)
    run_digest(jobs.runtime, now=NOW, channel="CDIGEST")
    first = run_delivery(jobs.runtime, {"slack": jobs.messenger}, sleep=jobs.sleep)
    assert (first.sent, first.rescheduled, first.failed) == (1, 1, 0)
    assert jobs.fake.calls_to("chat.postMessage")
    assert not jobs.fake.files or not any(f.completed for f in jobs.fake.files.values())
    jobs.at(NOW + backoff(1))
    second = run_delivery(jobs.runtime, {"slack": jobs.messenger}, sleep=jobs.sleep)
    assert (second.sent, second.failed) == (1, 0)
    assert [f.completed for f in jobs.fake.files.values()] == [True]


def test_refused_upload_is_reported_like_any_delivery(jobs: JobWorld) -> None:
    jobs.at(NOW)
    jobs.fake.fail("files.completeUploadExternal", error="missing_scope")
    run_digest(jobs.runtime, now=NOW, channel="CDIGEST")
    stats = run_delivery(jobs.runtime, {"slack": jobs.messenger}, sleep=jobs.sleep)
    assert stats.failed == 1
    assert any("digest_chart" in f and "missing_scope" in f for f in stats.failures)
    assert jobs.fake.calls_to("chat.postMessage")  # the text went


def test_chart_waits_for_its_digest(jobs: JobWorld) -> None:
    """A chart row claimed before its digest (a second worker) waits rather than posting
    outside the thread."""
    jobs.at(NOW)
    jobs.fake.fail("chat.postMessage", error="internal_error", status=500)
    run_digest(jobs.runtime, now=NOW, channel="CDIGEST")
    first = run_delivery(jobs.runtime, {"slack": jobs.messenger}, sleep=jobs.sleep)
    assert first.sent == 0 and first.rescheduled == 2
    assert not jobs.fake.calls_to("files.getUploadURLExternal")
    jobs.at(NOW + timedelta(hours=1))
    second = run_delivery(jobs.runtime, {"slack": jobs.messenger}, sleep=jobs.sleep)
    assert second.sent == 2
    [shared] = jobs.fake.files.values()
    assert shared.thread_ts == jobs.fake.calls_to("chat.postMessage")[-1].response["ts"]
