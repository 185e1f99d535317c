from __future__ import annotations

import pytest
from django.test import Client

from rexian.tickets.models import Attachment
from tests.conftest import APPEAL

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _upload(api_client, ticket: dict, name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return api_client.client.post(
        f"/api/v1/tickets/{ticket['id']}/attachments",
        {"version": ticket["version"], "text": "现场照片", "file": SimpleUploadedFile(name, content)},
        headers=api_client.headers,
    )


def test_photo_upload_writes_an_event_and_can_be_downloaded(api, city):
    intake = api("intake")
    t = intake.post("/tickets", APPEAL).json()
    response = _upload(intake, t, "../../etc/现场.png", PNG)
    assert response.status_code == 200, response.content
    t = response.json()
    assert t["version"] == 2
    files = intake.get(f"/tickets/{t['id']}/attachments").json()
    assert files[0]["name"] == "现场.png" and files[0]["content_type"] == "image/png"
    event = intake.get(f"/tickets/{t['id']}/events").json()[-1]
    assert event["action"] == "add_note" and event["payload"]["attachment"]["id"] == files[0]["id"]
    download = intake.client.get(f"/api/v1/tickets/{t['id']}/attachments/{files[0]['id']}", headers=intake.headers)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG


def test_file_type_is_sniffed_not_trusted_from_the_name(api, city):
    intake = api("intake")
    t = intake.post("/tickets", APPEAL).json()
    response = _upload(intake, t, "photo.jpg", b"MZ\x90\x00\x03" + bytes(range(256)))  # a Windows program
    assert response.status_code == 422 and "file" in response.json()["fields"]
    assert not Attachment.objects.exists()
    assert intake.get(f"/tickets/{t['id']}").json()["version"] == 1


def test_other_units_cannot_read_attachments(api, city):
    intake = api("intake")
    t = intake.post("/tickets", APPEAL).json()
    t = _upload(intake, t, "a.png", PNG).json()
    outsider = api("h_hrss")
    assert outsider.get(f"/tickets/{t['id']}/attachments").status_code == 404
    assert Client().get(f"/api/v1/tickets/{t['id']}/attachments").status_code == 401
