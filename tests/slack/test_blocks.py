"""The Block Kit renderer: what a Reply becomes, and that it stays within Slack's limits."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block

from bot.slack.blocks import MAX_VIEW_BLOCKS, render
from handlers.reply import Action, Fact, Reply, Section, Severity, Tone
from storage.uow import build_uow_factory, ensure_schema
from tests.handlers.world import seed


def assert_within_limits(blocks: list[dict[str, Any]], max_blocks: int = 50) -> None:
    assert len(blocks) <= max_blocks
    for b in blocks:
        Block.parse(b).validate_json()  # slack_sdk's own checks of Slack's limits
        if b["type"] == "section":
            assert len(b.get("text", {}).get("text", "")) <= 3000
            assert len(b.get("fields", [])) <= 10
        if b["type"] == "actions":
            assert len(b["elements"]) <= 25
        if b["type"] == "header":
            assert len(b["text"]["text"]) <= 150
    ids = [e["action_id"] for b in blocks for e in b.get("elements", []) if "action_id" in e]
    assert len(ids) == len(set(ids))


def test_a_client_with_60_projects_stays_within_block_kit_limits(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'big.db'}"
    ensure_schema(url)
    world = seed(build_uow_factory(url), extra_projects=60, entries_per_project=1)
    reply = world.say("budget acme")
    assert reply.ok and len(reply.sections[0].lines) == 62
    out = render(reply)
    assert_within_limits(out.blocks)
    text = "\n".join(b.get("text", {}).get("text", "") for b in out.blocks if b["type"] == "section")
    assert "more" in text  # the long list was cut with "…and N more"
    assert out.text and len(out.text) <= 3000


def test_many_sections_many_facts_and_buttons_are_cut_to_fit() -> None:
    reply = Reply(
        title="T" * 400, summary="s" * 7000,
        facts=tuple(Fact(f"Fact {i}", "v" * 3000, Tone.AMBER) for i in range(23)),
        sections=tuple(Section(title=f"S{i}", lines=tuple("x" * 500 for _ in range(20)),
                               facts=(Fact("a", "b"),),
                               actions=tuple(Action(f"Do {j}", f"approve A{j}", "primary") for j in range(30)))
                       for i in range(80)),
        actions=tuple(Action("L" * 200, "budget acme", confirm="Sure?") for _ in range(40)),
        footer="f" * 5000,
    )
    for limit in (50, MAX_VIEW_BLOCKS):
        out = render(reply, max_blocks=limit)
        assert_within_limits(out.blocks, limit)
        assert "more items not shown" in str(out.blocks)


def test_rag_is_shown_with_an_emoji_and_its_word_once_and_buttons_carry_their_command() -> None:
    reply = Reply(title="Acme · Website", summary="Amber — burning fast", tone=Tone.AMBER,
                  facts=(Fact("Burned", "$4,000 (40%)", Tone.AMBER), Fact("Budget", "$10,000")),
                  actions=(Action("Reject", "reject A3", "danger", confirm="Reject this allocation request?"),
                           Action("Budget", "budget acme-web")))
    out = render(reply)
    flat = str(out.blocks)
    assert out.blocks[0]["text"]["text"] == ":large_orange_circle: Acme · Website"
    assert ":large_orange_circle: $4,000 (40%)" in flat
    assert flat.count("Amber") == 1  # the summary says it; no badge or fact repeats it
    # Without the word in the text, the header's word is added once.
    plain = str(render(Reply(title="Acme · Website", tone=Tone.RED)).blocks)
    assert plain.count(":red_circle: Red") == 1
    [actions] = [b for b in out.blocks if b["type"] == "actions"]
    reject, budget = actions["elements"]
    assert reject["value"] == "reject A3" and reject["style"] == "danger"
    assert reject["confirm"]["text"]["text"] == "Reject this allocation request?"
    assert budget["value"] == "budget acme-web" and "style" not in budget
    assert reject["action_id"].startswith("steward:") and reject["action_id"] != budget["action_id"]


def test_every_message_has_a_plain_text_fallback_and_user_text_is_escaped() -> None:
    out = render(Reply(title="Oops", summary="<script> & friends", severity=Severity.ERROR))
    assert out.text.startswith("Error: Oops")
    assert "&lt;script&gt; &amp; friends" in str(out.blocks)
    # The fallback text is escaped exactly as the blocks: a status note can't ping the channel.
    note = render(Reply(title="Status", summary="<!channel> look & see <@U1>"))
    assert "&lt;!channel&gt; look &amp; see &lt;@U1&gt;" in note.text and "<!channel>" not in note.text
