from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rexian.intake.mail import poll
from rexian.intake.models import ChannelAccount, ChannelKind


class Command(BaseCommand):
    help = "Read the new mails of the e-mail channels (IMAP or maildir) into appeals now (the worker: each minute)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--account", help="only the channel with this code")

    def handle(self, *args: Any, account: str | None, **options: Any) -> None:
        accounts = ChannelAccount.objects.filter(kind=ChannelKind.EMAIL, is_active=True)
        if account:
            accounts = accounts.filter(code=account)
            if not accounts:
                raise CommandError(f"没有启用的电子邮箱渠道 {account}。")
        for mailbox in accounts:
            taken = poll(mailbox)
            mailbox.refresh_from_db()
            problem = f"（{mailbox.last_error}）" if mailbox.last_error else ""
            self.stdout.write(f"{mailbox.name}：登记 {taken} 封{problem}")
