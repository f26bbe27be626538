"""Build the Teams app package (the zip you upload in Teams): ``manifest.json`` with your bot's app id, and
the two icons.

    python -m bot.teams.package --app-id $MICROSOFT_APP_ID [--version 1.0.1] [--out steward-teams.zip]

The manifest in this directory carries a placeholder id (all zeros); the package gets ``--app-id`` as both
the app's ``id`` and the bot's ``botId`` (one Azure Bot registration, one Teams app).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import zipfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
ICONS = ("color.png", "outline.png")


def manifest(app_id: str, version: str | None = None) -> dict[str, Any]:
    if not GUID.match(app_id):
        raise ValueError(f"the app id must be the Azure Bot's Microsoft App ID (a GUID), not {app_id!r}")
    data: dict[str, Any] = json.loads((HERE / "manifest.json").read_text(encoding="utf-8"))
    data["id"] = app_id
    for bot in data.get("bots", []):
        bot["botId"] = app_id
    if version:
        data["version"] = version
    return data


def build(app_id: str, out: Path, version: str | None = None) -> Path:
    data = manifest(app_id, version)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(data, indent=2, ensure_ascii=False))
        for icon in ICONS:
            z.write(HERE / icon, icon)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.teams.package", description=__doc__.splitlines()[0])
    parser.add_argument("--app-id", required=True, help="MICROSOFT_APP_ID of the Azure Bot")
    parser.add_argument("--version", help="the app version (raise it for every re-upload)")
    parser.add_argument("--out", type=Path, default=Path("steward-teams.zip"))
    args = parser.parse_args(argv)
    try:
        path = build(args.app_id, args.out, args.version)
    except ValueError as exc:
        print(f"steward: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {path}: upload it in Teams (Apps > Manage your apps > Upload an app)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
