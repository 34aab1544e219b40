"""docs/contract.md §3 and §3a's rules against an attacker, as black-box HTTP checks the same for
every stack (issue 26). Each `check_*` drives a running app with `auth` on and raises an
AssertionError naming the broken rule.

Client addresses: the server listens on every loopback address, so a client that binds its end
of the connection to 127.0.0.N is another socket peer, as a second machine would be.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
from contract_auth import PASSWORD, _claims, bearer, register, sign_hs256

NOT_AUTHENTICATED = {"detail": "Not authenticated."}
# Letters that NFKC and case-folding turn into plain ones, or leave alone (the dotless i).
LONG_S, FULLWIDTH_S, DOTLESS_I = "\u017f", "\uff53", "\u0131"
MAX_FAILURES = 10
ACCOUNT_MAX_FAILURES = 100
# The password rules (docs/contract.md §3a) and the message that names each, as Django words it.
PASSWORD_VERDICTS = [
    ("password", "This password is too common."),
    ("8264019375", "This password is entirely numeric."),
    ("short7!", "This password is too short. It must contain at least 8 characters."),
    (" " * 12, "This password is entirely whitespace."),
    ("correct\x00horse battery", "This password contains a control character."),
    ("x" * 64 + "y" * 65, "This password is too long. It must contain at most 128 characters."),
]


def _status(response: httpx.Response, expected: set[int] | int, what: str) -> None:
    allowed = {expected} if isinstance(expected, int) else expected
    assert response.status_code in allowed, (
        f"{what}: expected {sorted(allowed)}, got {response.status_code}: {response.text[:300]!r}"
    )


def _json_error(response: httpx.Response, what: str) -> object:
    assert response.headers.get("content-type", "").startswith("application/json"), (
        f"{what}: {response.status_code} is not JSON: {response.headers.get('content-type')} "
        f"{response.text[:200]!r}"
    )
    body = response.json()
    assert isinstance(body, dict) and "detail" in body, f"{what}: not {{detail}}: {body!r}"
    return body["detail"]


def _client(base_url: str, peer: str = "127.0.0.1") -> httpx.Client:
    """A client whose connections come from `peer`, one new connection per request."""
    transport = httpx.HTTPTransport(local_address=peer)
    return httpx.Client(
        base_url=base_url, timeout=60, transport=transport, headers={"Connection": "close"}
    )


def log_in(
    base_url: str, email: str, password: str, peer: str = "127.0.0.1", **headers: str
) -> httpx.Response:
    with _client(base_url, peer) as client:
        return client.post(
            "/api/auth/token", data={"username": email, "password": password}, headers=headers
        )


def _new_account(base_url: str, name: str) -> str:
    email = f"{name}-{uuid.uuid4().hex[:10]}@example.com"
    with _client(base_url) as client:
        _status(register(client, email), 201, f"register {email}")
    return email


def _lookalike(email: str) -> str:
    """The same address to a careless eye: long s for s, fullwidth letters, upper case."""
    local, domain = email.split("@")
    fullwidth = "".join(chr(ord(char) + 0xFEE0) if char.isalnum() else char for char in local)
    return f"{fullwidth.replace(FULLWIDTH_S, LONG_S)}@{domain.upper()}"


def check_canonical_email(base_url: str) -> None:
    """Rule 1: one canonical form (NFKC, case-folded, trimmed) on every input."""
    run = uuid.uuid4().hex[:10]
    email = f"sam-{run}@example.com"
    with _client(base_url) as client:
        created = register(client, f"  SAM-{run}@Example.COM ")
        _status(created, 201, "register with spaces and capitals")
        assert created.json()["email"] == email, f"not stored canonical: {created.json()!r}"
        for spelling in [_lookalike(email), email.replace("s", LONG_S), email.upper()]:
            _status(register(client, spelling), 409, f"register the lookalike {spelling!r}")
        # NFKC keeps the dotless i, so the address is refused rather than made a second account.
        _status(
            register(client, f"k{DOTLESS_I}m-{run}@example.com"), {400, 422}, "a non-ASCII address"
        )
    _status(log_in(base_url, _lookalike(email), PASSWORD), 200, "log in with a lookalike")
    for attempt in range(MAX_FAILURES):
        spelling = email if attempt % 2 else _lookalike(email)
        _status(log_in(base_url, spelling, "wrong password"), 401, f"failure {attempt + 1}")
    locked = log_in(base_url, email.replace("s", LONG_S), PASSWORD)
    _status(locked, 429, "the right password under another spelling of a locked account")


def check_parallel_guesses(base_url: str, guesses: int = 40) -> None:
    """Rule 2: N parallel wrong passwords get at most MAX_FAILURES evaluated (401s)."""
    email = _new_account(base_url, "parallel")
    with ThreadPoolExecutor(max_workers=guesses) as pool:
        statuses = Counter(
            pool.map(
                lambda _: log_in(base_url, email, "wrong password").status_code, range(guesses)
            )
        )
    assert set(statuses) <= {401, 429}, f"{guesses} parallel guesses: {dict(statuses)}"
    assert 0 < statuses[401] <= MAX_FAILURES, (
        f"{statuses[401]} of {guesses} parallel guesses were evaluated; at most {MAX_FAILURES}"
    )
    # A burst may leave fewer than ten failures recorded (each reservation counts the others'
    # in flight); the ones left to make ten are evaluated, one by one, and then it is locked.
    for attempt in range(MAX_FAILURES - statuses[401]):
        guess = log_in(base_url, email, "wrong password")
        _status(guess, {401, 429}, f"guess {attempt + 1} after the burst")
    _status(log_in(base_url, email, PASSWORD), 429, "the right password after ten failures")


def check_lockout_per_client(base_url: str) -> None:
    """Rule 3: failures count per (account, client address): a guesser locks out only itself,
    and a forwarded address it makes up changes nothing while the proxy is not trusted."""
    email = _new_account(base_url, "victim")
    for attempt in range(MAX_FAILURES):
        forged = {"X-Forwarded-For": f"198.51.100.{attempt}"}
        response = log_in(base_url, email, "wrong password", "127.0.0.2", **forged)
        _status(response, 401, f"attacker failure {attempt + 1}")
    blocked = log_in(base_url, email, PASSWORD, "127.0.0.2", **{"X-Forwarded-For": "192.0.2.7"})
    _status(blocked, 429, "the attacker's address, claiming another forwarded address")
    _status(log_in(base_url, email, PASSWORD), 200, "the owner, from another address")


def check_account_ceiling(base_url: str) -> None:
    """Rule 3: a per-account ceiling bounds guessers spread over many addresses."""
    email = _new_account(base_url, "spread")
    spread = [f"127.0.1.{n + 1}" for n in range(ACCOUNT_MAX_FAILURES // MAX_FAILURES)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = Counter(
            pool.map(
                lambda peer: log_in(base_url, email, "wrong password", peer).status_code,
                [peer for peer in spread for _ in range(MAX_FAILURES)],
            )
        )
    assert set(statuses) <= {401, 429}, f"guesses from {len(spread)} addresses: {statuses}"
    ceiling = log_in(base_url, email, PASSWORD, "127.0.2.1")
    _status(ceiling, 429, f"a new address after {ACCOUNT_MAX_FAILURES} failures from many")


def check_trusted_proxy(base_url: str) -> None:
    """Rule 3 with TRUST_PROXY_HEADERS on: the proxy's X-Forwarded-For names the client."""
    email = _new_account(base_url, "proxied")
    for attempt in range(MAX_FAILURES):
        response = log_in(base_url, email, "wrong", **{"X-Forwarded-For": "203.0.113.9"})
        _status(response, 401, f"failure {attempt + 1} from 203.0.113.9")
    _status(
        log_in(base_url, email, PASSWORD, **{"X-Forwarded-For": "203.0.113.9"}),
        429,
        "the locked forwarded address",
    )
    # The proxy appends the peer it saw: only the last entry counts, whatever a client claims.
    other = {"X-Forwarded-For": "203.0.113.9, 203.0.113.10"}
    _status(log_in(base_url, email, PASSWORD, **other), 200, "another forwarded address")


