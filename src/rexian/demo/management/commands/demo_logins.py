from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from rexian.directory.models import User


class Command(BaseCommand):
    help = "List the demo accounts with their unit and roles."

    def handle(self, *args, **options) -> None:
        users = User.objects.select_related("unit").prefetch_related("role_grants").order_by("username")
        for user in users:
            roles = "、".join(r.label for r in sorted(user.roles))
            self.stdout.write(f"{user.username:32} {user.unit.name if user.unit else '':28} {roles}")
        self.stdout.write(f"密码：{settings.REXIAN['DEMO_PASSWORD']}")
