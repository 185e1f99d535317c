"""Bad input gets a clear 4xx, never a server error: text beyond the limits, Chinese and emoji, impossible dates,
huge pages, files that lie about their type or are too big, bodies that are not JSON objects, NUL bytes.

(Refusals already covered elsewhere: an appeal's bad fields in tests/api/test_access_matrix.py, a Windows program
named .jpg and attachment access in tests/api/test_attachments.py.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rexian.core.inputs import MAX_YEAR, MIN_YEAR
from rexian.tickets import actions
from rexian.tickets.files import MAX_ATTACHMENT_BYTES
from rexian.tickets.models import DESCRIPTION_MAX, Attachment, Ticket
from tests.api.test_access_matrix import fingerprint, ticket_at
from tests.conftest import APPEAL, Api, City

EMOJI_SUBJECT = "路灯不亮😡🚧"
EMOJI_TEXT = "东一街道幸福小区门口的路灯坏了一周😡，晚上🚧施工围挡看不见，老人摔倒了👴🏻。𠮷野家旁边。"


def assert_refusal(response: Any, status: int | tuple[int, ...], *fields: str) -> dict[str, Any]:
    """A refusal with the API's {code, message, fields} body that names `fields`."""
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"} and body["code"] and body["message"]
    assert set(fields) <= set(body["fields"]), body
    return body


def media_files() -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


# ---- text --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "limit"), [("subject", 100), ("description", DESCRIPTION_MAX)])
def test_text_at_the_limit_is_kept_and_one_character_more_is_refused(city: City, field: str, limit: int) -> None:
    intake = Api("intake")
    at_limit = intake.post("/tickets", {**APPEAL, field: "😡" * limit})  # counted in characters, not bytes
    assert at_limit.status_code == 201, at_limit.content
    assert at_limit.json()[field] == "😡" * limit
    body = assert_refusal(intake.post("/tickets", {**APPEAL, field: "长" * (limit + 1)}), 422, field)
    assert str(limit) in body["fields"][field][0]
    assert Ticket.objects.count() == 1


def test_amend_and_notes_are_held_to_the_limits_too(city: City) -> None:
    ticket = ticket_at(city, "registered")
    intake = Api("intake")
    too_long = {"version": 1, "subject": "长" * 101}
    assert_refusal(intake.post(f"/tickets/{ticket.pk}/actions/amend", too_long), 422, "subject")
    note = {"version": 1, "text": "长" * 100_000}
    assert_refusal(intake.post(f"/tickets/{ticket.pk}/actions/add_note", note), 422, "text")
    assert fingerprint(ticket.pk) == (1, "registered", 1)


def test_chinese_and_emoji_are_stored_and_returned_intact(city: City) -> None:
    intake = Api("intake")
    created = intake.post("/tickets", {**APPEAL, "subject": EMOJI_SUBJECT, "description": EMOJI_TEXT,
                                       "citizen_name": "张𠮷"})  # fmt: skip
    assert created.status_code == 201, created.content
    assert "😡" in created.content.decode("utf-8")  # UTF-8 on the wire, not \\u escapes
    ticket = Ticket.objects.get(pk=created.json()["id"])
    assert (ticket.subject, ticket.description, ticket.citizen_name) == (EMOJI_SUBJECT, EMOJI_TEXT, "张𠮷")
    read = intake.get(f"/tickets/{ticket.pk}").json()
    assert (read["subject"], read["description"], read["citizen_name"]) == (EMOJI_SUBJECT, EMOJI_TEXT, "张𠮷")
    found = intake.get("/tickets", q="😡").json()
    assert [t["id"] for t in found["items"]] == [ticket.pk]
    noted = intake.act(read, "add_note", text="已联系🚧施工方")
    assert noted.status_code == 200, noted.content
    assert intake.get(f"/tickets/{ticket.pk}/events").json()[-1]["payload"]["text"] == "已联系🚧施工方"


