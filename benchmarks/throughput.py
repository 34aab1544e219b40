"""Requests per second of a generated project's `web` process against a bare app of the same
framework behind the same server.

    uv run python benchmarks/throughput.py [--duration 10] [--rounds 3] [--stacks STACK,...]
                                           [--no-explain]

Per stack: generate and install a project (`scaffold new -y --vcs-ref HEAD`), run its
Procfile `release` line, start its `web` line in the production environment (DEBUG off,
SQLite, LOG_LEVEL=info), create 20 items, and run `wrk -t2 -cCONNECTIONS -dDURATION` against
`GET /health` and `GET /api/items`. The bare app of benchmarks/bare/ (one JSON route, no
middleware, no database) runs from the generated project's own venv (same library versions)
under the same gunicorn with the generated project's effective worker count, worker class,
threads and preload; no access log. Goal: generated /health >= 0.8x bare.

Unless --no-explain, two more servers split the difference: the generated app with logging
off (the project's gunicorn.conf.py plus `accesslog = None` and no `logconfig_dict`,
LOG_LEVEL=warning), and the bare app doing the generated /health's `SELECT 1` through the same
database layer (BARE_DATABASE; the "vs bare + SELECT 1" column). What is left between those two
is the generated app's middleware, routing and response validation.

All servers of a stack run side by side and the wrk runs alternate between them, ROUNDS times
(median), so a load change on the machine hits every target alike. About 3 minutes per stack.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import shutil
import sys
from contextlib import ExitStack
from pathlib import Path

from _common import (
    BENCH,
    PROJECT,
    STACKS,
    Failed,
    header,
    http,
    median,
    procfile,
    production_env,
    run,
    scaffold_new,
    server,
    table,
    verdict,
    workdir,
)

GOAL = 0.8
ITEMS = 20
BARE = BENCH / "bare"
# Run inside the generated project's venv: gunicorn's own reading of the `web` line's
# arguments and ./gunicorn.conf.py, i.e. the settings the server will really use.
PROBE = """
import json, sys
from gunicorn.app.wsgiapp import WSGIApplication
sys.argv = ["gunicorn", *json.loads(sys.argv[1])]
cfg = WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").cfg
print(json.dumps({"workers": cfg.workers, "worker_class": cfg.worker_class_str,
                  "threads": cfg.threads, "preload_app": cfg.preload_app,
                  "accesslog": cfg.accesslog}))
