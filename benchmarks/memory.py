"""Memory of each stack's web line under load: a worker's RSS after 10,000 requests and after
50,000, side by side in one run (issue 29: it must not grow between the two).

    uv run python benchmarks/memory.py [--stacks django,fastapi,flask] [--checkpoints 10000,50000]
        [--database postgres|sqlite]

Per stack, a project with `auth` on rendered from this checkout (working tree included), released
on a fresh PostgreSQL database (BENCH_POSTGRES, default the loopback server) and served by its
Procfile `web` line in the production environment with one worker; one user, 10 items. wrk sends
the authenticated list (`/api/items?limit=10`, a bearer token) and `/health`, half each, with
16 connections, in slices until each checkpoint's number of requests has been answered; then the
worker's RSS and the whole process group's PSS (the server's master, and the `uv run` parent the
Procfile line keeps) are read from /proc. Growth is the worker's RSS at the last checkpoint
against the first.
"""

from __future__ import annotations

import argparse
import re
import signal
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

from _common import (
    LIMIT,
    PROJECT,
    SERVER_GROUPS,
    STACKS,
    Failed,
    database,
    header,
    load_average,
    log_in,
    procfile,
    production_env,
    render,
    require_wrk,
    run,
    seed,
    server,
    table,
    workdir,
)
from helpers import REPO

LIST = f"/api/items?limit={LIMIT}"
CONNECTIONS = 16
SLICE_SECONDS = 2
# Sends the list and /health in turn, each with the token.
WRK_SCRIPT = """\
local paths = {{"{list}", "/health"}}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[n % 2 + 1], {{["Authorization"] = "Bearer {token}"}})
end
"""


def group_processes(group: int) -> dict[int, tuple[int, str]]:
    """pid: (parent pid, command line) of every process in the process group."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) != group:
                continue
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        found[int(stat.parent.name)] = (int(fields[1]), command.strip())
    return found


def kib(pid: int, field: str) -> int:
    """A field of /proc/PID/smaps_rollup (Rss, Pss), in KiB."""
    text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    found = re.search(rf"^{field}:\s+(\d+) kB", text, re.M)
    if found is None:
        raise Failed(f"no {field} in /proc/{pid}/smaps_rollup")
    return int(found.group(1))


def worker_pid(group: int) -> int:
    """The one gunicorn worker: a gunicorn process whose parent is gunicorn's master (the
    `uv run gunicorn ...` process above the master names gunicorn too, but is uv)."""
    processes = group_processes(group)
    servers = {
        pid
        for pid, (_, command) in processes.items()
        if "gunicorn" in command and not command.startswith("uv ")
    }
    workers = [pid for pid in servers if processes[pid][0] in servers]
    if len(workers) != 1:
        raise Failed(f"expected one gunicorn worker in the group, found {workers}: {processes}")
    return workers[0]


def answered(url: str, script: Path, seconds: int) -> int:
    """Requests wrk got answers to in `seconds` (non-2xx answers are an error)."""
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "-s", str(script), url],
        capture_output=True, text=True, check=True, timeout=seconds + 60,
    ).stdout  # fmt: skip
    if "Non-2xx" in out or "Socket errors" in out:
        raise Failed(f"wrk met errors on {url}:\n{out}")
    found = re.search(r"(\d+) requests in", out)
    if found is None:
        raise Failed(f"no request count in wrk's output:\n{out}")
    return int(found.group(1))


def bench(stack: str, kind: str, tmp: Path, checkpoints: list[int]) -> list[object]:
    project = render(REPO, "HEAD", stack, tmp / stack / PROJECT, auth=True)
    with ExitStack() as exits:
        env = production_env(WEB_CONCURRENCY="1", **exits.enter_context(database(kind, stack)))
        run(procfile(project)["release"], project, env=env)
        log = tmp / f"{stack}.log"
        url = exits.enter_context(server(procfile(project)["web"], project, env, log))
        headers = log_in(url)
        token = headers["Authorization"].removeprefix("Bearer ")
        seed(url, headers, LIMIT)
        script = tmp / f"{stack}.lua"
        script.write_text(WRK_SCRIPT.format(list=LIST, token=token))
        group = SERVER_GROUPS[url]
        worker = worker_pid(group)
        start_rss = kib(worker, "Rss")
        done, readings = 0, []
        for checkpoint in checkpoints:
            while done < checkpoint:
                done += answered(url, script, SLICE_SECONDS)
            if worker_pid(group) != worker:
                raise Failed(f"{stack}: the worker was replaced (max_requests?) before {done}")
            pss = sum(kib(pid, "Pss") for pid in group_processes(group))
            readings.append((done, kib(worker, "Rss"), pss))
        first, last = readings[0][1], readings[-1][1]
        return [
            stack,
            f"{start_rss / 1024:.1f}",
            *(f"{rss / 1024:.1f} ({count:,})" for count, rss, _ in readings),
            f"{(last - first) / 1024:+.1f} MiB ({100 * (last - first) / first:+.1f}%)",
            f"{readings[-1][2] / 1024:.1f}",
        ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stacks", default=",".join(STACKS))
    parser.add_argument("--checkpoints", default="10000,50000", help="Requests answered.")
    parser.add_argument("--database", default="postgres", choices=["postgres", "sqlite"])
    args = parser.parse_args()
    require_wrk()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    checkpoints = sorted(int(value) for value in args.checkpoints.split(","))
    load = load_average()
    header(
        f"memory: the web line's worker after {', '.join(f'{n:,}' for n in checkpoints)} "
        f"requests (authenticated list and /health), one worker, {args.database}; "
        f"load average at start {load}"
    )
    rows = []
    with workdir("memory") as tmp:
        for stack in args.stacks.split(","):
            rows.append(bench(stack, args.database, tmp, checkpoints))
    table(
        ["stack", "worker RSS at start (MiB)",
         *(f"worker RSS after {n:,} (MiB, requests)" for n in checkpoints),
         "growth", "group PSS at the end (MiB)"],
        rows,
    )  # fmt: skip


if __name__ == "__main__":
    try:
        main()
    except Failed as error:
        print(error, file=sys.stderr)
        sys.exit(1)
