"""Signing in through a real browser, on a desktop and a phone-sized screen."""

from __future__ import annotations

from tests.conftest import PASSWORD


def test_rep_signs_in_and_lands_on_search(live_server, page, users):
    live_server.login(page, users["rep"].email, PASSWORD)
    assert page.url.endswith("/search")
    assert page.locator("nav").get_by_text("Sign out").count() == 1


def test_wrong_password_shows_one_message(live_server, page, users):
    page.goto(f"{live_server.url}/login")
    page.fill("input[name=email]", users["rep"].email)
    page.fill("input[name=password]", "nope-nope")
    page.click("button[type=submit]")
    assert page.get_by_text("Wrong email or password.").is_visible()


def test_login_page_fits_a_phone(live_server, browser_context, users):
    phone = browser_context.browser.new_context(viewport={"width": 375, "height": 740})
    page = phone.new_page()
    page.goto(f"{live_server.url}/login")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    assert page.locator("button[type=submit]").is_visible()
    phone.close()
