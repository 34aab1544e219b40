"""Shared fixtures: the template checkout, rendering, and the services smoke tests need.

Tests that need PostgreSQL or Redis skip with the reason when the service is down, and fail
instead when SCAFFOLD_REQUIRE_SERVICES=1 (CI sets it), so CI can never pass by skipping.
"""

from __future__ import annotations

import os
import re
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from helpers import STACKS, missing, render, run

POSTGRES_ADMIN_URL = os.environ.get(
    "SCAFFOLD_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


@pytest.fixture(scope="session")
def postgres_admin() -> str:
    import psycopg

    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3):
            pass
    except psycopg.Error as error:
        missing(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {error}")
    return POSTGRES_ADMIN_URL


@contextmanager
def new_database(postgres_admin: str) -> Iterator[str]:
    """A fresh, empty database, dropped afterwards."""
    import psycopg

    name = f"scaffold_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = postgres_admin.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(postgres_admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url(postgres_admin: str) -> Iterator[str]:
    """A fresh, empty database for one test, dropped afterwards."""
    with new_database(postgres_admin) as url:
        yield url


@pytest.fixture(scope="session")
def redis_url() -> str:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=3) as sock:
            sock.sendall(b"PING\r\n")
            if not sock.recv(64).startswith(b"+PONG"):
                raise OSError("no PONG")
    except OSError as error:
        missing(f"Redis is not reachable at {REDIS_HOST}:{REDIS_PORT}: {error}")
    return f"redis://{REDIS_HOST}:{REDIS_PORT}"


class Projects:
    """Generated and `uv sync`-ed projects, made once per session per (stack, answers)."""

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self._factory = factory
        self._made: dict[tuple[str, tuple[tuple[str, object], ...]], Path] = {}

    def get(self, stack: str, **answers: object) -> Path:
        key = (stack, tuple(sorted(answers.items())))
        if key not in self._made:
            destination = render(self._factory.mktemp(stack) / "demo-app", stack, **answers)
            run(["uv", "sync"], destination)
            self._made[key] = destination
        return self._made[key]


@pytest.fixture(scope="session")
def projects(tmp_path_factory: pytest.TempPathFactory) -> Projects:
    """Tests that only read or run a project share it; tests that change files render their own."""
    return Projects(tmp_path_factory)


def pytest_report_header() -> list[str]:
    return [f"scaffold stacks under test: {', '.join(STACKS)}"]


_STACK_SECONDS: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Add each test's time to the stacks its id names, for the summary below."""
    name = report.nodeid.split("::")[-1]
    for stack in STACKS:
        if re.search(rf"(^|[\[_-]){stack}($|[\]_-])", name):
            _STACK_SECONDS[stack] = _STACK_SECONDS.get(stack, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _STACK_SECONDS:
        return
    terminalreporter.section("time per stack (setup + call + teardown)")
    for stack in STACKS:
        terminalreporter.write_line(f"{stack:<10} {_STACK_SECONDS.get(stack, 0.0):8.1f} s")
