"""docs/contract.md §6a: a generated project run as production runs it (the Procfile's `web` line)
logs JSON lines with request ids, reports errors to Sentry, exports traces and answers CORS.

Sentry and the OpenTelemetry collector are stood in for by small HTTP servers on loopback that
record what they receive.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import procfile
import pytest
from conftest import Projects
from helpers import STACKS, run

pytestmark = pytest.mark.smoke

SECRET = "Bearer s3cr3t-token-never-logged"
ORIGIN = "https://app.example.com"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Recorder:
    """A loopback HTTP server that answers 200 to every POST and keeps what it got."""

    url: str
    received: list[Received] = field(default_factory=list)

    def wait_for(self, found: Callable[[], Any], timeout: float = 30) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = found()
            if result:
                return result
            time.sleep(0.3)
        return found()


def _decompress(headers: dict[str, str], body: bytes) -> bytes:
    encoding = headers.get("content-encoding", "")
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    if encoding == "br":
        brotli = pytest.importorskip("brotli")
        return bytes(brotli.decompress(body))
    return body


@contextmanager
def recorder() -> Iterator[Recorder]:
    received: list[Received] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            headers = {key.lower(): value for key, value in self.headers.items()}
            body = self.rfile.read(int(headers.get("content-length", "0")))
            received.append(Received(self.path, headers, _decompress(headers, body)))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Recorder(f"http://127.0.0.1:{server.server_address[1]}", received)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(params=STACKS)
def project(request: pytest.FixtureRequest, projects: Projects) -> Path:
    return projects.get(request.param)


def _json_lines(output: str) -> list[dict[str, Any]]:
    records = []
    for line in output.splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            pytest.fail(f"a line of the output is not JSON: {line!r}\n{output[-3000:]}")
    return records


def _access_records(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [record for record in records if "duration_ms" in record]


def _check_cors(client: httpx.Client) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    allowed = client.options("/api/items", headers={"Origin": ORIGIN, **preflight})
    assert allowed.status_code in {200, 204}
    assert allowed.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in allowed.headers["Access-Control-Allow-Methods"]
    allowed_headers = allowed.headers["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed_headers
    assert "content-type" in allowed_headers
    simple = client.get("/api/items", headers={"Origin": ORIGIN})
    assert simple.headers["Access-Control-Allow-Origin"] == ORIGIN

    other = "https://evil.example.net"
    refused = client.options("/api/items", headers={"Origin": other, **preflight})
    assert "Access-Control-Allow-Origin" not in refused.headers
    simple = client.get("/api/items", headers={"Origin": other})
    assert "Access-Control-Allow-Origin" not in simple.headers


def test_json_logs_request_ids_and_cors(project: Path) -> None:
    """100 requests: every line is JSON, one access record each with the response's id;
    a sane client id is kept, others replaced; no secret logged. CORS for allowed origins."""
    env = procfile.production_env(
        LOG_FORMAT="json",
        CORS_ALLOWED_ORIGINS=f"{ORIGIN},https://b.test",
        DATABASE_URL=procfile.scratch_sqlite(),
    )
    procfile.release(project, env)
    bad, too_long = "not a sane id", "a" * 129
    sent: list[tuple[str, str | None, str]] = []
    with (
        procfile.start(project, "web", env) as web,
        httpx.Client(base_url=web.url, timeout=90) as client,
    ):
        for number in range(100):
            path = ["/health", "/api/items", "/api/items%0D%0Aforged: yes", "/nowhere"][number % 4]
            headers = {"Authorization": SECRET, "Cookie": f"sessionid={SECRET}"}
            kept = f"client-{number}_id.{'x' * 100}"
            client_id = [kept, bad, too_long, None][number % 4]
            if client_id is not None:
                headers["X-Request-ID"] = client_id
            response = client.get(path, headers=headers)
            assert response.status_code < 500, response.text
            sent.append((path, client_id, response.headers["X-Request-ID"]))
        _check_cors(client)
    output = web.output()
    records = _json_lines(output)

    for _, client_id, request_id in sent:
        if client_id and client_id.startswith("client-"):
            assert request_id == client_id
        else:
            assert UUID.fullmatch(request_id), request_id
    access = _access_records(records)
    for *_, request_id in sent:
        assert [record["request_id"] for record in access].count(request_id) == 1, request_id
    assert len(access) == len(sent) + 4  # and the four CORS requests
    assert len({request_id for *_, request_id in sent}) == len(sent)
    for record in access:
        assert record["method"] in {"GET", "OPTIONS"}
        assert isinstance(record["status"], int)
        assert isinstance(record["duration_ms"], int | float)
        assert record["path"].startswith("/")
    assert SECRET.split()[1] not in output
    assert "forged: yes" not in [line.strip() for line in output.splitlines()]


# Loads gunicorn's configuration as the `web` line does (./gunicorn.conf.py, the app's name on
# the command line) and has its logger record a request, with the fields of gunicorn's own
# access line made unbuildable.
GUNICORN_ACCESS = """
import sys
from datetime import timedelta
from unittest import mock
from gunicorn import glogging
from gunicorn.app.wsgiapp import WSGIApplication
sys.argv = ["gunicorn", sys.argv[1]]
cfg = WSGIApplication().cfg
log = cfg.logger_class(cfg)
unbuildable = mock.patch.object(glogging.Logger, "atoms", side_effect=AssertionError("built"))
with unbuildable:
    log.access(mock.Mock(), mock.Mock(), {}, timedelta(milliseconds=1))
