"""The channels one by one: SMS against a real local HTTP server, email through Django's backends, the log."""

from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rexian.notify.channels import CHANNELS, Message, SendError
from rexian.notify.checks import check_channels
from tests.notify.conftest import TOKEN, use_channels

MESSAGE = Message(
    to="13800001111", subject="受理回执：2026112100042", body="【12345热线】您的诉求已受理", ref="rexian-7"
)


def test_sms_posts_json_with_the_bearer_token(gateway):
    CHANNELS["sms"].send(MESSAGE)
    [request] = gateway.received
    assert request["authorization"] == f"Bearer {TOKEN}"
    assert request["content_type"] == "application/json"
    assert request["path"] == "/sms/send"
    assert request["json"] == {"to": "13800001111", "text": "【12345热线】您的诉求已受理", "ref": "rexian-7"}


def test_sms_refused_by_the_gateway_is_a_send_error_with_the_status(gateway):
    gateway.status = 500
    with pytest.raises(SendError, match=r"HTTP 500.*gateway down"):
        CHANNELS["sms"].send(MESSAGE)


def test_sms_to_a_closed_port_is_a_send_error(settings, closed_port):
    use_channels(settings, "sms", SMS_GATEWAY_URL=f"http://127.0.0.1:{closed_port}/send")
    with pytest.raises(SendError, match="无法连接短信网关"):
        CHANNELS["sms"].send(MESSAGE)


def test_sms_without_a_gateway_address_is_a_send_error(settings):
    use_channels(settings, "sms", SMS_GATEWAY_URL="")
    with pytest.raises(SendError, match="REXIAN_SMS_GATEWAY_URL"):
        CHANNELS["sms"].send(MESSAGE)


def test_a_gateway_that_does_not_answer_in_time_is_a_send_error(settings):
    release = threading.Event()

    class Silent(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            release.wait(5)  # holds the request until the client has given up

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Silent)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    use_channels(settings, "sms", SMS_GATEWAY_URL=url, SMS_GATEWAY_TIMEOUT=0.3)
    try:
        with pytest.raises(SendError, match="timed out"):
            CHANNELS["sms"].send(MESSAGE)
    finally:
        release.set()
        server.shutdown()
        server.server_close()


def test_a_redirect_is_not_followed(settings):
    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(302)
            self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:  # where urllib would go, body-less, if it followed
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    use_channels(settings, "sms", SMS_GATEWAY_URL=f"http://127.0.0.1:{server.server_address[1]}/")
    try:
        with pytest.raises(SendError, match="HTTP 302"):
            CHANNELS["sms"].send(MESSAGE)
    finally:
        server.shutdown()
        server.server_close()


def test_email_goes_through_djangos_backend(mailoutbox):
    CHANNELS["email"].send(Message(to="east@example.cn", subject="新工单：2026112100042", body="请签收", ref="r-8"))
    [mail] = mailoutbox
    assert (mail.to, mail.subject, mail.body) == (["east@example.cn"], "新工单：2026112100042", "请签收")


def test_email_to_an_unreachable_smtp_server_is_a_send_error(settings, closed_port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port, 2
    with pytest.raises(SendError, match="邮件发送失败"):
        CHANNELS["email"].send(MESSAGE)


def test_the_log_channel_writes_the_message_to_the_notify_logger(caplog):
    with caplog.at_level(logging.INFO, logger="rexian.notify"):
        CHANNELS["log"].send(MESSAGE)
    assert "to=138****1111" in caplog.text
    assert "13800001111" not in caplog.text  # a phone number is personal data: logs get it masked
    assert "【12345热线】您的诉求已受理" in caplog.text


def test_the_system_check_names_unknown_channels_and_a_missing_gateway(settings):
    assert check_channels() == []  # the default: the log only
    use_channels(settings, "console", "fax", "sms", SMS_GATEWAY_URL="")
    assert [(m.id, m.msg) for m in check_channels()] == [
        ("notify.E001", "REXIAN_NOTIFY_CHANNELS names unknown channels: fax"),
        ("notify.W001", "The sms channel is enabled but REXIAN_SMS_GATEWAY_URL is empty: every SMS will fail."),
    ]
