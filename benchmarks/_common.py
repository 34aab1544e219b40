"""What the benchmark scripts share: paths, timing, environments, generating projects,
starting servers and printing tables. Benchmarks are not tests: they print, never assert.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from helpers import APP_VARIABLES, REPO
from helpers import STACKS as STACKS  # re-exported for the scripts
from procfile import stop_process_group

BENCH = REPO / "benchmarks"
VENV_BIN = REPO / ".venv" / "bin"
SCAFFOLD = str(VENV_BIN / "scaffold")
COPIER = str(VENV_BIN / "copier")
PROJECT = "bench_app"  # NAME given to `scaffold new`: distribution and package name alike
ITEMS = 12  # rows seeded through the API (throughput.py, web_line.py)
LIMIT = 10  # rows per list request
# The user registered where a project has `auth` on.
EMAIL, PASSWORD = "bench@example.com", "a benchmark's own password"

_GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@localhost.invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@localhost.invalid",
}


class Failed(RuntimeError):
    """A benchmarked command failed: the figures would be meaningless."""


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment as a user's shell would have it: no app variables, a git
    identity, and bytecode caching on (a sandbox's PYTHONDONTWRITEBYTECODE=1 would make every
    run recompile copier, typer and pydantic from source)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in (*APP_VARIABLES, "WEB_CONCURRENCY", "PYTHONDONTWRITEBYTECODE")
    }
    env.update(_GIT_IDENTITY)
    env.update(extra)
    return env


def production_env(**extra: str) -> dict[str, str]:
    """The environment a platform gives a Procfile process (docs/templates.md): SQLite."""
    return clean_env(
        SECRET_KEY="bench-" + os.urandom(24).hex(),
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="info",
        SECURE_SSL_REDIRECT="false",
        **extra,
    )


def run(
    args: Sequence[str] | str,
    cwd: Path,
    *,
    env: dict[str, str] | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    """Run a command to completion; raise `Failed` with its output when it fails."""
    result = subprocess.run(
        args,
        cwd=cwd,
        env=env if env is not None else clean_env(),
        shell=isinstance(args, str),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    if result.returncode != 0:
        shown = args if isinstance(args, str) else shlex.join(args)
        raise Failed(
            f"`{shown}` exited {result.returncode} in {cwd}\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result


def timed(
    args: Sequence[str] | str,
    cwd: Path,
    *,
    env: dict[str, str] | None = None,
    timeout: float = 600,
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Wall-clock seconds of one run of a command, and its result."""
    started = time.perf_counter()
    result = run(args, cwd, env=env, timeout=timeout)
    return time.perf_counter() - started, result


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def version_of(args: Sequence[str]) -> str:
    try:
        out = subprocess.run(args, capture_output=True, text=True, check=False, timeout=30)
    except OSError:
        return "missing"
    return (out.stdout or out.stderr).strip().splitlines()[0]


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, "1.2 / 0.8 / 0.5"."""
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


def require_wrk() -> None:
    """Exit 2, saying how to get it, when wrk is not installed."""
    if shutil.which("wrk") is None:
        print("wrk is missing; on Debian/Ubuntu: sudo apt-get install -y wrk", file=sys.stderr)
        sys.exit(2)


def header(title: str) -> None:
    """What was measured where, so a pasted table carries its context."""
    commit = subprocess.run(
        ["git", "-C", str(REPO), "describe", "--always", "--dirty"],
        capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    print(f"# {title}")
    print(f"# scaffold checkout {commit or 'unknown'}")
    print(
        f"# {time.strftime('%Y-%m-%d %H:%M %Z')} · {os.cpu_count()} CPUs · "
        f"{os.uname().machine} · Python {sys.version.split()[0]} · "
        f"{version_of(['uv', '--version'])} · {version_of([COPIER, '--version'])} · "
        f"load average at start {os.getloadavg()[0]:.1f}"
    )
    print()


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A Markdown table (pastes straight into benchmarks/README.md)."""
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    print(line(headers))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells:
        print(line(row))
    print()


def seconds(value: float) -> str:
    return f"{value:.2f} s"


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


@contextmanager
def workdir(prefix: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix=f"scaffold-bench-{prefix}-") as tmp:
        yield Path(tmp)


def scaffold_new(
    parent: Path, stack: str, *extra: str, name: str = PROJECT
) -> tuple[float, dict[str, object]]:
    """`scaffold new NAME -f STACK -y --json ...` in `parent`; wall time and its JSON."""
    elapsed, result = timed([SCAFFOLD, "new", name, "-f", stack, "-y", "--json", *extra], parent)
    return elapsed, json.loads(result.stdout)


def clean_clone(tmp: Path) -> Path:
    """A clone of this repository in `tmp` (its commits only, no working tree changes), made
    on first use: the source to render an older or the last commit's template from."""
    clean = tmp / "clean-source"
    if not clean.exists():
        run(["git", "clone", "--quiet", "--no-hardlinks", str(REPO), str(clean)], tmp)
    return clean