"""


def gunicorn_args(web: str) -> list[str]:
    """The arguments after `gunicorn` in a Procfile web line."""
    words = shlex.split(web.replace("$PORT", "0"))
    if "gunicorn" not in words:
        raise Failed(f"the web line does not run gunicorn: {web}")
    return words[words.index("gunicorn") + 1 :]


def server_settings(project: Path, web: str, env: dict[str, str]) -> dict[str, object]:
    args = json.dumps(gunicorn_args(web))
    out = run(["uv", "run", "python", "-c", PROBE, args], project, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def bare_command(project: Path, stack: str, settings: dict[str, object]) -> str:
    flags = [
        "--config", str(BARE / "gunicorn.conf.py"),
        "--bind", "0.0.0.0:$PORT",
        "--workers", str(settings["workers"]),
        "--worker-class", str(settings["worker_class"]),
        "--threads", str(settings["threads"]),
        *(["--preload"] if settings["preload_app"] else []),
    ]  # fmt: skip
    quoted = " ".join(shlex.quote(flag) for flag in flags)
    quoted = quoted.replace("'0.0.0.0:$PORT'", "0.0.0.0:$PORT")
    return (
        f"uv run --project {shlex.quote(str(project))} gunicorn --chdir {shlex.quote(str(BARE))} "
        f"{quoted} bare_{stack}:app"
    )


def wrk(url: str, duration: int, connections: int) -> dict[str, float]:
    """Requests/s, median latency (ms) and failed requests of one wrk run."""
    out = run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url],
        BENCH,
        timeout=duration + 60,
    ).stdout
    rate = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    if rate is None:
        raise Failed(f"no Requests/sec in wrk output:\n{out}")
    p50 = re.search(r"50%\s+([0-9.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(rate.group(1)),
        "p50_ms": float(p50.group(1)) * scale[p50.group(2)] if p50 else float("nan"),
        "failed": (int(non2xx.group(1)) if non2xx else 0)
        + (sum(int(n) for n in errors.groups()[1:]) if errors else 0),
    }


def seed(url: str) -> None:
    for number in range(ITEMS):
        status, body = http(
            f"{url}/api/items", "POST", {"name": f"item {number}", "description": "benchmark"}
        )
        if status != 201:
            raise Failed(f"POST /api/items answered {status}: {body[:300]!r}")
    status, body = http(f"{url}/api/items")
    if status != 200:
        raise Failed(f"GET /api/items answered {status}: {body[:300]!r}")


QUIET_CONFIG = """\
# The generated gunicorn.conf.py, then access log and logging configuration off.
exec(compile(open({path!r}).read(), {path!r}, "exec"))
accesslog = None
logconfig_dict = {{}}
"""
HEALTH = "generated GET /health"
BARE_HEALTH = "bare GET /health"
BARE_DB = "bare GET /health + SELECT 1"


def bench_stack(
    stack: str, duration: int, connections: int, rounds: int, explain: bool
) -> list[list[object]]:
    """All servers of a stack run side by side (idle when not measured); the wrk runs
    alternate between them, round after round, so a load change on the machine hits all."""
    with workdir(f"throughput-{stack}") as tmp, ExitStack() as running:
        scaffold_new(tmp, stack, "--vcs-ref", "HEAD")
        project = tmp / PROJECT
        env = production_env()
        lines = procfile(project)
        run(["bash", "-c", lines["release"]], project, env=env, timeout=300)
        settings = server_settings(project, lines["web"], env)
        bare = bare_command(project, stack, settings)

        def start(name: str, command: str, cwd: Path, **extra_env: str) -> str:
            log = tmp / f"{name}.log"
            return running.enter_context(server(command, cwd, {**env, **extra_env}, log))

        web = start("web", lines["web"], project)
        seed(web)
        targets = {
            HEALTH: f"{web}/health",
            f"generated GET /api/items ({ITEMS} items)": f"{web}/api/items",
            BARE_HEALTH: start("bare", bare, BARE) + "/health",
        }
        if explain:
            quiet = tmp / "quiet.conf.py"
            quiet.write_text(QUIET_CONFIG.format(path=str(project / "gunicorn.conf.py")))
            quiet_web = f"{lines['web']} --config {quiet}"
            url = start("quiet", quiet_web, project, LOG_LEVEL="warning")
            targets["generated GET /health, logging off"] = f"{url}/health"
            url = start("bare-db", bare, BARE, BARE_DATABASE=str(project / "db.sqlite3"))
            targets[BARE_DB] = f"{url}/health"

        for url in targets.values():  # warm-up: imports, first connections, caches
            wrk(url, 2, connections)
        results: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
        for number in range(rounds):
            order = list(targets.items())
            shift = number % len(order)
            for name, url in order[shift:] + order[:shift]:
                results[name].append(wrk(url, duration, connections))

    shape = f"{settings['workers']} x {str(settings['worker_class']).rsplit('.', 1)[-1]}"
    rps = {name: median([r["rps"] for r in runs]) for name, runs in results.items()}
    rows = []
    for name, runs in results.items():
        ratio = rps[name] / rps[BARE_HEALTH]
        goal = verdict(ratio >= GOAL) if name == HEALTH else ""
        vs_db = f"{rps[name] / rps[BARE_DB]:.2f}x" if BARE_DB in rps else "-"
        rows.append([stack, name, shape, f"{rps[name]:.0f}",
                     f"{median([r['p50_ms'] for r in runs]):.1f}",
                     int(sum(r["failed"] for r in runs)), f"{ratio:.2f}x", vs_db,
                     goal])  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="Seconds per wrk run.")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3, help="wrk runs per target (median).")
    parser.add_argument("--stacks", default=",".join(STACKS))
    parser.add_argument("--no-explain", action="store_true", help="No extra runs on a miss.")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is missing; on Debian/Ubuntu: sudo apt-get install -y wrk", file=sys.stderr)
        sys.exit(2)

    header(
        f"throughput: wrk -t2 -c{args.connections} -d{args.duration}s, median of "
        f"{args.rounds} alternating runs, loopback, SQLite"
    )
    rows = []
    for stack in args.stacks.split(","):
        rows += bench_stack(
            stack, args.duration, args.connections, args.rounds, not args.no_explain
        )
    table(["stack", "endpoint", "workers", "req/s", "p50 ms", "failed", "vs bare",
           "vs bare + SELECT 1", f"goal >= {GOAL}x"], rows)  # fmt: skip


if __name__ == "__main__":
    main()
