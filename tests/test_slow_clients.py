"""Issue 26, rule 6: slow clients, through each stack's Procfile `web` line (two workers).

A few clients that send half of their request headers and then wait must not stop the server
from answering everyone else (with one request per process, two of them froze a two-worker
Django or Flask app for gunicorn's 30-second worker timeout), and the server must drop them
once its header timeout has passed: `HEADER_TIMEOUT` in the project's gunicorn.conf.py (Django
and Flask: a deadline the gthread workers put on reading request headers).
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest
from conftest import Served, Servers
from helpers import STACKS

pytestmark = pytest.mark.smoke

# Fewer than the threads of one gunicorn worker (gunicorn.conf.py: 8), so that they cannot take
# every thread of a worker even if all of them land on the same one.
STALLED = 6
# A request line and part of a header, never finished.
HALF_HEADER = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow-Client: wai"
# How long /health may take while the stalled clients wait: "promptly".
PROMPTLY = 2.0
# The worker checks its deadlines about once a second; the rest is room for a busy machine.
SLACK = 3.0
# Django's and Flask's choice; a stack whose gunicorn.conf.py sets HEADER_TIMEOUT is held to it.
DEFAULT_HEADER_TIMEOUT = 10.0


@pytest.fixture(params=STACKS)
def web(request: pytest.FixtureRequest, servers: Servers) -> Served:
    """Each stack's default rendering, released and serving on SQLite with WEB_CONCURRENCY=2."""
    return servers.get(request.param)


def header_timeout(web: Served) -> float:
    """The seconds after which the server drops a client that never finishes its headers."""
    config = (web.project / "gunicorn.conf.py").read_text()
    found = re.search(r"^HEADER_TIMEOUT = (\d+)$", config, re.M)
    return float(found.group(1)) if found else DEFAULT_HEADER_TIMEOUT


def stalled_clients(web: Served, count: int) -> Iterator[socket.socket]:
    port = httpx.URL(web.url).port
    for _ in range(count):
        client = socket.create_connection(("127.0.0.1", port), timeout=5)
        client.sendall(HALF_HEADER)
        yield client


def closed_by_server(client: socket.socket, deadline: float) -> bool:
    """Whether the server closes the connection before `deadline` (time.monotonic())."""
    while (remaining := deadline - time.monotonic()) > 0:
        client.settimeout(remaining)
        try:
            if not client.recv(4096):
                return True  # end of stream: the server closed it
        except TimeoutError:
            return False
        except ConnectionResetError:
            return True
    return False


def test_stalled_clients_neither_block_others_nor_stay(web: Served) -> None:
    timeout = header_timeout(web)
    # Every worker is up (gunicorn listens before its workers have booted).
    assert httpx.get(f"{web.url}/health", timeout=60).status_code == 200
    with ExitStack() as opened:
        started = time.monotonic()
        clients = [opened.enter_context(client) for client in stalled_clients(web, STALLED)]
        time.sleep(0.5)  # the server has taken them on

        answers = []
        for _ in range(4):  # a new connection each time: any worker may get it
            before = time.monotonic()
            response = httpx.get(f"{web.url}/health", timeout=timeout + SLACK)
            answers.append((response.status_code, round(time.monotonic() - before, 2)))
        print(f"{web.stack}: {STALLED} stalled clients; GET /health -> {answers}")
        assert all(status == 200 for status, _ in answers), answers
        assert max(seconds for _, seconds in answers) < PROMPTLY, answers

        deadline = started + timeout + SLACK
        closed = [closed_by_server(client, deadline) for client in clients]
        elapsed = time.monotonic() - started
        print(f"{web.stack}: closed by the server {closed} after {elapsed:.1f} s")
        assert all(closed), f"{closed.count(False)} of {STALLED} still open after {elapsed:.1f} s"
        assert elapsed > timeout - 1, "dropped before the header timeout"

        # Every thread is free again.
        assert httpx.get(f"{web.url}/health", timeout=PROMPTLY).status_code == 200
