"""Hotspots, spikes and sensitive themes on synthetic appeals (pure: no database, no data files)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from rexian.analytics.hotspots import (
    WATCH_THEMES,
    Message,
    agree,
    compatible,
    daily_counts,
    extract_places,
    find_hotspots,
    heat_of,
    match_themes,
    spikes,
)

START = datetime(2024, 5, 1, 9, 0)

NOISE = [
    "{p}楼下的KTV每天夜里噪音扰民，吵得睡不着",
    "{p}旁边酒吧深夜噪音太大，严重扰民",
    "{p}夜间噪音扰民，音响声音很大，希望整治",
    "反映{p}楼下商铺深夜噪音扰民问题",
    "{p}附近KTV噪音扰民，老人孩子无法休息",
    "{p}楼下酒吧音乐声太大，夜里噪音扰民",
]
WATER = [
    "{p}下雨后严重积水，行人无法通行",
    "{p}一下雨就积水，车辆熄火，请疏通排水",
    "{p}积水严重，排水管堵塞",
    "反映{p}路面积水问题，雨天没法走路",
]
OTHERS = [
    ("幸福里社区暖气不热，室温只有十二度", "暖气不热"),
    ("咨询灵活就业人员社保缴费标准", "社保缴费咨询"),
    ("12路公交车发车间隔太长，等车一个小时", "公交等车太久"),
    ("实验小学门口早晚接送孩子交通拥堵", "学校门口拥堵"),
    ("东湖公园健身器材损坏无人维修", "健身器材损坏"),
    ("翠苑小区电梯经常停运，老人上下楼困难", "电梯停运"),
    ("江滨路路灯不亮已经一个星期", "路灯不亮"),
    ("菜市场占道经营，垃圾遍地", "占道经营"),
    ("咨询新生儿落户需要哪些材料", "落户咨询"),
    ("医保异地报销流程太复杂", "医保报销"),
]


def appeals(
    prefix: str,
    place: str,
    templates: list[str],
    n: int,
    *,
    start: datetime = START,
    days: int = 10,
    seed: int = 0,
    weight: float = 0.0,
    author: str | None = None,
    category: str = "",
) -> list[Message]:
    """`n` appeals about one problem at one place, reworded, from different people (or one `author`), spread
    over `days` days from `start`."""
    rng = random.Random(seed)
    out = []
    for k in range(n):
        text = templates[k % len(templates)].format(p=place)
        out.append(Message(
            id=f"{prefix}{k}", text=text + "。" + rng.choice(["请尽快处理。", "希望有关部门管一管。", "谢谢。"]),
            title=text.split("，")[0], at=start + timedelta(days=k * days / n, hours=rng.randint(0, 12)),
            weight=weight, author=author or f"{prefix}-caller-{k}", category=category,
        ))  # fmt: skip
    return out


def scattered() -> list[Message]:
    return [
        Message(id=f"x{k}", text=text + "。", title=title, at=START + timedelta(days=k), author=f"x{k}")
        for k, (text, title) in enumerate(OTHERS)
    ]


def members(hotspot) -> set[str]:
    return set(hotspot.member_ids)


def test_the_two_real_problems_are_the_two_top_hotspots_with_the_right_members() -> None:
    noise = appeals("n", "阳光花园小区", NOISE, 12, seed=1)
    water = appeals("w", "建设路", WATER, 8, seed=2)
    found = find_hotspots([*scattered(), *water, *noise])
    assert len(found) == 2  # the scattered appeals are each alone: no hotspot
    first, second = found
    assert members(first) == {m.id for m in noise} and members(second) == {m.id for m in water}
    assert (first.rank, second.rank) == (1, 2)
    assert (first.size, first.people) == (12, 12)
    assert "阳光花园小区" in first.place_people and "建设路" in second.place_people
    assert "阳光花园" not in first.description and "噪音" in first.description  # 地点 is said once, in place_people
    assert "噪音" in first.keywords and "积水" in second.keywords
    assert first.first_at == min(m.at for m in noise) and first.last_at == max(m.at for m in noise)


def test_the_same_problem_at_two_places_makes_two_hotspots() -> None:
    sunshine = appeals("a", "阳光花园小区", NOISE, 6, seed=3)
    pearl = appeals("b", "明珠花园小区", NOISE, 6, seed=3)
    happiness = appeals("c", "幸福路", WATER, 5, seed=4)
    liberation = appeals("d", "解放路", WATER, 5, seed=4)
    found = find_hotspots([*sunshine, *pearl, *happiness, *liberation])
    assert sorted(map(members, found), key=sorted) == sorted(
        [{m.id for m in group} for group in (sunshine, pearl, happiness, liberation)], key=sorted
    )


def test_an_appeal_naming_no_place_does_not_bridge_two_places() -> None:
    sunshine = appeals("a", "阳光花园小区", NOISE, 5, seed=5)
    pearl = appeals("b", "明珠花园小区", NOISE, 5, seed=5)
    nowhere = appeals("z", "小区", NOISE, 3, seed=5)  # "小区" names no particular place
    found = find_hotspots([*sunshine, *pearl, *nowhere])
    for hotspot in found:
        ids = members(hotspot)
        assert not (ids & {m.id for m in sunshine} and ids & {m.id for m in pearl})


def test_the_time_window_splits_a_problem_that_comes_back_months_later() -> None:
    spring = appeals("s", "阳光花园小区", NOISE, 6, seed=6)
    autumn = appeals("f", "阳光花园小区", NOISE, 6, seed=7, start=START + timedelta(days=150))
    split = find_hotspots([*spring, *autumn], window_days=30)
    assert sorted(map(members, split), key=sorted) == sorted(
        [{m.id for m in spring}, {m.id for m in autumn}], key=sorted
    )
    assert len(find_hotspots([*spring, *autumn], window_days=200)) == 1


def test_different_categories_do_not_merge() -> None:
    noise = appeals("n", "阳光花园小区", NOISE, 6, seed=8, category="噪声扰民")
    filed = appeals("m", "阳光花园小区", NOISE, 6, seed=9, category="城市管理")
    assert len(find_hotspots([*noise, *filed])) == 2
    assert len(find_hotspots([*noise, *appeals("m", "阳光花园小区", NOISE, 6, seed=9)])) == 1  # none: no conflict


def test_weight_moves_the_ranking() -> None:
    noise = appeals("n", "阳光花园小区", NOISE, 6, seed=10)
    water = appeals("w", "建设路", WATER, 6, seed=11)
    liked_water = appeals("w", "建设路", WATER, 6, seed=11, weight=20)
    assert members(find_hotspots([*noise, *water])[0]) in ({m.id for m in noise}, {m.id for m in water})
    top = find_hotspots([*noise, *liked_water])
    assert members(top[0]) == {m.id for m in water} and top[0].weight == 120
    liked_noise = appeals("n", "阳光花园小区", NOISE, 6, seed=10, weight=20)
    assert members(find_hotspots([*liked_noise, *water])[0]) == {m.id for m in noise}


def test_growth_moves_the_ranking() -> None:
    now = START + timedelta(days=60)
    old = appeals("o", "阳光花园小区", NOISE, 6, seed=12, start=now - timedelta(days=40), days=6)
    rising = appeals("r", "建设路", WATER, 6, seed=13, start=now - timedelta(days=6), days=5)
    found = find_hotspots([*old, *rising], now=now)
    assert members(found[0]) == {m.id for m in rising}
    assert found[0].growth > 0 and found[1].growth == 0
    assert found[0].heat > found[1].heat
    # Measured a month later, the rise is over: equal volumes, equal heat.
    later = find_hotspots([*old, *rising], now=now + timedelta(days=30))
    assert later[0].heat == later[1].heat


def test_one_citizen_writing_many_times_is_one_voice() -> None:
    one = appeals("o", "阳光花园小区", NOISE, 8, seed=14, author="same-caller")
    many = appeals("m", "建设路", WATER, 4, seed=15)
    found = find_hotspots([*one, *many])
    assert members(found[0]) == {m.id for m in many}
    assert (found[1].size, found[1].people) == (8, 1)


def test_heat_index_formula() -> None:
    assert heat_of(10, 0, 0) == 10
    assert heat_of(10, 7, 0) == 13  # log2(1 + 7) = 3
    assert heat_of(10, 7, 2) == 26  # growth 2: × (1 + 2 / 2)
    assert heat_of(10, 0, -3) == 10  # falling does not cool the index below its volume


def test_min_size_top_and_determinism() -> None:
    batch = [
        *scattered(),
        *appeals("n", "阳光花园小区", NOISE, 12, seed=16),
        *appeals("w", "建设路", WATER, 8, seed=17),
    ]
    assert len(find_hotspots(batch, top=1)) == 1
    assert find_hotspots(batch) == find_hotspots(batch)
    shuffled = batch[:]
    random.Random(0).shuffle(shuffled)
    assert [members(h) for h in find_hotspots(shuffled)] == [members(h) for h in find_hotspots(batch)]
    assert len(find_hotspots(batch, min_size=9)) == 1
    assert find_hotspots([]) == []


def test_texts_without_titles_or_times() -> None:
    batch = [Message(id=m.id, text=m.text) for m in appeals("n", "阳光花园小区", NOISE, 6, seed=18)]
    batch += [Message(id=f"x{k}", text=text) for k, (text, _) in enumerate(OTHERS)]
    (hotspot,) = find_hotspots(batch)
    assert members(hotspot) == {f"n{k}" for k in range(6)}
    assert hotspot.first_at is None and hotspot.growth == 0 and hotspot.description


def test_a_given_place_keeps_apart_what_the_text_cannot() -> None:
    east = [Message(id=f"e{k}", text=t, place="东城街道") for k, t in enumerate(["小区门口路灯坏了，晚上很黑"] * 4)]
    west = [Message(id=f"w{k}", text=t, place="西城街道") for k, t in enumerate(["小区门口路灯坏了，晚上很黑"] * 4)]
    found = find_hotspots([*east, *west])
    assert sorted(map(members, found), key=sorted) == [{f"e{k}" for k in range(4)}, {f"w{k}" for k in range(4)}]
    assert {h.place_people for h in found} == {"东城街道", "西城街道"}


def test_places_read_from_text() -> None:
    places = extract_places("A5区劳动东路魅力之城小区油烟扰民")
    assert (places.districts, places.roads, places.sites) == ({"A5区"}, {"劳动东路"}, {"魅力之城小区"})
    assert extract_places("投诉A市伊景园滨河苑捆绑销售车位").sites == {"伊景园滨河苑"}
    assert extract_places("该小区附近的停车场收费太高").spots == set()  # kinds of place, not places
    assert extract_places("北京市朝阳区望京街道").districts == {"朝阳区"}
    street = extract_places("暮云街道丽发新城小区附近搅拌站扰民")
    assert (street.areas, street.sites) == ({"暮云街道"}, {"丽发新城小区"})
    # One 街道 does not make one place; two 街道 make two.
    assert not compatible(street, extract_places("天顶街道丽发新城小区"))
    assert not agree(extract_places("暮云街道路灯不亮"), extract_places("暮云街道噪音扰民"))  # no link bonus
    same = extract_places("丽发新城小区附近搅拌站扰民")
    assert compatible(same, extract_places("A2区丽发小区灰尘大"))
    assert not compatible(same, extract_places("魅力之城小区噪音"))
    # Two estates on one road differ; a road and an estate cannot be compared.
    assert not compatible(extract_places("劳动东路魅力之城小区"), extract_places("劳动东路昇明壹城小区"))
    assert compatible(extract_places("劳动东路"), extract_places("魅力之城小区"))


def test_a_spike_is_flagged_and_a_small_rise_is_not() -> None:
    series = {
        "噪声扰民": [2] * 28 + [9, 8, 10, 7, 9, 11, 8],  # 14 expected in a week, 62 came
        "供暖": [0] * 27 + [1] + [0, 1, 0, 0, 1, 0, 1],  # 1 → 3: too few to tell
        "交通": [100] * 28 + [115] * 7,  # +15 %: significant for Poisson, not a spike
        "社保": [3] * 35,
        "新区": [0] * 28 + [3, 2, 4, 3, 2, 3, 3],  # nothing before, 20 now
        "too short": [5] * 7,
    }
    found = spikes(series)
    assert [s.key for s in found] == ["新区", "噪声扰民"]  # the less likely rise first
    noise = found[1]
    assert noise.recent == 62 and noise.expected == pytest.approx(14.12, abs=0.01)
    assert noise.ratio == pytest.approx(62 / 14.125, abs=0.01) and noise.p_value < 1e-10
    # 1 → 3 passes the ratio and probability bars only once the minimum count is lowered.
    assert "供暖" in [s.key for s in spikes(series, min_recent=3, alpha=0.05)]


def test_the_ratio_bar_is_what_keeps_a_large_category_quiet() -> None:
    series = {"交通": [100] * 28 + [115] * 7}
    assert spikes(series) == []
    assert [s.key for s in spikes(series, min_ratio=1.1)] == ["交通"]


def test_daily_counts_feed_spikes() -> None:
    now = datetime(2024, 6, 30, 18, 0)
    batch = [Message(id=str(k), text="噪音", at=now - timedelta(days=k % 35), category="噪声") for k in range(70)]
    batch += [Message(id=f"new{k}", text="噪音", at=now - timedelta(hours=k), category="噪声") for k in range(40)]
    batch += [
        Message(id="none", text="没有类别", at=now),
        Message(id="old", text="太早", at=now - timedelta(days=90), category="噪声"),
    ]
    series = daily_counts(batch, lambda m: m.category, days=35, now=now)
    assert list(series) == ["噪声"] and len(series["噪声"]) == 35
    assert sum(series["噪声"]) == 110 and series["噪声"][-1] == 2 + 19  # today: two of the 70, 19 of the new hours
    assert [s.key for s in spikes(series)] == ["噪声"]


def test_themes_are_matched_and_negation_respected() -> None:
    assert match_themes("公司拖欠工资三个月了，老板不接电话") == ["拖欠工资"]
    assert match_themes("公司从来没有拖欠工资") == []
    assert match_themes("公司说没有拖欠工资，可三个月的工资没发") == ["拖欠工资"]
    assert match_themes("工资没发，还被无故辞退了") == ["拖欠工资", "劳动纠纷"]
    assert match_themes("村里征地补偿不到位，几十户村民准备集体上访") == ["征地拆迁", "群体性事件"]
    assert match_themes("楼道里堆满杂物，堵塞消防通道，存在安全隐患") == ["安全隐患"]
    assert match_themes("有没有燃气泄漏的危险？") == ["燃气"]  # a question is not a denial
    assert match_themes("小区路灯不亮") == []
    assert match_themes("工地拖欠工资", {"欠薪": ("拖欠工资",), "坏规则": ("(",)}) == ["欠薪"]
    assert "拖欠工资" in WATCH_THEMES and "征地拆迁" in WATCH_THEMES


def test_a_hotspot_reports_the_themes_its_members_share() -> None:
    text = "我们{}个工人在宏达建筑工地干活，老板拖欠工资半年。"
    title = "宏达建筑工地拖欠农民工工资"
    wages = [Message(id=f"g{k}", title=title, text=text.format(k + 3), author=f"g{k}") for k in range(5)]
    (hotspot,) = find_hotspots(wages)
    assert hotspot.themes == ["拖欠工资"]
    assert hotspot.places == ["宏达建筑工地"] and hotspot.place_people == "宏达建筑工地农民工"  # where, and who
