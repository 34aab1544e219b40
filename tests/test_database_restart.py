"""A PostgreSQL restart under each stack's Procfile `web` line (two workers): once the database
is back, the first requests are answered, never a 5xx (CONTRACT §3; issue 29).

The restart is real: a private PostgreSQL cluster, made for this module in a temporary
directory on its own port, is stopped and started again while the app keeps its pooled
connections, which the restart has closed under it. The shared loopback server is left alone,
so the rest of the suite never sees the restart.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import contract_auth as auth
import httpx
import procfile
import pytest
from conftest import Projects
from helpers import STACKS, free_port, missing

pytestmark = pytest.mark.smoke

# Enough requests that both workers' pooled connections are used before and after the restart.
REQUESTS = 24


class Cluster:
    """A PostgreSQL cluster of our own, run by the `postgres` system user (initdb refuses root)."""

    def __init__(self, bin_dir: Path, data: Path, port: int) -> None:
        self.bin_dir = bin_dir
        self.data = data
        self.port = port
        self.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.data / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")


def postgres_bin_dir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    if initdb is None:
        missing("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
    return Path(initdb).parent


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    home = Path(tempfile.mkdtemp(prefix="scaffold-pg-"))
    if os.geteuid() == 0:
        shutil.chown(home, "postgres", "postgres")
    server = Cluster(postgres_bin_dir(), home / "data", free_port())
    try:
        server.init()
        server.start()
    except subprocess.CalledProcessError as error:
        shutil.rmtree(home, ignore_errors=True)
        missing(f"could not start a private PostgreSQL cluster: {error.stderr.decode()[-500:]}")
    try:
        yield server
    finally:
        try:
            server.stop()
        finally:
            shutil.rmtree(home, ignore_errors=True)


def _statuses(client: httpx.Client, headers: dict[str, str]) -> Counter[int]:
    def one(n: int) -> int:
        path = "/health" if n % 3 == 0 else "/api/items"
        return client.get(path, headers=headers).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        return Counter(pool.map(one, range(REQUESTS)))


@pytest.mark.parametrize("stack", STACKS)
def test_the_first_requests_after_a_restart_are_answered(
    projects: Projects, cluster: Cluster, stack: str
) -> None:
    import psycopg

    name = f"restart_{stack}"
    with psycopg.connect(cluster.url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    project = projects.get(stack)
    env = procfile.production_env(
        DATABASE_URL=cluster.url.rsplit("/", 1)[0] + f"/{name}", WEB_CONCURRENCY="2"
    )
    procfile.release(project, env)
    with (
        procfile.start(project, "web", env) as web,
        httpx.Client(base_url=web.url, timeout=30) as client,
    ):
        email = f"restart-{stack}@example.com"
        assert auth.register(client, email).status_code == 201
        token = auth.log_in(client, email).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        before = _statuses(client, headers)
        assert before == Counter({200: REQUESTS}), before

        cluster.stop()
        down = client.get("/health")
        assert down.status_code == 503 and down.json()["database"] == "error", down.text
        cluster.start()

        after = _statuses(client, headers)
        assert after == Counter({200: REQUESTS}), f"{after}\n{web.output()[-3000:]}"
