"""历史工单导入: old hotlines' work orders from CSV (UTF-8 with BOM, GBK) and Excel become tickets with their old
dates and events; a file with any bad row is reported row by row and writes nothing; the dry run writes nothing;
only the centre admin imports; the console flow; `rexian import-legacy`; the roll-up counts them on their days."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import Workbook, load_workbook

from rexian.analytics.actions import roll_up
from rexian.analytics.queries import Group, Scope, counts
from rexian.cli import main
from rexian.core.clock import SHANGHAI
from rexian.core.errors import PermissionDenied
from rexian.imports import actions
from rexian.imports.models import ImportJob, JobState
from rexian.supervision.models import StageClock
from rexian.taxonomy.policy import Stage
from rexian.tickets.legacy import guess_mapping, parse_moment
from rexian.tickets.models import DailySequence, Ticket, TicketEvent
from rexian.tickets.workflow import Action, State
from tests.conftest import APPEAL, PASSWORD, City

pytestmark = pytest.mark.django_db

HEADERS = ["工单号", "来电时间", "来电人", "电话", "地址", "标题", "内容", "诉求类型", "分类", "区县", "承办单位",
           "处理结果", "办结时间", "满意度"]  # fmt: skip
GOOD = [
    ["A-001", "2023-05-01 08:30", "王五", "13900001111", "东区幸福路1号", "",
     "小区门口路灯不亮已有一周，晚上出行很不方便，希望尽快修复。", "投诉", "占道经营", "东区", "城管局",
     "已修复路灯。", "2023/5/3 17:00", "满意"],
    ["A-002", "2023/5/2 9:05", "", "", "", "咨询社保缴费", "咨询社保缴费基数如何调整。", "consult", "010101",
     "x_east", "人社局", "已告知政策，待核实。", "", ""],
    ["A-003", "2023-05-02", "李六", "0917-3261234", "", "", "反映公司拖欠三个月工资。", "",
     "劳动和社会保障/劳动关系/拖欠工资", "", "d_hrss", "已协调支付。", "2023-05-10 10:00", "基本满意"],
]  # fmt: skip


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8-sig", headers: list[str] = HEADERS) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([headers, *rows])
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]], headers: list[str] = HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in [headers, *rows]:
        sheet.append(row)
    content = io.BytesIO()
    book.save(content)
    return content.getvalue()


def uploaded(city: City, content: bytes, name: str = "old.csv", source: str = "市长热线") -> ImportJob:
    file = SimpleUploadedFile(name, content)
    return actions.upload(actor=city.users["centre_admin"], file=file, source=source)


def imported(city: City, content: bytes, name: str = "old.csv", source: str = "市长热线") -> ImportJob:
    """Upload, import, and run the job as the background would after commit."""
    job = uploaded(city, content, name, source)
    actions.start_import(actor=city.users["centre_admin"], job_id=job.pk, mapping=job.mapping)
    return actions.run_import(job.pk)


def written() -> list[int]:
    return [model.objects.count() for model in (Ticket, TicketEvent, StageClock, DailySequence)]


def by_number(legacy: str) -> Ticket:
    return Ticket.objects.get(source_ref=f"市长热线:{legacy}")


# ---- reading and mapping --------------------------------------------------------------------------------------


def test_the_mapping_is_guessed_from_labels_and_common_synonyms() -> None:
    mapping = guess_mapping(HEADERS)
    assert mapping == {
        "legacy_number": "工单号", "created_at": "来电时间", "citizen_name": "来电人", "citizen_phone": "电话",
        "address": "地址", "subject": "标题", "description": "内容", "appeal_type": "诉求类型", "category": "分类",
        "district": "区县", "unit": "承办单位", "result_text": "处理结果", "closed_at": "办结时间",
        "satisfaction": "满意度",
    }  # fmt: skip
    assert guess_mapping(["原工单编号", "受理时间", "姓名", "手机", "问题描述", "答复内容", " 原热线 "]) == {
        "legacy_number": "原工单编号", "created_at": "受理时间", "citizen_name": "姓名", "citizen_phone": "手机",
        "description": "问题描述", "result_text": "答复内容", "source": " 原热线 ",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-05-01 08:30", at(2023, 5, 1, 8, 30)),
        ("2023/5/1 8:30", at(2023, 5, 1, 8, 30)),
        ("2023-05-01", at(2023, 5, 1)),
        ("2023年5月1日 8:30", at(2023, 5, 1, 8, 30)),
        (datetime(2023, 5, 1, 8, 30), at(2023, 5, 1, 8, 30)),  # an Excel date cell
        (date(2023, 5, 1), at(2023, 5, 1)),
        (45047.5, at(2023, 5, 1, 12)),  # an unformatted Excel day number
        ("2023-13-45", None),
        ("昨天", None),
        (2023, None),
    ],
)
def test_times_as_old_records_write_them(value: Any, expected: datetime | None) -> None:
    assert parse_moment(value) == expected


# ---- good files -----------------------------------------------------------------------------------------------


def assert_imported_well(city: City) -> None:
    admin = city.users["centre_admin"]
    done = by_number("A-001")
    assert done.state == State.ARCHIVED and done.version == 2 and done.channel == "import"
    assert done.number.startswith("20230501") and done.created_at == at(2023, 5, 1, 8, 30)
    assert done.closed_at == at(2023, 5, 3, 17) and done.updated_at == done.closed_at
    assert done.subject == "小区门口路灯不亮已有一周，晚上出行很不方便，希望尽快修复。"[:30]
    assert (done.citizen_name, done.citizen_phone, done.appeal_type) == ("王五", "13900001111", "complaint")
    assert done.category == city.categories["020101"] and done.district == city.units["x_east"]
    assert done.lead_unit == done.handling_unit == city.units["d_urban"]
    assert (done.result_text, done.satisfaction, done.created_by) == ("已修复路灯。", "satisfied", admin)
    create, close = done.events.order_by("seq")
    assert (create.action, create.to_state, create.created_at) == (Action.CREATE, State.REGISTERED, done.created_at)
    assert create.payload["channel"] == "import" and create.payload["imported"] is True
    assert (create.payload["legacy_number"], create.payload["source"]) == ("A-001", "市长热线")
    assert (close.action, close.from_state, close.to_state) == (Action.CLOSE_IMPORTED, State.REGISTERED, State.ARCHIVED)
    assert close.created_at == done.closed_at and close.unit == city.units["d_urban"] and close.late is None
    assert close.payload["satisfaction"] == "satisfied" and close.payload["result"] == "已修复路灯。"

    open_ = by_number("A-002")
    assert open_.state == State.REGISTERED and open_.version == 1 and open_.citizen_phone == ""
    assert not open_.is_anonymous and open_.lead_unit is None and open_.result_text == "" and open_.closed_at is None
    assert open_.number.startswith("20230502") and open_.created_at == at(2023, 5, 2, 9, 5)
    (event,) = open_.events.all()
    assert event.payload["unit"]["code"] == "d_hrss" and event.payload["result"] == "已告知政策，待核实。"
    clock = StageClock.objects.get(ticket=open_)
    assert clock.stage == Stage.DISPATCH and clock.running and clock.started_at > at(2024, 1, 1)  # from the import

    third = by_number("A-003")
    assert third.appeal_type == "other" and third.category == city.categories["010101"]
    assert third.satisfaction == "basically_satisfied" and third.number.startswith("20230502")
    assert third.number != open_.number
    out = StringIO()
    call_command("check_invariants", stdout=out)  # the events replay to the stored states
    assert "OK" in out.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_a_good_csv_imports_with_its_fields_states_events_and_old_dates(city: City, encoding: str) -> None:
    job = imported(city, csv_bytes(GOOD, encoding))
    assert (job.state, job.imported_count, job.error_count, job.total_rows) == (JobState.DONE, 3, 0, 3)
    assert_imported_well(city)


def test_a_good_xlsx_with_date_cells_and_a_blank_line_imports(city: City) -> None:
    rows = [list(r) for r in GOOD]
    rows[0][1], rows[0][12] = datetime(2023, 5, 1, 8, 30), datetime(2023, 5, 3, 17, 0)
    rows[0][3] = 13900001111  # a phone typed as a number
    rows.insert(1, [None] * len(HEADERS))  # blank lines are skipped, row numbers kept
    job = imported(city, xlsx_bytes(rows), "old.xlsx")
    assert (job.state, job.imported_count, job.total_rows) == (JobState.DONE, 3, 3)
    assert_imported_well(city)


# ---- bad files ------------------------------------------------------------------------------------------------

BAD = [
    ["B-002", "2023-05-01 08:00", "", "13900000002", "", "无内容", "", "咨询", "", "", "", "", "", ""],
    ["B-003", "2023-13-45", "", "13900000003", "", "", "时间写错了。", "咨询", "", "", "", "", "", ""],
    ["B-004", "2023-05-01 08:00", "", "abc123", "", "", "电话写错了。", "咨询", "", "", "", "", "", ""],
    ["B-005", "2023-05-01 08:00", "", "", "", "", "类型写错了。", "吐槽", "", "", "", "", "", ""],
    ["B-006", "2023-05-01 08:00", "", "", "", "", "第一次出现。", "咨询", "", "", "", "", "", ""],
    ["B-006", "2023-05-01 09:00", "", "", "", "", "编号重复。", "咨询", "", "", "", "", "", ""],
    ["B-008", "2023-05-01 08:00", "", "", "", "", "分类写错了。", "咨询", "不存在的分类", "", "", "", "", ""],
    ["", "", "", "", "", "", "", "", "", "", "", "", "", ""],
    ["B-010", "2023-05-05 08:00", "", "", "", "", "办结早于登记。", "咨询", "", "", "", "", "2023-05-04", "满意"],
    ["B-011", "2023-05-05 08:00", "", "", "", "", "正确的一行。", "咨询", "", "", "", "", "", ""],
]  # fmt: skip
BAD_ERRORS = [
    (2, "诉求内容", "请填写诉求内容。"),
    (3, "登记时间", "无法识别的登记时间“2023-13-45”，请写成 2023-05-01 08:30 或 2023/5/1 8:30。"),
    (4, "联系电话", "电话号码格式不正确。"),
    (5, "诉求类型", "无法识别的诉求类型“吐槽”，可填：咨询、求助、投诉、举报、建议、表扬、其他。"),
    (7, "原工单编号", "原工单编号重复：与第 6 行相同。"),
    (8, "分类", "分类“不存在的分类”不存在或已停用（可填编码或名称）。"),
    (10, "办结时间", "办结时间早于登记时间。"),
]


@pytest.mark.parametrize("name", ["bad.csv", "bad.xlsx"])
def test_bad_rows_are_reported_by_row_and_field_and_nothing_is_written(city: City, name: str) -> None:
    before = written()
    content = csv_bytes(BAD) if name.endswith(".csv") else xlsx_bytes(BAD)
    job = imported(city, content, name)
    assert job.state == JobState.CHECKED and job.imported_count == 0
    assert [(e["row"], e["field"], e["message"]) for e in job.errors] == BAD_ERRORS
    assert job.error_count == len(BAD_ERRORS)
    assert job.message == "检查发现错误，未导入任何工单。"
    assert written() == before
    with pytest.raises(Exception, match="检查发现 7 处错误"):  # the same mapping again: refused at once
        actions.start_import(actor=city.users["centre_admin"], job_id=job.pk, mapping=job.mapping)


def test_a_file_imported_once_is_refused_the_second_time(city: City) -> None:
    imported(city, csv_bytes(GOOD))
    before = written()
    again = imported(city, csv_bytes([*GOOD, ["A-004", "2023-05-03", "", "", "", "", "新的一件。", "", "", "", "",
                                              "", "", ""]]))  # fmt: skip
    assert again.state == JobState.CHECKED and written() == before
    numbers = {t.source_ref: t.number for t in Ticket.objects.all()}
    assert again.errors[0] == {"row": 2, "field": "原工单编号",
                               "message": f"该工单已导入过（系统工单 {numbers['市长热线:A-001']}）。"}  # fmt: skip
    assert [e["row"] for e in again.errors] == [2, 3, 4]
    other = imported(city, csv_bytes(GOOD), source="区长热线")  # another hotline's numbers are its own
    assert other.state == JobState.DONE and other.imported_count == 3


def test_the_dry_run_checks_every_row_and_writes_nothing(city: City) -> None:
    before = written()
    job = uploaded(city, csv_bytes(GOOD))
    assert job.state == JobState.UPLOADED and job.total_rows == 3 and job.preview[0][0] == "A-001"
    started = actions.start_check(actor=city.users["centre_admin"], job_id=job.pk, mapping=job.mapping)
    assert started.state == JobState.CHECKING
    job = actions.run_check(job.pk)
    assert (job.state, job.processed_rows, job.error_count, job.errors) == (JobState.CHECKED, 3, 0, [])
    assert written() == before


def test_a_missing_required_column_is_refused_before_checking(city: City) -> None:
    job = uploaded(city, csv_bytes(GOOD))
    with pytest.raises(Exception, match="请为“诉求内容”选择对应的列"):
        actions.start_check(actor=city.users["centre_admin"], job_id=job.pk, mapping={**job.mapping, "description": ""})
    with pytest.raises(Exception, match="文件中没有“备注”列"):
        actions.start_check(actor=city.users["centre_admin"], job_id=job.pk, mapping={**job.mapping, "address": "备注"})


def test_only_the_centre_admin_imports(city: City) -> None:
    from rexian.tickets.actions import import_legacy

    for name in ("dispatcher", "shift_lead", "intake", "h_east"):
        with pytest.raises(PermissionDenied):
            import_legacy(actor=city.users[name], rows=[])
        with pytest.raises(PermissionDenied):
            actions.upload(actor=city.users[name], file=SimpleUploadedFile("old.csv", csv_bytes(GOOD)))
    job = uploaded(city, csv_bytes(GOOD))
    with pytest.raises(PermissionDenied):
        actions.start_import(actor=city.users["dispatcher"], job_id=job.pk, mapping=job.mapping)
    client = login(city, "shift_lead")
    assert client.get("/console/imports/").status_code == 403
    assert client.post(f"/console/imports/{job.pk}/start", {"do": "import"}).status_code == 403
    assert ImportJob.objects.get(pk=job.pk).state == JobState.UPLOADED and not Ticket.objects.exists()
    assert "/console/imports/" not in client.get("/console/").content.decode()
    assert "/console/imports/" in login(city, "centre_admin").get("/console/").content.decode()


# ---- the console --------------------------------------------------------------------------------------------


def login(city: City, name: str) -> Client:
    client = Client()
    assert client.login(username=city.users[name].username, password=PASSWORD)
    return client


def test_the_page_flow_upload_map_check_import_done(city: City) -> None:
    admin = login(city, "centre_admin")
    assert "历史工单导入" in admin.get("/console/imports/").content.decode()
    response = admin.post("/console/imports/", {"file": SimpleUploadedFile("old.csv", csv_bytes(GOOD, "gb18030")),
                                                "source": "市长热线"})  # fmt: skip
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == f"/console/imports/{job.pk}/mapping"
    page = admin.get(response.url).content.decode()
    assert '<option value="工单号" selected>工单号</option>' in page and 'name="map_legacy_number"' in page
    assert "检查（试导入）" in page and 'value="import"' in page and "A-001" in page  # the preview

    form = {f"map_{name}": header for name, header in job.mapping.items()}
    response = admin.post(f"/console/imports/{job.pk}/start", {**form, "do": "check"})
    assert response.status_code == 302 and response.url == f"/console/imports/{job.pk}/"
    bar = admin.get(f"/console/imports/{job.pk}/progress")
    assert "<progress" in bar.content.decode() and 'hx-trigger="every 1s"' in bar.content.decode()
    assert "HX-Refresh" not in bar.headers
    actions.run_check(job.pk)  # what the background thread does after commit
    assert admin.get(f"/console/imports/{job.pk}/progress").headers["HX-Refresh"] == "true"
    page = admin.get(f"/console/imports/{job.pk}/").content.decode()
    assert "检查通过" in page and 'id="import-button"' in page and not Ticket.objects.exists()

    admin.post(f"/console/imports/{job.pk}/start", {"do": "import"})  # the job's own mapping
    assert ImportJob.objects.get().state == JobState.IMPORTING
    actions.run_import(job.pk)
    page = admin.get(f"/console/imports/{job.pk}/").content.decode()
    assert "已导入 3 件历史工单" in page and Ticket.objects.count() == 3
    assert admin.post(f"/console/imports/{job.pk}/start", {"do": "import"}).status_code == 302  # refused: done
    assert Ticket.objects.count() == 3
    for legacy in ("A-001", "A-002"):  # the ticket pages show the imported history like any other
        detail = admin.get(f"/console/tickets/{by_number(legacy).pk}/").content.decode()
        assert legacy in detail and "市长热线" in detail
    assert "已办结" in admin.get(f"/console/tickets/{by_number('A-001').pk}/").content.decode()
    assert "old.csv" in admin.get("/console/imports/").content.decode()


def test_the_page_shows_row_errors_and_their_excel(city: City) -> None:
    admin = login(city, "centre_admin")
    admin.post("/console/imports/", {"file": SimpleUploadedFile("bad.csv", csv_bytes(BAD))})
    job = ImportJob.objects.get()
    admin.post(f"/console/imports/{job.pk}/start", {f"map_{n}": h for n, h in job.mapping.items()} | {"do": "import"})
    actions.run_import(job.pk)
    page = admin.get(f"/console/imports/{job.pk}/").content.decode()
    assert 'id="row-errors"' in page and "原工单编号重复：与第 6 行相同。" in page and "检查发现错误" in page
    download = admin.get(f"/console/imports/{job.pk}/errors.xlsx")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("行号", "字段", "问题") and rows[1] == (2, "诉求内容", "请填写诉求内容。") and len(rows) == 8
    assert not Ticket.objects.exists()


def test_a_file_that_is_not_a_table_is_refused_on_upload(city: City) -> None:
    admin = login(city, "centre_admin")
    response = admin.post("/console/imports/", {"file": SimpleUploadedFile("old.xlsx", b"not a zip")}, follow=True)
    assert "无法读取该 Excel 文件" in response.content.decode() and not ImportJob.objects.exists()
    response = admin.post("/console/imports/", {"file": SimpleUploadedFile("old.txt", b"a,b")}, follow=True)
    assert "只能导入 .xlsx 或 .csv 文件" in response.content.decode()


# ---- the command ------------------------------------------------------------------------------------------------


def test_the_command_checks_imports_and_exits_1_on_errors(city: City, tmp_path: Path) -> None:
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    renamed = [["受理号", *HEADERS[1:]], *GOOD]
    good.write_bytes(csv_bytes(renamed[1:], "gb18030", headers=renamed[0]))
    bad.write_bytes(csv_bytes(BAD))
    out = StringIO()
    mapped = ["--map", "原工单编号=受理号", "--source", "市长热线"]
    call_command("import_legacy", str(good), *mapped, "--dry-run", stdout=out)
    assert "原工单编号←受理号" in out.getvalue() and "检查通过：3 行均可导入" in out.getvalue()
    assert not Ticket.objects.exists()
    err = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import_legacy", str(bad), "--source", "市长热线", stdout=StringIO(), stderr=err)
    assert failed.value.returncode == 1  # what `rexian import-legacy` exits with
    assert "发现 7 处错误，未导入任何工单" in str(failed.value)
    assert "第 7 行 原工单编号：原工单编号重复：与第 6 行相同。" in err.getvalue() and not Ticket.objects.exists()
    out = StringIO()
    call_command("import_legacy", str(good), "--map", "legacy_number=受理号", "--source", "市长热线",
                 "--user", "centre_admin", stdout=out)  # fmt: skip
    assert "已导入 3 件历史工单" in out.getvalue()
    assert_imported_well(city)


def test_the_command_is_reached_by_its_hyphenated_name(capsys) -> None:
    with pytest.raises(SystemExit) as done:
        main(["import-legacy", "--help"])
    assert done.value.code == 0 and "--dry-run" in capsys.readouterr().out


# ---- statistics -------------------------------------------------------------------------------------------------


def test_the_roll_up_counts_imported_history_on_its_old_days(city: City) -> None:
    from rexian.tickets.actions import create_ticket

    now = at(2024, 3, 10, 12)
    with time_machine.travel(at(2024, 3, 1, 9), tick=False):
        create_ticket(actor=city.users["intake"], data=APPEAL)
    with time_machine.travel(now, tick=False):
        roll_up(now, days_per_run=None)  # rolled up through 2024-03-09, before the import
        imported(city, csv_bytes(GOOD))
        may_1, may_2, may_3 = (Scope(date(2023, 5, d), date(2023, 5, d)) for d in (1, 2, 3))
        assert counts(may_1) == {}  # the roll-up does not know them yet
        roll_up(now, days_per_run=None)  # events committed after their days were rolled up: those days again
        for scope in (may_1, may_2, may_3, Scope(date(2023, 5, 1), date(2023, 5, 31))):
            assert counts(scope) == counts(scope, rolled_up=False)
        assert counts(may_1)[None].received == 1 and counts(may_2)[None].received == 2
        closed = counts(Scope(date(2023, 5, 1), date(2023, 5, 31)), Group.DAY)
        assert {day: c.closed for day, c in closed.items() if c.closed} == {date(2023, 5, 3): 1, date(2023, 5, 10): 1}
        month = counts(Scope(date(2023, 5, 1), date(2023, 5, 31)))[None]
        assert (month.received, month.closed, month.callbacks, month.rated, month.unsatisfied) == (3, 2, 0, 0, 0)
        assert (month.replied_late, month.signed_late, month.dispatched) == (0, 0, 0)  # nothing late, nothing made up
        by_unit = counts(Scope(date(2023, 5, 1), date(2023, 5, 31)), Group.UNIT)
        assert by_unit[city.units["d_urban"].pk].closed == 1 and by_unit[city.units["d_hrss"].pk].closed == 1


def test_an_open_order_gets_the_clock_a_new_appeal_gets_at_the_moment_of_import(city: City) -> None:
    from rexian.tickets.actions import create_ticket

    moment = at(2024, 3, 8, 16, 30)  # a Friday afternoon: the deadline crosses a weekend
    with time_machine.travel(moment, tick=False):
        created, _ = create_ticket(actor=city.users["intake"], data={**APPEAL, "appeal_type": "consult"})
        imported(city, csv_bytes(GOOD))
    fresh, old = StageClock.objects.get(ticket=created), StageClock.objects.get(ticket=by_number("A-002"))
    fields = ("stage", "started_at", "due_at", "warn_at", "limit_amount", "limit_unit", "running", "cycle", "light")
    assert [getattr(old, f) for f in fields] == [getattr(fresh, f) for f in fields]