def check_password_policy(base_url: str) -> None:
    """Rule 4: the same verdicts, and the error names the rule."""
    with _client(base_url) as client:
        for password, message in PASSWORD_VERDICTS:
            email = f"policy-{uuid.uuid4().hex[:10]}@example.com"
            refused = register(client, email, password)
            _status(refused, {400, 422}, f"register with the password {password[:20]!r}")
            assert message in refused.text and "password" in refused.text, (
                f"the refusal of {password[:20]!r} does not say {message!r}: {refused.text!r}"
            )
        email = f"mirror-{uuid.uuid4().hex[:10]}@example.com"
        similar = register(client, email, email.split("@")[0] + "!")
        _status(similar, {400, 422}, "a password like the email")
        assert "too similar to the email address" in similar.text, similar.text


# Bodies no JSON API should choke on (docs/contract.md §3): the field they poison, if any, and
# the answer's `detail` when the body is refused whole, in the one wording every stack shares
# (templates/_shared/json_limits.py.jinja).
HOSTILE_BODIES: list[tuple[str, bytes, str | None, str | None]] = [
    (
        "nesting 100000 deep",
        b'{"name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        None,
        "The JSON body is nested too deeply.",
    ),
    (
        "a 5000-digit number",
        b'{"name": "n", "description": ' + b"9" * 5000 + b"}",
        None,
        "The JSON body holds an integer of 5000 digits; at most 4300 are read.",
    ),
    (
        "a number past float's range",
        b'{"name": "n", "description": 1e999}',
        None,
        "The JSON body holds the number 1e999, past the range of a float.",
    ),
    ("NaN", b'{"name": NaN}', None, "The JSON body holds NaN, which is not a JSON number."),
    (
        "-Infinity",
        b'{"name": "n", "description": -Infinity}',
        None,
        "The JSON body holds -Infinity, which is not a JSON number.",
    ),
    ("bytes not UTF-8", b'{"name": "\xff"}', None, "The JSON body is not UTF-8 text."),
    ("NUL in a name", json.dumps({"name": "a\x00b"}).encode(), "name", None),
    ("a lone surrogate in a name", b'{"name": "a\\ud800b"}', "name", None),
    ("a lone surrogate in a description", b'{"name": "n", "description": "\\udfff"}', None, None),
]
HOSTILE_REGISTRATIONS: list[tuple[str, str, str | None, str | None]] = [
    (
        "NUL in an email",
        json.dumps({"email": "a\x00@example.com", "password": PASSWORD}),
        "email",
        None,
    ),
    (
        "a lone surrogate in a password",
        '{"email": "s@example.com", "password": "\\ud800xxxxxxxx"}',
        "password",
        None,
    ),
    (
        "nesting as the email",
        '{"email": ' + "[" * 50_000 + "]" * 50_000 + "}",
        None,
        "The JSON body is nested too deeply.",
    ),
]


