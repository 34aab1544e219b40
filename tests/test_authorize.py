"""CONTRACT 3a in a real browser: the docs page's "Authorize" button logs in.

Each stack's default rendering (auth on) is started as a platform would (Procfile `release`,
then `web`, production settings, SQLite). A user is registered over the API; headless Chromium,
driven by Playwright with no network beyond loopback, then opens `/api/docs`, logs in through
the OAuth2 password form of Swagger UI's "Authorize" dialog, and runs "Try it out" on
`GET /api/items`, which must answer 200 with the token the dialog obtained.

CONTRACT 3b: a user registered over the API follows the link of the verification mail (read
from the `mailbox` SMTP server), then logs in the same way and runs "Try it out" on
`GET /api/users/me`, which says `"email_verified": true`.

Without Chromium this skips, saying why; under SCAFFOLD_REQUIRE_SERVICES=1 (CI) it fails.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx
import pytest
from conftest import Servers
from contract_accounts import VERIFY_SUBJECT, Api, link_token
from helpers import STACKS
from mail_catcher import Mailbox
from test_browser import chromium, offline_flags  # noqa: F401  (chromium: the fixture)

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

pytestmark = [pytest.mark.smoke, pytest.mark.browser]

PASSWORD = "correct horse battery staple"
ITEMS_PATH = re.compile(r"^/api/items/?$")
ME_PATH = re.compile(r"^/api/users/me/?$")


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


def authorize(page: Page, email: str, password: str = PASSWORD) -> None:
    """Log in through the OAuth2 password form of Swagger UI's "Authorize" dialog."""
    page.locator(".scheme-container button.authorize").click()
    # The OAuth2 password flow's own box (a document may declare other schemes too).
    boxes = page.locator(".modal-ux .auth-container")
    boxes.first.wait_for()
    index = next(i for i in range(boxes.count()) if boxes.nth(i).locator("#oauth_username").count())
    oauth = boxes.nth(index)  # by position: logging in replaces the form's inputs
    oauth.locator("#oauth_username").fill(email)
    oauth.locator("#oauth_password").fill(password)
    oauth.locator("button.authorize").click()
    # Swagger UI swaps "Authorize" for "Logout" once the token request succeeded.
    try:
        oauth.locator("button", has_text="Logout").wait_for()
    except Exception as error:
        raise AssertionError(f"Authorize did not log in:\n{oauth.inner_text()}") from error
    page.locator(".modal-ux button.btn-done").first.click()


def try_it_out(page: Page, path: re.Pattern[str]) -> Locator:
    """Run "Try it out" on the GET operation whose path matches; its live response row."""
    paths = page.locator(".opblock-get .opblock-summary-path")
    paths.first.wait_for()
    data_paths = [paths.nth(i).get_attribute("data-path") for i in range(paths.count())]
    index = next(i for i, found in enumerate(data_paths) if path.match(found or ""))
    operation = page.locator(".opblock-get").nth(index)
    operation.locator(".opblock-summary").first.click()
    operation.locator("button.try-out__btn").click()
    operation.locator("button.execute").click()
    response = operation.locator(".live-responses-table .response").first
    response.locator(".response-col_status").wait_for()
    return response


def authorized_try(executable: str, docs: Docs, path: re.Pattern[str]) -> tuple[str, str]:
    """Open the docs page offline, log in with Authorize, and "Try it out" on the operation
    whose path matches `path`: its status cell and the whole response as shown."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=offline_flags())
        try:
            page = browser.new_page()
            page.set_default_timeout(30_000)
            page.goto(docs.url)
            authorize(page, docs.email)
            response = try_it_out(page, path)
            status = response.locator(".response-col_status").inner_text().strip()
            return status, response.inner_text()
        finally:
            browser.close()


def test_authorize_button_logs_in_and_try_it_out_gets_200(
    chromium: str,  # noqa: F811
    docs: Docs,
) -> None:
    status, shown = authorized_try(chromium, docs, ITEMS_PATH)
    assert status.startswith("200"), (
        f"Try it out on GET /api/items after Authorize: {status!r}\n{shown[:2000]}"
    )


@pytest.fixture(params=STACKS)
def verified_docs(request: pytest.FixtureRequest, servers: Servers, mailbox: Mailbox) -> Docs:
    """Each stack's docs page and a user registered over the API who then followed the link
    of the verification mail (docs/contract.md §3b)."""
    web = servers.get(request.param)
    email = f"verified-{uuid.uuid4().hex[:12]}@example.com"
    # From an address of its own: the shared server counts bad verify tokens per address, and
    # the fuzzer sends plenty from 127.0.0.1.
    api = Api(web.url)
    registered = api.register(email, PASSWORD)
    assert registered.status_code == 201, registered.text
    token = link_token(mailbox.take(email, VERIFY_SUBJECT), "verify-email")
    verified = api.verify(token)
    assert verified.status_code == 204, verified.text
    return Docs(f"{web.url}/api/docs", email)


def test_a_verified_user_authorizes_and_me_says_email_verified(
    chromium: str,  # noqa: F811
    verified_docs: Docs,
) -> None:
    status, shown = authorized_try(chromium, verified_docs, ME_PATH)
    assert status.startswith("200"), f"Try it out on GET /api/users/me: {shown[:2000]}"
    assert re.search(r'"email_verified":\s*true', shown), (
        f"GET /api/users/me does not say the email is verified:\n{shown[:2000]}"
    )
    assert verified_docs.email in shown, shown[:2000]