print(cfg.accesslog, bool(cfg.logconfig_dict))
"""
WSGI_APPS = {"django": "demo_app.wsgi", "flask": "demo_app:create_app()"}


@pytest.mark.parametrize("stack", sorted(WSGI_APPS))
def test_gunicorn_builds_no_access_line_of_its_own(stack: str, projects: Projects) -> None:
    """The app writes the access record and logs.py silences gunicorn.access; with
    logconfig_dict set, gunicorn's stock logger would still gather its own line's fields for
    every request (a tenth of a millisecond), only for the line to be dropped."""
    project = projects.get(stack)
    env = procfile.production_env(LOG_FORMAT="json")
    result = run(["uv", "run", "python", "-c", GUNICORN_ACCESS, WSGI_APPS[stack]], project, env=env)
    assert result.stdout.strip().splitlines()[-1] == "None True"


def _envelope_events(received: list[Received]) -> list[dict[str, Any]]:
    """The events in Sentry envelopes: a header line, then (item header, payload) pairs."""
    events = []
    for request in received:
        lines = request.body.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                events.append(json.loads(payload))
    return events


def _event_with_tag(recorded: Recorder, request_id: str) -> dict[str, Any] | None:
    for event in _envelope_events(recorded.received):
        if event.get("tags", {}).get("request_id") == request_id:
            return event
    return None


def _sentry_env(sentry: Recorder, **extra: str) -> dict[str, str]:
    dsn = sentry.url.replace("http://", "http://public@") + "/1"
    return procfile.production_env(
        LOG_FORMAT="json",
        SENTRY_DSN=dsn,
        SENTRY_ENVIRONMENT="ci",
        SENTRY_RELEASE="demo@1",
        **extra,
    )


@pytest.mark.parametrize("stack", STACKS)
def test_sentry_receives_an_unhandled_error(stack: str, projects: Projects, tmp_path: Path) -> None:
    # A real failure: the database has no tables (the release step never ran), and the items
    # list (open to anyone without the auth question) reads one.
    project = projects.get(stack, auth=False)
    database = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    with recorder() as sentry:
        env = _sentry_env(sentry, DATABASE_URL=database, WEB_CONCURRENCY="1")
        with procfile.start(project, "web", env) as web:
            response = httpx.get(f"{web.url}/api/items", timeout=90)
            assert response.status_code == 500
            request_id = response.headers["X-Request-ID"]
            event = sentry.wait_for(lambda: _event_with_tag(sentry, request_id))
        assert event, f"no Sentry event tagged {request_id}:\n{web.output()[-3000:]}"
    assert event["environment"] == "ci"
    assert event["release"] == "demo@1"
    assert event["exception"]["values"]
    assert SECRET.split()[1] not in json.dumps(event)


# Sends items.summarize from a process of the app with a request id bound, as a request
# sending it would have it: django-guid's id in Django, the bound log context in Flask.
CELERY_SENDERS = {
    "django": (
        ["python", "manage.py", "shell", "-c"],
        "from django_guid import set_guid; set_guid({request_id!r});",
    ),
    "flask": (
        ["python", "-c"],
        "import structlog; from demo_app.celery import app;"
        "structlog.contextvars.bind_contextvars(request_id={request_id!r});",
    ),
}


def _celery_project(stack: str, projects: Projects) -> Path:
    # Django's worker is on by default (`celery`); Flask's is the `worker` answer.
    return projects.get(stack, **({} if stack == "django" else {"worker": True}))


# Tracing set up as in the web process (wsgi.py for Django; create_app, which celery.py runs,
# for Flask), so that the task is sent the way a request of the app sends it.
CELERY_TRACED_SENDERS = {
    "django": "from django.conf import settings as s; from demo_app import tracing;"
    "tracing.instrument(); tracing.start_exporting(s.OTEL_EXPORTER_OTLP_ENDPOINT, 'demo-app')",
    "flask": "from demo_app.celery import flask_app; from demo_app import tracing;"
    "tracing.start_exporting(flask_app.config['OTEL_EXPORTER_OTLP_ENDPOINT'], 'demo-app')",
}
# Sends the task inside a span standing for the request that sends it; prints the trace id.
SEND_IN_A_TRACE = """
from opentelemetry import trace
with trace.get_tracer("sender").start_as_current_span("request") as span:
    {send}
