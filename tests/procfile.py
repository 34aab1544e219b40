"""Run a generated project's Procfile lines the way Heroku, Dokku or honcho would."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from helpers import clean_env, free_port, run


def read(project: Path) -> dict[str, str]:
    lines = (project / "Procfile").read_text().splitlines()
    entries = (line.split(":", 1) for line in lines if line.strip() and not line.startswith("#"))
    return {name.strip(): command.strip() for name, command in entries}


def production_env(**overrides: str) -> dict[str, str]:
    """The environment a platform gives the processes: DEBUG off, a real secret."""
    env = clean_env(
        SECRET_KEY="x7" + os.urandom(32).hex(),
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="info",
        SECURE_SSL_REDIRECT="false",
    )
    env.update(overrides)
    return env


def release(project: Path, env: dict[str, str]) -> None:
    run(["bash", "-c", read(project)["release"]], project, env=env, timeout=300)


@dataclass
class Running:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the whole group (bash, uv, the server and its workers), SIGKILL if it lingers.

    Returns once no process of the group is left, not only the first: `uv run` may be gone
    while the program it started still writes its last records (a worker's shutdown line)."""
    group = process.pid
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGTERM)
    deadline = time.monotonic() + 15
    while process.poll() is None or _group_members(group):
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
            process.wait()
            return
        time.sleep(0.1)


def _group_members(group: int) -> list[int]:
    """The live (not zombie) processes of a process group, read from /proc."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The fields after the command (which may hold spaces): state, ppid, pgrp, ...
            state, _, pgrp = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, IndexError, ValueError):
            continue  # the process ended while being read
        if int(pgrp) == group and state != "Z":
            members.append(int(stat.parent.name))
    return members


@contextmanager
def start(
    project: Path,
    line: str,
    env: dict[str, str],
    *,
    wait_for_port: bool = True,
    timeout: float = 60,
) -> Iterator[Running]:
    """Start one Procfile line in its own process group; stop the whole group afterwards."""
    for attempt in range(3):
        running = _launch(project, line, env)
        try:
            if wait_for_port:
                _wait_for_port(running, line, timeout)
        except _PortTaken:
            stop_process_group(running.process)
            if attempt == 2:
                raise
            continue
        except BaseException:
            stop_process_group(running.process)
            raise
        break
    try:
        yield running
    finally:
        stop_process_group(running.process)


class _PortTaken(AssertionError):
    """Another process bound the chosen port between the pick and the server's bind."""


def _launch(project: Path, line: str, env: dict[str, str]) -> Running:
    port = free_port()
    env = {**env, "PORT": str(port)}
    # Outside the project: an untracked log would make its tree dirty for `copier update`.
    log = Path(tempfile.gettempdir()) / f"procfile-{project.parent.name}-{line}-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            ["bash", "-c", read(project)[line]],
            cwd=project,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return Running(f"http://127.0.0.1:{port}", process, log)


def _wait_for_port(running: Running, line: str, timeout: float) -> None:
    port = int(running.url.rsplit(":", 1)[1])
    deadline = time.monotonic() + timeout
    while True:
        if running.process.poll() is not None:
            output = running.output()
            failure = _PortTaken if "Address already in use" in output else AssertionError
            raise failure(f"`{line}` exited with {running.process.returncode}:\n{output[-4000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"`{line}` did not listen on {port} in {timeout}s:\n{running.output()[-4000:]}"
                ) from None
            time.sleep(0.2)


def scratch_sqlite() -> str:
    """A DATABASE_URL for a new SQLite file outside every project (which other tests share)."""
    return f"sqlite:///{tempfile.mkdtemp(prefix='scaffold-db-')}/db.sqlite3"