def check_hostile_bodies(base_url: str, headers: dict[str, str]) -> None:
    """Rule 5: a 400/422 JSON error (naming the field where there is one), never a 5xx; a body
    refused whole is a 400 in the same words in every stack."""
    json_type = {"Content-Type": "application/json"}
    with httpx.Client(base_url=base_url, timeout=60) as client:
        cases = [("/api/items", *case) for case in HOSTILE_BODIES]
        cases += [
            ("/api/auth/register", what, body.encode(), field, whole)
            for what, body, field, whole in HOSTILE_REGISTRATIONS
        ]
        for path, what, body, field, whole in cases:
            response = client.post(path, content=body, headers={**headers, **json_type})
            _status(response, {400, 422} if whole is None else 400, f"POST {path} with {what}")
            detail = _json_error(response, f"POST {path} with {what}")
            if field is not None:
                assert field in json.dumps(detail), f"{what}: {detail!r} does not name {field}"
            if whole is not None:
                assert detail == whole, f"{what}: the detail is {detail!r}, not {whole!r}"
        _status(client.get("/health"), 200, "GET /health after the hostile bodies")


def _refused_token(client: httpx.Client, token: str, what: str) -> None:
    response = client.get("/api/users/me", headers=bearer(token))
    _status(response, 401, what)
    assert response.json() == NOT_AUTHENTICATED, f"{what}: the 401 body is {response.json()!r}"
    challenge = response.headers.get("WWW-Authenticate", "")
    assert challenge.startswith("Bearer") and 'error="invalid_token"' in challenge, (
        f"{what}: WWW-Authenticate is {challenge!r}"
    )


