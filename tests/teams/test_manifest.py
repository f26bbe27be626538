"""The Teams app package: manifest valid against Microsoft's 1.19 schema (Draft 7, per the schemas README),
commands that exist, icons of the sizes and colours Teams requires."""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from bot.teams import icons
from bot.teams.package import build, main, manifest
from handlers.dispatch import COMMANDS
from tests.teams.conftest import SCHEMAS

HERE = Path(icons.__file__).resolve().parent
APP_ID = "8a3b2c1d-0e9f-4a5b-8c7d-6e5f4a3b2c1d"


def errors(data: dict[str, Any]) -> list[str]:
    schema = json.loads((SCHEMAS / "teams-manifest-1.19.schema.json").read_text())
    return [f"{e.message} @ {e.json_path}" for e in Draft7Validator(schema).iter_errors(data)]


def read_png(data: bytes) -> tuple[int, int, list[tuple[int, int, int, int]]]:
    """Width, height and RGBA pixels of a PNG as ``icons.png`` writes it (colour type 6, filter 0)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert (depth, colour) == (8, 6)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * 4 + 1
    pixels = []
    for y in range(height):
        row = raw[y * stride:(y + 1) * stride]
        assert row[0] == 0
        pixels += [tuple(row[1 + x * 4:5 + x * 4]) for x in range(width)]
    return width, height, pixels  # type: ignore[return-value]


def test_the_manifest_in_the_repository_is_valid() -> None:
    data = json.loads((HERE / "manifest.json").read_text())
    assert errors(data) == []
    assert data["manifestVersion"] == "1.19"


def test_the_packaged_manifest_is_valid_and_carries_the_app_id(tmp_path: Path) -> None:
    out = build(APP_ID, tmp_path / "steward.zip", version="1.0.1")
    with zipfile.ZipFile(out) as z:
        assert sorted(z.namelist()) == ["color.png", "manifest.json", "outline.png"]
        data = json.loads(z.read("manifest.json"))
        assert z.read("color.png") == (HERE / "color.png").read_bytes()
    assert errors(data) == []
    assert data["id"] == APP_ID and data["bots"][0]["botId"] == APP_ID and data["version"] == "1.0.1"


def test_a_wrong_manifest_fails_the_schema() -> None:
    data = manifest(APP_ID)
    data["manifestVersion"] = "1.5"
    assert errors(data)
    del data["manifestVersion"]
    assert errors(data)


def test_the_package_needs_a_guid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--app-id", "not-a-guid", "--out", "/dev/null"]) == 2
    assert "GUID" in capsys.readouterr().err


def test_the_command_list_is_commands_steward_knows() -> None:
    data = manifest(APP_ID)
    [commands] = [c["commands"] for c in data["bots"][0]["commandLists"]]
    assert len(commands) <= 10
    for command in commands:
        assert command["title"] in COMMANDS, command["title"]
        assert len(command["title"]) <= 32 and len(command["description"]) <= 128


def test_icons_have_the_sizes_and_colours_teams_requires() -> None:
    width, height, pixels = read_png((HERE / "color.png").read_bytes())
    assert (width, height) == (192, 192)
    assert len({p[:3] for p in pixels if p[3] == 255}) > 2  # full colour
    width, height, pixels = read_png((HERE / "outline.png").read_bytes())
    assert (width, height) == (32, 32)
    assert all(p[:3] == (255, 255, 255) or p[3] == 0 for p in pixels)  # white on transparent
    assert any(p[3] == 0 for p in pixels) and any(p[3] == 255 for p in pixels)


def test_the_committed_icons_are_what_the_script_draws() -> None:
    assert (HERE / "color.png").read_bytes() == icons.color_icon()
    assert (HERE / "outline.png").read_bytes() == icons.outline_icon()