@pytest.mark.parametrize("text", ["a\x00b", "\ud800"])  # NUL: PostgreSQL refuses it; a lone surrogate: not UTF-8
def test_text_no_database_can_store_is_refused_with_the_field_named(city: City, text: str) -> None:
    intake = Api("intake")
    response = intake.client.post("/api/v1/tickets", data=json.dumps({**APPEAL, "subject": text}),
                                  content_type="application/json", headers=intake.headers)  # fmt: skip
    assert_refusal(response, 422, "subject")
    assert not Ticket.objects.exists()


def test_a_nul_in_a_query_string_is_refused_with_the_parameter_named(city: City) -> None:
    assert_refusal(Api("intake").get("/tickets", q="路灯\x00"), 422, "q")


# ---- dates and pages ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/tickets", {"created_from": "2026-02-30"}, "created_from"),
        ("/tickets", {"created_from": "abc"}, "created_from"),
        ("/tickets", {"created_to": "99999-01-01"}, "created_to"),
        ("/tickets", {"created_from": "0001-01-01"}, "created_from"),  # the first day: its UTC moment overflows
        ("/tickets", {"created_to": "9999-12-31"}, "created_to"),
        ("/intake/emergency-transfers", {"since": "0001-01-01T00:00:00+14:00"}, "since"),
        ("/intake/emergency-transfers", {"since": "2026-13-01T00:00:00"}, "since"),
        ("/stats/figures", {"start": "0001-01-01", "end": "0001-01-02"}, "start"),
        ("/stats/figures", {"start": "9999-12-01", "end": "9999-12-31", "group": "month"}, "end"),
        ("/stats/hotspots", {"start": "9999-12-30", "end": "9999-12-31"}, "start"),
        ("/stats/assessment", {"month": "0000-01"}, "month"),
        ("/stats/assessment", {"month": "9999-12"}, "month"),
        ("/calls/figures", {"start": "0001-01-01"}, "start"),
    ],
)
def test_impossible_dates_are_refused_with_the_field_named(city: City, path: str, params: dict, field: str) -> None:
    assert_refusal(Api("centre_admin").get(path, **params), 422, field)


def test_the_years_allowed_are_accepted(city: City) -> None:
    admin = Api("centre_admin")
    edges = {"created_from": f"{MIN_YEAR}-01-01", "created_to": f"{MAX_YEAR}-12-31"}
    assert admin.get("/tickets", **edges).status_code == 200
    assert admin.get("/stats/figures", start=f"{MAX_YEAR}-12-01", end=f"{MAX_YEAR}-12-31").status_code == 200


@pytest.mark.parametrize("path", ["/tickets", "/intake/emergency-transfers"])
@pytest.mark.parametrize(
    ("params", "field"),
    [({"page": str(10**12)}, "page"), ({"page_size": str(10**6)}, "page_size"), ({"page": "-1"}, "page"),
     ({"page_size": "0"}, "page_size"), ({"page": "1e9"}, "page")],
)
def test_huge_or_negative_pages_are_refused(city: City, path: str, params: dict, field: str) -> None:
    assert_refusal(Api("centre_admin").get(path, **params), 422, field)


def test_the_last_page_allowed_far_beyond_the_data_is_empty_and_small(city: City) -> None:
    ticket_at(city, "registered")
    response = Api("centre_admin").get("/tickets", page="100000", page_size="200")
    assert response.status_code == 200
    assert response.json()["items"] == [] and response.json()["count"] == 1 and len(response.content) < 200


# ---- bodies ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [b'{"subject": "x",', b"\xff\xfe{}", b"not json", b'{"subject": NaN'])
def test_a_malformed_body_is_a_clear_400(city: City, raw: bytes) -> None:
    intake = Api("intake")
    response = intake.client.post("/api/v1/tickets", data=raw, content_type="application/json",
                                  headers=intake.headers)  # fmt: skip
    body = assert_refusal(response, 400)
    assert body["code"] == "invalid_json" and "JSON" in body["message"]
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("payload", [[APPEAL], "路灯不亮", 42, None, True])
def test_a_body_that_is_not_an_object_is_refused(city: City, payload: Any) -> None:
    intake = Api("intake")
    assert_refusal(intake.post("/tickets", payload), (400, 422))
    ticket = ticket_at(city, "registered")
    assert_refusal(intake.post(f"/tickets/{ticket.pk}/actions/add_note", payload), (400, 422))
    assert fingerprint(ticket.pk) == (1, "registered", 1)
    assert Ticket.objects.count() == 1


