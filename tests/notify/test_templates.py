"""The default Chinese templates, their rendering, and a centre's overrides."""

from __future__ import annotations

import random
from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from rexian.core.clock import SHANGHAI
from rexian.demo import cityspec, texts
from rexian.directory.models import User
from rexian.notify.models import MessageTemplate
from rexian.notify.outbox import render
from rexian.notify.templates import DEFAULTS, chinese_date, fill, limit_text, placeholders

RECEIPT_CONTEXT = {
    "number": "2026112100042",
    "query_code": "K7PX3M",
    "portal_url": "http://127.0.0.1:8000/portal/",
    "handling_limit": "15个工作日",
}


def _longest_demo_values() -> dict[str, str]:
    """The longest subject and unit name the demo city produces: the worst case for an SMS."""
    rng = random.Random(7)
    subjects = [
        texts.compose_appeal(rng, leaf.code, "青山区", "湖滨街道", "翠湖社区").subject
        for leaf in cityspec.leaf_categories()
        for _ in range(3)
    ]
    units = [spec.name for spec in cityspec.units_by_code().values()]
    return {"subject": max(subjects, key=len), "unit": max(units, key=len)}


def test_the_eleven_templates_are_there_in_chinese():
    assert {code: t.label for code, t in DEFAULTS.items()} == {
        "receipt": "受理回执",
        "closed": "办结通知",
        "merged": "并单通知",
        "merged_result": "并单办结通知",
        "new_ticket": "新工单",
        "due_soon": "即将超期",
        "reminder": "催办",
        "supervision": "督办",
        "hotline_appeal": "原热线来件",
        "hotline_closed": "原热线来件办结",
        "risk_alert": "风险预警",
    }


def test_the_receipt_gives_number_query_code_portal_and_limit():
    body = DEFAULTS["receipt"].render(RECEIPT_CONTEXT).body
    assert "工单编号2026112100042" in body
    assert "查询码K7PX3M" in body
    assert "http://127.0.0.1:8000/portal/" in body
    assert "办理时限为15个工作日" in body


def test_a_missing_placeholder_renders_empty():
    assert fill("工单{number}（{subject}）", {"number": "2026112100042"}) == "工单2026112100042（）"
    assert "{" not in DEFAULTS["supervision"].render({}).body


def test_braces_that_are_not_placeholders_stay_as_written():
    assert fill("{ 未填 } {number-x} {number}", {"number": "1"}) == "{ 未填 } {number-x} 1"


def test_every_placeholder_of_a_default_is_one_it_declares():
    for template in DEFAULTS.values():
        assert placeholders(template.subject) | placeholders(template.body) <= template.fields, template.code


def test_every_sms_stays_within_200_characters_with_the_demo_values():
    context = {
        **RECEIPT_CONTEXT,
        **_longest_demo_values(),
        "due_at": "2026年12月31日",
        "title": "关于加快办理超期工单的督办通知",
        "level": "二级督办",
        "notice_number": "督〔2026〕128号",
        "explanation_due": "2026年12月25日",
    }
    lengths = {code: len(t.render(context).body) for code, t in DEFAULTS.items()}
    assert max(lengths.values()) <= 200, lengths


def test_limits_and_dates_read_as_chinese():
    assert limit_text(15, hours=False) == "15个工作日"
    assert limit_text(0, hours=False) == "当日"
    assert limit_text(2, hours=True) == "2小时"
    assert chinese_date(datetime(2026, 1, 5, 23, 59, tzinfo=SHANGHAI)) == "2026年1月5日"


@pytest.mark.django_db
def test_an_active_override_replaces_the_default():
    MessageTemplate.objects.create(
        code="receipt", subject="回执{number}", body="【云泽12345】编号{number}，查询码{query_code}"
    )
    assert render("receipt", RECEIPT_CONTEXT).body == "【云泽12345】编号2026112100042，查询码K7PX3M"
    assert render("receipt", RECEIPT_CONTEXT).subject == "回执2026112100042"


@pytest.mark.django_db
def test_an_inactive_override_is_ignored():
    MessageTemplate.objects.create(code="closed", subject="x", body="不应使用", is_active=False)
    assert render("closed", RECEIPT_CONTEXT).body == DEFAULTS["closed"].render(RECEIPT_CONTEXT).body


@pytest.mark.django_db
def test_overrides_are_read_once_and_a_change_is_seen_at_once(django_assert_num_queries):
    override = MessageTemplate.objects.create(code="receipt", subject="回执", body="编号{number}")
    render("receipt", RECEIPT_CONTEXT)
    with django_assert_num_queries(0):  # every message renders a template: kept per process
        assert render("receipt", RECEIPT_CONTEXT).body == "编号2026112100042"
    override.is_active = False
    override.save()
    assert render("receipt", RECEIPT_CONTEXT).body == DEFAULTS["receipt"].render(RECEIPT_CONTEXT).body


def test_an_override_with_an_unknown_placeholder_is_refused():
    template = MessageTemplate(code="receipt", subject="回执", body="编号{number}，{numbr}")
    with pytest.raises(ValidationError, match=r"\{numbr\}"):
        template.clean()
    MessageTemplate(code="supervision", subject="督办{title}", body="{level}{notice_number}").clean()


@pytest.mark.django_db
def test_a_centre_admin_overrides_a_template_in_the_admin():
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.cn", "pw-123456789"))
    assert client.get("/admin/notify/messagetemplate/add/").status_code == 200
    form = {"code": "closed", "is_active": "on", "subject": "办结{number}", "body": "工单{number}已办结{oops}"}
    refused = client.post("/admin/notify/messagetemplate/add/", form)
    assert refused.status_code == 200 and "未知的占位符：{oops}" in refused.content.decode()
    saved = client.post("/admin/notify/messagetemplate/add/", {**form, "body": "工单{number}已办结。"})
    assert saved.status_code == 302
    assert render("closed", RECEIPT_CONTEXT).body == "工单2026112100042已办结。"
    page = client.get(f"/admin/notify/messagetemplate/{MessageTemplate.objects.get().pk}/change/")
    assert DEFAULTS["closed"].body in page.content.decode()