print(format(span.get_span_context().trace_id, "032x"))
trace.get_tracer_provider().shutdown()
"""


def _send_celery_task(
    stack: str, project: Path, env: dict[str, str], request_id: str, *, traced: bool = False
) -> str:
    """Send items.summarize as a request with this id would; with `traced`, inside a trace,
    whose id is returned."""
    command, bind = CELERY_SENDERS[stack]
    code = bind.format(request_id=request_id)
    code += "from demo_app.items.tasks import summarize;"
    if traced:
        code += CELERY_TRACED_SENDERS[stack] + SEND_IN_A_TRACE.format(send="summarize.delay()")
    else:
        code += "summarize.delay()"
    output = run(["uv", "run", *command, code], project, env=env).stdout
    return output.strip().splitlines()[-1] if traced else ""


@pytest.mark.parametrize("stack", sorted(CELERY_SENDERS))
def test_sentry_receives_a_failing_celery_task(
    stack: str, projects: Projects, redis_url: str, redis_database: int, tmp_path: Path
) -> None:
    project = _celery_project(stack, projects)
    broker = f"{redis_url}/{redis_database}"
    # No tables (no release step): the task's query fails.
    database = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    request_id = f"{stack}-sender-7"
    with recorder() as sentry:
        env = _sentry_env(
            sentry, DATABASE_URL=database, CELERY_BROKER_URL=broker, CELERY_RESULT_BACKEND=broker
        )
        with procfile.start(project, "worker", env, wait_for_port=False) as worker:
            _send_celery_task(stack, project, env, request_id)
            event = sentry.wait_for(lambda: _event_with_tag(sentry, request_id), 60)
        assert event, f"no Sentry event for the task:\n{worker.output()[-3000:]}"
    assert event["environment"] == "ci"
    assert event["release"] == "demo@1"
    assert event["exception"]["values"]
    # Celery's banner is not a record; every record is a JSON line, in the app's format.
    lines = [line for line in worker.output().splitlines() if line.startswith("{")]
    records = _json_lines("\n".join(lines))
    failures = [record for record in records if record.get("request_id") == request_id]
    assert any(
        record["level"] == "error" and "items.summarize" in record["event"] for record in failures
    ), worker.output()[-3000:]


# taskiq's queue for the FastAPI worker tests below: a Redis database of their own, emptied
# first, so no task left by another test (or run) is taken.
# Sends items.summarize as the app does while serving a request (asgi-correlation-id's
# context variable set), from outside the worker.
SEND_FASTAPI_TASK = """
import asyncio, sys
from asgi_correlation_id import correlation_id
from demo_app.items.tasks import summarize