def test_a_body_beyond_the_request_limit_is_a_clear_413(city: City) -> None:
    intake = Api("intake")
    huge = {**APPEAL, "description": "长" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 3 + 1)}
    body = assert_refusal(intake.post("/tickets", huge), 413)
    assert body["code"] == "too_large"
    assert not Ticket.objects.exists()


# ---- attachments -------------------------------------------------------------------------------------------------


def upload(api: Api, ticket: Ticket, name: str, content: bytes) -> Any:
    return api.client.post(
        f"/api/v1/tickets/{ticket.pk}/attachments",
        {"version": ticket.version, "text": "现场照片", "file": SimpleUploadedFile(name, content)},
        headers=api.headers,
    )


@pytest.mark.parametrize(
    "content",
    [
        b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
        b"\xef\xbb\xbf  <html><img src=x onerror=alert(1)>",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        "现场说明：\n<script>fetch('/api/v1/me')</script>".encode(),
        b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)),  # a Linux program
    ],
)
def test_a_page_or_a_program_named_jpg_is_refused(city: City, content: bytes) -> None:
    ticket = ticket_at(city, "registered")
    body = assert_refusal(upload(Api("intake"), ticket, "photo.jpg", content), 422, "file")
    assert "不支持的文件类型" in body["fields"]["file"][0]
    assert not Attachment.objects.exists() and media_files() == []
    assert fingerprint(ticket.pk) == (1, "registered", 1)


def test_plain_chinese_text_is_accepted_as_text(city: City) -> None:
    ticket = ticket_at(city, "registered")
    response = upload(Api("intake"), ticket, "说明.txt", "现场情况：路灯不亮😡，已拍照。".encode())
    assert response.status_code == 200, response.content
    assert Attachment.objects.get().content_type == "text/plain"


def test_a_file_over_the_size_limit_is_refused_and_nothing_is_written(city: City) -> None:
    ticket = ticket_at(city, "registered")
    big = b"\x89PNG\r\n\x1a\n" + b"\x00" * MAX_ATTACHMENT_BYTES  # one limit's worth after the header
    body = assert_refusal(upload(Api("intake"), ticket, "big.png", big), (413, 422), "file")
    assert f"{MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB" in body["fields"]["file"][0]
    assert not Attachment.objects.exists() and media_files() == []
    assert fingerprint(ticket.pk) == (1, "registered", 1)


def test_a_failure_after_the_file_is_written_leaves_no_file_behind(city: City, monkeypatch) -> None:
    ticket = ticket_at(city, "registered")

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the event could not be written")

    monkeypatch.setattr(actions, "_record", broken)
    with pytest.raises(RuntimeError):
        actions.attach_file(actor=city.users["intake"], ticket_id=ticket.pk, version=1,
                            upload=SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64))  # fmt: skip
    assert not Attachment.objects.exists() and media_files() == []


def test_open311_refuses_nul_in_any_parameter(city: City) -> None:
    web = Client()
    response = web.get("/open311/v2/requests.json", {"service_code": "02\x000101"})
    assert response.status_code == 400
    assert response.json()[0]["code"] == 400 and "service_code" in response.json()[0]["description"]
    assert web.get("/open311/v2/requests/20260101%0000001.json").status_code == 400


def test_a_webhook_message_with_a_nul_is_refused_with_the_field_named(client: Client, city: City) -> None:
    from rexian.intake.models import ChannelAccount, ChannelKind
    from tests.intake.test_channels import MESSAGE, SECRET, counts, post

    ChannelAccount.objects.create(code="wx-city", name="市12345公众号", kind=ChannelKind.WECHAT, secret=SECRET)
    response = post(client, "wx-city", {**MESSAGE, "text": "路灯\x00不亮"})
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "malformed" and "text" in response.json()["fields"]
    assert counts() == (0, 0, 0)
