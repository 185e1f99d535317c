"""The signed webhook of the WeChat and SMS gateways, and the reply path back through the same channel."""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from rexian.directory.models import HotlineMode, MergedHotline
from rexian.intake import signing
from rexian.intake.models import ChannelAccount, ChannelKind, InboundMessage, WebhookNonce
from rexian.notify.models import Delivery, Notification
from rexian.tickets import actions
from rexian.tickets.models import Ticket, TicketEvent

SECRET = "wechat-test-secret"
MESSAGE = {
    "message_id": "wx-msg-0001",
    "sender": "oAbC123openid",
    "sender_name": "李四",
    "text": "幸福小区门口每天傍晚有商贩占道经营，影响通行。\n希望城管处理。",
}


@pytest.fixture
def wechat(city) -> ChannelAccount:
    return ChannelAccount.objects.create(code="wx-city", name="市12345公众号", kind=ChannelKind.WECHAT, secret=SECRET)


def post(client, code: str, body: Any, *, secret: str = SECRET, headers: dict[str, str] | None = None, raw=None):
    data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode()
    signed = headers or signing.signed_headers(secret, int(time.time()), secrets.token_hex(8), data)
    return client.post(f"/hooks/{code}/messages", data=data, content_type="application/json", headers=signed)


def counts() -> tuple[int, int, int]:
    return Ticket.objects.count(), TicketEvent.objects.count(), InboundMessage.objects.count()


def test_a_signed_message_becomes_a_ticket_through_the_write_path(client, wechat):
    response = post(client, "wx-city", MESSAGE)
    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get(number=body["ticket"])
    assert body["duplicate"] is False and body["query_code"] == ticket.query_code
    assert ticket.channel == "wechat" and ticket.source_ref == "wx-city:wx-msg-0001"
    assert ticket.subject == "幸福小区门口每天傍晚有商贩占道经营，影响通行。"
    assert ticket.description == MESSAGE["text"] and ticket.citizen_name == "李四"
    assert ticket.is_anonymous and ticket.citizen_phone == ""  # no phone: answered through the channel instead
    create = ticket.events.get()
    assert create.action == "create" and create.actor_name == "诉求人（市12345公众号）"
    assert InboundMessage.objects.get().ticket == ticket


def test_the_same_message_id_again_returns_the_first_ticket(client, wechat):
    first = post(client, "wx-city", MESSAGE).json()
    before = counts()
    again = post(client, "wx-city", {**MESSAGE, "text": "重发的内容"})
    assert again.status_code == 200
    assert again.json() == {**first, "duplicate": True}
    assert counts() == before


def test_a_replayed_request_is_refused(client, wechat):
    data = json.dumps(MESSAGE).encode()
    headers = signing.signed_headers(SECRET, int(time.time()), "nonce-1", data)
    assert post(client, "wx-city", None, raw=data, headers=headers).status_code == 201
    before = counts()
    replay = post(client, "wx-city", None, raw=data, headers=headers)
    assert replay.status_code == 409 and replay.json()["code"] == "replayed"
    assert counts() == before


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "signature_missing"),
        ({signing.TIMESTAMP_HEADER: "yesterday"}, "timestamp_invalid"),
        ({signing.TIMESTAMP_HEADER: str(int(time.time()) - 3600)}, "timestamp_out_of_window"),
        ({signing.SIGNATURE_HEADER: "sha256=" + "0" * 64}, "signature_invalid"),
    ],
)
def test_badly_signed_requests_are_refused_and_nothing_is_written(client, wechat, headers, code):
    data = json.dumps(MESSAGE).encode()
    signed = signing.signed_headers(SECRET, int(time.time()), "n-1", data)
    sent = {**signed, **headers} if headers else {}
    if code == "timestamp_out_of_window":  # a correct signature, but over an old time
        sent = signing.signed_headers(SECRET, int(headers[signing.TIMESTAMP_HEADER]), "n-1", data)
    response = post(client, "wx-city", None, raw=data, headers=sent or {"X-Other": "1"})
    assert response.status_code == 401
    assert response.json()["code"] == code and response.json()["message"]
    assert counts() == (0, 0, 0) and not WebhookNonce.objects.exists()


def test_a_signature_made_with_another_secret_is_refused(client, wechat):
    response = post(client, "wx-city", MESSAGE, secret="someone-else")
    assert response.status_code == 401 and response.json()["code"] == "signature_invalid"
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b"{not json", None),
        ("你好".encode("gb18030"), None),
        (b"[1, 2]", None),
        (json.dumps({"sender": "x", "text": "有事"}).encode(), "message_id"),
        (json.dumps({**MESSAGE, "text": 42}).encode(), "text"),
        (json.dumps({**MESSAGE, "text": "长" * 5000}).encode(), "text"),
        (json.dumps({**MESSAGE, "sender_name": "名" * 51}).encode(), "sender_name"),
    ],
)
def test_malformed_bodies_get_a_400_naming_the_field(client, wechat, raw, field):
    response = post(client, "wx-city", None, raw=raw)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "malformed"
    if field:
        assert field in body["fields"]
    assert counts() == (0, 0, 0) and not WebhookNonce.objects.exists()


