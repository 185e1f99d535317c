"""`rexian reindex-knowledge`: rebuild the knowledge search index and its statistics from the entries (after an
upgrade that changes how text is cut into terms, or a restore from an older release)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from rexian.knowledge import index


class Command(BaseCommand):
    help = "Rebuild the knowledge search index from the entries."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        count = index.rebuild()
        self.stdout.write(f"已重建 {count} 个知识条目的检索索引（{time.perf_counter() - started:.1f} 秒）。")
