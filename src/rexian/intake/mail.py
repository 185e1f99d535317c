"""E-mail intake: citizens' mails, read from an IMAP mailbox or a maildir, become appeals through the same path as
every channel (intake/actions.receive_message). A mail's Message-ID keeps a mail read twice from becoming two
tickets; a mail is marked read only after its ticket is committed."""

from __future__ import annotations

import contextlib
import hashlib
import imaplib
import logging
import mailbox
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr
from pathlib import Path

from django.utils.html import strip_tags

from rexian.core import clock
from rexian.core.errors import DomainError
from rexian.intake.actions import Incoming, receive_once
from rexian.intake.models import ChannelAccount, ChannelKind

logger = logging.getLogger("rexian.intake")
# A mobile number in the mail's text: the citizen can then be called back and texted, as from the portal.
MOBILE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
IMAP_TIMEOUT = 30
FETCH_LIMIT = 200  # mails per mailbox per poll: a flooded mailbox is worked through over several minutes


def incoming_from_mail(raw: bytes) -> Incoming:
    mail = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(mail, EmailMessage)
    name, address = parseaddr(str(mail.get("From", "")))
    text = _body_text(mail)
    phone = MOBILE_RE.search(text)
    message_id = str(mail.get("Message-ID", "")).strip() or "sha256:" + hashlib.sha256(raw).hexdigest()
    return Incoming(
        message_id=message_id[:200],
        sender=address[:254],
        sender_name=name[:50],
        subject=str(mail.get("Subject", "")).strip(),
        text=text,
        phone=phone.group(0) if phone else "",
    )


def _body_text(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = part.get_content()
    text = strip_tags(content) if part.get_content_subtype() == "html" else content
    return re.sub(r"\n{3,}", "\n\n", text.replace("\r\n", "\n")).strip()


def take_mail(account: ChannelAccount, raw: bytes) -> bool:
    """One mail into a ticket; False (logged and recorded on the account) when it cannot be one, e.g. empty."""
    try:
        receive_once(account, incoming_from_mail(raw))
    except DomainError as refused:
        _note_error(account, f"一封邮件无法登记：{refused.message} {refused.fields}")
        return False
    return True


def poll(account: ChannelAccount, now: datetime | None = None) -> int:
    """Read the account's new mails (maildir, else IMAP) into tickets; returns the mails taken."""
    reader = _maildir_mails if account.maildir else _imap_mails
    taken = refused = 0
    try:
        for raw, done in reader(account):
            if take_mail(account, raw):
                taken += 1
            else:
                refused += 1
            done()  # read, or refused for good: either way it is not read again
    except (OSError, imaplib.IMAP4.error, mailbox.Error) as error:
        _note_error(account, f"收取邮件失败：{error}")
        return taken
    cleared = {} if refused else {"last_error": ""}  # a refused mail's reason stays until a clean poll
    ChannelAccount.objects.filter(pk=account.pk).update(last_polled_at=now or clock.now(), **cleared)
    return taken


def poll_mailboxes(now: datetime) -> int:
    """Every active mailbox once (the worker's minute)."""
    accounts = ChannelAccount.objects.filter(kind=ChannelKind.EMAIL, is_active=True)
    return sum(poll(account, now) for account in accounts)


def _note_error(account: ChannelAccount, message: str) -> None:
    logger.warning("mail intake %s: %s", account.code, message)
    ChannelAccount.objects.filter(pk=account.pk).update(last_error=message[:500])


def _maildir_mails(account: ChannelAccount) -> Iterator[tuple[bytes, Callable[[], object]]]:
    """The mails in new/, each moved to cur/ and flagged seen once done."""
    box = mailbox.Maildir(Path(account.maildir), factory=None, create=False)
    for key in list(box.iterkeys())[:FETCH_LIMIT]:
        message = box[key]
        if message.get_subdir() != "new":
            continue

        def done(key: str = key, message: mailbox.MaildirMessage = message) -> None:
            message.set_subdir("cur")
            message.add_flag("S")
            box[key] = message

        yield message.as_bytes(), done


def _imap_mails(account: ChannelAccount) -> Iterator[tuple[bytes, Callable[[], object]]]:
    """The unseen mails of the folder, each flagged \\Seen once done (BODY.PEEK leaves them unseen until then)."""
    with _imap(account) as imap:
        imap.select(account.imap_folder)
        _, found = imap.uid("SEARCH", "UNSEEN")
        for uid in (found[0] or b"").split()[:FETCH_LIMIT]:
            _, data = imap.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((part[1] for part in data if isinstance(part, tuple)), None)
            if raw is None:
                continue
            yield raw, lambda uid=uid: imap.uid("STORE", uid, "+FLAGS", "(\\Seen)")


@contextlib.contextmanager
def _imap(account: ChannelAccount) -> Iterator[imaplib.IMAP4]:
    kind = imaplib.IMAP4_SSL if account.imap_ssl else imaplib.IMAP4
    imap = kind(account.imap_host, account.imap_port, timeout=IMAP_TIMEOUT)
    try:
        imap.login(account.imap_user, account.imap_password)
        yield imap
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            imap.logout()
