"""CONTRACT 3a in a real browser: the docs page's "Authorize" button logs in.

Each stack's default rendering (auth on) is started as a platform would (Procfile `release`,
then `web`, production settings, SQLite). A user is registered over the API; headless Chromium,
driven by Playwright with no network beyond loopback, then opens `/api/docs`, logs in through
the OAuth2 password form of Swagger UI's "Authorize" dialog, and runs "Try it out" on
`GET /api/items`, which must answer 200 with the token the dialog obtained.

Without Chromium this skips, saying why; under SCAFFOLD_REQUIRE_SERVICES=1 (CI) it fails.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import httpx
import pytest
from conftest import Servers
from helpers import STACKS
from test_browser import chromium, offline_flags  # noqa: F401  (chromium: the fixture)

pytestmark = [pytest.mark.smoke, pytest.mark.browser]

PASSWORD = "correct horse battery staple"
ITEMS_PATH = re.compile(r"^/api/items/?$")


@dataclass
class Docs:
    url: str
    email: str


@pytest.fixture(params=STACKS)
def docs(request: pytest.FixtureRequest, servers: Servers) -> Docs:
    """Each stack's docs page (auth on, the default) and a user registered for this test."""
    web = servers.get(request.param)
    email = f"docs-user-{uuid.uuid4().hex[:12]}@example.com"
    registered = httpx.post(
        f"{web.url}/api/auth/register", json={"email": email, "password": PASSWORD}, timeout=30
    )
    assert registered.status_code == 201, registered.text
    return Docs(f"{web.url}/api/docs", email)


def test_authorize_button_logs_in_and_try_it_out_gets_200(
    chromium: str,  # noqa: F811
    docs: Docs,
) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=offline_flags(),
        )
        try:
            page = browser.new_page()
            page.set_default_timeout(30_000)
            page.goto(docs.url)

            page.locator(".scheme-container button.authorize").click()
            # The OAuth2 password flow's own box (a document may declare other schemes too).
            boxes = page.locator(".modal-ux .auth-container")
            boxes.first.wait_for()
            index = next(
                i for i in range(boxes.count()) if boxes.nth(i).locator("#oauth_username").count()
            )
            oauth = boxes.nth(index)  # by position: logging in replaces the form's inputs
            oauth.locator("#oauth_username").fill(docs.email)
            oauth.locator("#oauth_password").fill(PASSWORD)
            oauth.locator("button.authorize").click()
            # Swagger UI swaps "Authorize" for "Logout" once the token request succeeded.
            try:
                oauth.locator("button", has_text="Logout").wait_for()
            except Exception as error:
                raise AssertionError(f"Authorize did not log in:\n{oauth.inner_text()}") from error
            page.locator(".modal-ux button.btn-done").first.click()

            paths = page.locator(".opblock-get .opblock-summary-path")
            paths.first.wait_for()
            data_paths = [paths.nth(i).get_attribute("data-path") for i in range(paths.count())]
            index = next(i for i, path in enumerate(data_paths) if ITEMS_PATH.match(path or ""))
            operation = page.locator(".opblock-get").nth(index)
            operation.locator(".opblock-summary").first.click()
            operation.locator("button.try-out__btn").click()
            operation.locator("button.execute").click()
            status = operation.locator(".live-responses-table .response .response-col_status")
            status.first.wait_for()
            assert status.first.inner_text().strip().startswith("200"), (
                f"Try it out on GET /api/items after Authorize: {status.first.inner_text()!r}\n"
                f"{operation.inner_text()[:2000]}"
            )
        finally:
            browser.close()
