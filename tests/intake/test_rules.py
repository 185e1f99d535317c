"""The screening rules in the database: seeded by the migration, edited by the centre, cached per process."""

from __future__ import annotations

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.test import Client

from rexian.directory.models import User
from rexian.intake.models import ScreeningRule
from rexian.intake.screening import SEED_RULES, Concern
from rexian.intake.selectors import active_rules, screen_text
from tests.intake.conftest import SEED_MIGRATION

pytestmark = pytest.mark.django_db


def test_the_seed_migration_writes_every_default_rule_and_takes_them_back():
    ScreeningRule.objects.all().delete()
    SEED_MIGRATION.seed(django_apps, None)
    assert [row.as_rule() for row in ScreeningRule.objects.order_by("pk")] == list(SEED_RULES)
    ScreeningRule.objects.create(concern=Concern.EMERGENCY, pattern="自建规则", transfer_to="110")
    SEED_MIGRATION.unseed(django_apps, None)
    assert list(ScreeningRule.objects.values_list("pattern", flat=True)) == ["自建规则"]


def test_the_seeded_rules_screen_an_appeal(seeded_screening):
    assert len(active_rules()) == len(SEED_RULES)
    hits = screen_text("我和邻居是邻里纠纷，他还打人")
    assert [(hit.rule.concern, hit.matched) for hit in hits] == [
        (Concern.EMERGENCY, "打人"),
        (Concern.OUT_OF_SCOPE, "邻里纠纷"),
    ]
    assert hits[1].rule.redirect_to == "人民调解委员会或人民法院"


def test_an_edit_takes_effect_at_once(seeded_screening):
    assert screen_text("楼道里有人烧纸") == []  # and the rules are now cached
    rule = ScreeningRule.objects.create(concern=Concern.EMERGENCY, pattern="烧纸", transfer_to="119", reason="火情")
    assert [hit.matched for hit in screen_text("楼道里有人烧纸")] == ["烧纸"]
    rule.is_active = False
    rule.save()
    assert screen_text("楼道里有人烧纸") == []
    fire = ScreeningRule.objects.get(pattern="着火")
    fire.delete()
    assert screen_text("着火了") == []


def test_only_active_rules_are_read_and_a_bulk_update_waits_for_the_cache(seeded_screening):
    assert any(hit.matched == "仲裁" for hit in screen_text("劳动仲裁"))
    ScreeningRule.objects.filter(pattern="仲裁").update(is_active=False)  # no signal: a bulk update
    assert any(hit.matched == "仲裁" for hit in screen_text("劳动仲裁"))  # the cache holds it, for a minute
    ScreeningRule.objects.get(pattern="起诉").save()  # any save clears the cache
    assert not any(hit.matched == "仲裁" for hit in screen_text("劳动仲裁"))


def test_clean_refuses_a_bad_regular_expression():
    rule = ScreeningRule(concern=Concern.EMERGENCY, pattern="(着火", is_regex=True, transfer_to="119")
    with pytest.raises(ValidationError) as refused:
        rule.clean()
    assert "正则表达式有误" in refused.value.message_dict["pattern"][0]
    ScreeningRule(concern=Concern.EMERGENCY, pattern="(着火", is_regex=False, transfer_to="119").clean()


def test_clean_asks_an_emergency_for_its_number_and_an_exclusion_for_its_reason():
    with pytest.raises(ValidationError) as refused:
        ScreeningRule(concern=Concern.EMERGENCY, pattern="着火").clean()
    assert list(refused.value.message_dict) == ["transfer_to"]
    with pytest.raises(ValidationError) as refused:
        ScreeningRule(concern=Concern.OUT_OF_SCOPE, pattern="仲裁", transfer_to="110").clean()
    assert set(refused.value.message_dict) == {"reason", "transfer_to"}
    ScreeningRule(concern=Concern.OUT_OF_SCOPE, pattern="仲裁", reason="仲裁机构处理").clean()


def test_a_centre_admin_edits_the_rules_in_the_admin(seeded_screening):
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.cn", "pw-123456789"))
    listing = client.get("/admin/intake/screeningrule/?concern=emergency")
    assert listing.status_code == 200 and "煤气" in listing.content.decode()
    form = {"concern": "emergency", "pattern": "(失火", "is_regex": "on", "transfer_to": "119", "is_active": "on"}
    refused = client.post("/admin/intake/screeningrule/add/", form)
    assert refused.status_code == 200 and "正则表达式有误" in refused.content.decode()
    saved = client.post("/admin/intake/screeningrule/add/", {**form, "pattern": "火[苗光]"})
    assert saved.status_code == 302
    assert [hit.matched for hit in screen_text("窗外有火光")] == ["火光"]
    assert client.get("/admin/intake/emergencytransfer/").status_code == 200
