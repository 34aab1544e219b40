"""Concurrent writes to one item: PUT + DELETE + PUT at the same instant, many rounds.

Per stack: a project rendered from this checkout (or `--vcs-ref`), installed, migrated with
its Procfile `release` line and served by its `web` line with WEB_CONCURRENCY workers on a
fresh PostgreSQL database. Each round creates an item, then three threads, released by one
barrier, send `PUT`, `DELETE` and `PUT` for it on their own connections; when the DELETE
answered 204, a GET must answer 404. Printed per stack: responses >= 500, deleted items that
read back 200 (resurrected), and how the requests were answered.

    uv run python benchmarks/races.py                      # all stacks, 200 rounds, 4 workers
    uv run python benchmarks/races.py --stacks flask --rounds 150 --vcs-ref main
"""

from __future__ import annotations

import argparse
import collections
import threading
import uuid
import warnings
from pathlib import Path

import httpx
from _common import STACKS, Failed, header, procfile, production_env, run, server, table, workdir
from contract_auth import session_headers  # tests/ is on the path (_common)

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def render(destination: Path, stack: str, vcs_ref: str) -> Path:
    import copier
    from _common import REPO

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copier.run_copy(
            str(REPO),
            destination,
            data={"framework": stack, "project_name": "race-app", "package_name": "race_app"},
            defaults=True,
            vcs_ref=vcs_ref,
            quiet=True,
            unsafe=False,
        )
    return destination


def request(
    client: httpx.Client, method: str, url: str, counts: collections.Counter[str], **kwargs: object
) -> int:
    """The status of one request; a dropped connection counts as a server failure (599)."""
    try:
        return client.request(method, url, **kwargs).status_code  # type: ignore[arg-type]
    except httpx.HTTPError as error:
        counts[f"transport error {type(error).__name__}"] += 1
        return 599


def one_round(url: str, clients: list[httpx.Client], counts: collections.Counter[str]) -> None:
    created = clients[0].post(f"{url}/api/items", json={"name": "contended"})
    if created.status_code != 201:
        raise Failed(f"POST /api/items -> {created.status_code} {created.text[:300]}")
    item = f"{url}/api/items/{created.json()['id']}"
    barrier = threading.Barrier(3)
    answers: dict[str, int] = {}

    def send(label: str, client: httpx.Client, method: str) -> None:
        body = {"name": f"renamed by {label}"} if method == "PUT" else None
        barrier.wait()
        answers[label] = request(client, method, item, counts, json=body)

    threads = [
        threading.Thread(target=send, args=(label, client, label.split()[0]))
        for label, client in zip(("PUT a", "DELETE", "PUT b"), clients, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for label, status in answers.items():
        counts[f"{label.split()[0]} {status}"] += 1
        if status >= 500:
            counts["responses >= 500"] += 1
    if answers["DELETE"] == 204:
        after = request(clients[0], "GET", item, counts)
        if after == 200:
            counts["deleted, read back 200"] += 1
        elif after >= 500:
            counts["responses >= 500"] += 1
    else:
        request(clients[0], "DELETE", item, counts)


def measure(stack: str, rounds: int, workers: int, vcs_ref: str) -> collections.Counter[str]:
    import psycopg

    counts: collections.Counter[str] = collections.Counter()
    database = f"scaffold_races_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    with workdir(f"races-{stack}") as tmp:
        project = render(tmp / "race-app", stack, vcs_ref)
        run(["uv", "sync", "-q"], project)
        env = production_env(
            DATABASE_URL=f"{POSTGRES_ADMIN.rsplit('/', 1)[0]}/{database}",
            WEB_CONCURRENCY=str(workers),
        )
        env["LOG_LEVEL"] = "warning"  # no access log: the server's errors stand out
        try:
            run(["bash", "-c", procfile(project)["release"]], project, env=env)
            log = tmp / "web.log"
            with server(procfile(project)["web"], project, env, log) as url:
                # No kept-alive connections: every request on its own, as separate users send them.
                no_reuse = httpx.Limits(max_keepalive_connections=0)
                headers = session_headers(url)  # a user's token when the project has users (`auth`)
                clients = [
                    httpx.Client(timeout=30, limits=no_reuse, headers=headers) for _ in range(3)
                ]
                try:
                    for _ in range(rounds):
                        one_round(url, clients, counts)
                finally:
                    for client in clients:
                        client.close()
            errors = [line for line in log.read_text(errors="replace").splitlines()
                      if "Error" in line or "Traceback" in line]  # fmt: skip
            counts["server log lines naming an error"] = len(errors)
            if errors:
                print(f"{stack}: first server error: {errors[0][:300]}")
        finally:
            with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stacks", nargs="+", default=STACKS, choices=STACKS)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4, help="WEB_CONCURRENCY")
    parser.add_argument(
        "--vcs-ref", default="HEAD", help="template revision (HEAD: the working tree)"
    )
    args = parser.parse_args()
    header(
        f"races: {args.rounds} rounds of simultaneous PUT+DELETE+PUT on one item, "
        f"Procfile web, WEB_CONCURRENCY={args.workers}, PostgreSQL, template {args.vcs_ref}"
    )
    rows = []
    for stack in args.stacks:
        counts = measure(stack, args.rounds, args.workers, args.vcs_ref)
        answered = ", ".join(
            f"{key}: {value}"
            for key, value in sorted(counts.items())
            if key.split()[0] in {"PUT", "DELETE"} or key.startswith("transport")
        )
        rows.append(
            [
                stack,
                args.rounds,
                counts["responses >= 500"],
                counts["deleted, read back 200"],
                counts["server log lines naming an error"],
                answered,
            ]
        )
    table(
        ["stack", "rounds", "responses >= 500", "deleted, read back 200", "server errors logged",
         "answers"],
        rows,
    )  # fmt: skip
    bad = sum(row[2] + row[3] for row in rows)  # type: ignore[operator]
    print("ok: no 5xx, no resurrection" if bad == 0 else f"MISSED: {bad} bad outcomes")


if __name__ == "__main__":
    main()
