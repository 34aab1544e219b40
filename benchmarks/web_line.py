"""Requests per second of Django's and Flask's `web` line: sync workers (a template commit)
against gthread workers with the header deadline (this checkout), in one run.

    uv run python benchmarks/web_line.py [--ref HEAD] [--duration 4] [--rounds 3]
        [--stacks django,flask] [--databases sqlite,postgres] [--workers 2] [--stalled 2]

Per stack, three projects with `auth` off (the list is open, as in throughput.py):
- "REF": rendered from a clean clone of this repository at REF (default HEAD, the last
  commit: without the working tree's changes), i.e. the web line before the change;
- "REF + new gunicorn.conf.py": the same project with the working tree's gunicorn.conf.py,
  i.e. the worker model alone, the app code unchanged;
- "working tree": rendered from this checkout with its uncommitted changes (everything else
  being changed meanwhile comes along).
Per database (SQLite, or a fresh PostgreSQL database on BENCH_POSTGRES), each runs its
Procfile `release`, then its `web` line in the production environment with WEB_CONCURRENCY
(default 2), and gets 12 items through the API. All three run side by side; the wrk runs
(`wrk -t2 -c32 --latency`) alternate between them, ROUNDS times (medians), on
`GET /health` and `GET /api/items?limit=10`, with keep-alive (wrk's default) and with
`Connection: close` (a proxy that opens a connection per request), and finally on
`GET /health` while STALLED clients hold half-sent request headers open (the issue's finding).
Goal: the change alone keeps every load at >= 0.8x REF's req/s, and answers while clients stall.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import socket
import sys
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import throughput
from _common import (
    ITEMS,
    LIMIT,
    PROJECT,
    Failed,
    clean_clone,
    database,
    header,
    load_average,
    median,
    procfile,
    production_env,
    render,
    require_wrk,
    run,
    seed,
    server,
    table,
    verdict,
    workdir,
)
from helpers import REPO

STACKS = ("django", "flask")
# The change alone (REF + new gunicorn.conf.py) against REF, on every load without stalled
# clients; with them, it must answer at all.
GOAL = 0.8
CONNECTIONS = 32
HALF_HEADER = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow-Client: wai"
# (label, path, extra request headers, stalled clients?)
LOADS = [
    ("GET /health", "/health", {}, False),
    (f"GET /api/items?limit={LIMIT}", f"/api/items?limit={LIMIT}", {}, False),
    ("GET /health, Connection: close", "/health", {"Connection": "close"}, False),
    (
        f"GET /api/items?limit={LIMIT}, Connection: close",
        f"/api/items?limit={LIMIT}",
        {"Connection": "close"},
        False,
    ),
    ("GET /health, {stalled} stalled clients", "/health", {}, True),
]


def wrk(url: str, duration: int, headers: dict[str, str]) -> dict[str, float]:
    # wrk's default timeout (2 s), as in the recorded runs.
    return throughput.wrk(url, duration, CONNECTIONS, headers, timeout=2)


def projects(stack: str, ref: str, tmp: Path) -> dict[str, Path]:
    """The three projects, `auth` off (the list is open, as in throughput.py)."""
    clean = clean_clone(tmp)
    before = render(clean, ref, stack, tmp / stack / "before" / PROJECT, auth=False)
    after = render(REPO, "HEAD", stack, tmp / stack / "after" / PROJECT, auth=False)
    alone = render(clean, ref, stack, tmp / stack / "alone" / PROJECT, auth=False)
    shutil.copy(after / "gunicorn.conf.py", alone / "gunicorn.conf.py")
    return {ref: before, f"{ref} + new gunicorn.conf.py": alone, "working tree": after}


def worker_shape(project: Path) -> str:
    text = (project / "gunicorn.conf.py").read_text()
    return "gthread" if 'worker_class = "gthread"' in text else "sync"


@contextmanager
def stalled_clients(url: str, count: int) -> Iterator[None]:
    """`count` connections that send half of their request headers and wait."""
    port = urllib.parse.urlsplit(url).port
    with ExitStack() as opened:
        for _ in range(count):
            client = opened.enter_context(socket.create_connection(("127.0.0.1", port)))
            client.sendall(HALF_HEADER)
        time.sleep(0.3)  # the server has taken them on
        yield


def bench_database(
    stack: str, kind: str, variants: dict[str, Path], tmp: Path, args: argparse.Namespace
) -> list[list[object]]:
    with ExitStack() as running:
        servers: dict[str, str] = {}
        for name, project in variants.items():
            db_env = running.enter_context(database(kind, f"{stack}_web_{len(servers)}"))
            env = production_env(WEB_CONCURRENCY=str(args.workers), **db_env)
            lines = procfile(project)
            run(["bash", "-c", lines["release"]], project, env=env, timeout=300)
            log = tmp / f"{stack}-{kind}-{len(servers)}.log"
            servers[name] = running.enter_context(server(lines["web"], project, env, log))
            seed(servers[name], {})
        for url in servers.values():  # warm-up: imports, connections, caches
            for _, path, headers, _stalled in LOADS[:2]:
                wrk(url + path, 2, headers)
        results: dict[tuple[str, str], list[dict[str, float]]] = {}
        for number in range(args.rounds):
            names = list(servers)
            shift = number % len(names)
            for label, path, headers, stalled in LOADS:
                for name in names[shift:] + names[:shift]:
                    url = servers[name]
                    with stalled_clients(url, args.stalled if stalled else 0):
                        measured = wrk(url + path, args.duration, headers)
                    results.setdefault((label, name), []).append(measured)

    def figures(runs: list[dict[str, float]]) -> str:
        rps, p50, p99 = (median([r[k] for r in runs]) for k in ("rps", "p50_ms", "p99_ms"))
        return f"{rps:.0f} ({p50:.1f} / {p99:.1f})" if rps else "0"

    rows: list[list[object]] = []
    names = list(servers)
    for label, *_ in LOADS:
        runs = {name: results[(label, name)] for name in names}
        base = runs[names[0]]
        # Per round, the runs met much the same load: the median of the per-round ratios is
        # steadier than the ratio of the medians. (None when the first answered nothing.)
        ratios = [
            [r["rps"] / b["rps"] for r, b in zip(runs[name], base, strict=True) if b["rps"] >= 1]
            for name in names[1:]
        ]
        cpu = " / ".join(
            f"{median([r['cpu_ms'] for r in runs[name]]):.2f}".replace("nan", "-") for name in names
        )
        failed = " / ".join(str(int(sum(r["failed"] for r in runs[name]))) for name in names)
        alone = runs[names[1]]
        met = (
            median([r["rps"] for r in alone]) > 0 and not sum(r["failed"] for r in alone)
            if "{stalled}" in label
            else bool(ratios[0]) and median(ratios[0]) >= GOAL
        )
        rows.append([
            stack, kind, label.format(stalled=args.stalled),
            *(figures(runs[name]) for name in names),
            " / ".join(f"{median(each):.2f}x" if each else "-" for each in ratios), cpu, failed,
            verdict(met),
        ])  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default="HEAD", help="Template commit with the old web line.")
    parser.add_argument("--duration", type=int, default=4, help="Seconds per wrk run.")
    parser.add_argument("--rounds", type=int, default=3, help="wrk runs per target (median).")
    parser.add_argument("--stacks", default=",".join(STACKS))
    parser.add_argument("--databases", default="sqlite,postgres", help="sqlite, postgres or both.")
    parser.add_argument("--workers", type=int, default=2, help="WEB_CONCURRENCY (default 2).")
    parser.add_argument("--stalled", type=int, default=2, help="Stalled clients in the last load.")
    args = parser.parse_args()
    # A SIGTERM unwinds like Ctrl-C: every server stopped, every database dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    require_wrk()

    header(
        f"web line: wrk -t2 -c{CONNECTIONS} -d{args.duration}s, median of {args.rounds} "
        f"alternating runs, loopback, WEB_CONCURRENCY={args.workers}, {ITEMS} items; "
        f"template {args.ref} against this checkout"
    )
    with workdir("web-line") as tmp:
        for stack in args.stacks.split(","):
            variants = projects(stack, args.ref, tmp)
            names = [
                f"{name} ({args.workers} x {worker_shape(path)})" for name, path in variants.items()
            ]
            rows = []
            for kind in args.databases.split(","):
                rows += bench_database(stack, kind, variants, tmp, args)
            table(
                ["stack", "database", "load",
                 *(f"{name}: req/s (p50 / p99 ms)" for name in names),
                 f"ratio to {args.ref} (median of rounds)",
                 "server CPU ms/request", "failed",
                 f"goal: >= {GOAL}x; answers while stalled"],
                rows,
            )  # fmt: skip
            print(f"load average (1 / 5 / 15 min) after {stack}: {load_average()}\n")
            sys.stdout.flush()


if __name__ == "__main__":
    try:
        main()
    except Failed as error:
        print(error, file=sys.stderr)
        sys.exit(1)
