"""How alike two appeals read, and the best matches among many (no database)."""

from __future__ import annotations

import pytest

from rexian.intake import duplicates
from rexian.intake.duplicates import MIN_CHARACTERS, best_matches, characters, similarity

# The same complaint, as two callers (or two agents) put it.
REWORDED = [
    (
        "幸福小区门口每天傍晚有商贩占道经营，影响通行，希望相关部门处理。",
        "市民反映幸福小区大门口傍晚总有小贩摆摊占道，行人过不去，请城管管一管。",
    ),
    (
        "东一街道光明路的路灯坏了一个星期，晚上很黑，出行不安全。",
        "光明路上路灯不亮已经七八天了，晚上走路很危险，希望尽快修复路灯。",
    ),
    (
        "来电人反映某某公司拖欠其三个月工资共计一万二千元，多次讨要无果。",
        "某某公司欠了我三个月的工资一万二，老板一直拖着不给，要了好多次了。",
    ),
    (
        "翠湖花园旁边工地晚上十二点还在施工，打桩声音太大睡不着觉。",
        "来电反映翠湖花园附近的建筑工地夜间施工，凌晨还在打桩，噪音扰民严重。",
    ),
    (
        "青山路自来水管爆裂，路面积水严重，附近居民停水。",
        "青山路上水管破了，水流了一地，我们小区也停水了，请自来水公司抢修。",
    ),
    (
        "来电人称：朝阳中路两侧机动车长期违停，双向车道只剩一条，早晚高峰严重拥堵。诉求：请交警加强管理。",
        "市民来电反映：其住在青山区湖滨街道翠湖社区润泽佳苑，朝阳中路路边停满了车，只能走一条道，上下班堵得厉害。",
    ),
]
UNRELATED = [
    (
        "幸福小区门口每天傍晚有商贩占道经营，影响通行，希望相关部门处理。",
        "光明路的路灯坏了一个星期，晚上很黑，出行不安全。",
    ),
    (
        "来电人反映某某公司拖欠其三个月工资，多次讨要无果。",
        "来电人反映小区楼下餐馆油烟直排，影响居民生活，希望相关部门处理。",
    ),
    ("咨询新生儿医保如何办理，需要什么材料。", "反映幸福小区门口每天傍晚有商贩占道经营，影响通行。"),
    (
        "来电人反映其购买的电动车电池有质量问题，商家拒绝退换，希望相关部门处理。",
        "来电人反映其所在小区电梯经常故障停运，物业不维修，希望相关部门处理。",
    ),
    (
        "建议在人民公园增设公共厕所，方便游客。",
        "来电人反映某某公司拖欠其三个月工资，多次讨要无果，希望相关部门尽快处理。",
    ),
]


@pytest.mark.parametrize(("a", "b"), REWORDED)
def test_the_same_complaint_reworded_scores_high(a, b):
    assert similarity(a, b) >= 0.6
    assert similarity(a, b) == similarity(b, a)


@pytest.mark.parametrize(("a", "b"), UNRELATED)
def test_unrelated_complaints_score_low(a, b):
    assert similarity(a, b) < 0.4


def test_identical_texts_score_one_and_the_clerks_formulas_count_for_nothing():
    text = "光明路的路灯坏了一个星期，晚上很黑。"
    assert similarity(text, text) == pytest.approx(1.0)
    assert similarity(f"来电人反映：{text}诉求：希望相关部门尽快处理。", text) == pytest.approx(1.0)


def test_too_little_text_compares_with_nothing():
    assert len(characters("路灯坏了")) < MIN_CHARACTERS
    assert similarity("路灯坏了", "路灯坏了") == 0.0
    assert similarity("", "") == 0.0


def _pool(size: int) -> list[tuple[int, str]]:
    """Unrelated appeals from one district, all written with the clerks' formulas."""
    topics = [
        "占道经营",
        "噪音扰民",
        "路面破损",
        "垃圾清运",
        "油烟直排",
        "违章停车",
        "电梯故障",
        "欠薪",
        "停水",
        "医保报销",
    ]
    return [
        (
            n,
            f"来电人反映：其系青山区湖滨街道居民，{topics[n % len(topics)]}第{n}号事项。"
            "来电人此前曾拨打过热线。诉求：请求相关部门加强监管。",
        )
        for n in range(size)
    ]


def test_best_matches_finds_the_reworded_complaint_among_many():
    query, reworded = REWORDED[1]
    candidates = [*_pool(100), (1000, reworded), (1001, UNRELATED[2][0])]
    found = best_matches(query, candidates, threshold=0.6, limit=5)
    assert found[0][0] == 1000 and found[0][1] >= 0.6
    assert all(score >= 0.6 for _, score in found)
    assert [score for _, score in found] == sorted((score for _, score in found), reverse=True)


def test_best_matches_ignores_what_all_the_candidates_share():
    """The district's name and the clerks' stock sentences are in every candidate: they make no match."""
    query = (
        "来电人反映：其系青山区湖滨街道居民，某小区门口水管爆裂。来电人此前曾拨打过热线。诉求：请求相关部门加强监管。"
    )
    assert best_matches(query, _pool(100), threshold=0.6, limit=5) == []


def test_the_candidates_are_analysed_once_until_a_new_appeal_joins_them():
    """While agents type, every check reads the same recent appeals: what they share is worked out once. A new
    appeal among them is a new pool, analysed afresh, and found."""
    duplicates._pool.cache_clear()
    query, reworded = REWORDED[1]
    recent = _pool(100)
    assert best_matches(query, recent, threshold=0.6, limit=5) == []
    assert best_matches(REWORDED[0][0], recent, threshold=0.6, limit=5) == []
    assert (duplicates._pool.cache_info().misses, duplicates._pool.cache_info().hits) == (1, 1)
    [(found, _)] = best_matches(query, [*recent, (1000, reworded)], threshold=0.6, limit=5)
    assert found == 1000 and duplicates._pool.cache_info().misses == 2


def test_best_matches_respects_the_threshold_and_the_limit():
    text = "光明路的路灯坏了一个星期，晚上很黑，出行不安全。"
    copies = [(n, text) for n in range(5)]
    assert len(best_matches(text, copies, threshold=0.6, limit=3)) == 3
    assert best_matches(text, copies, threshold=0.6, limit=0) == []
    assert best_matches(text, [(1, UNRELATED[0][0])], threshold=0.6, limit=3) == []
    assert best_matches("路灯", copies, threshold=0.1, limit=3) == []
