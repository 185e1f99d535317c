"""The calls and their events in the Django admin: read, never added by hand."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client

from rexian.directory.models import User
from tests.conftest import PASSWORD
from tests.telephony.conftest import START, call


def test_the_admin_lists_and_shows_calls(city, cti, now):
    done = call(cti, "c1", START - timedelta(minutes=3), agent="intake", wait=4, talk=50)
    User.objects.create_superuser("root", password=PASSWORD)
    client = Client()
    assert client.login(username="root", password=PASSWORD)
    for url in ("/admin/telephony/call/", f"/admin/telephony/call/{done.pk}/change/", "/admin/telephony/callevent/"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "13800001111" in client.get("/admin/telephony/call/").content.decode()
    assert client.get("/admin/telephony/call/add/").status_code == 403
