"""Requests per second of a generated project's `web` process against a hand-written app doing
the same work, on PostgreSQL and SQLite.

    uv run python benchmarks/throughput.py [--duration 5] [--rounds 5] [--stacks STACK,...]
        [--databases postgres,sqlite] [--workers 1] [--baseline REF] [--explain]
        [--web STACK=COMMAND]

Per stack and database: generate and install a project (`scaffold new -y --vcs-ref HEAD`),
create a PostgreSQL database (`createdb` on BENCH_POSTGRES, default
postgresql://postgres@127.0.0.1:5432; dropped afterwards) or use the project's SQLite file,
run the Procfile's `release` line (the app's own migrations), start its `web` line in the
production environment (DEBUG off, LOG_LEVEL=info, WEB_CONCURRENCY=--workers) and create
12 items through the API. Then `wrk -t2 -cCONNECTIONS -dDURATION --latency` on `GET /health`
and `GET /api/items?limit=10`.

The bare app of benchmarks/bare/ does the same work by hand: the same queries through the same
ORM, driver and connection/pool settings, on the same database, but none of the template's
structure (no middleware, no schema library, no extensions). It runs from the generated
project's venv (same library versions) under the same gunicorn with the generated project's
effective worker count, worker class, threads and preload, and writes gunicorn's own access
log (one line per request, as the generated app must).
Goal: every generated endpoint >= 0.8x the bare one.

--baseline REF adds a project generated from an older template commit (before/after in one
run); --explain adds the generated app with logging off; --web replaces the generated app's
server command (e.g. granian). All servers of a stack and database run side by side and the
wrk runs alternate between them, ROUNDS times (medians), so a load change on the machine hits
every target alike.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import signal
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from _common import (
    BENCH,
    PROJECT,
    STACKS,
    Failed,
    cpu_seconds,
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
ITEMS = 12  # rows seeded through the API
LIMIT = 10  # rows per list request
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
        # One access line per request, as the contract asks of every app: gunicorn's own.
        "--access-logfile", "-",
    ]  # fmt: skip
    quoted = " ".join(shlex.quote(flag) for flag in flags)
    quoted = quoted.replace("'0.0.0.0:$PORT'", "0.0.0.0:$PORT")
    return (
        f"uv run --project {shlex.quote(str(project))} gunicorn --chdir {shlex.quote(str(BARE))} "
        f"{quoted} bare_{stack}:app"
    )


def wrk(
    url: str, duration: int, connections: int, headers: dict[str, str] | None = None
) -> dict[str, float]:
    """Requests/s, p50 and p99 latency (ms), the server's CPU time per request (ms; all its
    processes) and failed requests of one wrk run."""
    base = "/".join(url.split("/", 3)[:3])
    cpu_before = cpu_seconds(base)
    header_args = [arg for item in (headers or {}).items() for arg in ("-H", ": ".join(item))]
    out = run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", *header_args, url],
        BENCH,
        timeout=duration + 60,
    ).stdout
    rate = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    if rate is None:
        raise Failed(f"no Requests/sec in wrk output:\n{out}")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}

    def percentile(label: str) -> float:
        found = re.search(rf"{label}%\s+([0-9.]+)(us|ms|s)\b", out)
        return float(found.group(1)) * scale[found.group(2)] if found else float("nan")

    cpu = cpu_seconds(base) - cpu_before
    count = re.search(r"(\d+) requests in", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(rate.group(1)),
        "p50_ms": percentile("50"),
        "p99_ms": percentile("99"),
        "cpu_ms": 1000 * cpu / int(count.group(1)) if count else float("nan"),
        "failed": (int(non2xx.group(1)) if non2xx else 0)
        + (sum(int(n) for n in errors.groups()[1:]) if errors else 0),
    }


def log_in(url: str) -> dict[str, str]:
    """Register a user and return the Authorization header of their token (auth on)."""
    user = {"email": "bench@example.com", "password": "benchmark-password"}
    status, body = http(f"{url}/api/auth/register", "POST", user)
    if status != 201:
        raise Failed(f"POST /api/auth/register answered {status}: {body[:300]!r}")
    form = {"username": user["email"], "password": user["password"]}
    status, body = http(f"{url}/api/auth/token", "POST", form=form)
    if status != 200:
        raise Failed(f"POST /api/auth/token answered {status}: {body[:300]!r}")
    return {"Authorization": f"Bearer {json.loads(body)['access_token']}"}


def seed(url: str, headers: dict[str, str]) -> None:
    for number in range(ITEMS):
        item = {"name": f"item {number}", "description": "benchmark"}
        status, body = http(f"{url}/api/items", "POST", item, headers)
        if status != 201:
            raise Failed(f"POST /api/items answered {status}: {body[:300]!r}")


@contextmanager
def database(kind: str, label: str) -> Iterator[dict[str, str]]:
    """The environment naming the database: SQLite (the project's default file) or a fresh
    PostgreSQL database, dropped afterwards."""
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


QUIET_CONFIG = """\
# The generated gunicorn.conf.py, then access log and logging configuration off.
exec(compile(open({path!r}).read(), {path!r}, "exec"))
accesslog = None
logconfig_dict = {{}}
"""
AUTH = "generated, auth on"
ENDPOINTS = {"/health": "/health", f"/api/items?limit={LIMIT}": f"/api/items?limit={LIMIT}"}


def bench_database(
    stack: str, kind: str, projects: dict[str, Path], tmp: Path, args: argparse.Namespace
) -> list[list[object]]:
    """The generated app (and the baseline's, with --baseline) and the bare same-work app run
    side by side (idle when not measured); the wrk runs alternate between them, round after
    round, so a load change on the machine hits all alike."""
    with ExitStack() as running:
        servers: dict[str, str] = {}
        auth: dict[str, dict[str, str]] = {}  # the Authorization header per server, if any
        for name, project in projects.items():
            db_env = running.enter_context(database(kind, f"{stack}_{len(servers)}"))
            workers = {"WEB_CONCURRENCY": str(args.workers)} if args.workers else {}
            env = production_env(**workers, **db_env)
            lines = procfile(project)
            web_line = args.web.get(stack, lines["web"]) if name == "generated" else lines["web"]
            run(["bash", "-c", lines["release"]], project, env=env, timeout=300)

            def start(
                label: str, command: str, cwd: Path, env: dict[str, str] = env, **extra: str
            ) -> str:
                log = tmp / f"{label}-{kind}.log"
                return running.enter_context(server(command, cwd, {**env, **extra}, log))

            servers[name] = start(name, web_line, project)
            auth[name] = log_in(servers[name]) if name == AUTH else {}
            seed(servers[name], auth[name])
            if name != "generated":
                continue
            settings = server_settings(project, lines["web"], env)
            bare = bare_command(project, stack, settings)
            servers["bare"] = start("bare", bare, BARE, BARE_SQLITE=str(project / "db.sqlite3"))
            if args.explain:
                quiet = tmp / "quiet.conf.py"
                quiet.write_text(QUIET_CONFIG.format(path=str(project / "gunicorn.conf.py")))
                servers["generated, logging off"] = start(
                    "quiet", f"{web_line} --config {quiet}", project, LOG_LEVEL="warning"
                )
        targets = {
            (endpoint, name): base + path
            for endpoint, path in ENDPOINTS.items()
            for name, base in servers.items()
        }
        for (endpoint, name), url in targets.items():
            status, body = http(url, headers=auth.get(name))
            if status != 200:
                raise Failed(f"{name} {endpoint} answered {status}: {body[:300]!r}")
            if endpoint != "/health" and len(json.loads(body)) != LIMIT:
                raise Failed(f"{name} {endpoint} did not return {LIMIT} items: {body[:300]!r}")
        for (_, name), url in targets.items():  # warm-up: imports, connections, caches
            wrk(url, 2, args.connections, auth.get(name))
        results: dict[tuple[str, str], list[dict[str, float]]] = {key: [] for key in targets}
        order = list(targets.items())
        for number in range(args.rounds):
            shift = number % len(order)
            for key, url in order[shift:] + order[:shift]:
                results[key].append(wrk(url, args.duration, args.connections, auth.get(key[1])))

    shape = f"{settings['workers']} x {str(settings['worker_class']).rsplit('.', 1)[-1]}"

    def figures(key: tuple[str, str]) -> str:
        runs = results[key]
        rps, p50, p99 = (median([r[k] for r in runs]) for k in ("rps", "p50_ms", "p99_ms"))
        return f"{rps:.0f} ({p50:.1f} / {p99:.1f})"

    def cpu(key: tuple[str, str]) -> float:
        return median([r["cpu_ms"] for r in results[key]])

    rows = []
    for endpoint in ENDPOINTS:
        bare = results[(endpoint, "bare")]
        for name in servers:
            if name == "bare":
                continue
            runs = results[(endpoint, name)]
            # Per round, the two runs met much the same load: the median of those ratios is
            # steadier than the ratio of the medians.
            ratio = median([r["rps"] / b["rps"] for r, b in zip(runs, bare, strict=True)])
            failed = sum(r["failed"] for r in runs + bare)
            goal = verdict(ratio >= GOAL) if name == "generated" else ""
            rows.append([stack, kind, f"{name} GET {endpoint}", shape,
                         figures((endpoint, name)), figures((endpoint, "bare")),
                         f"{ratio:.2f}x", f"{cpu((endpoint, name)):.2f} / "
                         f"{cpu((endpoint, 'bare')):.2f}", int(failed), goal])  # fmt: skip
    return rows


def bench_stack(stack: str, args: argparse.Namespace) -> list[list[object]]:
    with workdir(f"throughput-{stack}") as tmp:
        # The hand-written app has no users: the comparison runs with the `auth` answer off.
        scaffold_new(tmp, stack, "--vcs-ref", args.vcs_ref, "-d", "auth=false")
        projects = {"generated": tmp / PROJECT}
        if args.auth:
            (tmp / "auth").mkdir()
            scaffold_new(tmp / "auth", stack, "--vcs-ref", args.vcs_ref, "-d", "auth=true")
            projects[AUTH] = tmp / "auth" / PROJECT
        if args.baseline:
            (tmp / "baseline").mkdir()
            # Open endpoints, as in the main comparison: `auth` off where the older template
            # asks it (a template from before the question ignores the answer).
            scaffold_new(tmp / "baseline", stack, "--vcs-ref", args.baseline, "-d", "auth=false")
            projects[f"baseline {args.baseline}"] = tmp / "baseline" / PROJECT
        rows = []
        for kind in args.databases.split(","):
            rows += bench_database(stack, kind, projects, tmp, args)
        return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="Seconds per wrk run.")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=5, help="wrk runs per target (median).")
    parser.add_argument("--stacks", default=",".join(STACKS))
    parser.add_argument("--databases", default="postgres,sqlite", help="postgres, sqlite or both.")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="WEB_CONCURRENCY for every server (default 1; 0: unset, the project's default).",
    )
    parser.add_argument("--vcs-ref", default="HEAD", help="Template commit to generate from.")
    parser.add_argument(
        "--web",
        action="append",
        default=[],
        metavar="STACK=COMMAND",
        help="Run the generated app with this command instead of the Procfile's web line.",
    )
    parser.add_argument(
        "--baseline",
        metavar="REF",
        help="Also run a project generated from this template commit (before/after).",
    )
    parser.add_argument(
        "--auth",
        action="store_true",
        help="Also run the project with `auth` on: the list with a bearer token.",
    )
    parser.add_argument(
        "--explain", action="store_true", help="Also run the generated app with logging off."
    )
    args = parser.parse_args()
    # A SIGTERM unwinds like Ctrl-C: every server stopped, every database dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    args.web = dict(item.split("=", 1) for item in args.web)
    if shutil.which("wrk") is None:
        print("wrk is missing; on Debian/Ubuntu: sudo apt-get install -y wrk", file=sys.stderr)
        sys.exit(2)

    header(
        f"throughput: wrk -t2 -c{args.connections} -d{args.duration}s, median of "
        f"{args.rounds} alternating runs, loopback, WEB_CONCURRENCY={args.workers or 'unset'}, "
        f"{ITEMS} items, template {args.vcs_ref}"
    )
    for stack in args.stacks.split(","):  # one table per stack, printed as soon as it is done
        table(["stack", "database", "endpoint", "workers", "req/s (p50 / p99 ms)",
               "bare same work: req/s (p50 / p99 ms)", "ratio (median of rounds)",
               "server CPU ms/request (generated / bare)", "failed",
               f"goal >= {GOAL}x"], bench_stack(stack, args))  # fmt: skip
        sys.stdout.flush()


if __name__ == "__main__":
    main()
