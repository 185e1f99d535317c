from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rexian.api.models import Open311Client


class Command(BaseCommand):
    help = "Create an Open311 client and print its api_key (shown this once; only its hash is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="客户端名称，例如某 APP 的名字")

    def handle(self, *args, name: str, **options) -> None:
        name = name.strip()
        if not name or len(name) > 50:
            raise CommandError("客户端名称应为 1–50 个字。")
        if Open311Client.objects.filter(name=name).exists():
            raise CommandError(f"客户端“{name}”已存在；如需换发密钥，请在后台停用后另建。")
        client, raw = Open311Client.issue(name)
        self.stderr.write(f"已创建 Open311 客户端“{client.name}”。api_key 只显示这一次：")
        self.stdout.write(raw)
