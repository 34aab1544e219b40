"""docs/contract.md §3b (accounts) through each stack's Procfile `web` line with two workers, on
SQLite and PostgreSQL, mailing over real SMTP to the `mailbox` fixture (tests/mail_catcher.py).

The rules are tests/contract_accounts.py's, run on the shared servers (`servers`: EMAIL_URL the
mailbox, FRONTEND_URL and EMAIL_FROM set). Two more servers per stack, on SQLite, cover the
settings the shared ones don't have:
- "debug": LOG_LEVEL=debug, REQUIRE_VERIFIED_EMAIL=true, FRONTEND_URL and EMAIL_FROM unset (the
  links under the request's origin, from noreply@localhost); every rule runs there once more and
  no password, token or link may appear in the web process's output;
- "no mail": no EMAIL_URL, so the mail routes answer 503 while registering still works.

Each stack's and database's tests are marked to stay on one xdist worker (`xdist_group`), so
that each server starts once. (pytest 9 keeps node ids where pytest-xdist 3.8's `loadgroup` no
longer marks them, so for now each worker may start its own, as for the other shared servers.)
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import contract_accounts as rules
import pytest
from conftest import EMAIL_FROM, Served, Servers
from helpers import STACKS
from mail_catcher import Mailbox

pytestmark = pytest.mark.smoke

DATABASES = ["sqlite", "postgresql"]
DEBUG = {
    "LOG_LEVEL": "debug",
    "REQUIRE_VERIFIED_EMAIL": "true",
    "FRONTEND_URL": None,
    "EMAIL_FROM": None,
}
NO_MAIL = {"EMAIL_URL": None}


def _group(stack: str, database: str = "sqlite") -> pytest.MarkDecorator:
    return pytest.mark.xdist_group(f"accounts-{stack}-{database}")


@pytest.fixture(
    params=[
        pytest.param((stack, database), id=f"{stack}-{database}", marks=_group(stack, database))
        for stack in STACKS
        for database in DATABASES
    ]
)
def web(request: pytest.FixtureRequest, servers: Servers) -> Served:
    """The stack's default project (auth on), serving in production mode, mailing `mailbox`."""
    stack, database = request.param
    return servers.get(stack, database)


@pytest.fixture(params=[pytest.param(stack, marks=_group(stack)) for stack in STACKS])
def debug_web(request: pytest.FixtureRequest, servers: Servers) -> Served:
    return servers.with_environment(DEBUG, request.param)


@pytest.fixture(params=[pytest.param(stack, marks=_group(stack)) for stack in STACKS])
def mailless_web(request: pytest.FixtureRequest, servers: Servers) -> Served:
    return servers.with_environment(NO_MAIL, request.param)


def frontend(web: Served) -> str:
    return web.env.get("FRONTEND_URL") or web.url


def test_registration_mails_a_verification_link_good_once(web: Served, mailbox: Mailbox) -> None:
    rules.check_verification(web.url, mailbox, frontend_url=frontend(web), sender=EMAIL_FROM)


def test_resend_mails_a_new_link_to_unverified_accounts_only(web: Served, mailbox: Mailbox) -> None:
    rules.check_resend(web.url, mailbox)


def test_password_reset_mails_a_single_use_link_to_known_emails_only(
    web: Served, mailbox: Mailbox
) -> None:
    rules.check_password_reset(web.url, mailbox, frontend_url=frontend(web))


def test_a_reset_link_dies_when_the_password_changes(web: Served, mailbox: Mailbox) -> None:
    rules.check_reset_dies_on_password_change(web.url, mailbox)


def test_changing_the_password_ends_every_earlier_token(web: Served, mailbox: Mailbox) -> None:
    rules.check_change_password(web.url, mailbox)


def test_refresh_rotates_and_reuse_revokes_the_family(web: Served, mailbox: Mailbox) -> None:
    rules.check_refresh_rotation(web.url, mailbox)


def test_logout_revokes_the_refresh_token(web: Served, mailbox: Mailbox) -> None:
    rules.check_logout(web.url, mailbox)


def test_access_and_refresh_tokens_are_not_interchangeable(web: Served, mailbox: Mailbox) -> None:
    rules.check_token_types(web.url, mailbox)


def test_password_reset_is_throttled_per_email_and_client(web: Served, mailbox: Mailbox) -> None:
    rules.check_reset_throttle(web.url, mailbox)


def test_bad_verify_tokens_are_throttled_per_client(web: Served, mailbox: Mailbox) -> None:
    rules.check_verify_throttle(web.url, mailbox)


def test_links_never_take_a_foreign_host(debug_web: Served, mailbox: Mailbox) -> None:
    rules.check_links_never_take_a_foreign_host(debug_web.url, mailbox)


def test_require_verified_email_refuses_unverified_logins(
    debug_web: Served, mailbox: Mailbox
) -> None:
    rules.check_unverified_login_refused(
        debug_web.url, mailbox, frontend_url=debug_web.url, sender=rules.DEFAULT_SENDER
    )


def test_without_email_url_the_mail_routes_answer_503(mailless_web: Served) -> None:
    rules.check_mail_not_configured(mailless_web.url)
    time.sleep(0.5)  # let the workers flush their log lines
    output = mailless_web.running.output()
    warned = [line for line in output.splitlines() if rules.MAIL_NOT_CONFIGURED["detail"] in line]
    assert warned, f"no log line says {rules.MAIL_NOT_CONFIGURED['detail']!r}:\n{output[-3000:]}"
    assert all(re.search("warn", line, re.IGNORECASE) for line in warned), "\n".join(warned)
    assert "Traceback" not in output, output[-3000:]


# The rules that hold whatever the server's settings (each verifies its users first) and
# between them pass every secret through every route (the throttles' only add 429s).
FLOW: list[Callable[[str, Mailbox], None]] = [
    rules.check_resend,
    rules.check_reset_dies_on_password_change,
    rules.check_change_password,
    rules.check_refresh_rotation,
    rules.check_logout,
    rules.check_token_types,
]


def test_no_password_token_or_link_in_debug_logs(debug_web: Served, mailbox: Mailbox) -> None:
    """The whole flow at LOG_LEVEL=debug, then the web process's output (the framework's, the
    SMTP client's and the server's own debug logs included) holds none of the passwords,
    access or refresh tokens, mailed links or their tokens it saw."""
    rules.SECRETS.clear()
    url, origin, sender = debug_web.url, debug_web.url, rules.DEFAULT_SENDER
    rules.check_unverified_login_refused(url, mailbox, frontend_url=origin, sender=sender)
    rules.check_password_reset(url, mailbox, frontend_url=origin)
    for rule in FLOW:
        rule(url, mailbox)
    time.sleep(1)  # let the workers flush their log lines
    output = debug_web.running.output()
    assert re.search("debug", output, re.IGNORECASE), (
        f"nothing was logged at debug level, so this proves little:\n{output[-2000:]}"
    )
    leaked = sorted(secret for secret in rules.SECRETS if secret in output)
    lines = [line for line in output.splitlines() if any(secret in line for secret in leaked)]
    assert not leaked, f"{len(leaked)} secrets in the server's output, e.g.:\n" + "\n".join(
        lines[:10]
    )
