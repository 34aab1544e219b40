"""Shared fixtures: the template checkout, rendering, and the services smoke tests need.

Expensive work is done once per test run and shared:
- `projects`: each distinct generated project is rendered and `uv sync`-ed once, keyed on its
  resolved answers, and shared by pytest-xdist's workers through a lock;
- `servers`: each (project, database) pair is released and served by the Procfile's `web`
  line (two workers) once per xdist worker, for the many HTTP checks that only read or write
  their own rows (each registers its own user); a test that needs a fresh process or other
  settings starts its own, or asks `servers` for one with other environment variables;
- `mailbox`: an SMTP server on loopback, one per xdist worker, keeping every mail the apps
  `servers` serves send (their `EMAIL_URL`), so a test reads the mails a user would get.

Tests that need PostgreSQL or Redis skip with the reason when the service is down, and fail
instead when SCAFFOLD_REQUIRE_SERVICES=1 (CI sets it), so CI can never pass by skipping.

Lanes: every test is in the full lane (`uv run pytest`); the ones that need no installed
project, server, service or browser are also marked `fast` (`uv run pytest -m fast`).
`--stack NAME` keeps only the tests whose id names that stack (`none`: names no stack).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import socket
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import procfile
import pytest
from contract_auth import session_headers
from helpers import STACKS, flush_redis_database, locked, missing, render, resolved_answers, run
from mail_catcher import Mailbox

POSTGRES_ADMIN_URL = os.environ.get(
    "SCAFFOLD_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
# Fixtures that make a test slow: it needs an installed project, a service or a browser.
SLOW_FIXTURES = {
    "projects",
    "servers",
    "postgres_admin",
    "postgres_url",
    "redis_url",
    "redis_database",
    "chromium",
    "mailbox",
}
# The base of the links the shared servers mail (FRONTEND_URL, its trailing slash dropped in
# the links), and their From address (EMAIL_FROM).
FRONTEND_URL = "https://app.example.test/"
EMAIL_FROM = "accounts@demo-app.example"


def reachable_postgres() -> str:
    """The admin URL of the loopback PostgreSQL, or a skip (a failure in CI) saying why not."""
    import psycopg

    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3):
            pass
    except psycopg.Error as error:
        missing(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {error}")
    return POSTGRES_ADMIN_URL


@pytest.fixture(scope="session")
def postgres_admin() -> str:
    return reachable_postgres()


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


def shared_root(factory: pytest.TempPathFactory) -> Path:
    """A directory every xdist worker of this run sees (the run's base temp directory)."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture
def redis_database(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A Redis database (1-15) no other test of this run uses meanwhile, emptied first: a
    worker of one test must never take another's tasks. Database 0 is left to other tools."""
    locks = shared_root(tmp_path_factory) / "redis-databases"
    locks.mkdir(parents=True, exist_ok=True)
    while True:
        for number in range(1, 16):
            handle = (locks / f"{number}.lock").open("a")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            try:
                flush_redis_database(number)
                yield number
                return
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
                handle.close()
        time.sleep(0.5)  # every database is taken: try again once another test lets one go


class Projects:
    """Generated and `uv sync`-ed projects, made once per test run per distinct project."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def get(self, stack: str, **answers: object) -> Path:
        resolved = resolved_answers(stack, answers)
        key = json.dumps([stack, resolved], sort_keys=True)
        home = self._root / f"{stack}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"
        project = home / "demo-app"
        with locked(home.with_name(f"{home.name}.lock")):
            if not (home / "ready").exists():
                shutil.rmtree(home, ignore_errors=True)
                render(project, stack, **answers)
                run(["uv", "sync"], project)
                (home / "ready").write_text(key)
        return project


@pytest.fixture(scope="session")
def projects(tmp_path_factory: pytest.TempPathFactory) -> Projects:
    """Tests that only read or run a project share it; tests that change files render their own."""
    return Projects(shared_root(tmp_path_factory) / "projects")


@dataclass
class Served:
    """A project released on its own database and serving with the Procfile's `web` line."""

    stack: str
    project: Path
    url: str
    env: dict[str, str]
    running: procfile.Running

    @property
    def on_postgres(self) -> bool:
        return self.env["DATABASE_URL"].startswith("postgres")

    @cached_property
    def user_headers(self) -> dict[str, str]:
        """A user shared by the tests that read and write only their own rows on this server:
        its `Authorization` header (none when the project has no `auth`)."""
        return session_headers(self.url)


class Servers:
    """One running `web` per (project, database, environment) in this worker, started on
    first use. Each mails through `mailbox` (EMAIL_URL) with the links under FRONTEND_URL.

    At most MAX_ON_POSTGRES of them run on PostgreSQL at once, the least recently used stopping
    first: a server keeps its workers' idle connections until it stops, and the suite's servers
    and the projects' own suites share the one PostgreSQL and its 100 connections."""

    MAX_ON_POSTGRES = 2

    def __init__(
        self, projects: Projects, scratch: Path, exits: ExitStack, mailbox: Mailbox
    ) -> None:
        self._projects = projects
        self._scratch = scratch
        self._exits = exits
        self._mail = {
            "EMAIL_URL": mailbox.url,
            "FRONTEND_URL": FRONTEND_URL,
            "EMAIL_FROM": EMAIL_FROM,
        }
        self._running: dict[str, Served] = {}
        self._stops: dict[str, ExitStack] = {}
        self._started = 0

    def get(self, stack: str, database: str = "sqlite", **answers: object) -> Served:
        return self.with_environment({}, stack, database, **answers)

    def with_environment(
        self,
        environment: Mapping[str, str | None],
        stack: str,
        database: str = "sqlite",
        **answers: object,
    ) -> Served:
        """A server whose environment sets (None: unsets) these variables over the shared
        servers' production ones."""
        extra = dict(environment)
        key = json.dumps([stack, database, resolved_answers(stack, answers), extra], sort_keys=True)
        if key not in self._running:
            if database != "sqlite":
                self._make_room_on_postgres()
            self._running[key] = self._start(stack, database, answers, extra, key)
        served = self._running.pop(key)
        self._running[key] = served  # the most recently used last
        if served.running.process.poll() is not None:
            raise AssertionError(f"the shared {stack} server stopped:\n{served.running.output()}")
        return served

    def _start(
        self,
        stack: str,
        database: str,
        answers: Mapping[str, object],
        extra: Mapping[str, str | None],
        key: str,
    ) -> Served:
        project = self._projects.get(stack, **answers)
        stops = self._exits.enter_context(ExitStack())
        self._stops[key] = stops
        self._started += 1
        if database == "sqlite":
            url = f"sqlite:///{self._scratch / f'{self._started}.sqlite3'}"
        else:
            url = stops.enter_context(new_database(reachable_postgres()))
        env = procfile.production_env(DATABASE_URL=url, WEB_CONCURRENCY="2", **self._mail)
        for name, value in extra.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        procfile.release(project, env)
        running = stops.enter_context(procfile.start(project, "web", env))
        return Served(stack, project, running.url, env, running)

    def _make_room_on_postgres(self) -> None:
        on_postgres = [key for key, served in self._running.items() if served.on_postgres]
        for key in on_postgres[: max(0, len(on_postgres) - self.MAX_ON_POSTGRES + 1)]:
            del self._running[key]
            self._stops.pop(key).close()


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    with Mailbox.serving() as serving:
        yield serving


@pytest.fixture(scope="session")
def servers(
    projects: Projects, tmp_path_factory: pytest.TempPathFactory, mailbox: Mailbox
) -> Iterator[Servers]:
    with ExitStack() as exits:
        yield Servers(projects, tmp_path_factory.mktemp("servers"), exits, mailbox)


def pytest_report_header() -> list[str]:
    return [f"scaffold stacks under test: {', '.join(STACKS)}"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--stack",
        choices=[*STACKS, "none"],
        help="only the tests whose id names this stack ('none': the tests that name no stack)",
    )


def _stacks_named(nodeid: str) -> set[str]:
    name = nodeid.split("::")[-1]
    return {stack for stack in STACKS if re.search(rf"(^|[\[_-]){stack}($|[\]_-])", name)}


# The modules whose tests take minutes, longest first: started first, they don't leave one
# xdist worker busy at the end of the run while the others wait (the order within a module,
# which its module-scoped fixtures rely on, is kept).
LONGEST_FIRST = ("test_upgrade.py", "test_update.py", "test_python_version.py", "test_fuzz.py")


def _start_order(item: pytest.Item) -> int:
    name = item.path.name
    return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=_start_order)
    for item in items:
        slow = SLOW_FIXTURES & set(getattr(item, "fixturenames", ()))
        marked = any(item.get_closest_marker(name) for name in ("smoke", "update", "slow"))
        if not slow and not marked:
            item.add_marker(pytest.mark.fast)
    wanted = config.getoption("--stack")
    if wanted:

        def kept(item: pytest.Item) -> bool:
            named = _stacks_named(item.nodeid)
            return not named if wanted == "none" else wanted in named

        config.hook.pytest_deselected(items=[item for item in items if not kept(item)])
        items[:] = [item for item in items if kept(item)]


_STACK_SECONDS: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Add each test's time to the stacks its id names, for the summary below."""
    for stack in _stacks_named(report.nodeid):
        _STACK_SECONDS[stack] = _STACK_SECONDS.get(stack, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _STACK_SECONDS:
        return
    terminalreporter.section("time per stack (setup + call + teardown)")
    for stack in STACKS:
        terminalreporter.write_line(f"{stack:<10} {_STACK_SECONDS.get(stack, 0.0):8.1f} s")