def check_tokens(base_url: str, secret_key: str, issuer: str) -> None:
    """Rule 7: no-store, the required claims, and one 401 in every stack."""
    email = _new_account(base_url, "claims")
    response = log_in(base_url, email, PASSWORD)
    _status(response, 200, "log in")
    assert "no-store" in response.headers.get("Cache-Control", ""), (
        f"the token response's Cache-Control is {response.headers.get('Cache-Control')!r}"
    )
    claims = _claims(response.json()["access_token"])
    assert claims.get("iss") == issuer and claims.get("type") == "access", f"claims: {claims}"
    assert {"exp", "iat", "sub"} <= set(claims), f"claims: {claims}"
    now = int(time.time())
    without = {key: value for key, value in claims.items() if key not in {"exp", "iss", "type"}}
    forged = {
        "no exp": {**without, "iss": issuer, "type": "access"},
        "no iss": {**without, "exp": now + 600, "type": "access"},
        "another iss": {**claims, "iss": f"{issuer}-staging"},
        "no type": {**without, "exp": now + 600, "iss": issuer},
        "the refresh type": {**claims, "type": "refresh"},
        "iat an hour ahead": {**claims, "iat": now + 3600},
        "sub 'abc'": {**claims, "sub": "abc"},
        "sub as a number": {**claims, "sub": int(str(claims["sub"]))},
        "sub of no user": {**claims, "sub": "2147483000"},
        "sub past any id": {**claims, "sub": "9" * 40},
    }
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for what, forged_claims in forged.items():
            _refused_token(client, sign_hs256(forged_claims, secret_key), f"a token with {what}")
        _refused_token(client, "not.a.token", "a garbage token")
        anonymous = client.get("/api/users/me")
        _status(anonymous, 401, "no token")
        assert anonymous.json() == NOT_AUTHENTICATED, f"no token: {anonymous.json()!r}"
        assert anonymous.headers.get("WWW-Authenticate") == "Bearer", anonymous.headers
        items = client.get("/api/items")
        assert items.status_code == 401 and items.json() == NOT_AUTHENTICATED, items.text


def check_framework_errors_are_json(base_url: str, headers: dict[str, str]) -> None:
    """Rule 8: the framework's own 400, 404, 405 and 413 under /api/ speak the routes' JSON."""
    with httpx.Client(base_url=base_url, timeout=60, headers=headers) as client:
        for method, path, body, expected in [
            ("GET", "/api/no-such-route", None, 404),
            ("GET", "/api/items/no-such-item/deeper", None, 404),
            ("PATCH", "/health", None, 405),
            ("DELETE", "/api/items", None, 405),
            ("POST", "/api/items", b'{"name": ', 400),
            ("POST", "/api/items", b"\xff\xfe not utf-8", 400),
        ]:
            response = client.request(
                method, path, content=body, headers={"Content-Type": "application/json"}
            )
            what = f"{method} {path}"
            _status(response, {expected, 422} if expected == 400 else expected, what)
            _json_error(response, what)

        def chunked() -> Iterator[bytes]:
            for _ in range(40):
                yield b"x" * (64 * 1024)

        big = client.post(
            "/api/items", content=chunked(), headers={"Content-Type": "application/json"}
        )
        _status(big, 413, "a chunked 2.5 MiB body")
        _json_error(big, "a chunked 2.5 MiB body")
