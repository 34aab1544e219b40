"""Fuzzing each running app from its own OpenAPI document, plus the regressions it found.

Each stack's default rendering runs as a platform runs it (Procfile `release`, then `web`,
production environment), once on SQLite and once on PostgreSQL (the production database,
where text and integer limits differ). Schemathesis (the dev group's `st`, v4) then reads
`/api/openapi.json` over loopback and sends generated requests, bounded by a fixed seed and
`--max-examples` (SCAFFOLD_FUZZ_EXAMPLES overrides it, for longer runs), checking three things:

- `not_a_server_error`: no input, however hostile, gets a 5xx;
- `status_code_conformance`: every status the app answers is listed in the document for
  that operation (so a client generated from it expects a 404 or a 400);
- `response_schema_conformance`: every documented response matches its schema.

With `auth` on (the default) the run is authenticated and covers the accounts operations
(CONTRACT 3b: refresh, logout, password reset, verification, password change); the server mails
through the `mailbox` fixture's SMTP server, as every shared server does.

Whatever it found is also written down below as a plain httpx request (`REGRESSIONS`), run
against every stack on both databases, so a fix stays fixed and the failure is readable
without replaying a fuzzer. A regression that fails is a template bug, not a test bug.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import procfile
import pytest
from conftest import Servers
from helpers import STACKS, clean_env

pytestmark = pytest.mark.smoke

DATABASES = ("sqlite", "postgresql")
# With `auth` on, the login and registration endpoints reject most generated data by design
# (a random password is wrong, a random string is seldom an email; repeated failures are
# throttled): every warning but those two stays on.
AUTH_WARNINGS = (
    "--warnings",
    "missing_auth,missing_test_data,base_url_mismatch,missing_deserializer,"
    "unused_openapi_auth,unsupported_regex,method_not_allowed,unmatched_filter,"
    "unresolvable_reference,dictionary_mismatch",
)
ST = Path(sys.executable).parent / "st"
MAX_EXAMPLES = int(os.environ.get("SCAFFOLD_FUZZ_EXAMPLES", "30"))
SEED = 20251122


@dataclass
class App:
    stack: str
    database: str
    url: str
    log: procfile.Running
    # A logged-in user's Authorization header when the stack has `auth` on (the default).
    headers: dict[str, str] = field(default_factory=dict)


@pytest.fixture(
    params=[(stack, database) for stack in STACKS for database in DATABASES],
    ids=[f"{stack}-{database}" for stack in STACKS for database in DATABASES],
)
def app(request: pytest.FixtureRequest, servers: Servers) -> App:
    """Each stack released and serving in production mode, and a user of its own."""
    stack, database = request.param
    web = servers.get(stack, database)
    return App(stack, database, web.url, web.running, web.user_headers)


def _server_log(app: App) -> str:
    """The end of the server's last error record (where the exception names itself)."""
    time.sleep(0.5)  # let the server flush what it logged about the request
    records = [
        line.replace("\\n", "\n")
        for line in app.log.output().splitlines()
        if any(word in line for word in ("Traceback", "Error", "ERROR", "Exception"))
    ]
    return "\n".join(records)[-1500:]


# --- schemathesis --------------------------------------------------------------------------


# CONTRACT 3b's operations, which the authenticated run must fuzz too (so the document must
# declare them). The shared servers mail through the `mailbox` fixture's SMTP server.
ACCOUNT_OPERATIONS = {
    ("post", "/api/auth/refresh"),
    ("post", "/api/auth/logout"),
    ("post", "/api/auth/password-reset"),
    ("post", "/api/auth/password-reset/confirm"),
    ("post", "/api/auth/verify-email"),
    ("post", "/api/auth/verify-email/resend"),
    ("post", "/api/users/me/password"),
}


