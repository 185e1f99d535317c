from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand

from rexian.demo import load
from rexian.demo.integration import OPEN311_DEMO_KEY, SECRETS


class Command(BaseCommand):
    help = "Load the demo city 云泽市 (units, categories, catalogue, users, ~2,000 tickets)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--reset", action="store_true", help="delete all data first, then load")
        parser.add_argument("--if-empty", action="store_true", help="load only when the database has no units")
        parser.add_argument("--tickets", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=12345)

    def handle(self, *args, reset: bool, if_empty: bool, tickets: int, seed: int, **options) -> None:
        if load.is_loaded():
            if if_empty:
                self.stdout.write("演示数据已存在，跳过加载。")
                return
            if not reset:
                self.stderr.write("数据库中已有数据。要重新加载请使用 rexian demo --reset（会删除全部数据）。")
                raise SystemExit(1)
            load.reset()
        started = time.monotonic()
        counts = load.load(tickets=tickets, seed=seed, log=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                f"演示城市已加载：{counts['units']} 个单位，{counts['categories']} 个分类，"
                f"{counts['users']} 个用户，{counts['tickets']} 张工单（{time.monotonic() - started:.0f} 秒）。"
            )
        )
        self.stdout.write(f"演示账号密码：{settings.REXIAN['DEMO_PASSWORD']}")
        self.stdout.write(
            f"接入演示（docs/integration.md）：Open311 api_key {OPEN311_DEMO_KEY}；签名密钥 "
            + "，".join(f"{code} {secret}" for code, secret in SECRETS.items())
        )
