"""A real HTTP server on 127.0.0.1 standing in for the SMS gateway, and channel settings for the tests."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

TOKEN = "gateway-test-token"


@dataclass
class Gateway:
    url: str = ""
    status: int = 200  # what the gateway answers; a test sets 500 to make it fail
    received: list[dict[str, Any]] = field(default_factory=list)  # {"authorization", "content_type", "json"}
    lock: threading.Lock = field(default_factory=threading.Lock)

    def texts(self) -> list[str]:
        return [r["json"]["text"] for r in self.received]


def _handler(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with gateway.lock:
                gateway.received.append(
                    {
                        "authorization": self.headers["Authorization"],
                        "content_type": self.headers["Content-Type"],
                        "path": self.path,
                        "json": json.loads(body),
                    }
                )
            reply = b'{"ok": true}' if gateway.status < 300 else b'{"error": "gateway down"}'
            self.send_response(gateway.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: Any) -> None:  # keep the test output clean
            pass

    return Handler


def use_channels(settings, *channels: str, **extra: Any) -> None:
    settings.REXIAN = {**settings.REXIAN, "NOTIFY_CHANNELS": list(channels), **extra}


@pytest.fixture
def gateway(settings) -> Iterator[Gateway]:
    """SMS enabled (alone) and pointed at a local gateway that records what it receives."""
    gateway = Gateway()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(gateway))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}/sms/send"
    use_channels(settings, "sms", SMS_GATEWAY_URL=gateway.url, SMS_GATEWAY_TOKEN=TOKEN, SMS_GATEWAY_TIMEOUT=5)
    yield gateway
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def closed_port() -> int:
    """A port on which nothing listens (it was just free)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
