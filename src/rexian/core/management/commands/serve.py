from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Rexian with waitress (static files by WhiteNoise)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, host: str, port: int, threads: int, **options) -> None:
        from waitress import serve

        from rexian.wsgi import application

        if settings.TASK_MODE != "database":  # no worker runs: this process does the minute's work itself
            from rexian.supervision.periodic import start_scheduler

            start_scheduler()
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        self.stdout.write(f"Rexian 热线 serving on http://{host}:{port}/ (database: {engine})")
        serve(application, host=host, port=port, threads=threads, ident="rexian")
