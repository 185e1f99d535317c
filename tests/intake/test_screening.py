"""Scope screening as rules: which words mark an emergency or a matter the hotline does not take (no database)."""

from __future__ import annotations

from rexian.intake.screening import SEED_RULES, SERVICE_LABELS, Concern, Rule, negated, screen


def _found(text: str, rules=SEED_RULES) -> list[tuple[str, str]]:
    return [(hit.matched, hit.rule.transfer_to or hit.rule.redirect_to) for hit in screen(text, rules)]


def test_a_fire_is_handed_to_119_and_a_lawsuit_to_the_court():
    assert _found("楼下饭店着火了，浓烟很大") == [("着火", "119")]
    assert _found("这件事我已经起诉了，想问问法院什么时候开庭") == [("起诉", "人民法院")]


def test_every_emergency_kind_reaches_its_service():
    assert _found("路口两辆车撞车，有人受伤") == [("撞车", "122"), ("有人受伤", "122")]
    assert _found("我爸突然晕倒了") == [("晕倒", "120")]
    assert _found("有人持刀在小区里追人") == [("持刀", "110")]
    assert _found("邻居家天然气泄露，味道很重") == [("天然气泄露", "119")]  # the common misspelling of 泄漏


def test_emergencies_come_first_whatever_the_order_of_the_rules_or_the_text():
    rules = (
        Rule(Concern.OUT_OF_SCOPE, "仲裁", reason="仲裁机构处理", redirect_to="仲裁机构"),
        Rule(Concern.EMERGENCY, "打人", transfer_to="110", reason="暴力"),
    )
    hits = screen("劳动仲裁没结果，老板还打人", rules)
    assert [hit.rule.concern for hit in hits] == [Concern.EMERGENCY, Concern.OUT_OF_SCOPE]


def test_each_rule_hits_once_however_often_it_matches():
    hits = screen("着火了！又着火了！", SEED_RULES)
    assert [hit.matched for hit in hits] == ["着火"]


def test_a_directly_negated_mention_does_not_count():
    assert _found("家里没有着火，只是闻到焦味") == []
    assert _found("没着火，是邻居在烧烤") == []
    assert _found("现场未见冒烟") == []
    assert _found("我们没有起诉，想先找街道协调") == []
    assert _found("并非仲裁案件") == []
    assert _found("不是打人，是吵架") == []


def test_a_later_unnegated_mention_still_counts():
    assert _found("刚才说没有着火，现在真的着火了") == [("着火", "119")]


def test_a_question_is_not_a_negation():
    assert _found("你看看是不是着火了") == [("着火", "119")]
    assert _found("不知道有没有人受伤") == [("有人受伤", "122")]


def test_a_negation_further_away_or_across_a_comma_does_not_cancel():
    assert _found("未成年人打人") == [("打人", "110")]
    assert _found("物业没管，着火了") == [("着火", "119")]
    assert not negated("没管，着火", 3)


def test_a_regular_expression_rule_matches_and_reports_what_it_matched():
    rule = Rule(Concern.OUT_OF_SCOPE, "(?<!退役)军人", is_regex=True, reason="军队事项", redirect_to="军队有关部门")
    assert [hit.matched for hit in screen("现役军人家属随军问题", [rule])] == ["军人"]
    assert screen("退役军人优待证怎么办", [rule]) == []


def test_a_bad_regular_expression_is_skipped_never_raised():
    rules = (
        Rule(Concern.EMERGENCY, "(着火", is_regex=True, transfer_to="119"),
        Rule(Concern.EMERGENCY, "", transfer_to="119"),  # an empty phrase would match everything
        Rule(Concern.EMERGENCY, "着火", transfer_to="119"),
    )
    assert [hit.rule.pattern for hit in screen("着火了", rules)] == ["着火"]


def test_the_seed_rules_are_complete_and_in_chinese():
    services = {rule.transfer_to for rule in SEED_RULES if rule.concern is Concern.EMERGENCY}
    assert services == set(SERVICE_LABELS)
    for rule in SEED_RULES:
        if rule.concern is Concern.OUT_OF_SCOPE:
            assert rule.reason and rule.redirect_to and not rule.transfer_to, rule
        else:
            assert rule.transfer_to and rule.reason and not rule.redirect_to, rule
    redirects = {rule.redirect_to for rule in SEED_RULES}
    assert {"人民法院", "仲裁机构", "军队有关部门", "人民调解委员会或人民法院", "信访部门", "纪检监察机关"} <= redirects
    assert len({(rule.pattern, rule.is_regex) for rule in SEED_RULES}) == len(SEED_RULES)


def test_in_scope_appeals_are_left_alone():
    for text in (
        "小区门口商贩占道经营，影响通行",
        "公司拖欠三个月工资",
        "退役军人优待证怎么办理",
        "路灯坏了一个星期，晚上很黑",
    ):
        assert screen(text, SEED_RULES) == [], text
