"""The Teams endpoint end to end over HTTP: Emulator mode, replies as cards, identity, mentions in channels,
welcome cards, conversation references, redelivery and malformed requests."""

from __future__ import annotations

import time
from urllib.parse import unquote

from domain.model import Platform
from tests.support.fake_connector import FakeConnector
from tests.teams.conftest import BOT, CHANNEL, DANA, JANE, NOBODY, TeamsServer, personal, valid_card


def test_emulator_mode_answers_a_personal_message_with_a_card(server: TeamsServer, connector: FakeConnector) -> None:
    answer = server.say("budget acme-web")  # no Authorization header: Emulator mode
    assert answer.status_code == 200
    [reply] = connector.messages()
    assert reply.kind == "reply" and reply.conversation_id == personal(DANA) and reply.activity_id == "f:1"
    card = valid_card(reply.card)
    assert "Website Relaunch" in reply.card_text
    assert any(b["type"] == "FactSet" for b in card["body"])  # the figures
    assert card["body"][0]["style"] == "good"  # green budget: RAG as the container's colour
    assert reply.body["summary"].startswith("Acme Corp")  # the text fallback
    assert card["fallbackText"].startswith("Acme Corp")
    actions = card["actions"]
    assert actions[0]["type"] == "Action.Execute" and actions[0]["verb"] == "steward"
    assert actions[0]["data"] == {"command": "status acme-web"}
    assert actions[0]["fallback"]["type"] == "Action.Submit"  # clients without Universal Actions


def test_first_message_links_the_aad_object_id_and_later_ones_skip_the_lookup(
        server: TeamsServer, connector: FakeConnector) -> None:
    assert server.say("approvals").status_code == 200
    assert len(connector.of("member")) == 1
    with server.world.uow_factory() as uow:
        dana = uow.people.by_email("dana@example.com")
        assert dana is not None and dana.teams_id == "aad-dana"
        assert dana.last_platform is Platform.TEAMS
        ref = uow.conversations.personal(dana.id or 0, Platform.TEAMS)
    assert ref is not None and ref.conversation_id == personal(DANA) and ref.is_personal
    assert ref.reference["serviceUrl"] == connector.url
    assert ref.reference["user"]["id"] == DANA.id and ref.reference["bot"]["id"] == BOT["id"]
    assert server.say("approvals").status_code == 200
    assert len(connector.of("member")) == 1  # the AAD object id is enough now
    assert len(connector.messages()) == 2


def test_a_member_without_email_is_found_by_user_principal_name(server: TeamsServer, connector: FakeConnector) -> None:
    assert server.say("help", user=JANE).status_code == 200
    [reply] = connector.messages()
    assert "not registered" not in reply.card_text.lower()
    with server.world.uow_factory() as uow:
        jane = uow.people.by_email("jane@example.com")
    assert jane is not None and jane.teams_id == "aad-jane"


def test_an_unknown_teams_user_is_told_who_to_ask(server: TeamsServer, connector: FakeConnector) -> None:
    assert server.say("budget acme-web", user=NOBODY).status_code == 200
    [reply] = connector.messages()
    card = valid_card(reply.card)
    assert "not registered" in reply.card_text.lower()
    assert "Ada Admin" in reply.card_text  # the admin to ask
    assert card["body"][0]["style"] == "attention"
    with server.world.uow_factory() as uow:
        assert uow.people.by_teams_id("aad-nobody") is None
        ref = uow.conversations.get(Platform.TEAMS, personal(NOBODY))
    assert ref is not None and ref.person_id is None  # reachable later, tied to nobody


def test_a_user_teams_does_not_know_is_not_registered(server: TeamsServer, connector: FakeConnector) -> None:
    activity = server.activity(text="budget acme-web")
    activity["from"] = {"id": "29:ghost", "name": "Ghost"}  # no aadObjectId, not a member
    assert server.post(activity).status_code == 200
    [reply] = connector.messages()
    assert "not registered" in reply.card_text.lower()


def test_a_channel_message_that_mentions_the_bot_is_answered_in_its_thread(
        server: TeamsServer, connector: FakeConnector) -> None:
    thread = f"{CHANNEL};messageid=1700000000000"
    assert server.mention("budget acme-web", conversation=thread).status_code == 200
    [reply] = connector.messages()
    assert reply.kind == "reply" and reply.conversation_id == thread  # in the thread of the post
    assert "Website Relaunch" in reply.card_text
    valid_card(reply.card)
    with server.world.uow_factory() as uow:
        ref = uow.conversations.get(Platform.TEAMS, CHANNEL)  # the channel itself, not the thread
    assert ref is not None and not ref.is_personal and ref.person_id is None
    assert ref.reference["conversation"]["id"] == CHANNEL


def test_the_channel_is_the_context_of_a_channel_line(server: TeamsServer, connector: FakeConnector) -> None:
    assert server.mention("digest at 9:00 weekdays").status_code == 200
    [reply] = connector.messages()
    assert reply.card is not None and "error" not in reply.card["body"][0].get("style", "")
    with server.world.uow_factory() as uow:
        sub = uow.subscriptions.for_channel(CHANNEL)
    assert sub is not None and sub.hour == 9


