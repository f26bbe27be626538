"""The Slack app manifest validates against Slack's published schema and lists everything Steward serves."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator
from referencing import Registry, Resource

from bot.slack.commands import SLASH_COMMANDS
from bot.slack.shortcuts import FLAG_SCOPE

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
UPSTREAM = "https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/manifest.schema.{}.json"
REQUEST_URL = "https://steward.example.com/slack/events"


def manifest() -> dict[str, Any]:
    return yaml.safe_load(files("bot.slack").joinpath("manifest.yml").read_text())


def schema_errors(doc: dict[str, Any]) -> list[str]:
    load = lambda name: json.loads((SCHEMAS / name).read_text())  # noqa: E731
    registry = Registry().with_resources(
        (UPSTREAM.format(v), Resource.from_contents(load(f"slack-app-manifest-{v}.schema.json")))
        for v in ("1.0.0", "2.0.0"))
    validator = Draft7Validator(load("slack-app-manifest.schema.json"), registry=registry)
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(doc)]


def test_the_manifest_validates_against_slacks_schema() -> None:
    assert schema_errors(manifest()) == []


def test_the_schema_catches_a_broken_manifest() -> None:
    broken = manifest()
    broken["features"]["slash_commands"][0]["command"] = 42
    assert schema_errors(broken)


def test_the_manifest_lists_every_command_the_shortcut_scopes_and_events() -> None:
    m = manifest()
    commands = {c["command"] for c in m["features"]["slash_commands"]}
    assert commands == {f"/{c}" for c in SLASH_COMMANDS}
    assert all(c["url"] == REQUEST_URL for c in m["features"]["slash_commands"])
    [shortcut] = m["features"]["shortcuts"]
    assert shortcut["callback_id"] == FLAG_SCOPE and shortcut["type"] == "message"
    assert shortcut["name"] == "Flag as scope creep"
    scopes = set(m["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "users:read", "users:read.email", "app_mentions:read", "im:history"} <= scopes
    events = m["settings"]["event_subscriptions"]
    assert events["request_url"] == REQUEST_URL
    assert set(events["bot_events"]) == {"app_mention", "message.im", "app_home_opened", "message.channels",
                                         "message.groups"}
    assert m["settings"]["interactivity"]["request_url"] == REQUEST_URL
    assert m["features"]["app_home"]["home_tab_enabled"] is True
