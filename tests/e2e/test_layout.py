"""The console's top bar on the screens centres have: the centre admin, who has the most sections, sees every
section, the quick search and the sign-out button without scrolling the page sideways."""

from __future__ import annotations

import pytest

from tests.e2e.test_journeys import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

FITS = """() => {
  const bar = document.querySelector(".topbar"), nav = bar.querySelector(".mainnav");
  const out = document.querySelector(".who form[action$='/logout/'] button").getBoundingClientRect();
  return {
    page: document.documentElement.scrollWidth <= window.innerWidth,
    links: nav.scrollWidth <= nav.clientWidth,
    signOut: out.right <= window.innerWidth,
    search: document.querySelector(".quicksearch input").getBoundingClientRect().width >= 120,
    compact: bar.classList.contains("compact"),
  };
}"""


def test_the_top_bar_fits_the_window_for_the_busiest_role(city, new_page):
    page = sign_in(new_page, "centre_admin", "/console/")
    sections = page.locator(".mainnav a").count()
    assert sections >= 10
    assert page.evaluate(FITS) == {"page": True, "links": True, "signOut": True, "search": True, "compact": True}
    page.set_viewport_size({"width": 1280, "height": 720})
    assert page.evaluate(FITS)["page"] and page.evaluate(FITS)["signOut"]


def test_a_role_with_few_sections_keeps_its_shortcut_labels(city, new_page):
    page = sign_in(new_page, "intake", "/console/intake/")
    assert page.evaluate(FITS)["compact"] is False
    assert page.locator(".mainnav kbd").first.is_visible()


def test_longer_english_labels_take_a_row_of_their_own(city, new_page):
    page = sign_in(new_page, "centre_admin", "/console/")
    page.set_viewport_size({"width": 1280, "height": 720})
    page.click("button[name=language]")
    page.wait_for_selector("html[lang=en]")
    fits = page.evaluate(FITS)
    assert (fits["page"], fits["links"], fits["signOut"]) == (True, True, True)
    assert page.evaluate("document.querySelector('.topbar').classList.contains('two-rows')")
    assert page.locator(".mainnav a").last.is_visible()