def test_other_mentions_become_names(server: TeamsServer, connector: FakeConnector) -> None:
    activity = server.activity(
        text="<at>Steward</at> assign <at>Jane Designer</at> acme-web 10h/week", user=DANA, kind="channel",
        entities=[{"type": "mention", "text": "<at>Steward</at>", "mentioned": dict(BOT)},
                  {"type": "mention", "text": "<at>Jane Designer</at>",
                   "mentioned": {"id": JANE.id, "name": JANE.name}}])
    assert server.post(activity).status_code == 200
    [reply] = connector.messages()
    assert "Allocation A" in reply.card_text and "requested" in reply.card_text


def test_welcome_card_when_the_bot_is_added(server: TeamsServer, connector: FakeConnector) -> None:
    assert server.install(DANA).status_code == 200
    [welcome] = connector.messages()
    assert "Steward" in welcome.card_text and "approvals" in welcome.card_text
    valid_card(welcome.card)
    with server.world.uow_factory() as uow:
        dana = uow.people.by_email("dana@example.com")
        ref = uow.conversations.personal(dana.id or 0, Platform.TEAMS)  # type: ignore[union-attr]
    assert ref is not None  # approvals can reach Dana before she ever typed a word


def test_no_welcome_when_someone_else_joins(server: TeamsServer, connector: FakeConnector) -> None:
    members = [{"id": JANE.id, "name": JANE.name}]
    assert server.install(DANA, kind="channel", conversation=CHANNEL, members=members).status_code == 200
    assert connector.messages() == []
    with server.world.uow_factory() as uow:
        assert uow.conversations.get(Platform.TEAMS, CHANNEL) is not None  # the reference is refreshed


def test_welcome_in_a_channel_mentions_how_to_talk(server: TeamsServer, connector: FakeConnector) -> None:
    assert server.install(DANA, kind="channel", conversation=CHANNEL).status_code == 200
    [welcome] = connector.messages()
    assert welcome.kind == "send" or welcome.kind == "reply"
    assert "@Steward" in welcome.card_text


def test_a_redelivered_message_acts_once(server: TeamsServer, connector: FakeConnector) -> None:
    activity = server.activity(text="hours acme-web 2 design review", user=JANE)
    assert server.post(activity).status_code == 200
    assert server.post(activity).status_code == 200
    assert len(connector.messages()) == 1
    with server.world.uow_factory() as uow:
        entries = [e for e in uow.entries.list(server.world.ids["acme-web"]) if e.note == "design review"]
    assert len(entries) == 1


def test_an_empty_message_gets_help(server: TeamsServer, connector: FakeConnector) -> None:
    assert server.mention("").status_code == 200
    [reply] = connector.messages()
    assert "budget" in reply.card_text


def test_conversation_ids_are_url_encoded_in_the_path(server: TeamsServer, connector: FakeConnector) -> None:
    assert server.mention("help").status_code == 200
    [reply] = connector.messages()
    assert unquote(reply.conversation_id) == CHANNEL


def test_malformed_requests_are_refused_without_a_crash(server: TeamsServer, connector: FakeConnector) -> None:
    assert server.post("not json").status_code == 400
    assert server.post("[1, 2]").status_code == 400
    no_service = server.activity(text="help")
    del no_service["serviceUrl"]
    assert server.post(no_service).status_code == 400
    import requests

    wrong_type = requests.post(f"{server.url}/api/messages", data=b"type=message", timeout=10,
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert wrong_type.status_code == 415
    assert connector.calls == []
    assert server.say("help").status_code == 200  # and the server still answers


def test_typing_and_other_activities_are_accepted_quietly(server: TeamsServer, connector: FakeConnector) -> None:
    assert server.post(server.activity("typing")).status_code == 200
    assert server.post(server.activity("messageReaction", reactionsAdded=[{"type": "like"}])).status_code == 200
    assert connector.messages() == []


def test_a_group_chat_mention_is_answered_and_the_chat_remembered(server: TeamsServer,
                                                                  connector: FakeConnector) -> None:
    chat = "19:groupchat-1@thread.v2"
    activity = server.activity(text="<at>Steward</at> approvals", kind="groupChat", conversation=chat,
                               entities=[{"type": "mention", "text": "<at>Steward</at>", "mentioned": dict(BOT)}])
    assert server.post(activity).status_code == 200
    [reply] = connector.messages()
    assert reply.conversation_id == chat and "decision" in reply.card_text.lower()
    with server.world.uow_factory() as uow:
        ref = uow.conversations.get(Platform.TEAMS, chat)
    assert ref is not None and not ref.is_personal


def test_a_slow_turn_is_answered_at_once_and_its_reply_follows(world: object, connector: FakeConnector) -> None:
    from bot.settings import Settings
    from tests.teams.conftest import make_server

    connector.delays["member"] = 1.5  # Teams is slow to say who Dana is
    srv, thread = make_server(world, connector, Settings(database_url=world.database_url),  # type: ignore[arg-type,attr-defined]
                              answer_within=0.3)
    try:
        started = time.monotonic()
        answer = srv.say("budget acme-web")
        assert answer.status_code == 202 and time.monotonic() - started < 1.2
        [reply] = connector.wait_for("reply", timeout=10)
        assert "Website Relaunch" in reply.card_text
    finally:
        srv.loop.call_soon_threadsafe(srv.loop.stop)
        thread.join(10)


def test_a_throttled_reply_is_retried(server: TeamsServer, connector: FakeConnector) -> None:
    connector.retry_after = 0
    connector.rate_limit["reply"] = 2
    assert server.say("budget acme-web").status_code == 200
    assert len(connector.messages()) == 1
    assert sum(1 for c in connector.calls if c.status == 429) == 2
