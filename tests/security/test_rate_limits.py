"""Rate limits on what the public and the machines send in: Open311 POST per key and address, signed webhooks
per channel. A refused call is a clear 429 and files nothing."""

from __future__ import annotations

import json
import secrets
import time

from django.test import Client

from rexian.api.models import Open311Client
from rexian.intake import signing
from rexian.intake.models import ChannelAccount, ChannelKind
from rexian.tickets.models import Ticket
from tests.api.test_open311 import GOOD
from tests.conftest import City


def test_open311_filing_is_limited_per_key_and_address(city: City, settings):
    settings.REXIAN = {**settings.REXIAN, "OPEN311_POSTS_PER_MINUTE": 3}
    _, key = Open311Client.issue("市民通APP")
    app = Client()
    answers = [app.post("/open311/v2/requests.json", {**GOOD, "api_key": key}).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert Ticket.objects.count() == 3
    refused = app.post("/open311/v2/requests.xml", {**GOOD, "api_key": key})
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert "提交过于频繁" in refused.content.decode()
    # Another app's key from the same address has its own allowance.
    _, other = Open311Client.issue("另一个APP")
    assert app.post("/open311/v2/requests.json", {**GOOD, "api_key": other}).status_code == 200


def _signed_post(client: Client, secret: str, n: int):
    body = json.dumps({"message_id": f"m-{n}", "sender": "o-openid", "text": f"第{n}条：路灯不亮，请修理。"})
    headers = signing.signed_headers(secret, int(time.time()), secrets.token_hex(8), body.encode())
    return client.post("/hooks/wx-city/messages", data=body, content_type="application/json", headers=headers)


def test_a_channel_past_its_allowance_is_told_to_wait_and_strangers_cannot_use_it_up(city: City, settings):
    settings.REXIAN = {**settings.REXIAN, "WEBHOOK_CALLS_PER_MINUTE": 2}
    ChannelAccount.objects.create(code="wx-city", name="公众号", kind=ChannelKind.WECHAT, secret="s3cret")
    client = Client()
    for n in range(5):  # badly signed calls do not count
        assert _signed_post(client, "wrong-secret", n).status_code == 401
    assert [_signed_post(client, "s3cret", n).status_code for n in range(3)] == [201, 201, 429]
    assert _signed_post(client, "s3cret", 9).json()["code"] == "rate_limited"
    assert Ticket.objects.count() == 2
