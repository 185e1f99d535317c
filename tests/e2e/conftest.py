"""Browser tests: Playwright drives Debian's Chromium against Django's live server (a real HTTP server in
a thread, with the test database). `make test` installs Chromium where it can; where it cannot, these
tests are skipped with the reason."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=zh-CN",
]
SCREEN = {"width": 1366, "height": 768}
SCREENSHOT_DIR = Path(os.environ.get("REXIAN_SCREENSHOT_DIR", "var/screenshots"))


def chromium_path() -> str | None:
    return os.environ.get("REXIAN_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright is not installed (pip install -e '.[dev]').")
    executable = chromium_path()
    if executable is None:
        pytest.skip("Chromium is not installed: `apt-get install chromium` (make test does this where it may).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """A fresh browser context (its own cookies) at 1366×768, opened on the live server."""
    contexts = []

    def open_page(path: str = "/"):
        context = browser.new_context(viewport=SCREEN, locale="zh-CN", timezone_id="Asia/Shanghai")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(live_server.url + path)
        return page

    yield open_page
    for context in contexts:
        context.close()


def screenshot(page, name: str, *, full_page: bool = False) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    if full_page:  # the shortcut bar is fixed to the window: let it sit at the end of a whole-page picture
        page.add_style_tag(content=".shortcuts { position: static; }")
    page.screenshot(path=str(path), full_page=full_page)
    return path
