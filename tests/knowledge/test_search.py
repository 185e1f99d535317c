"""Chinese search over knowledge entries on the database in use: 2-character words, synonyms, the ways citizens
ask, filters, highlighting, and the index kept in step with every change."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from rexian.knowledge import actions, index
from rexian.knowledge.models import Entry, IndexedTerm, IndexTotals, SearchDoc, Synonym
from rexian.knowledge.rules import EntryStatus, Step
from rexian.knowledge.search import Filters, rank, search

ENTRIES = [
    {
        "title": "住房公积金提取需要哪些材料",
        "variants": "买房了公积金怎么取出来\n租房可以提公积金吗",
        "answer": "提取住房公积金请携带身份证、银行卡和购房合同，到市住房公积金管理中心窗口或网上办理。",
        "unit": "d_hrss",
        "tags": "公积金 提取",
    },
    {
        "title": "城镇职工医疗保障待遇",
        "variants": "看病报销比例是多少",
        "answer": "参加职工医疗保障的人员住院费用按规定比例报销，门诊费用由个人账户支付。",
        "unit": "d_hrss",
    },
    {
        "title": "占道经营如何举报",
        "variants": "小区门口有人摆摊\n路边摊影响通行",
        "answer": "占道经营由城管局负责处理，可拨打 12345 反映具体位置和时间。",
        "unit": "d_urban",
        "categories": "020101",
    },
    {
        "title": "失业保险金申领条件",
        "variants": "被辞退了能领失业金吗\n失业了有没有补贴",
        "answer": "失业前已缴纳失业保险满一年、非因本人意愿中断就业并已办理失业登记的，可以申领失业保险金。",
        "unit": "d_hrss",
    },
]


@pytest.fixture
def entries(city) -> list[Entry]:
    admin = city.users["centre_admin"]
    return [actions.create_entry(actor=admin, data={**data, "publish": True}) for data in ENTRIES]


def titles(text: str, **filters) -> list[str]:
    return [hit.entry.title for hit in search(text, Filters(**filters))]


def test_two_character_words_find_their_entry(entries) -> None:
    assert titles("摆摊")[0] == "占道经营如何举报"
    assert titles("失业金怎么领")[0] == "失业保险金申领条件"


def test_the_ways_citizens_ask_find_the_entry(entries) -> None:
    assert titles("我被公司辞退了，可以领钱吗")[0] == "失业保险金申领条件"
    assert titles("刚买了房想把公积金取出来")[0] == "住房公积金提取需要哪些材料"


def test_synonyms_widen_a_search(entries) -> None:
    Synonym.objects.all().delete()  # the seeded groups (migration 0003) hold this one
    assert "城镇职工医疗保障待遇" not in titles("医保")
    Synonym.objects.create(terms="医保 医疗保障 医疗保险")
    assert titles("医保")[0] == "城镇职工医疗保障待遇"
    hit = search("医保")[0]
    assert ("医疗保障", True) in hit.title


def test_filters_by_unit_category_and_status(city, entries) -> None:
    assert titles("占道经营", unit_id=city.units["d_hrss"].pk) == []
    assert titles("占道经营", category_ids=(city.categories["020101"].pk,)) == ["占道经营如何举报"]
    draft = actions.create_entry(
        actor=city.users["centre_admin"],
        data={"title": "占道经营的罚款标准", "answer": "按条例处罚。", "unit": "d_urban"},
    )
    assert "占道经营的罚款标准" not in titles("占道经营")
    assert "占道经营的罚款标准" in titles("占道经营", statuses=(EntryStatus.DRAFT.value,))
    assert draft.status == EntryStatus.DRAFT


def test_highlights_the_words_found(entries) -> None:
    Synonym.objects.all().delete()
    hit = search("公积金提取")[0]
    assert hit.title[:2] == [("住房", False), ("公积金", True)]
    assert any(matched for _, matched in hit.snippet)
    assert "".join(piece for piece, _ in hit.title) == hit.entry.title


def test_an_edit_reindexes_and_the_statistics_follow(city, entries) -> None:
    stall = entries[2]
    before = IndexedTerm.objects.get(term="摆摊").entries
    actions.edit_entry(
        actor=city.users["centre_admin"],
        entry_id=stall.pk,
        version=stall.version,
        data={**ENTRIES[2], "variants": "门口有小贩"},
    )
    assert (
        not IndexedTerm.objects.filter(term="摆摊").exists()
        or IndexedTerm.objects.get(term="摆摊").entries == before - 1
    )
    assert titles("小贩")[0] == "占道经营如何举报"
    assert titles("摆摊") == []
    totals = IndexTotals.objects.get(pk=1)
    assert totals.entries == SearchDoc.objects.count() == 4


def test_rebuild_gives_the_same_ranking(entries) -> None:
    before = rank("公积金 失业 摆摊")
    assert before
    index.rebuild()
    assert rank("公积金 失业 摆摊") == before
    assert IndexTotals.objects.get(pk=1).entries == 4


def test_nothing_to_search_for_finds_nothing(entries) -> None:
    assert search("") == []
    assert search("吗？") == []
    assert search("量子色动力学") == []


def test_withdrawn_entries_leave_the_agents_search(city, entries) -> None:
    entry = entries[0]
    actions.take_step(actor=city.users["centre_admin"], entry_id=entry.pk, version=entry.version, step=Step.WITHDRAW)
    assert "住房公积金提取需要哪些材料" not in titles("公积金")


def test_the_reindex_command_rebuilds_the_index(entries, capsys) -> None:
    SearchDoc.objects.all().delete()
    assert titles("摆摊") == []
    call_command("reindex_knowledge")
    assert "4 个知识条目" in capsys.readouterr().out
    assert titles("摆摊")[0] == "占道经营如何举报"
