"""Steward in Slack: Bolt listeners, the Block Kit renderer, identity mapping and the app manifest.

Nothing here runs at import time; ``bot.slack.app.build_app`` wires everything for one ``Steward``.
"""
