from __future__ import annotations

import statistics
import time
from collections import defaultdict

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from rexian.directory.models import User
from rexian.tickets import actions

APPEAL = {
    "citizen_name": "测试",
    "citizen_phone": "13800000000",
    "subject": "基准测试工单",
    "description": "来电人反映：小区门口道路破损，雨天积水，希望尽快修复。",
    "appeal_type": "complaint",
}


class Command(BaseCommand):
    help = (
        "Time the write path on the demo city: create → dispatch → sign → reply → approve → callback, N times. "
        "Runs in a transaction that is rolled back: the database is left as it was."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("-n", type=int, default=200)

    def handle(self, *args, n: int, **options) -> None:
        users = {
            u.username: u
            for u in User.objects.filter(username__in=["intake1", "dispatch1", "review1", "callback1", "h_d_hrss"])
        }
        if len(users) < 5:
            raise CommandError("需要演示数据：先运行 rexian demo。")
        timings: dict[str, list[float]] = defaultdict(list)

        def timed(name: str, fn, **kwargs):
            started = time.perf_counter()
            result = fn(**kwargs)
            timings[name].append((time.perf_counter() - started) * 1000)
            return result

        with transaction.atomic():
            started = time.perf_counter()
            for _ in range(n):
                ticket, _ = timed("create", actions.create_ticket, actor=users["intake1"], data=APPEAL)
                steps = [
                    ("dispatch", actions.dispatch, "dispatch1", {"lead_unit": "d_hrss"}),
                    ("sign", actions.sign, "h_d_hrss", {}),
                    ("reply", actions.reply, "h_d_hrss", {"result": "已处理完毕。", "citizen_contacted": True}),
                    ("approve_reply", actions.approve_reply, "review1", {}),
                    (
                        "callback",
                        actions.callback,
                        "callback1",
                        {"reached": True, "satisfaction": "satisfied", "resolved": True},
                    ),
                ]
                for name, fn, username, payload in steps:
                    ticket = timed(
                        name, fn, actor=users[username], ticket_id=ticket.pk, version=ticket.version, **payload
                    )
            total = time.perf_counter() - started
            transaction.set_rollback(True)
        actions_run = sum(len(v) for v in timings.values())
        self.stdout.write(
            f"database: {connection.vendor}; {n} tickets, {actions_run} actions in {total:.2f} s "
            f"({actions_run / total:.0f} actions/s)"
        )
        for name, values in timings.items():
            values.sort()
            p95 = values[int(0.95 * (len(values) - 1))]
            self.stdout.write(f"  {name:14} median {statistics.median(values):6.2f} ms   p95 {p95:6.2f} ms")
