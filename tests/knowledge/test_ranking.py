"""The ranking's parts as pure functions (no database): question terms, the best window, how much of a short
entry a question restates, and how fully it asks one of the entry's own questions."""

from __future__ import annotations

from rexian.knowledge.analysis import expand, index_terms, query_parts, word_families
from rexian.knowledge.ranking import Candidate, Query, Statistics, best_window, question_match, score


def stats(**frequencies: int) -> Statistics:
    return Statistics(entries=100, frequencies=frequencies, average_lengths=dict.fromkeys(
        ("title", "variants", "answer", "tags"), 10.0))  # fmt: skip


def test_asking_words_are_left_out_and_bigrams_do_not_cross_them() -> None:
    words, grams = query_parts("请问如何查看电子驾驶证？")
    assert "如何" not in words and "请问" not in words
    assert "查看" in grams and "何查" not in grams
    assert query_parts("公积金公积金")[0].count("公积金") == 2  # said twice, counted twice


def test_index_terms_hold_words_their_parts_and_bigrams() -> None:
    terms = index_terms("住房公积金提取")
    assert {"住房", "公积", "公积金", "提取", "房公", "金提"} <= set(terms)
    assert index_terms("ＡＢ12345热线") == ["ab12345", "热线", "热线"]  # full width folded; 热线 a word and a bigram


def test_synonym_groups_add_the_other_words() -> None:
    assert expand("医保怎么报销", [["医保", "医疗保障"], ["公积金", "住房公积金"]]) == ["医疗保障"]


def test_the_best_window_rewards_words_found_together() -> None:
    rarity = {"失业": 2.0, "保险金": 3.0}
    together = "申领失业保险金需要身份证。" + "其他内容" * 100
    apart = "失业" + "其他内容" * 100 + "保险金"
    assert best_window(together, rarity) == 5.0
    assert best_window(apart, rarity) == 3.0


def test_a_short_entry_the_question_restates_wins_over_a_long_one_mentioning_it() -> None:
    query = Query.of("失业保险金怎么申领")
    short = Candidate({"title": " ".join(index_terms("失业保险金申领")), "answer": "x"}, "失业保险金申领")
    long_text = "失业保险金申领" + "，另有养老医疗工伤生育等各项社会保险的规定" * 30
    long = Candidate({"answer": " ".join(index_terms(long_text))}, long_text)
    frequencies = {t: 10 for t in query.terms}
    assert score(query, short, stats(**frequencies)) > score(query, long, stats(**frequencies))


def test_a_long_word_and_its_pieces_are_one_family() -> None:
    sizes = word_families("实习期有多长时间？")
    assert {t: sizes[t] for t in ("实习", "习期", "实习期")} == dict.fromkeys(("实习", "习期", "实习期"), 3)
    assert sizes["多长时间"] == sizes["时间"] == 5  # 多长, 长时, 时间, 长时间, 多长时间
    assert "有" not in sizes and word_families("医保报销") == {}  # two-character words: families of one


def test_a_long_question_word_does_not_outvote_the_subject_by_its_pieces() -> None:
    """实习期有多长时间: the entry about 实习期 answers it, not one that happens to say 多长时间, although the phrase
    has five pieces to 实习期's three (in the public FAQ set the answer ranked sixth before families)."""
    query = Query.of("实习期有多长时间？")
    subject = "驾驶人初次取得驾驶证后的12个月为实习期。"
    phrase = "购买新车后没有明确要求多长时间内必须办理上牌手续。"
    frequencies = {t: 3 if t in ("实习", "习期", "实习期") else 12 for t in query.terms}
    ranked = {text: score(query, Candidate({"title": " ".join(index_terms(text))}, text), stats(**frequencies))
              for text in (subject, phrase)}  # fmt: skip
    assert ranked[subject] > ranked[phrase]


def test_question_match_is_one_when_an_entrys_question_is_asked_in_longer_words() -> None:
    query = Query.of("来电人说他是打零工的，想知道灵活就业人员如何缴纳养老保险")
    assert question_match(query, ["灵活就业人员如何缴纳养老保险", "别的问法"]) == 1.0
    assert question_match(query, ["占道经营如何举报"]) == 0.0
