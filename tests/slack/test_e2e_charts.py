"""Charts over Slack end to end: files_upload_v2's three calls reach the fake with a valid PNG, into the
caller's DM unless ``share`` was said, and a failed upload still leaves the whole answer in words."""

from __future__ import annotations

import io
import json

from PIL import Image

from tests.slack.conftest import Server

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def assert_valid_png(content: bytes) -> None:
    assert content.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(content))
    image.verify()  # a truncated or corrupt file raises here
    assert Image.open(io.BytesIO(content)).size == (1280, 720)


def test_chart_in_a_channel_uploads_to_the_callers_dm_in_three_steps_and_says_so(server: Server) -> None:
    answer, key = server.command("/chart", "acme-web")
    assert answer.status_code == 200
    [done] = server.fake.wait_for("files.completeUploadExternal")
    [asked] = server.fake.of("files.getUploadURLExternal")
    [uploaded] = server.fake.of("upload")
    assert asked.body["filename"] == "acme-web-burn.png"
    assert int(asked.body["length"]) == len(uploaded.body["content"])
    assert "Burn-up of Website Relaunch (acme-web)" in asked.body["alt_txt"]
    assert_valid_png(uploaded.body["content"])
    [opened] = server.fake.of("conversations.open")
    assert opened.body["users"] == "UDANA"
    assert done.body["channel_id"] == "DUDANA"
    assert done.body["initial_comment"] == asked.body["alt_txt"]
    assert [f["id"] for f in done.body["files"]] == [uploaded.body["file_id"]]
    [posted] = server.fake.wait_for("response_url", where=lambda c: c.body["_key"] == key)
    assert posted.body["response_type"] == "ephemeral"
    assert "in your direct messages with Steward" in json.dumps(posted.body["blocks"])


def test_chart_share_uploads_into_the_channel_and_answers_in_channel(server: Server) -> None:
    _, key = server.command("/chart", "acme share")
    [done] = server.fake.wait_for("files.completeUploadExternal")
    assert done.body["channel_id"] == "C0ACMEWEB"
    assert server.fake.of("conversations.open") == []
    assert_valid_png(server.fake.of("upload")[0].body["content"])
    assert "Acme Corp, 2 projects" in done.body["initial_comment"]
    [posted] = server.fake.wait_for("response_url", where=lambda c: c.body["_key"] == key)
    assert posted.body["response_type"] == "in_channel"


def test_a_failed_upload_falls_back_to_the_text_answer(server: Server) -> None:
    server.fake.fail["files.completeUploadExternal"] = "not_in_channel"
    _, key = server.command("/chart", "acme-web share")
    [posted] = server.fake.wait_for("response_url", where=lambda c: c.body["_key"] == key)
    blocks = json.dumps(posted.body["blocks"])
    assert "Burn-up of Website Relaunch (acme-web)" in blocks  # the answer in words
    assert "couldn't be uploaded" in blocks


def test_a_failed_upload_to_the_url_falls_back_too(server: Server) -> None:
    server.fake.fail["upload"] = "broken"
    _, key = server.command("/chart", "acme-web")
    [posted] = server.fake.wait_for("response_url", where=lambda c: c.body["_key"] == key)
    assert "couldn't be uploaded" in json.dumps(posted.body["blocks"])
    assert server.fake.of("files.completeUploadExternal") == []


def test_chart_in_the_dm_with_steward_uploads_right_there(server: Server) -> None:
    server.event({"type": "message", "channel_type": "im", "channel": "DUDANA", "user": "UDANA",
                  "text": "chart acme-web", "ts": "1700000000.000200"})
    [done] = server.fake.wait_for("files.completeUploadExternal")
    assert done.body["channel_id"] == "DUDANA"
    [message] = server.fake.wait_for("chat.postMessage")
    assert "direct messages" not in json.dumps(message.body.get("blocks"))


def test_the_chart_button_on_a_budget_answer_sends_the_chart_to_the_clickers_dm(server: Server) -> None:
    _, key = server.command("/budget", "acme-web")
    [posted] = server.fake.wait_for("response_url", where=lambda c: c.body["_key"] == key)
    buttons = [e for b in posted.body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    [chart] = [b for b in buttons if b["text"]["text"] == "Chart"]
    server.click(chart["value"], key="chart-click")
    [done] = server.fake.wait_for("files.completeUploadExternal")
    assert done.body["channel_id"] == "DUDANA"
    assert_valid_png(server.fake.of("upload")[0].body["content"])


def test_the_money_charts_upload_like_the_burn_up(server: Server) -> None:
    server.command("/chart", "acme ar")
    [done] = server.fake.wait_for("files.completeUploadExternal")
    [asked] = server.fake.of("files.getUploadURLExternal")
    assert asked.body["filename"] == "acme-ar.png"
    assert asked.body["alt_txt"].startswith("Receivables aging of Acme Corp")
    assert_valid_png(server.fake.of("upload")[0].body["content"])
    assert done.body["initial_comment"] == asked.body["alt_txt"]
    server.command("/chart", "me pipeline")
    server.fake.wait_for("files.completeUploadExternal", count=2)
    [_, second] = server.fake.wait_for("files.getUploadURLExternal", count=2)
    assert second.body["filename"].startswith("me-pipeline-") and second.body["alt_txt"].startswith("Your pipeline")
    assert_valid_png(server.fake.wait_for("upload", count=2)[1].body["content"])