async def main():
    if sys.argv[1:]:
        correlation_id.set(sys.argv[1])
    await summarize.kiq()

asyncio.run(main())
"""


# The same from inside a trace, with tracing set up as in the web process (the app is built
# on import, which instruments the broker); prints the trace id.
SEND_FASTAPI_TASK_IN_A_TRACE = """
import asyncio
from opentelemetry import trace
from demo_app import tracing
from demo_app.config import get_settings
from demo_app.items.tasks import summarize
from demo_app.main import app

tracing.start_exporting(get_settings().otel_exporter_otlp_endpoint, "demo-app")

async def main():
    with trace.get_tracer("sender").start_as_current_span("request") as span:
        await summarize.kiq()
    print(format(span.get_span_context().trace_id, "032x"))

asyncio.run(main())
trace.get_tracer_provider().shutdown()
"""


def _fastapi_worker_env(redis_url: str, database: int, **extra: str) -> dict[str, str]:
    broker = f"{redis_url}/{database}"
    return {**extra, "TASKIQ_BROKER_URL": broker, "TASKIQ_RESULT_BACKEND": broker}


def test_sentry_receives_a_failing_fastapi_task(
    projects: Projects, redis_url: str, redis_database: int, tmp_path: Path
) -> None:
    """The Procfile's taskiq `worker`: a task sent with a request id fails (no tables), Sentry
    gets the error tagged with the id, and the worker processes' records are JSON, the task's
    carrying the id."""
    project = projects.get("fastapi", worker=True)
    database = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    with recorder() as sentry:
        worker_env = _fastapi_worker_env(redis_url, redis_database, DATABASE_URL=database)
        env = _sentry_env(sentry, **worker_env)
        with procfile.start(project, "worker", env, wait_for_port=False) as worker:
            run(["uv", "run", "python", "-c", SEND_FASTAPI_TASK, "task-sender-7"], project, env=env)
            event = sentry.wait_for(lambda: _event_with_tag(sentry, "task-sender-7"), 60)
        assert event, f"no Sentry event for the task:\n{worker.output()[-3000:]}"
    assert event["exception"]["values"]
    assert event["tags"]["task"] == "items.summarize"
    assert event["environment"] == "ci"
    assert event["release"] == "demo@1"
    # One report of the error: taskiq's own ERROR record about it is not a second one.
    assert len(_envelope_events(sentry.received)) == 1
    # Every line is a JSON record, the supervising process's too (the worker line starts
    # taskiq through the app's own module, which configures logging first).
    records = _json_lines(worker.output())
    of_task = [record for record in records if record.get("request_id") == "task-sender-7"]
    assert any(record["event"].startswith("Executing task items.summarize") for record in of_task)
    assert any("OperationalError" in record.get("exception", "") for record in of_task)


DECODE_SPANS = """
import json, sys
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

for path in sys.argv[1:]:
    export = ExportTraceServiceRequest()
    export.ParseFromString(open(path, "rb").read())
    for resource_spans in export.resource_spans:
        resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                print(json.dumps({
                    "service": resource.get("service.name"),
                    "trace_id": span.trace_id.hex(),
                    "name": span.name,
                    "kind": span.kind,
                    "attributes": sorted(a.key for a in span.attributes),
                }))
