"""POST /hooks/<code>/calls: signed events from the CTI; every refusal a clear 4xx that writes nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from rexian.intake.models import ChannelAccount, ChannelKind, WebhookNonce
from rexian.telephony.models import Call, CallEvent
from tests.telephony.conftest import START, event, post_event

pytestmark = pytest.mark.usefixtures("now")
SECRET_SMS = "sms-secret"


def counts() -> tuple[int, int, int]:
    return Call.objects.count(), CallEvent.objects.count(), WebhookNonce.objects.count()


def test_a_ringing_event_creates_the_call(city, cti):
    body = event("ringing", START, caller="13800001111", dialled="12345", agent="intake", event_id="e1")
    response = post_event(cti, body)
    assert response.status_code == 201, response.content
    assert response.json() == {"call_id": "c1", "state": "ringing", "duplicate": False}
    call = Call.objects.get()
    assert (call.caller, call.dialled, call.agent_code, call.agent, call.rang_at) == (
        "13800001111", "12345", "intake", city.users["intake"], START)  # fmt: skip
    logged = CallEvent.objects.get()
    assert logged.kind == "ringing" and logged.payload == body and logged.account == cti


def test_the_whole_call_in_order(city, cti):
    post_event(cti, event("ringing", START, agent="intake", caller="13800001111"))
    assert (
        post_event(cti, event("answered", START + timedelta(seconds=8), agent="intake")).json()["state"] == "answered"
    )
    ended = post_event(cti, event("ended", START + timedelta(seconds=128), recording_url="https://rec.example/c1.wav"))
    assert ended.status_code == 201 and ended.json()["state"] == "ended"
    call = Call.objects.get()
    assert call.wait_seconds == 8 and call.handling_seconds == 120 and not call.abandoned
    assert call.recording_url == "https://rec.example/c1.wav" and call.events.count() == 3


def test_unix_seconds_are_accepted(city, cti):
    body = event("ringing", START) | {"at": int(START.timestamp())}
    assert post_event(cti, body).status_code == 201
    assert Call.objects.get().rang_at == START


def test_events_out_of_order_give_the_same_call(city, cti):
    post_event(cti, event("ended", START + timedelta(seconds=90)))
    early = Call.objects.get()
    assert early.state == "abandoned"  # so far it looks like a caller who gave up
    post_event(cti, event("answered", START + timedelta(seconds=10), agent="intake"))
    post_event(cti, event("ringing", START, caller="13800001111", agent="intake"))
    call = Call.objects.get()
    assert call.state == "ended" and not call.abandoned
    assert (call.rang_at, call.answered_at, call.ended_at) == (START, START + timedelta(seconds=10),
                                                               START + timedelta(seconds=90))  # fmt: skip
    assert call.wait_seconds == 10 and call.handling_seconds == 80 and call.caller == "13800001111"


def test_a_repeated_event_id_is_acknowledged_and_changes_nothing(city, cti):
    first = event("ringing", START, event_id="e-1", caller="13800001111")
    assert post_event(cti, first).status_code == 201
    again = first | {"caller": "13999999999", "at": (START + timedelta(seconds=5)).isoformat()}
    response = post_event(cti, again)
    assert response.status_code == 200
    assert response.json() == {"call_id": "c1", "state": "ringing", "duplicate": True}
    assert CallEvent.objects.count() == 1 and Call.objects.get().caller == "13800001111"


def test_the_same_event_id_from_another_cti_account_is_its_own_event(city, cti):
    other = ChannelAccount.objects.create(code="cti2", name="原热线呼叫中心", kind=ChannelKind.CTI, secret="s2")
    assert post_event(cti, event("ringing", START, event_id="e-1")).status_code == 201
    response = post_event(other, event("ringing", START, call_id="c2", event_id="e-1"), secret="s2")
    assert response.status_code == 201 and CallEvent.objects.count() == 2


def test_a_call_id_of_another_account_is_refused(city, cti):
    other = ChannelAccount.objects.create(code="cti2", name="原热线呼叫中心", kind=ChannelKind.CTI, secret="s2")
    post_event(cti, event("ringing", START))
    before = counts()
    response = post_event(other, event("answered", START + timedelta(seconds=3)), secret="s2")
    assert response.status_code == 409 and response.json()["code"] == "call_id_taken"
    assert counts() == before


# ---- refusals ----------------------------------------------------------------------------------------------


def test_a_bad_signature_is_401_and_writes_nothing(city, cti):
    response = post_event(cti, event("ringing", START), secret="wrong")
    assert response.status_code == 401 and response.json()["code"] == "signature_invalid"
    assert counts() == (0, 0, 0)


def test_an_unsigned_request_is_401(city, cti):
    response = post_event(cti, event("ringing", START), headers={})
    assert response.status_code == 401 and response.json()["code"] == "signature_missing"
    assert counts() == (0, 0, 0)


def test_a_stale_request_is_401(city, cti):
    stale = int((START - timedelta(minutes=6)).timestamp())
    response = post_event(cti, event("ringing", START), timestamp=stale)
    assert response.status_code == 401 and response.json()["code"] == "timestamp_out_of_window"
    assert counts() == (0, 0, 0)


def test_a_replayed_nonce_is_409(city, cti):
    body = json.dumps(event("ringing", START)).encode()
    assert post_event(cti, body, nonce="n-1").status_code == 201
    replay = post_event(cti, body, nonce="n-1")
    assert replay.status_code == 409 and replay.json()["code"] == "replayed"
    assert counts() == (1, 1, 1)


def test_a_refused_event_leaves_its_nonce_unspent(city, cti):
    bad = post_event(cti, event("hold", START), nonce="n-1")
    assert bad.status_code == 400
    assert post_event(cti, event("ringing", START), nonce="n-1").status_code == 201


def test_an_unknown_or_wrong_kind_of_account_is_refused(city, cti):
    sms = ChannelAccount.objects.create(code="sms", name="短信", kind=ChannelKind.SMS, secret=SECRET_SMS)
    assert post_event(sms, event("ringing", START), secret=SECRET_SMS).status_code == 404
    cti.is_active = False
    cti.save()
    assert post_event(cti, event("ringing", START)).status_code == 403
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (b"not json", None),
        (b"[1, 2]", None),
        (json.dumps({"event": "ringing"}).encode(), {"event_id", "call_id", "at"}),
        (json.dumps({"event_id": "e", "call_id": "c", "event": "hold", "at": "2026-03-02T09:00:00+08:00"}).encode(),
         {"event"}),
        (json.dumps({"event_id": "e", "call_id": "c", "event": "ringing", "at": "2026-03-02 09:00"}).encode(), {"at"}),
        (json.dumps({"event_id": "e", "call_id": "c", "event": "ringing", "at": "soon"}).encode(), {"at"}),
        (json.dumps({"event_id": 5, "call_id": "c", "event": "ended", "at": 1772413205}).encode(), {"event_id"}),
        (json.dumps({"event_id": "e", "call_id": "c" * 101, "event": "ended", "at": 1772413205}).encode(), {"call_id"}),
        (json.dumps({"event_id": "e", "call_id": "c", "event": "ended", "at": 1772413205,
                     "recording_url": "javascript:alert(1)"}).encode(), {"recording_url"}),
        (b'{"event_id": "e", "call_id": "c", "event": "ended", "at": 1772413205, "extra": NaN}', {"__all__"}),
    ],
)  # fmt: skip
def test_malformed_bodies_are_400_naming_the_fields_and_write_nothing(city, cti, body, fields):
    response = post_event(cti, body)
    assert response.status_code == 400, response.content
    answer = response.json()
    assert answer["code"] == "malformed" and answer["message"]
    if fields is not None:
        assert set(answer["fields"]) == fields
    assert counts() == (0, 0, 0)


def test_only_post(city, cti):
    from django.test import Client

    assert Client().get("/hooks/cti/calls").status_code == 405
