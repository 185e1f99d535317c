"""E-mail intake from a maildir and from a real (local, minimal) IMAP server."""

from __future__ import annotations

import mailbox
import socketserver
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.core.management import call_command

from rexian.intake.mail import incoming_from_mail, poll, poll_mailboxes
from rexian.intake.models import ChannelAccount, ChannelKind, InboundMessage
from rexian.tickets.models import Ticket


def mail(
    message_id: str, subject: str, body: str, *, html: bool = False, sender: str = "王五 <wang@example.cn>"
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "12345@city.gov.cn"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    if html:
        message.set_content(body, subtype="html")
    else:
        message.set_content(body)
    return bytes(message)


PLAIN = mail("<a1@example.cn>", "小区路灯坏了", "东区幸福小区5栋前路灯坏了一个月，晚上很黑。联系电话13700003333。")
HTML = mail(
    "<a2@example.cn>", "噪音扰民", "<p>楼下饭店<b>深夜</b>排风扇噪音很大。</p>", html=True, sender="zhao@example.cn"
)
EMPTY = mail("<a3@example.cn>", "", "   ")


def test_a_mail_is_read_into_the_appeal_s_fields():
    incoming = incoming_from_mail(PLAIN)
    assert incoming.message_id == "<a1@example.cn>" and incoming.sender == "wang@example.cn"
    assert incoming.sender_name == "王五" and incoming.subject == "小区路灯坏了"
    assert incoming.phone == "13700003333" and "路灯坏了一个月" in incoming.text
    assert incoming_from_mail(HTML).text == "楼下饭店深夜排风扇噪音很大。"


@pytest.fixture
def maildir(tmp_path: Path, city) -> tuple[mailbox.Maildir, ChannelAccount]:
    box = mailbox.Maildir(tmp_path / "mail", create=True)
    account = ChannelAccount.objects.create(code="mail", name="市长信箱", kind=ChannelKind.EMAIL,
                                            maildir=str(tmp_path / "mail"))  # fmt: skip
    return box, account


def test_new_mails_in_a_maildir_become_tickets_once(maildir):
    box, account = maildir
    for raw in (PLAIN, HTML, EMPTY):
        box.add(mailbox.MaildirMessage(raw))
    assert poll(account) == 2
    plain = Ticket.objects.get(subject="小区路灯坏了")
    assert plain.channel == "email" and plain.citizen_phone == "13700003333" and not plain.is_anonymous
    html = Ticket.objects.get(subject="噪音扰民")
    assert html.is_anonymous and html.description == "楼下饭店深夜排风扇噪音很大。"
    assert {m.get_subdir() for m in box} == {"cur"}  # every mail done, the empty one too
    account.refresh_from_db()
    assert "无法登记" in account.last_error and account.last_polled_at is not None
    box.add(mailbox.MaildirMessage(PLAIN))  # the same mail delivered twice
    assert poll(account) == 1 and Ticket.objects.count() == 2
    assert InboundMessage.objects.count() == 2


def test_the_worker_and_the_command_poll_active_mailboxes(maildir, capsys):
    box, account = maildir
    box.add(mailbox.MaildirMessage(PLAIN))
    call_command("fetch_mail", account="mail")
    assert "登记 1 封" in capsys.readouterr().out
    box.add(mailbox.MaildirMessage(HTML))
    account.is_active = False
    account.save()
    from rexian.core import clock

    assert poll_mailboxes(clock.now()) == 0  # an inactive mailbox is left alone
    assert Ticket.objects.count() == 1


def test_a_missing_maildir_is_recorded_not_raised(city, tmp_path):
    account = ChannelAccount.objects.create(code="gone", name="旧信箱", kind=ChannelKind.EMAIL,
                                            maildir=str(tmp_path / "absent"))  # fmt: skip
    assert poll(account) == 0
    account.refresh_from_db()
    assert "收取邮件失败" in account.last_error


# ---- IMAP ----------------------------------------------------------------------------------------------


class FakeImap(socketserver.StreamRequestHandler):
    """Just enough IMAP4rev1 for imaplib: LOGIN, SELECT, UID SEARCH UNSEEN, UID FETCH BODY.PEEK[], UID STORE."""

    mails: dict[int, bytes] = {}
    seen: set[int] = set()
    password = "secret"

    def send(self, line: str | bytes) -> None:
        self.wfile.write((line.encode() if isinstance(line, str) else line) + b"\r\n")

    def handle(self) -> None:
        self.send("* OK IMAP4rev1 ready")
        while line := self.rfile.readline().decode().strip():
            tag, command, *args = line.split(" ")
            if not self.answer(tag, command.upper(), args):
                return

    def answer(self, tag: str, command: str, args: list[str]) -> bool:
        if command == "CAPABILITY":
            self.send("* CAPABILITY IMAP4rev1")
        elif command == "LOGIN" and args[1].strip('"') != self.password:
            self.send(f"{tag} NO [AUTHENTICATIONFAILED] wrong password")
            return True
        elif command == "SELECT":
            self.send(f"* {len(self.mails)} EXISTS")
        elif command == "UID":
            self.uid(args)
        elif command == "LOGOUT":
            self.send("* BYE")
            self.send(f"{tag} OK LOGOUT")
            return False
        self.send(f"{tag} OK {command} completed")
        return True

    def uid(self, args: list[str]) -> None:
        verb, uid = args[0].upper(), args[1]
        if verb == "SEARCH":
            self.send("* SEARCH " + " ".join(str(u) for u in self.mails if u not in self.seen))
        elif verb == "FETCH":
            raw = self.mails[int(uid)]
            self.send(f"* {uid} FETCH (UID {uid} BODY[] {{{len(raw)}}}".encode() + b"\r\n" + raw + b")")
        elif verb == "STORE":
            self.seen.add(int(uid))
            self.send(f"* {uid} FETCH (FLAGS (\\Seen))")


@pytest.fixture
def imap_server() -> Iterator[int]:
    FakeImap.mails = {1: PLAIN, 2: HTML}
    FakeImap.seen = set()
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), FakeImap)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def imap_account(port: int, password: str = "secret") -> ChannelAccount:
    return ChannelAccount.objects.create(
        code="imap", name="12345邮箱", kind=ChannelKind.EMAIL, imap_host="127.0.0.1", imap_port=port,
        imap_ssl=False, imap_user="12345", imap_password=password,
    )  # fmt: skip


def test_unseen_mails_on_an_imap_server_become_tickets_and_are_marked_seen(city, imap_server):
    account = imap_account(imap_server)
    assert poll(account) == 2
    assert FakeImap.seen == {1, 2}
    assert set(Ticket.objects.values_list("subject", flat=True)) == {"小区路灯坏了", "噪音扰民"}
    assert poll(account) == 0  # nothing unseen is left


def test_a_refused_imap_login_is_recorded(city, imap_server):
    account = imap_account(imap_server, password="wrong")
    assert poll(account) == 0
    account.refresh_from_db()
    assert "收取邮件失败" in account.last_error and not Ticket.objects.exists()
