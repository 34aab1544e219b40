"""Memory of each stack's web line under load: a worker's RSS after 10,000 requests and after
50,000, side by side in one run (issue 29: it must not grow between the two).

    uv run python benchmarks/memory.py [--stacks django,fastapi,flask] [--checkpoints 10000,50000]
        [--database postgres|sqlite] [--peers DIR]

Per stack, a project with `auth` on rendered from this checkout (working tree included), released
on a fresh PostgreSQL database (BENCH_POSTGRES, default the loopback server) and served by its
Procfile `web` line in the production environment with one worker; one user, 10 items. wrk sends
the authenticated list (`/api/items?limit=10`, a bearer token) and `/health`, half each, with
16 connections, in slices until each checkpoint's number of requests has been answered; then the
worker's RSS and the whole process group's PSS (the server's master, and the `uv run` parent the
Procfile line keeps) are read from /proc. Growth is the worker's RSS at the last checkpoint
against the first.

--peers DIR (checkouts of full-stack-fastapi-template and cookiecutter-django; peers.py says how
to obtain them and what it changes in them) adds, after fastapi and after django, a row for
its peer starter on PostgreSQL, one worker, 10 rows, measured the same way after the same
request counts: FSF (`fastapi run --workers 1`, one uvicorn process: it is the "worker")
with its authenticated list `GET /api/v1/items/` and its `/api/v1/utils/health-check/` in turn;
CCD (`gunicorn config.wsgi`, one sync worker) with its DRF `GET /api/users/` changed to list 10
users (it has no health path: the list every time).
"""

from __future__ import annotations

import argparse
import re
import signal
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import peers as peer_starters
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
local paths = {{"{list}", "{health}"}}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[n % 2 + 1], {{["Authorization"] = "{authorization}"}})
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
    `uv run gunicorn ...` process above the master names gunicorn too, but is uv). A group of
    one process without gunicorn (a peer's `fastapi run --workers 1`): that process."""
    processes = group_processes(group)
    if len(processes) == 1 and not any("gunicorn" in command for _, command in processes.values()):
        return next(iter(processes))
    servers = {
        pid
        for pid, (_, command) in processes.items()
        if "gunicorn" in command and Path(command.split()[0]).name != "uv"
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
        seed(url, headers, LIMIT)
        script = tmp / f"{stack}.lua"
        script.write_text(
            WRK_SCRIPT.format(list=LIST, health="/health", authorization=headers["Authorization"])
        )
        return readings(stack, url, script, checkpoints)


def bench_peer(stack: str, peers: Path, tmp: Path, checkpoints: list[int]) -> list[object]:
    """The peer of `stack` (PostgreSQL, one worker, 10 rows), measured as `bench` does."""
    with peer_starters.running(stack, peers, tmp, shipped=False) as (peer, *_):
        script = tmp / f"peer-{stack}.lua"
        authorization = peer.headers["Authorization"]
        script.write_text(
            WRK_SCRIPT.format(list=peer.path, health=peer.health or peer.path,
                              authorization=authorization)
        )  # fmt: skip
        return readings(peer.name, peer.url, script, checkpoints)


def readings(name: str, url: str, script: Path, checkpoints: list[int]) -> list[object]:
    """The row of the server at `url`: its worker's RSS at start and after each checkpoint's
    requests (wrk `script`), its growth, and the process group's PSS at the end."""
    group = SERVER_GROUPS[url]
    worker = worker_pid(group)
    start_rss = kib(worker, "Rss")
    done, found = 0, []
    for checkpoint in checkpoints:
        while done < checkpoint:
            done += answered(url, script, SLICE_SECONDS)
        if worker_pid(group) != worker:
            raise Failed(f"{name}: the worker was replaced (max_requests?) before {done}")
        pss = sum(kib(pid, "Pss") for pid in group_processes(group))
        found.append((done, kib(worker, "Rss"), pss))
    first, last = found[0][1], found[-1][1]
    return [
        name,
        f"{start_rss / 1024:.1f}",
        *(f"{rss / 1024:.1f} ({count:,})" for count, rss, _ in found),
        f"{(last - first) / 1024:+.1f} MiB ({100 * (last - first) / first:+.1f}%)",
        f"{found[-1][2] / 1024:.1f}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stacks", default=",".join(STACKS))
    parser.add_argument("--checkpoints", default="10000,50000", help="Requests answered.")
    parser.add_argument("--database", default="postgres", choices=["postgres", "sqlite"])
    parser.add_argument(
        "--peers",
        type=Path,
        metavar="DIR",
        help="Also measure the peer starters of fastapi and django (PostgreSQL) from the "
        "checkouts in DIR: full-stack-fastapi-template/, cookiecutter-django/ (see peers.py).",
    )
    args = parser.parse_args()
    require_wrk()
    stacks = args.stacks.split(",")
    if args.peers:
        if args.database != "postgres":
            print("--peers runs the peers on PostgreSQL: use --database postgres", file=sys.stderr)
            sys.exit(2)
        peer_starters.check(args.peers, stacks)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    checkpoints = sorted(int(value) for value in args.checkpoints.split(","))
    load = load_average()
    header(
        f"memory: the web line's worker after {', '.join(f'{n:,}' for n in checkpoints)} "
        f"requests (authenticated list and /health), one worker, {args.database}; "
        f"load average at start {load}"
    )
    if args.peers:
        described = [peer_starters.describe(args.peers, peer_starters.PEER_OF[stack])
                     for stack in stacks if stack in peer_starters.PEER_OF]  # fmt: skip
        python = peer_starters.version_of(peer_starters.peer_python())
        print(f"# peers (benchmarks/peers.py, Python {python}): "
              f"{'; '.join(described)}\n")  # fmt: skip
    rows = []
    with workdir("memory") as tmp:
        for stack in stacks:
            rows.append(bench(stack, args.database, tmp, checkpoints))
            if args.peers and stack in peer_starters.PEER_OF:
                rows.append(bench_peer(stack, args.peers, tmp, checkpoints))
    table(
        ["stack (or its peer)" if args.peers else "stack", "worker RSS at start (MiB)",
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
