"""The calendar table: seeded from chinesecalendar, used for every deadline, imported year by year."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.core.management import CommandError, call_command

from rexian.core.clock import SHANGHAI
from rexian.tickets import actions
from rexian.workdays.models import CalendarDay, DayKind, ScheduleYear
from rexian.workdays.selectors import current_calendar
from tests.conftest import APPEAL

SCHEDULE_2027 = """date,kind,name
2027-01-01..2027-01-03,holiday,元旦
2027-02-06..2027-02-13,holiday,春节
2027-02-14,makeup,春节
"""


def test_the_seeded_table_knows_2026(db):
    calendar = current_calendar()
    assert calendar.add_workdays(date(2026, 9, 30), 5) == date(2026, 10, 13)
    assert ScheduleYear.objects.filter(year=2004).exists() and ScheduleYear.objects.filter(year=2026).exists()
    assert CalendarDay.objects.get(day=date(2026, 2, 14)).kind == DayKind.MAKEUP


def test_a_ticket_dispatched_before_national_day_is_due_after_it(city, time_machine):
    time_machine.move_to(datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI))
    ticket, _ = actions.create_ticket(actor=city.users["intake"], data={**APPEAL, "appeal_type": "consult"})
    ticket = actions.dispatch(
        actor=city.users["dispatcher"], ticket_id=ticket.pk, version=ticket.version, lead_unit="d_urban"
    )
    assert ticket.due_at == datetime(2026, 10, 13, 23, 59, 59, tzinfo=SHANGHAI)  # 5 working days
    assert ticket.return_deadline == datetime(2026, 10, 9, 23, 59, 59, tzinfo=SHANGHAI)  # 2 working days


def test_a_local_closure_counts_at_once(db):
    before = current_calendar().add_workdays(date(2026, 12, 1), 1)
    CalendarDay.objects.create(day=date(2026, 12, 2), kind=DayKind.CLOSURE, name="台风停工")
    assert before == date(2026, 12, 2)
    assert current_calendar().add_workdays(date(2026, 12, 1), 1) == date(2026, 12, 3)


def test_add_workdays_command(db, capsys):
    call_command("calendar", "add-workdays", "2026-09-30", "5")
    assert capsys.readouterr().out.strip() == "2026-10-13"
    call_command("calendar", "add-workdays", "2026-12-20", "15")
    assert "临时" in capsys.readouterr().out
    with pytest.raises(CommandError, match="日期格式"):
        call_command("calendar", "add-workdays", "2026-13-01", "1")


def test_status_warns_of_a_missing_next_year_after_november(db, time_machine, capsys):
    time_machine.move_to(datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI))
    call_command("calendar", "status")
    assert "日历完整" in capsys.readouterr().out
    time_machine.move_to(datetime(2026, 11, 21, 9, 0, tzinfo=SHANGHAI))
    with pytest.raises(SystemExit) as exited:
        call_command("calendar", "status")
    assert exited.value.code == 1 and "2027" in capsys.readouterr().out


def test_importing_a_year_makes_its_deadlines_final(db, tmp_path, time_machine, capsys):
    path = tmp_path / "2027.csv"
    path.write_text(SCHEDULE_2027, encoding="utf-8")
    moment = datetime(2026, 12, 28, 9, 0, tzinfo=SHANGHAI)
    assert current_calendar().deadline_is_provisional(moment, 5)
    call_command("calendar", "import", str(path), "--source", "国办发明电〔2026〕7号")
    calendar = current_calendar()
    assert not calendar.deadline_is_provisional(moment, 5)
    assert calendar.add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert calendar.is_workday(date(2027, 2, 14))
    time_machine.move_to(datetime(2026, 11, 21, 9, 0, tzinfo=SHANGHAI))
    call_command("calendar", "status")
    assert "日历完整" in capsys.readouterr().out


def test_a_bad_schedule_file_names_its_lines_and_imports_nothing(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("date,kind,name\n2027-01-01,holiday,元旦\n2027-02-30,holiday,春节\n2027-03-01,party,\n", "utf-8")
    with pytest.raises(CommandError) as error:
        call_command("calendar", "import", str(path))
    assert "第 3 行" in str(error.value) and "第 4 行" in str(error.value)
    assert not ScheduleYear.objects.filter(year=2027).exists()
    assert not CalendarDay.objects.filter(day__year=2027).exists()


def test_import_keeps_local_closures(db, tmp_path):
    CalendarDay.objects.create(day=date(2027, 1, 2), kind=DayKind.CLOSURE, name="本地停电")
    path = tmp_path / "2027.csv"
    path.write_text(SCHEDULE_2027, encoding="utf-8")
    call_command("calendar", "import", str(path))
    assert CalendarDay.objects.get(day=date(2027, 1, 2)).kind == DayKind.CLOSURE
    assert CalendarDay.objects.get(day=date(2027, 1, 3)).kind == DayKind.HOLIDAY
