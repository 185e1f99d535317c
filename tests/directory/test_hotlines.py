"""The register of merged hotlines: imported from Excel all or nothing, shown on the 接入 page."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from rexian.core.errors import PermissionDenied, ValidationError
from rexian.directory.actions import import_hotlines
from rexian.directory.models import HotlineMode, MergedHotline
from tests.conftest import PASSWORD

HEADERS = ["号码", "热线名称", "主管单位", "整合方式", "整合日期", "双轨运行截止", "备注"]
GOOD = [
    ["12333", "人社服务热线", "d_hrss", "双轨运行", date(2024, 3, 1), "2025-06-30", "人社局保留坐席"],
    ["12319", "城建服务热线", "城管局", "整合", "2024/03/01", None, None],
    [None, None, None, None, None, None, None],  # a blank line
    ["96345", "供水服务热线", None, "暂不整合", None, None, "企业自建"],
]


def rows(data: list[list]) -> list[tuple[int, list]]:
    return list(enumerate(data, start=2))


def xlsx(data: list[list]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in data:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("热线登记表.xlsx", buffer.getvalue())


def test_a_good_register_is_imported_and_a_second_import_updates_it(city):
    result = import_hotlines(actor=city.users["centre_admin"], headers=HEADERS, rows=rows(GOOD))
    assert (result.created, result.updated, result.errors) == (3, 0, [])
    hrss = MergedHotline.objects.get(number="12333")
    assert hrss.unit == city.units["d_hrss"] and hrss.mode == HotlineMode.DUAL_TRACK
    assert hrss.merged_on == date(2024, 3, 1) and hrss.dual_track_until == date(2025, 6, 30)
    assert MergedHotline.objects.get(number="12319").unit == city.units["d_urban"]  # found by its name
    again = import_hotlines(actor=city.users["centre_admin"], headers=HEADERS,
                            rows=rows([["96345", "供水热线", None, "整合", None, None, None]]))  # fmt: skip
    assert (again.created, again.updated) == (0, 1)
    assert MergedHotline.objects.get(number="96345").mode == HotlineMode.MERGED


def test_bad_rows_are_each_named_and_nothing_is_written(city):
    bad = [
        ["12333", "人社服务热线", "d_hrss", "双轨运行", None, None, None],
        ["12333", "重复号码", None, "整合", None, None, None],
        ["12319", "", "城管局", "合并", "2024-13-01", None, None],
        ["12315", "市场监管热线", "不存在的局", "双轨运行", None, None, None],
        ["12369", "环保热线", None, "双轨运行", None, None, None],
        [None, "没有号码", None, "整合", None, None, None],
    ]
    result = import_hotlines(actor=city.users["centre_admin"], headers=HEADERS, rows=rows(bad))
    found = {(e.row, e.column) for e in result.errors}
    assert {(3, "号码"), (4, "热线名称"), (4, "整合方式"), (4, "整合日期"), (5, "主管单位"), (6, "主管单位"),
            (7, "号码")} <= found  # fmt: skip
    assert result.created == result.updated == 0 and not MergedHotline.objects.exists()


def test_only_the_centre_admin_imports_and_the_headers_must_name_the_number(city):
    with pytest.raises(PermissionDenied):
        import_hotlines(actor=city.users["shift_lead"], headers=HEADERS, rows=rows(GOOD))
    with pytest.raises(ValidationError, match="号码"):
        import_hotlines(actor=city.users["centre_admin"], headers=["名称"], rows=[])


def test_the_page_imports_a_spreadsheet_and_shows_errors_per_row(client, city):
    client.login(username="centre_admin", password=PASSWORD)
    page = client.post("/console/channels/import", {"file": xlsx(GOOD)})
    assert page.status_code == 200 and "新增 3 条" in page.content.decode()
    assert "人社服务热线" in client.get("/console/channels/").content.decode()
    refused = client.post("/console/channels/import", {"file": xlsx([["1", "", None, "乱填", None, None, None]])})
    text = refused.content.decode()
    assert refused.status_code == 422 and "未导入任何一行" in text and "应为 整合、双轨运行 或 暂不整合" in text
    wrong = client.post("/console/channels/import", {"file": SimpleUploadedFile("a.txt", b"x")})
    assert wrong.status_code == 422 and "只能导入 .xlsx 或 .csv 文件" in wrong.content.decode()
    assert MergedHotline.objects.count() == 3


def test_the_desks_read_the_register_and_unit_users_do_not(client, city):
    client.login(username="shift_lead", password=PASSWORD)
    page = client.get("/console/channels/")
    assert page.status_code == 200 and 'action="/console/channels/import"' not in page.content.decode()
    assert client.post("/console/channels/import", {"file": xlsx(GOOD)}).status_code == 403
    client.login(username="h_hrss", password=PASSWORD)
    assert client.get("/console/channels/").status_code == 403
    assert client.get("/console/channels/?tab=accounts").status_code == 403
