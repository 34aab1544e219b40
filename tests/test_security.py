"""Issue 26's rules against an attacker (docs/contract.md §3 and §3a), through each stack's
Procfile `web` line with two workers, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess

import contract_security as rules
import procfile
import pytest
from conftest import Projects, Served, Servers
from helpers import STACKS

pytestmark = pytest.mark.smoke

DATABASES = ["sqlite", "postgresql"]


@pytest.fixture(params=DATABASES)
def database(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=STACKS)
def web(request: pytest.FixtureRequest, database: str, servers: Servers) -> Served:
    """The stack's default project (auth on), released and serving in production mode."""
    return servers.get(request.param, database)


def test_one_canonical_email_on_every_input(web: Served) -> None:
    rules.check_canonical_email(web.url)


def test_parallel_guesses_get_at_most_ten_evaluated(web: Served) -> None:
    rules.check_parallel_guesses(web.url)


def test_a_lockout_holds_the_guessing_address_not_the_owner(web: Served) -> None:
    rules.check_lockout_per_client(web.url)


# A hundred Argon2 checks per stack: once, on PostgreSQL, the store a production app counts in
# (the throttle's code is the same on SQLite, which the per-client test above covers).
@pytest.mark.parametrize("stack", STACKS)
def test_an_account_ceiling_bounds_guesses_from_many_addresses(
    servers: Servers, stack: str
) -> None:
    rules.check_account_ceiling(servers.get(stack, "postgresql").url)


def test_one_password_policy(web: Served) -> None:
    rules.check_password_policy(web.url)


def test_hostile_bodies_get_a_4xx_json_error(web: Served) -> None:
    rules.check_hostile_bodies(web.url, web.user_headers)


def test_tokens_carry_and_need_their_claims(web: Served) -> None:
    rules.check_tokens(web.url, web.env["SECRET_KEY"], issuer="demo-app")


def test_the_frameworks_own_errors_are_json(web: Served) -> None:
    rules.check_framework_errors_are_json(web.url, web.user_headers)


@pytest.mark.parametrize("stack", STACKS)
def test_a_trusted_proxy_names_the_client(projects: Projects, stack: str) -> None:
    project = projects.get(stack)
    env = procfile.production_env(
        DATABASE_URL=procfile.scratch_sqlite(), WEB_CONCURRENCY="2", TRUST_PROXY_HEADERS="true"
    )
    procfile.release(project, env)
    with procfile.start(project, "web", env) as web:
        rules.check_trusted_proxy(web.url)


WEAK_KEYS = {"31 characters": "k" * 31, "whitespace": " " * 40, "blank": ""}


@pytest.mark.parametrize("key", WEAK_KEYS)
@pytest.mark.parametrize("line", ["web", "worker"])
@pytest.mark.parametrize("stack", STACKS)
def test_a_weak_secret_key_stops_the_line_with_one_line(
    projects: Projects, stack: str, line: str, key: str
) -> None:
    project = projects.get(stack, worker=True)
    env = procfile.production_env(SECRET_KEY=WEAK_KEYS[key], DATABASE_URL=procfile.scratch_sqlite())
    with procfile.start(project, line, env, wait_for_port=False) as process:
        try:
            process.process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{line} kept running with a {key} SECRET_KEY:\n{process.output()[-2000:]}")
        output = process.output()
    assert process.process.returncode != 0
    said = [text for text in output.splitlines() if "SECRET_KEY" in text]
    assert len(said) == 1 and "secrets.token_urlsafe" in said[0], output[-2000:]
    assert "Traceback" not in output, output[-2000:]
