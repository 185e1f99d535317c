"""Chinese throughout, English on request: the pages follow the language chosen with the switch (a cookie),
never the browser's Accept-Language, and the English catalogue covers every message the pages show."""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.test import Client
from django.urls import reverse

from rexian.tickets import actions
from rexian.web.labels import LABELS, label_sources
from tests.conftest import APPEAL, PASSWORD

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file (enough of the format for the files makemessages writes)."""
    entries: list[Entry] = []
    entry, target = None, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry is not None:
                entries.append(entry)
            entry = None
            continue
        entry = entry or Entry()
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif match := re.match(r'(msgid_plural|msgid|msgstr(?:\[(\d+)\])?) (".*")$', line):
            keyword, index, text = match.group(1), match.group(2), ast.literal_eval(match.group(3))
            if keyword.startswith("msgstr"):
                target = ("msgstr", int(index or 0))
                entry.msgstr[target[1]] = text
            else:
                target = (keyword, None)
                setattr(entry, keyword, text)
        else:
            text = ast.literal_eval(line)
            if target[0] == "msgstr":
                entry.msgstr[target[1]] += text
            else:
                setattr(entry, target[0], getattr(entry, target[0]) + text)
    return entries


def messages() -> list[Entry]:
    return [e for e in read_po(CATALOGUE / "django.po") if e.msgid]


def login(username: str, language: str | None = None) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    if language:
        response = client.post(reverse("set_language"), {"language": language, "next": reverse("intake")})
        assert response.status_code == 302
    return client


def html(client: Client, url: str, **headers: str) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.content.decode()[:300]
    return response.content.decode()


def navigation(page: str) -> str:
    match = re.search(r"<nav\b.*?</nav>", page, re.S)
    assert match, "no navigation"
    return match.group(0)


# ---- the language of the pages ---------------------------------------------------------------------------------


def test_pages_are_chinese_by_default_whatever_the_browser_asks_for(city):
    client = login("intake")
    page = html(client, reverse("intake"), accept_language="en")
    assert "诉求登记" in page and "保存登记" in page and 'lang="zh-hans"' in page
    assert "Appeal registration" not in page and ">Intake<" not in page
    portal = html(Client(), reverse("portal"), accept_language="en-US,en;q=0.9")
    assert "我要反映" in portal and "Submit an appeal" not in portal


def test_the_switch_turns_the_console_english(city):
    ticket, _ = actions.create_ticket(actor=city.users["intake"], data=APPEAL)
    intake = login("intake", "en")
    page = html(intake, reverse("intake"))
    assert 'lang="en"' in page and "Appeal registration" in page
    assert ">Save <small>F2</small>" in page and "Answer on the spot" in page
    assert ">Intake<kbd>" in navigation(page) and not CJK.search(navigation(page))
    assert "诉求登记" not in page

    dispatcher = login("dispatcher", "en")
    queue = html(dispatcher, reverse("dispatch"))
    assert "Dispatch queue" in queue and "Dispatch selected" in queue and "Complaint" in queue
    assert not CJK.search(navigation(queue))
    detail = html(dispatcher, reverse("ticket", args=[ticket.pk]))
    assert "To dispatch" in detail and "History" in detail and "Lead unit" in detail
    assert ">Register</b>" in detail  # the timeline's action labels come from the pure workflow module
    assert not CJK.search(navigation(detail))


def test_the_switch_turns_the_portal_english_and_back(city):
    client = Client()
    client.post(reverse("set_language"), {"language": "en", "next": reverse("portal")})
    page = html(client, reverse("portal"))
    assert "Submit an appeal" in page and "Track an appeal" in page and "How it works" in page
    assert not CJK.search(navigation(page))
    client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("portal")})
    assert "我要反映" in html(client, reverse("portal"))


def test_a_language_cookie_of_another_language_is_ignored(city):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert "我要反映" in html(client, reverse("portal"))


def test_view_messages_follow_the_language(city):
    client = login("dispatcher", "en")
    response = client.post(reverse("dispatch_batch"), {}, follow=True)
    assert "First tick the tickets to dispatch." in response.content.decode()


# ---- the catalogue -----------------------------------------------------------------------------------------------


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = messages()
    assert len(entries) > 300
    untranslated = [e.msgid for e in entries if not all(e.msgstr.values()) or not e.msgstr]
    assert untranslated == []
    assert [e.msgid for e in entries if "fuzzy" in e.flags] == []
    plurals = [e for e in entries if e.msgid_plural is not None]
    assert plurals and all(sorted(e.msgstr) == [0, 1] for e in plurals)


def test_the_compiled_catalogue_matches_the_source():
    with (CATALOGUE / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    keys = {key[0] if isinstance(key, tuple) else key for key in compiled._catalog} - {""}
    assert keys == {e.msgid for e in messages()}, "run compilemessages after editing django.po"
    for entry in messages():
        if entry.msgid_plural is None:
            assert compiled.gettext(entry.msgid) == entry.msgstr[0], entry.msgid


def test_every_label_is_in_the_catalogue():
    """The labels of the pure modules' tables are translated as they are shown: each must be a msgid."""
    listed = set(LABELS)
    msgids = {e.msgid for e in messages()}
    for source, labels in label_sources().items():
        assert set(labels) <= listed, f"{source}: run scripts/i18n_labels.py ({set(labels) - listed})"
        assert set(labels) <= msgids, f"{source}: run makemessages and translate ({set(labels) - msgids})"


def test_no_english_message_is_left_in_chinese():
    assert [e.msgid for e in messages() if any(CJK.search(text) for text in e.msgstr.values())] == []
