"""The back office and the front door, as an admin and a unit handler see them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rexian.tickets import actions
from tests.conftest import APPEAL, PASSWORD

ADMIN_MODELS = ["directory/unit", "directory/user", "directory/catalogueentry", "taxonomy/category",
                "tickets/ticket", "notify/notification"]


@pytest.fixture
def admin_client(city):
    user = city.users["centre_admin"]
    user.is_staff = user.is_superuser = True
    user.save()
    client = Client()
    assert client.login(username="centre_admin", password=PASSWORD)
    return client


def test_admin_lists_and_forms_render_in_chinese(admin_client, city):
    ticket, _ = actions.create_ticket(actor=city.users["intake"], data=APPEAL)
    for model in ADMIN_MODELS:
        response = admin_client.get(f"/admin/{model}/")
        assert response.status_code == 200, model
    assert "单位" in admin_client.get("/admin/directory/unit/").content.decode()
    assert admin_client.get(f"/admin/directory/unit/{city.units['x_east'].pk}/change/").status_code == 200
    page = admin_client.get(f"/admin/tickets/ticket/{ticket.pk}/change/").content.decode()
    assert ticket.number in page and "流转记录" in page


def test_tickets_cannot_be_edited_in_the_admin(admin_client, city):
    ticket, _ = actions.create_ticket(actor=city.users["intake"], data=APPEAL)
    response = admin_client.post(f"/admin/tickets/ticket/{ticket.pk}/change/", {"state": "closed"})
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.state == "registered"


def test_front_door_leads_citizens_to_the_portal_and_staff_to_their_console(city):
    page = Client().get(reverse("home")).content.decode()
    assert "我要反映" in page and "登录工作台" in page
    client = Client()
    client.login(username="intake", password=PASSWORD)
    assert client.get(reverse("home"))["Location"] == reverse("console")


def test_dashboard_counts_only_visible_tickets(city):
    actions.create_ticket(actor=city.users["intake"], data=APPEAL)
    client = Client()
    client.login(username="h_hrss", password=PASSWORD)
    page = client.get(reverse("console")).content.decode()
    assert "您可见的工单" in page and "<b>1</b>待派单" not in page and "<b>0</b>待派单" in page
    client.login(username="intake", password=PASSWORD)
    assert "<b>1</b>待派单" in client.get(reverse("console")).content.decode()


def test_healthz(city):
    assert Client().get("/healthz").json() == {"status": "ok"}