"""


def _spans(project: Path, received: list[Received], tmp_path: Path) -> list[dict[str, Any]]:
    paths = []
    for number, request in enumerate(received):
        if request.path == "/v1/traces":
            path = tmp_path / f"export-{number}.pb"
            path.write_bytes(request.body)
            paths.append(str(path))
    if not paths:
        return []
    output = run(["uv", "run", "python", "-c", DECODE_SPANS, *paths], project).stdout
    return [json.loads(line) for line in output.splitlines()]


SERVER_SPAN = 2


def _query_spans(spans: list[dict[str, Any]], trace_ids: set[str]) -> list[dict[str, Any]]:
    """The database query spans of these traces."""
    return [
        span
        for span in spans
        if span["trace_id"] in trace_ids
        and any(key.startswith("db.") for key in span["attributes"])
    ]


def test_traces_of_a_request_and_its_query_reach_the_collector(
    project: Path, tmp_path: Path
) -> None:
    with recorder() as collector:
        env = procfile.production_env(
            LOG_FORMAT="json",
            OTEL_EXPORTER_OTLP_ENDPOINT=collector.url,
            OTEL_BSP_SCHEDULE_DELAY="200",
            WEB_CONCURRENCY="1",
            DATABASE_URL=procfile.scratch_sqlite(),
        )
        procfile.release(project, env)
        with procfile.start(project, "web", env) as web:
            # /health queries the database too, and needs no login whatever the answers.
            assert httpx.get(f"{web.url}/health", timeout=90).status_code == 200
            collector.wait_for(lambda: any(r.path == "/v1/traces" for r in collector.received))
            time.sleep(1)
        spans = _spans(project, collector.received, tmp_path)
    requests = [span for span in spans if span["kind"] == SERVER_SPAN]
    assert requests, spans
    trace_ids = {span["trace_id"] for span in requests}
    queries = _query_spans(spans, trace_ids)
    assert queries, spans
    assert {span["service"] for span in spans} == {"demo-app"}


PRODUCER_SPAN = 4
CONSUMER_SPAN = 5


def _wait_for_task_spans(
    project: Path, collector: Recorder, worker: procfile.Running, tmp_path: Path
) -> list[dict[str, Any]]:
    """The task (consumer) spans the running worker exported, once there is one."""

    def task_spans() -> list[dict[str, Any]]:
        spans = _spans(project, collector.received, tmp_path)
        return [span for span in spans if span["kind"] == CONSUMER_SPAN]

    tasks: list[dict[str, Any]] = collector.wait_for(task_spans, 60)
    time.sleep(1)  # the rest of the task's spans
    assert tasks, f"no task span:\n{worker.output()[-3000:]}"
    return tasks


def _check_task_joins_sender_trace(spans: list[dict[str, Any]], sender: str) -> None:
    """The sending (producer) span, the task's run (consumer) and the task's query are all in
    the trace of the request that sent the task."""
    in_trace = [span for span in spans if span["trace_id"] == sender]
    kinds = {span["kind"] for span in in_trace}
    assert {PRODUCER_SPAN, CONSUMER_SPAN} <= kinds, (sender, spans)
    assert _query_spans(spans, {sender}), (sender, spans)
    assert {span["service"] for span in spans} == {"demo-app"}


@pytest.mark.parametrize("stack", sorted(CELERY_SENDERS))
def test_traces_of_a_celery_task_and_its_query_reach_the_collector(
    stack: str, projects: Projects, redis_url: str, redis_database: int, tmp_path: Path
) -> None:
    project = _celery_project(stack, projects)
    broker = f"{redis_url}/{redis_database}"
    with recorder() as collector:
        env = procfile.production_env(
            LOG_FORMAT="json",
            DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
            CELERY_BROKER_URL=broker,
            CELERY_RESULT_BACKEND=broker,
            OTEL_EXPORTER_OTLP_ENDPOINT=collector.url,
            OTEL_BSP_SCHEDULE_DELAY="200",
        )
        procfile.release(project, env)
        with procfile.start(project, "worker", env, wait_for_port=False) as worker:
            sender = _send_celery_task(stack, project, env, f"{stack}-sender-8", traced=True)
            tasks = _wait_for_task_spans(project, collector, worker, tmp_path)
        spans = _spans(project, collector.received, tmp_path)
    assert any("items.summarize" in span["name"] for span in tasks), tasks
    _check_task_joins_sender_trace(spans, sender)


def test_traces_of_a_fastapi_task_and_its_query_reach_the_collector(
    projects: Projects, redis_url: str, redis_database: int, tmp_path: Path
) -> None:
    project = projects.get("fastapi", worker=True)
    with recorder() as collector:
        env = procfile.production_env(
            LOG_FORMAT="json",
            DATABASE_URL=f"sqlite:///{tmp_path / 'tasks.sqlite3'}",
            OTEL_EXPORTER_OTLP_ENDPOINT=collector.url,
            OTEL_BSP_SCHEDULE_DELAY="200",
            **_fastapi_worker_env(redis_url, redis_database),
        )
        procfile.release(project, env)
        with procfile.start(project, "worker", env, wait_for_port=False) as worker:
            output = run(
                ["uv", "run", "python", "-c", SEND_FASTAPI_TASK_IN_A_TRACE], project, env=env
            ).stdout
            sender = output.strip().splitlines()[-1]
            tasks = _wait_for_task_spans(project, collector, worker, tmp_path)
        spans = _spans(project, collector.received, tmp_path)
    assert "execute/items.summarize" in {span["name"] for span in tasks}, tasks
    _check_task_joins_sender_trace(spans, sender)


def test_no_cors_sentry_or_opentelemetry_by_default(project: Path) -> None:
    env = procfile.production_env(
        LOG_FORMAT="json", WEB_CONCURRENCY="1", DATABASE_URL=procfile.scratch_sqlite()
    )
    procfile.release(project, env)
    with procfile.start(project, "web", env) as web:
        response = httpx.get(f"{web.url}/api/items", headers={"Origin": ORIGIN}, timeout=30)
    assert "Access-Control-Allow-Origin" not in response.headers

    loader = {
        "django": "from demo_app import wsgi;",
        "fastapi": "from demo_app import main;",
        "flask": "from demo_app import create_app; create_app();",
    }[_stack(project)]
    assert _ops_modules_loaded(project, loader, env) == "[]"


# FastAPI and redis import parts of OpenTelemetry when it is installed: look for the app's
# own modules and the instrumentations, which only tracing.py loads.
OPS_MODULES = (
    "import sys; print(sorted(set(sys.modules) & {'demo_app.sentry', 'demo_app.tracing',"
    " 'opentelemetry.instrumentation', 'sentry_sdk'}))"
)


def _ops_modules_loaded(project: Path, loader: str, env: dict[str, str]) -> str:
    result = run(["uv", "run", "python", "-c", loader + OPS_MODULES], project, env=env)
    return result.stdout.strip().splitlines()[-1]


# What a worker process loads: its queue's app and tasks, then its per-process start-up.
WORKER_LOADERS = {
    "django": "from demo_app import celery; celery.start_tracing();",
    "flask": "from demo_app import celery; celery.start_tracing();",
    "fastapi": (
        "import asyncio; from demo_app import worker; import demo_app.items.tasks;"
        "asyncio.run(worker.start_worker_process(worker.broker.state));"
    ),
}


@pytest.mark.parametrize("stack", sorted(WORKER_LOADERS))
def test_worker_loads_no_sentry_or_opentelemetry_by_default(stack: str, projects: Projects) -> None:
    # Django's worker is on by default (`celery`); the others' is the `worker` answer.
    project = projects.get(stack, **({} if stack == "django" else {"worker": True}))
    env = procfile.production_env(LOG_FORMAT="json")
    assert _ops_modules_loaded(project, WORKER_LOADERS[stack], env) == "[]"


def _stack(project: Path) -> str:
    answers = (project / ".copier-answers.yml").read_text()
    return re.search(r"^framework: (\w+)", answers, re.MULTILINE).group(1)  # type: ignore[union-attr]