def test_schemathesis_finds_no_server_error_or_schema_mismatch(app: App, tmp_path: Path) -> None:
    if not ST.exists():
        pytest.fail(f"schemathesis is not installed at {ST} (dev group)")
    if app.headers:
        paths = httpx.get(f"{app.url}/api/openapi.json", timeout=30).json()["paths"]
        documented = {(method, path.rstrip("/")) for path, item in paths.items() for method in item}
        missing_operations = sorted(ACCOUNT_OPERATIONS - documented)
        assert not missing_operations, f"the document lacks {missing_operations}, so no fuzzing"
    result = subprocess.run(
        [
            str(ST),
            "run",
            f"{app.url}/api/openapi.json",
            "--checks",
            "not_a_server_error,status_code_conformance,response_schema_conformance",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--seed",
            str(SEED),
            "--workers",
            "1",
            "--request-timeout",
            "10",
            "--generation-database",
            "none",
            "--no-color",
            "--output-truncate",
            "false",
            *(f"--header={name}: {value}" for name, value in app.headers.items()),
            *(AUTH_WARNINGS if app.headers else ()),
        ],
        cwd=tmp_path,
        env=clean_env(NO_COLOR="1"),
        capture_output=True,
        text=True,
        timeout=240 + 2 * MAX_EXAMPLES,
        check=False,
    )
    output = result.stdout + result.stderr
    failures = output[output.find("FAILURES") :] if "FAILURES" in output else output[-6000:]
    assert result.returncode == 0 and "FAILURES" not in output, (
        f"schemathesis on {app.stack} ({app.database}) found problems; each is also a "
        f"regression below once understood:\n{failures[:12000]}\n"
        f"--- server errors ---\n{_server_log(app)}"
    )


# --- regressions: what the fuzzer found, as plain requests --------------------------------


@dataclass(frozen=True)
class Case:
    """One request the fuzzer found a 5xx with: now a 4xx JSON error, naming `field` if set."""

    id: str
    method: str
    path: str
    body: bytes | None = None
    field: str | None = None


def _json_body(value: dict[str, Any]) -> bytes:
    return json.dumps(value).encode()


BIG = "99999999999999999999999"  # beyond any integer column
REGRESSIONS = [
    # Flask: OverflowError (SQLite) / NumericValueOutOfRange (PostgreSQL) on big ids.
    Case("get-id-beyond-int64", "GET", f"/api/items/{BIG}"),
    Case("put-id-beyond-int64", "PUT", f"/api/items/{BIG}", _json_body({"name": "x"})),
    Case("delete-id-beyond-int64", "DELETE", f"/api/items/{BIG}"),
    Case("get-id-2**63", "GET", "/api/items/9223372036854775808"),
    Case("get-id-2**31", "GET", "/api/items/2147483648"),
    # Flask and Django: an offset beyond 64 bits reaches the database and overflows there.
    Case("list-offset-2**63", "GET", "/api/items?offset=9223372036854775808"),
    Case("list-offset-huge", "GET", "/api/items?offset=113071621372575538440986165248"),
    # FastAPI and Flask on PostgreSQL: a NUL character cannot be stored in a text column (every
    # stack now refuses it on SQLite too, naming the field: docs/contract.md §3).
    Case("post-nul-in-name", "POST", "/api/items", _json_body({"name": "a\x00b"}), "name"),
    Case(
        "post-nul-in-description",
        "POST",
        "/api/items",
        _json_body({"name": "ok", "description": "a\x00b"}),
        "description",
    ),
    # FastAPI and Flask: a lone UTF-16 surrogate (valid JSON, not encodable as UTF-8).
    Case("post-lone-surrogate-name", "POST", "/api/items", b'{"name": "\\ud800"}', "name"),
    Case(
        "post-lone-surrogate-description",
        "POST",
        "/api/items",
        b'{"name": "ok", "description": "\\udfff"}',
        "description",
    ),
    # FastAPI: the 422 handler echoes the input, and 1e999 is infinity, which JSON cannot hold.
    # Refused as a body no JSON client sends, before any field is read.
    Case("post-infinite-number-as-name", "POST", "/api/items", b'{"name": 1e999}'),
]


@pytest.mark.parametrize("case", REGRESSIONS, ids=[case.id for case in REGRESSIONS])
def test_fuzz_regression(app: App, case: Case) -> None:
    # A fresh connection per request: a server that crashed on the previous one may have
    # closed a kept-alive connection.
    with httpx.Client(base_url=app.url, timeout=15, headers=app.headers) as client:
        response = client.request(
            case.method,
            case.path,
            content=case.body,
            headers={
                **app.headers,
                **({"content-type": "application/json"} if case.body is not None else {}),
            },
        )
    request = f"{case.method} {case.path}" + (f" {case.body!r}" if case.body else "")
    shown = f"{response.status_code} {response.headers.get('content-type')} {response.text[:300]!r}"
    assert response.status_code < 500, (
        f"{app.stack} ({app.database}): {request} -> {shown}\n"
        f"--- server errors ---\n{_server_log(app)}"
    )
    assert 400 <= response.status_code < 500, f"{request} -> {shown}"
    assert "json" in response.headers.get("content-type", ""), (
        f"{request}: a 4xx answer is JSON -> {shown}"
    )
    if case.field is not None:
        assert case.field in response.text, f"{request}: the error names {case.field!r}: {shown}"
