"""Charts in Teams: the PNG rides inside the Adaptive Card as a data: URL while the whole card stays under
28 KB, else beside it as an inline image attachment; the card validates against the 1.5 schema either way."""

from __future__ import annotations

import base64
import io
import json
import random

from PIL import Image

from bot.teams.bot import card_activity
from bot.teams.cards import MAX_CARD_WITH_IMAGE_BYTES, has_picture, render
from handlers.reply import Attachment, Reply
from tests.support.fake_connector import FakeConnector
from tests.teams.conftest import TeamsServer, valid_card

DATA_PNG = "data:image/png;base64,"


def png_of(url: str) -> Image.Image:
    assert url.startswith(DATA_PNG)
    image = Image.open(io.BytesIO(base64.b64decode(url[len(DATA_PNG):])))
    image.load()
    return image


def noise_png(side: int) -> bytes:
    """A PNG that doesn't compress: random pixels."""
    rng = random.Random(7)
    image = Image.frombytes("RGB", (side, side), bytes(rng.randrange(256) for _ in range(side * side * 3)))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_a_chart_rides_inside_the_card_under_28_kb(server: TeamsServer, connector: FakeConnector) -> None:
    assert server.say("chart acme-web").status_code == 200
    [reply] = connector.messages()
    card = valid_card(reply.card)
    assert len(json.dumps(card).encode()) < MAX_CARD_WITH_IMAGE_BYTES
    [image] = [b for b in card["body"] if b["type"] == "Image"]
    assert png_of(image["url"]).size == (1280, 720)
    assert image["altText"].startswith("Burn-up of Website Relaunch (acme-web)")
    assert len(reply.body["attachments"]) == 1  # nothing beside the card


def test_a_picture_too_big_for_the_card_goes_beside_it_as_an_inline_image() -> None:
    big = Attachment("big.png", noise_png(110), "Random pixels that don't compress")
    assert len(base64.b64encode(big.content)) > MAX_CARD_WITH_IMAGE_BYTES
    reply = Reply(title="A big picture", summary="What it shows, in words.", attachment=big)
    card = valid_card(render(reply))
    assert not has_picture(card)
    activity = card_activity(reply)
    assert len(activity.attachments) == 2
    inline = activity.attachments[1]
    assert inline.content_type == "image/png" and inline.name == "big.png"
    assert png_of(inline.content_url).size == (110, 110)


def test_the_account_card_validates_with_its_chart_inside_or_beside(server: TeamsServer,
                                                                     connector: FakeConnector) -> None:
    assert server.say("account acme").status_code == 200
    [reply] = connector.messages()
    card = valid_card(reply.card)
    if has_picture(card):
        assert len(json.dumps(card).encode()) < MAX_CARD_WITH_IMAGE_BYTES
        assert len(reply.body["attachments"]) == 1
    else:
        [_, inline] = reply.body["attachments"]
        assert png_of(inline["contentUrl"]).size == (1280, 720)


def test_a_report_pdf_in_teams_says_where_to_get_it_and_the_card_validates(server: TeamsServer,
                                                                            connector: FakeConnector) -> None:
    assert server.say("report acme-web pdf").status_code == 200
    [reply] = connector.messages()
    card = valid_card(reply.card)
    assert "can't hand over a PDF" in json.dumps(card)
    assert len(reply.body["attachments"]) == 1