def render(source: Path, ref: str, stack: str, destination: Path, *, auth: bool) -> Path:
    """`copier copy` of `source` at `ref` (as `scaffold new -y` would render it, with `auth`
    on or off) into `destination`, then `uv sync`; the project's path. `source` REPO with ref
    HEAD renders the working tree, uncommitted changes included."""
    destination.parent.mkdir(parents=True)
    run(
        [COPIER, "copy", "--vcs-ref", ref, "--defaults", "--trust", "--quiet",
         "-d", f"framework={stack}", "-d", f"project_name={PROJECT}",
         "-d", f"package_name={PROJECT}", "-d", f"auth={'true' if auth else 'false'}",
         str(source), str(destination)],
        destination.parent,
    )  # fmt: skip
    run(["uv", "sync", "--quiet"], destination)
    return destination


def step_seconds(payload: dict[str, object], step: str) -> float | None:
    """The time a `scaffold new` step reports in its detail ("... in 3.1s.")."""
    for item in payload.get("steps", []):  # type: ignore[union-attr]
        if item["name"] == step:
            found = re.search(r"in ([0-9.]+)s", item["detail"])
            return float(found.group(1)) if found else None
    return None


# --- Procfile processes ---------------------------------------------------------------------


def procfile(project: Path) -> dict[str, str]:
    lines = (project / "Procfile").read_text().splitlines()
    entries = (line.split(":", 1) for line in lines if line.strip() and not line.startswith("#"))
    return {name.strip(): command.strip() for name, command in entries}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http(
    url: str,
    method: str = "GET",
    body: object = None,
    headers: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    """Status and body of one request: a JSON `body`, or a urlencoded `form`."""
    if form is not None:
        data: bytes | None = urllib.parse.urlencode(form).encode()
        kind = "application/x-www-form-urlencoded"
    else:
        data, kind = (None if body is None else json.dumps(body).encode()), "application/json"
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": kind, **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@contextmanager
def database(kind: str, label: str) -> Iterator[dict[str, str]]:
    """The environment naming the database: SQLite (the project's default file) or a fresh
    PostgreSQL database (`createdb` on BENCH_POSTGRES, default the loopback server), dropped
    afterwards."""
    if kind == "sqlite":
        yield {}
        return
    name = f"scaffold_bench_{label}_{os.getpid()}"
    server_url = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
    run(["createdb", "--maintenance-db", f"{server_url}/postgres", name], BENCH)
    try:
        yield {"DATABASE_URL": f"{server_url}/{name}"}
    finally:
        run(["dropdb", "--force", "--maintenance-db", f"{server_url}/postgres", name], BENCH)


def register(url: str, email: str = EMAIL, password: str = PASSWORD) -> None:
    """Register a user (auth on)."""
    status, body = http(f"{url}/api/auth/register", "POST", {"email": email, "password": password})
    if status != 201:
        raise Failed(f"POST /api/auth/register answered {status}: {body[:300]!r}")


def log_in(url: str, email: str = EMAIL, password: str = PASSWORD) -> dict[str, str]:
    """Register a user and log in: the Authorization header of their access token."""
    register(url, email, password)
    form = {"username": email, "password": password}
    status, body = http(f"{url}/api/auth/token", "POST", form=form)
    if status != 200:
        raise Failed(f"POST /api/auth/token answered {status}: {body[:300]!r}")
    return {"Authorization": f"Bearer {json.loads(body)['access_token']}"}


def seed(url: str, headers: dict[str, str], count: int = ITEMS) -> int:
    """Create `count` items through the API; the id of the first."""
    ids = []
    for number in range(count):
        item = {"name": f"item {number}", "description": "benchmark"}
        status, body = http(f"{url}/api/items", "POST", item, headers)
        if status != 201:
            raise Failed(f"POST /api/items answered {status}: {body[:300]!r}")
        ids.append(int(json.loads(body)["id"]))
    return ids[0]


# The process group (= session) of each running server, by base URL: for cpu_seconds().
SERVER_GROUPS: dict[str, int] = {}


def cpu_seconds(url: str) -> float:
    """CPU time (user + system) used so far by every process of the server at `url`."""
    group, ticks = SERVER_GROUPS[url], 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:  # pgrp
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


@contextmanager
def server(
    command: str,
    cwd: Path,
    env: dict[str, str],
    log: Path,
    *,
    probe: str = "/health",
    timeout: float = 60,
) -> Iterator[str]:
    """Start `command` (bash -c, $PORT set) in its own process group; yield its base URL once
    `probe` answers 200; stop the whole group afterwards."""
    port = free_port()
    with log.open("wb") as sink:
        process = subprocess.Popen(
            ["bash", "-c", command],
            cwd=cwd,
            env={**env, "PORT": str(port)},
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise Failed(f"`{command}` exited {process.returncode}:\n{log.read_text()[-3000:]}")
            try:
                if http(url + probe)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise Failed(f"`{command}` not answering {probe} in {timeout}s")
            time.sleep(0.2)
        SERVER_GROUPS[url] = process.pid
        yield url
    finally:
        SERVER_GROUPS.pop(url, None)
        stop_process_group(process)
