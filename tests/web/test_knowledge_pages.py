"""The knowledge base's console pages: the list and its search (the words found marked, never unescaped), the
tabs of what waits (待审核, 到期提醒, 久未复核), a unit writing an entry and the centre publishing it, the form's
errors and stale versions, the review steps' refusals, unit isolation, the import (all rows or none) and the
export read back with openpyxl."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from rexian.core.clock import SHANGHAI
from rexian.knowledge import actions
from rexian.knowledge.models import Entry, EntryAttachment, EntryUse, UseKind
from rexian.knowledge.rules import EntryStatus

MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI)
FUND = {
    "title": "住房公积金提取需要哪些材料",
    "variants": "买房了公积金怎么取出来\n租房可以提公积金吗",
    "answer": "提取住房公积金请携带身份证、银行卡和购房合同，到市住房公积金管理中心窗口或网上办理。",
    "plain_answer": "带上身份证和银行卡去公积金中心就能取。",
    "unit": "d_hrss",
    "categories": "0101",
    "tags": "公积金 提取",
    "links": "办事指南 https://example.gov.cn/gjj",
}
STALLS = {"title": "占道经营如何举报", "variants": "小区门口有人摆摊", "answer": "占道经营由城管局负责处理。",
          "unit": "d_urban", "categories": "020101"}  # fmt: skip


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(MONDAY, tick=False)
    return time_machine


def as_user(city, name: str) -> Client:
    client = Client()
    client.force_login(city.users[name])
    return client


def published(city, **data) -> Entry:
    return actions.create_entry(actor=city.users["centre_admin"], data={**data, "publish": True})


def draft(city, by: str = "h_hrss", **data) -> Entry:
    return actions.create_entry(actor=city.users[by], data=data)


def html(response) -> str:
    return response.content.decode()


FORM = {"title": "灵活就业人员社保缴费", "variants": "自由职业怎么交社保\n没单位怎么交养老保险",
        "answer": "灵活就业人员可在社保经办窗口或网上办理参保登记后按月缴费。", "plain_answer": "",
        "unit": "d_hrss", "categories": ["0101"], "tags": "社保", "links": "", "effective_from": "2026-01-01",
        "expires_on": ""}  # fmt: skip


# ---- list and search -----------------------------------------------------------------------------------------


def test_the_list_shows_published_entries_newest_first_and_the_search_marks_the_words(city, monday):
    published(city, **STALLS)
    monday.shift(timedelta(hours=1))
    published(city, **FUND)
    draft(city, title="公积金贷款额度（草稿）", answer="最高贷款额度按规定执行。", unit="d_hrss")
    page = html(as_user(city, "intake").get(reverse("knowledge")))
    assert page.index("住房公积金提取需要哪些材料") < page.index("占道经营如何举报")
    assert "公积金贷款额度（草稿）" not in page  # 已发布 by default

    found = as_user(city, "intake").get(reverse("knowledge"), {"q": "公积金怎么取"})
    assert found.status_code == 200
    hits = html(found)[html(found).index('id="hits"') :]
    assert "<mark>住房公积金</mark>提取需要哪些材料" in hits  # the title, and the snippet of the answer
    assert "<mark>住房公积金</mark>管理中心" in hits
    assert "占道经营如何举报" not in hits and "公积金贷款额度" not in hits


def test_search_hits_are_escaped_and_filtered_by_unit_and_category(city):
    published(city, **{**FUND, "title": "公积金<script>alert(1)</script>提取"})
    stalls = published(city, **STALLS)
    client = as_user(city, "dispatcher")
    page = html(client.get(reverse("knowledge"), {"q": "公积金"}))
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert "<mark>公积金</mark>" in page
    assert 'id="hit-' not in html(client.get(reverse("knowledge"), {"q": "公积金", "unit": "d_urban"}))
    by_parent = html(client.get(reverse("knowledge"), {"q": "占道经营", "category": "02"}))
    assert f'id="hit-{stalls.pk}"' in by_parent  # a category takes in those under it
    unknown = client.get(reverse("knowledge"), {"unit": "nowhere"})
    assert unknown.status_code == 422 and "没有这个单位。" in html(unknown)


def test_the_status_filter_offers_what_the_user_may_see_and_all_means_only_that(city):
    mine = draft(city, by="h_hrss", title="人社局草稿条目", answer="内容", unit="d_hrss")
    theirs = draft(city, by="h_urban", title="城管局草稿条目", answer="内容", unit="d_urban")
    page = html(as_user(city, "h_hrss").get(reverse("knowledge"), {"status": "all"}))
    assert mine.title in page and theirs.title not in page
    drafts = html(as_user(city, "h_hrss").get(reverse("knowledge"), {"status": "all", "q": "草稿条目"}))
    # The index does not know who asks; the page does.
    assert f'id="hit-{mine.pk}"' in drafts and f'id="hit-{theirs.pk}"' not in drafts
    centre = html(as_user(city, "quality").get(reverse("knowledge"), {"status": "draft"}))
    assert mine.title in centre and theirs.title in centre
    centre = html(as_user(city, "quality").get(reverse("knowledge"), {"status": "all", "q": "草稿条目"}))
    assert f'id="hit-{mine.pk}"' in centre and f'id="hit-{theirs.pk}"' in centre
    assert '<option value="draft"' in page  # a unit may see its own drafts


def test_the_tabs_count_what_waits_for_review_expiry_and_a_new_review(city, monday):
    published(city, **{**FUND, "expires_on": (MONDAY.date() + timedelta(days=10)).isoformat()})
    monday.move_to(MONDAY - timedelta(days=400), tick=False)
    published(city, **STALLS)
    monday.move_to(MONDAY, tick=False)
    waiting = draft(city, title="待审核条目", answer="内容", unit="d_hrss")
    actions.take_step(actor=city.users["h_hrss"], entry_id=waiting.pk, version=waiting.version, step="submit")

    admin = as_user(city, "centre_admin")
    page = html(admin.get(reverse("knowledge")))
    assert 'id="tab-review"' in page and '待审核<span class="count">1</span>' in page
    assert '到期提醒<span class="count">1</span>' in page and '久未复核<span class="count">1</span>' in page
    assert "待审核条目" in html(admin.get(reverse("knowledge"), {"tab": "review"}))
    assert FUND["title"] in html(admin.get(reverse("knowledge"), {"tab": "expiring"}))
    assert STALLS["title"] in html(admin.get(reverse("knowledge"), {"tab": "overdue"}))
    # A unit sees its own entries waiting; the readers of the centre have no review tab.
    assert '待审核<span class="count">0</span>' in html(as_user(city, "h_urban").get(reverse("knowledge")))
    assert 'id="tab-review"' not in html(as_user(city, "intake").get(reverse("knowledge")))


# ---- writing and reviewing ------------------------------------------------------------------------------------


def test_a_unit_writes_a_draft_submits_it_and_the_centre_publishes_it(city):
    unit = as_user(city, "h_hrss")
    form = html(unit.get(reverse("knowledge_new")))
    assert 'value="d_hrss" selected' in form and 'value="d_urban"' not in form  # its own units only
    assert 'name="publish"' not in form
    response = unit.post(reverse("knowledge_new"), {**FORM, "publish": "1"})
    entry = Entry.objects.get(title=FORM["title"])
    assert response.status_code == 302 and response["Location"] == reverse("knowledge_entry", args=[entry.pk])
    assert entry.status == EntryStatus.DRAFT  # a unit cannot publish its own entry
    assert [c.code for c in entry.categories.all()] == ["0101"]

    page = html(unit.get(reverse("knowledge_entry", args=[entry.pk])))
    assert 'id="step-submit"' in page and 'id="step-publish"' not in page and 'id="entry-edit"' in page
    submitted = unit.post(reverse("knowledge_step", args=[entry.pk]), {"step": "submit", "version": entry.version})
    assert submitted.status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.IN_REVIEW
    assert 'id="entry-edit"' not in html(unit.get(reverse("knowledge_entry", args=[entry.pk])))  # the centre's now

    admin = as_user(city, "centre_admin")
    page = html(admin.get(reverse("knowledge_entry", args=[entry.pk])))
    assert 'id="step-publish"' in page and 'id="step-send_back"' in page
    done = admin.post(reverse("knowledge_step", args=[entry.pk]), {"step": "publish", "version": entry.version},
                      follow=True)  # fmt: skip
    assert "审核发布完成。" in html(done)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PUBLISHED and entry.reviewed_by == city.users["centre_admin"]
    history = html(done)[html(done).index('id="history"') :]
    assert history.index("审核发布") < history.index("提交审核") < history.index("新建")
    assert "centre_admin" in history and "h_hrss" in history


def test_the_entry_page_shows_every_field_and_counts_a_view_once_a_day(city):
    entry = published(city, **FUND)
    client = as_user(city, "intake")
    page = html(client.get(reverse("knowledge_entry", args=[entry.pk])))
    for text in ("<li>买房了公积金怎么取出来</li>", "<li>租房可以提公积金吗</li>", FUND["plain_answer"], "人社局",
                 "劳动和社会保障/劳动关系", 'href="https://example.gov.cn/gjj"', "已发布"):  # fmt: skip
        assert text in page
    assert 'id="entry-steps"' not in page  # an agent reads; no buttons
    client.get(reverse("knowledge_entry", args=[entry.pk]))
    assert EntryUse.objects.filter(entry=entry, kind=UseKind.VIEW).count() == 1
    page = html(client.get(reverse("knowledge_entry", args=[entry.pk])))
    assert '<dd id="figure-views">1</dd>' in page


def test_an_editors_entry_may_be_published_at_once(city):
    response = as_user(city, "quality").post(reverse("knowledge_new"), {**FORM, "unit": "centre", "publish": "1"})
    assert response.status_code == 302
    assert Entry.objects.get(title=FORM["title"]).status == EntryStatus.PUBLISHED


def test_form_errors_stand_beside_their_fields_and_keep_the_input(city):
    bad = {**FORM, "answer": "  ", "effective_from": "2026-13-45", "links": "指南 ftp://x", "categories": ["99"]}
    response = as_user(city, "h_hrss").post(reverse("knowledge_new"), bad)
    assert response.status_code == 422
    page = html(response)
    for message in (
        "请填写标准答复。",
        "生效日期应为日期，如 2026-12-31。",
        "应以 http:// 或 https:// 开头",
        "没有这些分类：99",
    ):
        assert message in page
    assert f'value="{FORM["title"]}"' in page and "没单位怎么交养老保险</textarea>" in page
    assert 'value="2026-13-45"' in page and 'value="d_hrss" selected' in page
    assert not Entry.objects.exists()
    other_unit = as_user(city, "h_hrss").post(reverse("knowledge_new"), {**FORM, "unit": "d_urban"})
    assert other_unit.status_code == 403 and "本单位" in html(other_unit) and not Entry.objects.exists()


def test_an_edit_from_a_stale_form_is_refused_with_its_message(city):
    entry = draft(city, **{**FUND, "categories": ""})
    unit = as_user(city, "h_hrss")
    form = html(unit.get(reverse("knowledge_edit", args=[entry.pk])))
    assert f'value="{FUND["title"]}"' in form and f'name="version" value="{entry.version}"' in form
    actions.edit_entry(actor=city.users["h_hrss"], entry_id=entry.pk, version=entry.version,
                       data={**FUND, "categories": "", "tags": "改过"})  # fmt: skip
    stale = unit.post(reverse("knowledge_edit", args=[entry.pk]), {**FORM, "version": entry.version})
    assert stale.status_code == 409 and "该条目已被他人修改，请刷新后再操作。" in html(stale)
    assert f'value="{FORM["title"]}"' in html(stale)  # the user's text is not lost
    entry.refresh_from_db()
    saved = unit.post(reverse("knowledge_edit", args=[entry.pk]), {**FORM, "version": entry.version, "note": "改标题"})
    assert saved.status_code == 302
    page = html(unit.get(reverse("knowledge_entry", args=[entry.pk])))
    assert "修改了：标题" in page and "说明：改标题" in page


def test_a_units_edit_of_a_published_entry_goes_back_to_review(city):
    entry = published(city, **FUND)
    unit = as_user(city, "h_hrss")
    response = unit.post(reverse("knowledge_edit", args=[entry.pk]), {**FORM, "version": entry.version}, follow=True)
    assert "条目转为待审核" in html(response)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.IN_REVIEW


def test_sending_back_needs_a_reason_and_refusals_come_as_messages(city):
    entry = draft(city, title="待退回条目", answer="内容", unit="d_hrss")
    entry = actions.take_step(actor=city.users["h_hrss"], entry_id=entry.pk, version=entry.version, step="submit")
    admin = as_user(city, "centre_admin")
    url = reverse("knowledge_step", args=[entry.pk])
    refused = admin.post(url, {"step": "send_back", "version": entry.version, "note": " "}, follow=True)
    assert "退回修改须写明原因。" in html(refused)
    stale = admin.post(url, {"step": "publish", "version": entry.version - 1}, follow=True)
    assert "该条目已被他人修改，请刷新后再操作。" in html(stale)
    unit = as_user(city, "h_hrss").post(url, {"step": "publish", "version": entry.version}, follow=True)
    assert "您不能对“待审核”的条目执行“审核发布”。" in html(unit)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.IN_REVIEW
    admin.post(url, {"step": "send_back", "version": entry.version, "note": "请补充办理地址"})
    entry.refresh_from_db()
    assert entry.status == EntryStatus.DRAFT
    assert "说明：请补充办理地址" in html(as_user(city, "h_hrss").get(reverse("knowledge_entry", args=[entry.pk])))


def test_a_unit_cannot_open_another_units_draft(city):
    entry = draft(city, title="人社局内部草稿", answer="内容", unit="d_hrss")
    other = as_user(city, "h_urban")
    assert other.get(reverse("knowledge_entry", args=[entry.pk])).status_code == 404
    assert other.get(reverse("knowledge_edit", args=[entry.pk])).status_code == 404
    step = other.post(reverse("knowledge_step", args=[entry.pk]), {"step": "submit", "version": entry.version})
    assert step.status_code == 404
    assert as_user(city, "h_hrss").get(reverse("knowledge_entry", args=[entry.pk])).status_code == 200
    # Published entries of any unit are everyone's to read, but not to edit.
    shared = published(city, **FUND)
    assert other.get(reverse("knowledge_entry", args=[shared.pk])).status_code == 200
    assert other.get(reverse("knowledge_edit", args=[shared.pk])).status_code == 403


def test_an_attachment_downloads_for_those_who_may_see_its_entry(city):
    entry = draft(city, title="带附件的草稿", answer="内容", unit="d_hrss")
    attachment = EntryAttachment.objects.create(entry=entry, file=ContentFile(b"%PDF-1.4", name="guide.pdf"),
                                                name="办事指南.pdf", size=8, uploaded_at=MONDAY)  # fmt: skip
    url = reverse("knowledge_file", args=[entry.pk, attachment.pk])
    unit = as_user(city, "h_hrss")
    assert url in html(unit.get(reverse("knowledge_entry", args=[entry.pk])))
    response = unit.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4"
    assert "attachment" in response["Content-Disposition"] and response["X-Content-Type-Options"] == "nosniff"
    assert as_user(city, "h_urban").get(url).status_code == 404
    assert unit.get(reverse("knowledge_file", args=[entry.pk, attachment.pk + 1])).status_code == 404


def test_a_unit_uploads_a_file_checked_by_its_content(city):
    entry = draft(city, title="带附件的草稿", answer="内容", unit="d_hrss")
    unit = as_user(city, "h_hrss")
    url = reverse("knowledge_attach", args=[entry.pk])
    pdf = SimpleUploadedFile("指南.pdf", b"%PDF-1.4 guide", content_type="application/pdf")
    assert unit.post(url, {"version": entry.version, "file": pdf}).status_code == 302
    attachment = EntryAttachment.objects.get(entry=entry)
    assert (attachment.name, attachment.size, attachment.uploaded_by) == ("指南.pdf", 14, city.users["h_hrss"])
    entry.refresh_from_db()
    assert entry.versions.order_by("-id").first().changed == ["attachments"]
    page = html(unit.post(url, {"version": entry.version, "file": SimpleUploadedFile(
        "photo.jpg", b"<svg onload=alert(1)>", content_type="image/jpeg")}, follow=True))  # fmt: skip
    assert "不支持的文件类型" in page and EntryAttachment.objects.count() == 1
    other = as_user(city, "h_urban")
    pdf.seek(0)
    assert other.post(url, {"version": entry.version, "file": pdf}).status_code == 404
    assert EntryAttachment.objects.count() == 1


def test_readers_cannot_write(city):
    intake = as_user(city, "intake")
    page = html(intake.get(reverse("knowledge")))
    assert reverse("knowledge_new") not in page and reverse("knowledge_import") not in page
    assert intake.get(reverse("knowledge_new")).status_code == 403
    assert intake.post(reverse("knowledge_new"), FORM).status_code == 403
    assert not Entry.objects.exists()


# ---- import and export ----------------------------------------------------------------------------------------


def csv_file(*rows: str) -> SimpleUploadedFile:
    text = "标题,问法,标准答复,维护单位,分类,失效日期\n" + "\n".join(rows) + "\n"
    return SimpleUploadedFile("条目.csv", text.encode("utf-8-sig"), content_type="text/csv")


def test_an_import_with_one_bad_row_writes_nothing_and_names_the_row(city):
    upload = csv_file("医保卡丢了怎么补办,,到社保窗口补办。,人社局,,",
                      "养老金调整,,,人社局,,2026-99-01",
                      "城管局的条目,,内容,城管局,,")  # fmt: skip
    response = as_user(city, "h_hrss").post(reverse("knowledge_import"), {"file": upload})
    assert response.status_code == 422
    table = html(response)[html(response).index('id="import-errors"') :]
    assert '<td class="num">3</td><td>标准答复</td><td>请填写标准答复。</td>' in table
    assert '<td class="num">3</td><td>失效日期</td>' in table
    assert '<td class="num">4</td><td>维护单位</td><td>您不能维护“城管局”的知识条目。</td>' in table
    assert not Entry.objects.exists()


def test_a_good_import_creates_the_entries_and_says_how_many(city):
    upload = csv_file("医保卡丢了怎么补办,补办医保卡,到社保窗口补办。,人社局,0101,2027-06-30",
                      "养老金调整,养老金涨了吗,按国家规定调整。,d_hrss,,")  # fmt: skip
    response = as_user(city, "h_hrss").post(reverse("knowledge_import"), {"file": upload, "publish": "1"}, follow=True)
    assert "导入完成：新增 2 条，更新 0 条，未变 0 条。" in html(response)
    entries = {e.title: e for e in Entry.objects.all()}
    assert set(entries) == {"医保卡丢了怎么补办", "养老金调整"}
    assert {e.status for e in entries.values()} == {EntryStatus.DRAFT}  # a unit's import waits for review
    assert entries["医保卡丢了怎么补办"].expires_on == date(2027, 6, 30)


def test_an_editor_may_publish_an_import_and_a_bad_file_is_refused(city):
    form = html(as_user(city, "centre_admin").get(reverse("knowledge_import")))
    assert 'name="publish"' in form and reverse("knowledge_export") + "?template=1" in form
    assert 'name="publish"' not in html(as_user(city, "h_hrss").get(reverse("knowledge_import")))
    admin = as_user(city, "centre_admin")
    admin.post(reverse("knowledge_import"), {"file": csv_file("养老金调整,,按规定调整。,人社局,,"), "publish": "1"})
    assert Entry.objects.get().status == EntryStatus.PUBLISHED
    wrong = SimpleUploadedFile("条目.txt", b"hello")
    response = admin.post(reverse("knowledge_import"), {"file": wrong})
    assert response.status_code == 422 and "只能导入 .xlsx 或 .csv 文件。" in html(response)
    missing = SimpleUploadedFile("x.csv", "标题\n只有标题\n".encode())
    response = admin.post(reverse("knowledge_import"), {"file": missing})
    assert response.status_code == 422 and "文件缺少这些列：标准答复、维护单位" in html(response)


def test_the_export_holds_the_filtered_entries_the_user_may_see(city):
    published(city, **FUND)
    published(city, **STALLS)
    draft(city, by="h_urban", title="城管局草稿条目", answer="内容", unit="d_urban")
    mine = draft(city, by="h_hrss", title="人社局草稿条目", answer="内容", unit="d_hrss")

    def rows(client: Client, **params) -> list[tuple]:
        response = client.get(reverse("knowledge_export"), params)
        assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
        return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))

    unit = as_user(city, "h_hrss")
    everything = rows(unit, status="all")
    assert everything[0][:4] == ("编号", "标题", "问法", "标准答复")
    assert sorted(r[1] for r in everything[1:]) == sorted([FUND["title"], STALLS["title"], mine.title])
    fund = next(r for r in everything if r[1] == FUND["title"])
    assert fund[5:8] == ("人社局", "0101", "公积金 提取") and fund[-1] == "已发布"
    assert [r[1] for r in rows(unit, unit="d_urban")[1:]] == [STALLS["title"]]
    assert [r[1] for r in rows(unit, q="摆摊")[1:]] == [STALLS["title"]]
    assert len(rows(unit, template="1")) == 1  # the columns alone: the import's template


# ---- lists stay fast ------------------------------------------------------------------------------------------


def queries(client: Client, url: str, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "params",
    [{}, {"status": "all"}, {"q": "公积金"}, {"tab": "review"}, {"tab": "expiring"}, {"tab": "overdue"}],
    ids=["list", "all", "search", "review", "expiring", "overdue"],
)
def test_the_knowledge_lists_do_not_make_a_query_per_entry(city, monday, params):
    def grow(n: int) -> None:
        for i in range(n):
            monday.move_to(MONDAY - timedelta(days=400), tick=False)  # long unreviewed once published
            entry = published(city, **{**FUND, "title": f"公积金条目{i}", "expires_on": "2026-12-01"})
            entry.categories.set([city.categories["0101"], city.categories["010101"]])
            waiting = draft(city, title=f"公积金待审{i}", answer="内容", unit="d_hrss")
            actions.take_step(actor=city.users["h_hrss"], entry_id=waiting.pk, version=waiting.version, step="submit")
            monday.move_to(MONDAY, tick=False)

    client = as_user(city, "centre_admin")
    grow(2)
    queries(client, reverse("knowledge"), **params)  # the per-process caches (synonyms, jieba)
    few = queries(client, reverse("knowledge"), **params)
    grow(8)
    many = queries(client, reverse("knowledge"), **params)
    assert many == few, f"{params}: {few} queries for a few entries, {many} for more"
