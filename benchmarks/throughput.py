"""Requests per second of generated projects against hand-written same-work baselines.

A generated project's `web` process against a hand-written app doing the same per-request
contract work, with `auth` off and on, on PostgreSQL and SQLite.

    uv run python benchmarks/throughput.py [--duration 5] [--rounds 5] [--stacks STACK,...]
        [--databases postgres,sqlite] [--workers 1] [--baseline REF] [--explain]
        [--baseline-auth] [--web STACK=COMMAND] [--peers DIR]

Per stack and database: generate and install two projects (`scaffold new -y --vcs-ref HEAD`,
`auth` off and on), create a PostgreSQL database for each (`createdb` on BENCH_POSTGRES,
default postgresql://postgres@127.0.0.1:5432; dropped afterwards) or use the project's SQLite
file, run the Procfile's `release` line (the app's own migrations), start its `web` line in the
production environment (DEBUG off, LOG_LEVEL=info, WEB_CONCURRENCY=--workers), register and
log in a user (auth on) and create 12 items through the API. Then `wrk -t2 -cCONNECTIONS
-dDURATION --timeout=10s --latency` on `GET /health`, `GET /api/items?limit=10`,
`GET /api/items/<id>` and `POST /api/items` (a JSON body; with auth on, all but /health with the
user's bearer token). A failed request is a non-2xx answer, a socket error or no answer within
10 s; an endpoint with any, on either side, misses the goal.

The baseline of each project is benchmarks/bare/bare_<stack>.py, a hand-written app doing the
generated app's per-request contract work and nothing more (issue 29; its docstring lists the
work): request id, one structured access record, security headers, CORS when configured, the
body cap, the host check, and with auth on (BARE_AUTH=1) the bearer token check and the user
lookup, on the same database through the same ORM, driver and connection settings. It runs
from the generated project's venv (same library versions) with the generated project's
environment (same SECRET_KEY: the generated project's tokens open it) under the same gunicorn
settings (the generated project's effective worker count, worker class, threads and preload).
Goal: every generated endpoint >= 0.9x its baseline, auth off and on.

--baseline REF adds a project generated from an older template commit, `auth` off, or on with
--baseline-auth (before/after in one run); --explain adds the generated app with logging off;
--web replaces the generated apps' server command (e.g. granian). All servers of a stack and
database run side by side; per endpoint, the wrk runs alternate between them, ROUNDS times
(medians), so a load change on the machine hits every target alike. `POST /api/items` runs
last: it grows the tables the other endpoints read.

--peers DIR (a directory holding checkouts of full-stack-fastapi-template and
cookiecutter-django; peers.py says how to obtain them and what it changes in them) adds, for
fastapi and django on PostgreSQL, the peer starter side by side with the others, one worker
(whatever --workers says), on its own fresh database with 10 rows: FSF's `GET /api/v1/items/`
(bearer token) and CCD's DRF `GET /api/users/` (token auth; changed to list 10 users; the copy
as shipped, listing the caller only, as a second row). Its list runs in the same alternating
rounds as our `GET /api/items?limit=10`, and a second table per stack compares our
authenticated list (`auth` on) with it: req/s, server CPU ms per request, ratio ours/peer
(median of the per-round ratios). Target: >= 2.5x FSF, >= 1.4x CCD (issue 29).
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import shlex
import signal
import sys
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import peers as peer_starters
from _common import (
    BENCH,
    ITEMS,
    LIMIT,
    PROJECT,
    STACKS,
    Failed,
    cpu_seconds,
    database,
    header,
    http,
    load_average,
    log_in,
    median,
    procfile,
    production_env,
    require_wrk,
    run,
    scaffold_new,
    seed,
    server,
    table,
    verdict,
    workdir,
)

GOAL = 0.9
# Seconds after which wrk counts a request as failed (a timeout), however it ends. Its default,
# 2 s, failed a few SQLite inserts queued behind the others on a busy machine: slow, not lost.
WRK_TIMEOUT = 10
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
        # The worker class may be the project's own (FastAPI's header deadline).
        "--pythonpath", str(project),
    ]  # fmt: skip
    quoted = " ".join(shlex.quote(flag) for flag in flags)
    quoted = quoted.replace("'0.0.0.0:$PORT'", "0.0.0.0:$PORT")
    return (
        f"uv run --project {shlex.quote(str(project))} gunicorn --chdir {shlex.quote(str(BARE))} "
        f"{quoted} bare_{stack}:app"
    )


def wrk(
    url: str,
    duration: int,
    connections: int,
    headers: dict[str, str] | None = None,
    script: Path | None = None,
    timeout: int = WRK_TIMEOUT,
) -> dict[str, float]:
    """Requests/s, p50 and p99 latency (ms), the server's CPU time per request (ms; all its
    processes) and failed requests (non-2xx, read errors, no answer within `timeout` seconds)
    of one wrk run (`script`: a wrk Lua script, e.g. a POST). A run in which nothing was
    answered is 0 req/s."""
    base = "/".join(url.split("/", 3)[:3])
    cpu_before = cpu_seconds(base)
    header_args = [arg for item in (headers or {}).items() for arg in ("-H", ": ".join(item))]
    script_args = ["-s", str(script)] if script else []
    out = run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{duration}s",
            f"--timeout={timeout}s",
            "--latency",
            *header_args,
            *script_args,
            url,
        ],
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
    answered = int(count.group(1)) if count else 0
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed = (int(non2xx.group(1)) if non2xx else 0) + (
        sum(int(n) for n in errors.groups()[1:]) if errors else 0
    )
    if failed:  # which kind, on stderr (the table has the count)
        kinds = [line.strip() for line in out.splitlines() if "Non-2xx" in line or "errors" in line]
        print(f"wrk {url}: {'; '.join(kinds)}", file=sys.stderr)
    return {
        "rps": float(rate.group(1)),
        "p50_ms": percentile("50") if answered else float("nan"),
        "p99_ms": percentile("99") if answered else float("nan"),
        "cpu_ms": 1000 * cpu / answered if answered else float("nan"),
        "failed": failed,
    }


def token_issuer(headers: dict[str, str]) -> str:
    """The `iss` claim of the bearer token in `headers` (the bare app must accept it)."""
    payload = headers["Authorization"].split()[1].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return str(claims["iss"])


QUIET_CONFIG = """\
# The generated gunicorn.conf.py, then access log and logging configuration off.
exec(compile(open({path!r}).read(), {path!r}, "exec"))
accesslog = None
logconfig_dict = {{}}
"""
# A POST with a JSON body, for wrk.
CREATE_SCRIPT = """\
wrk.method = "POST"
wrk.body = '{"name": "created by wrk", "description": "benchmark"}'
wrk.headers["Content-Type"] = "application/json"
"""
# The endpoints, in the order they are measured (the create last: it grows the tables); each
# a method and a path, where {id} is an item seeded on that server's database.
LIST = f"GET /api/items?limit={LIMIT}"  # the one endpoint the peers (--peers) are measured on
ENDPOINTS = {
    "GET /health": "/health",
    LIST: f"/api/items?limit={LIMIT}",
    "GET /api/items/<id>": "/api/items/{id}",
    "POST /api/items": "/api/items",
}


@dataclass
class Target:
    """One server: what it is compared with, and what its requests need."""

    app: str  # "generated", "baseline REF", "generated, logging off", "bare"
    auth: bool
    url: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    item: int = 0
    baseline: str = ""  # the name of the bare app it is compared with
    list_path: str = ""  # a peer: the one path measured, its authenticated list


def bench_database(
    stack: str, kind: str, projects: dict[str, tuple[Path, bool]], tmp: Path,
    args: argparse.Namespace,
) -> tuple[list[list[object]], list[list[object]]]:  # fmt: skip
    """Every project's app and its same-work bare app run side by side (idle when not
    measured); per endpoint, the wrk runs alternate between them, round after round, so a load
    change on the machine hits all alike. With --peers, the peer's list joins the rounds of
    our list. The rows of the table, and of the peer table."""
    script = tmp / "create.lua"
    script.write_text(CREATE_SCRIPT)
    targets: dict[str, Target] = {}
    peer_targets: dict[str, Target] = {}
    peers: dict[str, peer_starters.Peer] = {}
    shape = ""
    with ExitStack() as running:
        for name, (project, auth) in projects.items():
            db_env = running.enter_context(database(kind, f"{stack}_{len(targets)}"))
            workers = {"WEB_CONCURRENCY": str(args.workers)} if args.workers else {}
            env = production_env(**workers, **db_env)
            lines = procfile(project)
            generated = name.startswith("generated")
            web_line = args.web.get(stack, lines["web"]) if generated else lines["web"]
            run(["bash", "-c", lines["release"]], project, env=env, timeout=300)

            def start(
                label: str, command: str, cwd: Path, env: dict[str, str] = env, **extra: str
            ) -> str:
                log = tmp / f"{label}-{kind}.log".replace(" ", "_").replace(",", "")
                return running.enter_context(server(command, cwd, {**env, **extra}, log))

            bare = "bare, auth on" if auth else "bare"
            app = "generated" if generated else name  # the auth column tells the two apart
            target = targets[name] = Target(app, auth, baseline=bare)
            target.url = start(name, web_line, project)
            target.headers = log_in(target.url) if auth else {}
            target.item = seed(target.url, target.headers)
            if not generated:
                continue
            settings = server_settings(project, lines["web"], env)
            shape = f"{settings['workers']} x {str(settings['worker_class']).rsplit('.', 1)[-1]}"
            # The bare app on this project's database, environment and token.
            extra = {"BARE_SQLITE": str(project / "db.sqlite3")}
            if auth:
                extra |= {"BARE_AUTH": "1", "BARE_TOKEN_ISSUER": token_issuer(target.headers)}
            targets[bare] = Target("bare", auth, headers=target.headers, item=target.item)
            targets[bare].url = start(bare, bare_command(project, stack, settings), BARE, **extra)
            if args.explain and not auth:
                quiet = tmp / "quiet.conf.py"
                quiet.write_text(QUIET_CONFIG.format(path=str(project / "gunicorn.conf.py")))
                logging_off = targets["generated, logging off"] = Target(
                    "generated, logging off", auth, headers={}, item=target.item, baseline=bare
                )
                logging_off.url = start(
                    "quiet", f"{web_line} --config {quiet}", project, LOG_LEVEL="warning"
                )

        if args.peers and kind == "postgres" and stack in peer_starters.PEER_OF:
            started = peer_starters.running(stack, args.peers, tmp)
            for peer in running.enter_context(started):
                peers[peer.name] = peer
                peer_targets[peer.name] = Target(
                    peer.name, True, peer.url, peer.headers, list_path=peer.path
                )

        def url(endpoint: str, target: Target) -> str:
            if target.list_path:  # a peer: only its list is measured
                return target.url + target.list_path
            return target.url + ENDPOINTS[endpoint].format(id=target.item)

        def headers(endpoint: str, target: Target) -> dict[str, str]:
            # A load balancer's /health check sends no token.
            return {} if endpoint == "GET /health" else target.headers

        def measure(endpoint: str, target: Target, duration: int) -> dict[str, float]:
            post = endpoint.startswith("POST")
            return wrk(url(endpoint, target), duration, args.connections,
                       headers(endpoint, target), script if post else None)  # fmt: skip

        for endpoint in ENDPOINTS:  # every target answers as it should
            method = endpoint.split()[0]
            for name, target in targets.items():
                body = {"name": "check", "description": ""} if method == "POST" else None
                sent = headers(endpoint, target)
                status, answer = http(url(endpoint, target), method, body, sent)
                if status != (201 if method == "POST" else 200):
                    raise Failed(f"{name} {endpoint} answered {status}: {answer[:300]!r}")
                if endpoint.startswith("GET /api/items?") and len(json.loads(answer)) != LIMIT:
                    raise Failed(
                        f"{name} {endpoint} did not return {LIMIT} items: {answer[:300]!r}"
                    )
        results: dict[tuple[str, str], list[dict[str, float]]] = {}
        everyone = targets | peer_targets
        for endpoint in ENDPOINTS:
            order = list(everyone if endpoint == LIST else targets)
            for name in order:  # warm-up: imports, connections, caches
                measure(endpoint, everyone[name], 1)
            for number in range(args.rounds):
                shift = number % len(order)
                for name in order[shift:] + order[:shift]:
                    runs = results.setdefault((endpoint, name), [])
                    runs.append(measure(endpoint, everyone[name], args.duration))

    def figures(key: tuple[str, str]) -> str:
        runs = results[key]
        rps, p50, p99 = (median([r[k] for r in runs]) for k in ("rps", "p50_ms", "p99_ms"))
        return f"{rps:.0f} ({p50:.1f} / {p99:.1f})"

    def cpu(key: tuple[str, str]) -> float:
        return median([r["cpu_ms"] for r in results[key]])

    def failed(key: tuple[str, str]) -> int:
        return int(sum(r["failed"] for r in results[key]))

    def ratio_of(app: tuple[str, str], base: tuple[str, str]) -> float | None:
        # Per round, the two runs met much the same load: the median of those ratios is
        # steadier than the ratio of the medians. (None if the baseline answered nothing in
        # every round.)
        ratios = [
            r["rps"] / b["rps"]
            for r, b in zip(results[app], results[base], strict=True)
            if b["rps"] > 0
        ]
        return median(ratios) if ratios else None

    rows: list[list[object]] = []
    for auth in (False, True):
        for endpoint in ENDPOINTS:
            for name, target in targets.items():
                if target.app == "bare" or target.auth != auth:
                    continue
                app, base = (endpoint, name), (endpoint, target.baseline)
                ratio = ratio_of(app, base)
                goal = ""
                if target.app == "generated":
                    clean = not failed(app) and not failed(base)
                    goal = verdict(ratio is not None and ratio >= GOAL and clean)
                rows.append([stack, kind, target.app, "on" if auth else "off", endpoint, shape,
                             figures(app), figures(base),
                             "-" if ratio is None else f"{ratio:.2f}x",
                             f"{cpu(app):.2f} / {cpu(base):.2f}".replace("nan", "-"),
                             f"{failed(app)} / {failed(base)}", goal])  # fmt: skip
    peer_rows: list[list[object]] = []
    ours = (LIST, "generated, auth on")
    python = peer_starters.version_of(str(projects["generated, auth on"][0] / ".venv/bin/python"))
    for name, peer in peers.items():
        theirs = (LIST, name)
        ratio = ratio_of(ours, theirs)
        goal = "- (shown only)"
        if peer.target is not None:
            clean = not failed(ours) and not failed(theirs)
            ok = ratio is not None and ratio >= peer.target and clean
            goal = f">= {peer.target}x: {verdict(ok)}"
        peer_rows.append([stack, kind, name, f"{shape}, Python {python}",
                          f"{peer.server}, Python {peer.python}", f"{LIMIT} / {peer.rows}",
                          figures(ours), figures(theirs),
                          "-" if ratio is None else f"{ratio:.2f}x",
                          f"{cpu(ours):.2f} / {cpu(theirs):.2f}".replace("nan", "-"),
                          f"{failed(ours)} / {failed(theirs)}", goal])  # fmt: skip
    return rows, peer_rows


def bench_stack(
    stack: str, args: argparse.Namespace
) -> tuple[list[list[object]], list[list[object]]]:
    with workdir(f"throughput-{stack}") as tmp:
        projects: dict[str, tuple[Path, bool]] = {}
        for name, auth in (("generated", False), ("generated, auth on", True)):
            parent = tmp / ("auth" if auth else "plain")
            parent.mkdir()
            flag = f"auth={'true' if auth else 'false'}"
            scaffold_new(parent, stack, "--vcs-ref", args.vcs_ref, "-d", flag)
            projects[name] = (parent / PROJECT, auth)
        if args.baseline:
            (tmp / "baseline").mkdir()
            # By default open endpoints, compared with the bare app without auth: `auth` off
            # where the older template asks it (a template from before the question ignores
            # the answer). --baseline-auth: `auth` on, compared with the bare app with auth.
            flag = f"auth={'true' if args.baseline_auth else 'false'}"
            scaffold_new(tmp / "baseline", stack, "--vcs-ref", args.baseline, "-d", flag)
            projects[f"baseline {args.baseline}"] = (
                tmp / "baseline" / PROJECT,
                args.baseline_auth,
            )
        rows: list[list[object]] = []
        peer_rows: list[list[object]] = []
        for kind in args.databases.split(","):
            more, more_peers = bench_database(stack, kind, projects, tmp, args)
            rows += more
            peer_rows += more_peers
        return rows, peer_rows


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
        "--baseline-auth",
        action="store_true",
        help="Generate the --baseline project with auth on (the older template must ask it).",
    )
    parser.add_argument(
        "--auth",
        action="store_true",
        help="Accepted for older command lines: auth off and on are always measured now.",
    )
    parser.add_argument(
        "--explain", action="store_true", help="Also run the generated app with logging off."
    )
    parser.add_argument(
        "--peers",
        type=Path,
        metavar="DIR",
        help="Also measure the peer starters (fastapi, django; PostgreSQL) from the checkouts "
        "in DIR: full-stack-fastapi-template/, cookiecutter-django/ (see peers.py).",
    )
    args = parser.parse_args()
    # A SIGTERM unwinds like Ctrl-C: every server stopped, every database dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    args.web = dict(item.split("=", 1) for item in args.web)
    require_wrk()
    stacks = args.stacks.split(",")
    if args.peers:
        peer_starters.check(args.peers, stacks)

    header(
        f"throughput: wrk -t2 -c{args.connections} -d{args.duration}s, median of "
        f"{args.rounds} alternating runs, loopback, WEB_CONCURRENCY={args.workers or 'unset'}, "
        f"{ITEMS} items, template {args.vcs_ref}; baseline: benchmarks/bare (same contract "
        "work, hand-written)"
    )
    if args.peers:
        described = [peer_starters.describe(args.peers, peer_starters.PEER_OF[stack])
                     for stack in stacks if stack in peer_starters.PEER_OF]  # fmt: skip
        print(f"# peers (benchmarks/peers.py): {'; '.join(described)}\n")
    for stack in stacks:  # one table per stack, printed as soon as it is done
        rows, peer_rows = bench_stack(stack, args)
        table(["stack", "database", "app", "auth", "endpoint", "workers",
               "req/s (p50 / p99 ms)", "baseline, same work: req/s (p50 / p99 ms)",
               "ratio (median of rounds)", "server CPU ms/request (app / baseline)",
               "failed (app / baseline)",
               f"goal >= {GOAL}x"], rows)  # fmt: skip
        if peer_rows:
            table(["stack", "database", "peer", "ours: server", "peer: server",
                   "rows (ours / peer)", f"ours, {LIST} auth on: req/s (p50 / p99 ms)",
                   "peer list: req/s (p50 / p99 ms)", "ratio ours/peer (median of rounds)",
                   "server CPU ms/request (ours / peer)", "failed (ours / peer)",
                   "target"], peer_rows)  # fmt: skip
        print(f"load average (1 / 5 / 15 min) after {stack}: {load_average()}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
