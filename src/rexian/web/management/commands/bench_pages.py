from __future__ import annotations

import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rexian.directory.models import User
from rexian.tickets.access import visible_tickets

# (who, page) pairs: each workbench as the person who works in it sees it on the demo city.
PAGES = [
    ("intake1", "/console/intake/?phone={phone}"),
    ("dispatch1", "/console/dispatch/"),
    ("dispatch1", "/console/search/?q=噪音"),
    ("dispatch1", "/console/search/?state=in_progress&page=3"),
    ("h_x_qingshan", "/console/unit/?stage=progress"),
    ("review1", "/console/review/?kind=reply"),
    ("callback1", "/console/callback/"),
    ("dispatch1", "/console/tickets/{ticket}/"),
    ("h_x_qingshan", "/console/tickets/{unit_ticket}/"),
    ("lead1", "/console/supervision/?tab=overdue"),
    ("lead1", "/console/supervision/?tab=ledger"),
    ("h_x_qingshan", "/console/notices/"),
]


class Command(BaseCommand):
    help = (
        "Time the console's pages on the demo city (Django's test client, in-process: the server's own time, "
        "without the network): median and 90th percentile in ms, and SQL queries per page. Reads only."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("-n", type=int, default=20, help="requests per page")

    def handle(self, *args, n: int, **options) -> None:
        users = {u.username: u for u in User.objects.filter(username__in={who for who, _ in PAGES})}
        if len(users) < len({who for who, _ in PAGES}):
            raise CommandError("需要演示数据：先运行 rexian demo。")
        busiest = visible_tickets(users["dispatch1"]).exclude(citizen_phone="").order_by("-pk").first()
        unit_ticket = visible_tickets(users["h_x_qingshan"]).order_by("-pk").first()
        if busiest is None or unit_ticket is None:
            raise CommandError("演示数据中没有工单：先运行 rexian demo。")
        values = {"phone": busiest.citizen_phone, "ticket": busiest.pk, "unit_ticket": unit_ticket.pk}
        self.stdout.write(f"{'page':<48} {'user':<14} {'median ms':>10} {'p90 ms':>8} {'queries':>8}")
        for who, pattern in PAGES:
            url = pattern.format(**values)
            client = Client(SERVER_NAME="127.0.0.1")
            client.force_login(users[who])
            timings = []
            for _ in range(n):
                started = time.perf_counter()
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise CommandError(f"{url} 返回 {response.status_code}")
            timings.sort()
            p90 = timings[max(0, int(len(timings) * 0.9) - 1)]
            self.stdout.write(
                f"{url[:48]:<48} {who:<14} {statistics.median(timings):>10.1f} {p90:>8.1f} {len(queries):>8}"
            )