def test_a_bad_phone_is_a_422_and_spends_nothing(client, wechat):
    response = post(client, "wx-city", {**MESSAGE, "phone": "call me"})
    assert response.status_code == 422 and "citizen_phone" in response.json()["fields"]
    assert counts() == (0, 0, 0) and not WebhookNonce.objects.exists()


def test_unknown_disabled_and_wrong_kind_accounts(client, wechat):
    assert post(client, "nope", MESSAGE).status_code == 404
    ChannelAccount.objects.create(code="mail", name="信箱", kind=ChannelKind.EMAIL, maildir="/tmp/x", secret=SECRET)
    assert post(client, "mail", MESSAGE).status_code == 404  # a mailbox takes no webhook
    wechat.is_active = False
    wechat.save()
    refused = post(client, "wx-city", MESSAGE)
    assert refused.status_code == 403 and refused.json()["code"] == "channel_disabled"
    assert client.get("/hooks/wx-city/messages").status_code == 405
    assert counts() == (0, 0, 0)


def test_an_sms_sender_is_the_citizen_s_phone_and_a_dual_track_line_is_tagged(
    client, city, settings, django_capture_on_commit_callbacks
):
    settings.REXIAN = {**settings.REXIAN, "NOTIFY_CHANNELS": ["log"]}
    hotline = MergedHotline.objects.create(
        number="12333", name="人社服务热线", unit=city.units["d_hrss"], mode=HotlineMode.DUAL_TRACK
    )
    ChannelAccount.objects.create(code="sms-12333", name="12333短信", kind=ChannelKind.SMS, secret=SECRET,
                                  hotline=hotline)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client, "sms-12333", {"message_id": "sms-9", "sender": "13900002222", "text": "社保卡补办要带什么"}
        )
    assert response.status_code == 201
    ticket = Ticket.objects.get(number=response.json()["ticket"])
    assert ticket.channel == "sms" and ticket.citizen_phone == "13900002222" and not ticket.is_anonymous
    assert ticket.hotline == hotline
    notice = Notification.objects.get(recipient_unit=city.units["d_hrss"])
    assert "人社服务热线" in notice.message and ticket.number in notice.message


@dataclass
class ReplyGateway:
    url: str = ""
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def reply_gateway() -> Iterator[ReplyGateway]:
    """A real HTTP server standing in for the WeChat gateway's reply endpoint."""
    gateway = ReplyGateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            gateway.received.append((dict(self.headers), body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}/reply"
    yield gateway
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.django_db(transaction=True)
def test_the_citizen_is_answered_through_the_channel_they_wrote_through(client, city, wechat, reply_gateway, settings):
    settings.REXIAN = {**settings.REXIAN, "NOTIFY_CHANNELS": ["sms"]}  # SMS would need a phone: it is not used
    wechat.reply_url = reply_gateway.url
    wechat.save()
    number = post(client, "wx-city", MESSAGE).json()["ticket"]
    ticket = Ticket.objects.get(number=number)
    actions.answer_directly(actor=city.users["intake"], ticket_id=ticket.pk, version=ticket.version,
                            answer="已转城管局核查，商贩已劝离。")  # fmt: skip
    assert [d.template for d in Delivery.objects.order_by("pk")] == ["receipt", "closed"]
    assert all(d.channel == "reply" and d.status == "sent" for d in Delivery.objects.all())
    assert len(reply_gateway.received) == 2
    for headers, body in reply_gateway.received:
        assert signing.check(SECRET, headers, body, time.time()) is None  # signed with the channel's secret
        sent = json.loads(body)
        assert sent["to"] == MESSAGE["sender"] and sent["in_reply_to"] == MESSAGE["message_id"]
    assert number in json.loads(reply_gateway.received[0][1])["text"]


@pytest.mark.django_db(transaction=True)
def test_a_gateway_that_fails_leaves_the_reply_to_be_retried(client, city, wechat, closed_port_url):
    wechat.reply_url = closed_port_url
    wechat.save()
    post(client, "wx-city", MESSAGE)
    delivery = Delivery.objects.get()
    assert delivery.status == "retrying" and "无法连接" in delivery.last_error


@pytest.fixture
def closed_port_url() -> str:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/reply"
