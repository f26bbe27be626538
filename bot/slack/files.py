"""Charts and report PDFs to Slack, with ``files_upload_v2``: ``files.getUploadURLExternal``, the bytes
POSTed to the URL it returns, then ``files.completeUploadExternal`` into the conversation with the
picture's description as ``alt_txt`` and as the initial comment.

Where the file goes: an ephemeral answer can't carry a file, so unless the line said ``share`` in a
channel the file goes to the caller's DM with Steward (``conversations.open``), and the answer in the
channel says so. The answer's text is sent in every case, after the upload, so a failed upload still
leaves the user the whole answer in words, with a line saying the picture didn't make it.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks import MAX_MESSAGE_BLOCKS, Rendered, cut
from handlers.reply import Attachment

log = logging.getLogger(__name__)

MAX_ALT_TEXT = 1000  # Slack's limit on alt_txt
MAX_COMMENT = 3000


def _what(attachment: Attachment) -> str:
    return "picture" if attachment.is_image else "PDF"


async def dm_with(client: AsyncWebClient, user: str) -> str:
    """The id (D…) of the user's DM with Steward."""
    opened = await client.conversations_open(users=user)
    return str(opened["channel"]["id"])


async def upload(client: AsyncWebClient, attachment: Attachment, channel: str, thread_ts: str | None = None) -> bool:
    """Upload into ``channel``; False (logged, never raised) when any of the three steps fails."""
    try:
        await client.files_upload_v2(
            channel=channel, content=attachment.content, filename=attachment.filename, title=attachment.filename,
            alt_txt=cut(attachment.alt, MAX_ALT_TEXT) if attachment.is_image else None,
            initial_comment=cut(attachment.alt, MAX_COMMENT), thread_ts=thread_ts,
        )
        return True
    except SlackApiError as exc:
        log.error("Slack file upload of %s to %s failed: %s", attachment.filename, channel,
                  exc.response.get("error") if exc.response is not None else exc)
    except Exception:
        log.exception("Slack file upload of %s to %s failed", attachment.filename, channel)
    return False


async def deliver(client: AsyncWebClient, attachment: Attachment, *, user: str, channel: str | None,
                  in_conversation: bool, thread_ts: str | None = None) -> str:
    """Upload into the conversation (``in_conversation``: a DM with Steward, or ``share`` in a channel)
    or else into the user's DM with Steward. Returns the note for the text answer ("" when there is
    nothing to add)."""
    what = _what(attachment)
    try:
        target = channel if in_conversation and channel else await dm_with(client, user)
    except Exception:
        log.exception("could not open the DM with %s for %s", user, attachment.filename)
        return f"The {what} couldn't be sent to you just now; the answer above says what it shows."
    if not await upload(client, attachment, target, thread_ts if target == channel else None):
        return f"The {what} couldn't be uploaded just now; the answer above says what it shows."
    if target != channel:
        return f"The {what} is in your direct messages with Steward."
    return ""


def with_note(message: dict[str, Any], note: str) -> dict[str, Any]:
    """The message with a context line at the end (when there is room under Slack's block limit)."""
    if not note:
        return message
    blocks = list(message.get("blocks") or [])
    if len(blocks) < MAX_MESSAGE_BLOCKS:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": note}]})
    return {**message, "blocks": blocks, "text": f"{message.get('text', '')} ({note})"[:3000]}


def noted(rendered: Rendered, note: str) -> Rendered:
    message = with_note(rendered.message(), note)
    return Rendered(message["text"], message["blocks"])
