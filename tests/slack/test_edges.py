"""Malformed requests a signature check would choke on get 401, never a 500."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
import requests
from slack_sdk.signature import SignatureVerifier

from tests.slack.conftest import SECRET, Server


@pytest.mark.parametrize("timestamp", ["²", "①", "١٢٣٤٥٦٧٨٩٠", "9" * 5000, "1234567890123", "1700000000.5", "-1",
                                       "0x1F"])
def test_a_timestamp_that_is_not_up_to_12_ascii_digits_gets_401(server: Server, timestamp: str) -> None:
    body = urlencode({"command": "/budget", "text": "acme-web", "user_id": "UDANA", "channel_id": "C0ACMEWEB",
                      "response_url": server.fake.response_url("r")})
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=timestamp, body=body)
    answer = requests.post(f"{server.url}/slack/events", data=body.encode(), timeout=10, headers={
        "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Signature": signature,
        "X-Slack-Request-Timestamp": timestamp.encode()})  # type: ignore[dict-item]
    assert answer.status_code == 401
    assert server.fake.of("response_url") == []
