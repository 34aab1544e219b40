"""docs/contract.md §3a (users and authentication) as black-box HTTP checks, the same for every
stack: `check_auth(base_url, secret_key)` drives a running app with `auth` on, from an empty
database, and raises an AssertionError that names the broken promise.

The secret key is the app's own, to forge the tokens a client could hold: an expired one, and
one signed with another key (HS256 is signed here by hand, to need no JWT library).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid

import httpx

USER_KEYS = {"id", "email", "created_at"}
PASSWORD = "correct horse battery staple"
MAX_FAILURES = 10


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(token: str) -> dict[str, object]:
    payload = token.split(".")[1]
    claims: dict[str, object] = json.loads(base64.urlsafe_b64decode(payload + "=" * 4))
    return claims


def sign_hs256(claims: dict[str, object], key: str) -> str:
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = _b64(json.dumps(claims).encode())
    signature = hmac.new(key.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{_b64(signature)}"


def _status(response: httpx.Response, expected: set[int] | int, what: str) -> None:
    allowed = {expected} if isinstance(expected, int) else expected
    assert response.status_code in allowed, (
        f"{what}: expected {sorted(allowed)}, got {response.status_code}: {response.text[:300]!r}"
    )


def _unauthorized(response: httpx.Response, what: str) -> None:
    _status(response, 401, what)
    challenge = response.headers.get("WWW-Authenticate", "")
    assert challenge.startswith("Bearer"), f"{what}: WWW-Authenticate is {challenge!r}"
    assert "json" in response.headers.get("content-type", ""), f"{what}: not a JSON body"


def register(client: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    return client.post("/api/auth/register", json={"email": email, "password": password})


def log_in(client: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    # A new connection each time, so gunicorn spreads the attempts over its workers.
    with httpx.Client(base_url=str(client.base_url), timeout=30) as fresh:
        return fresh.post("/api/auth/token", data={"username": email, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def check_registration(client: httpx.Client, email: str) -> None:
    created = register(client, email.upper())
    _status(created, 201, "POST /api/auth/register")
    body = created.json()
    assert set(body) == USER_KEYS, f"register: not a user: {body!r}"
    assert body["email"] == email, f"register: the email is not lower-cased: {body!r}"
    assert PASSWORD not in created.text, "register: the password came back"
    _status(register(client, email), 409, "register an email again in another case")
    for bad_email, bad_password, what in [
        ("not-an-email", PASSWORD, "an invalid email"),
        (f"x{email}", "short7!", "a password under 8 characters"),
        (f"y{email}", "x" * 129, "a password over 128 characters"),
        (f"z{email}", "1234567890", "an all-digits password"),
    ]:
        _status(register(client, bad_email, bad_password), {400, 422}, f"register {what}")


def check_login(client: httpx.Client, email: str) -> str:
    response = log_in(client, email)
    _status(response, 200, "POST /api/auth/token")
    body = response.json()
    # With CONTRACT 3b's refresh token beside the access token.
    keys = {"access_token", "token_type", "expires_in", "refresh_token", "refresh_expires_in"}
    assert set(body) == keys, f"token: {sorted(body)!r}"
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600, f"token: {body!r}"
    wrong = log_in(client, email, "not the password")
    unknown = log_in(client, f"nobody-{email}")
    _status(wrong, 401, "log in with a wrong password")
    _status(unknown, 401, "log in with an unknown email")
    assert wrong.json() == unknown.json(), "a wrong password and an unknown email differ"
    token: str = body["access_token"]
    return token


def check_tokens(client: httpx.Client, token: str, secret_key: str) -> None:
    me = client.get("/api/users/me", headers=bearer(token))
    _status(me, 200, "GET /api/users/me")
    # `me` also says whether the email is verified (CONTRACT 3b).
    assert set(me.json()) == USER_KEYS | {"email_verified"}, f"me: {me.json()!r}"
    claims = _claims(token)
    assert str(claims["sub"]) == str(me.json()["id"]), f"sub is not the user id: {claims!r}"
    _unauthorized(client.get("/api/users/me"), "GET /api/users/me without a token")
    expired = sign_hs256({**claims, "exp": int(time.time()) - 60}, secret_key)
    _unauthorized(client.get("/api/users/me", headers=bearer(expired)), "an expired token")
    forged = sign_hs256(claims, secret_key + "-but-another-key")
    _unauthorized(client.get("/api/users/me", headers=bearer(forged)), "another key's token")
    _unauthorized(client.get("/api/users/me", headers=bearer("not.a.token")), "a garbage token")


def check_owned_items(client: httpx.Client, token: str, other_token: str) -> None:
    for method, path in [
        ("GET", "/api/items"),
        ("POST", "/api/items"),
        ("GET", "/api/items/1"),
        ("PUT", "/api/items/1"),
        ("DELETE", "/api/items/1"),
    ]:
        body = {"name": "Widget"} if method in {"POST", "PUT"} else None
        _unauthorized(client.request(method, path, json=body), f"{method} {path} without a token")
    mine = client.post("/api/items", json={"name": "mine"}, headers=bearer(token))
    _status(mine, 201, "POST /api/items with a token")
    url = f"/api/items/{mine.json()['id']}"
    theirs = bearer(other_token)
    assert client.get("/api/items", headers=theirs).json() == [], "another user lists my item"
    _status(client.get(url, headers=theirs), 404, "GET another user's item")
    _status(client.put(url, json={"name": "x"}, headers=theirs), 404, "PUT another user's item")
    _status(client.delete(url, headers=theirs), 404, "DELETE another user's item")
    _status(client.get(url, headers=bearer(token)), 200, "GET my own item")
    _status(client.delete(url, headers=bearer(token)), 204, "DELETE my own item")


def check_throttling(client: httpx.Client, email: str) -> None:
    _status(log_in(client, email), 200, "a login, which clears earlier failures")
    for attempt in range(MAX_FAILURES):
        _status(log_in(client, email, "wrong password"), 401, f"failed login {attempt + 1}")
    blocked = log_in(client, email)
    _status(blocked, 429, f"a login after {MAX_FAILURES} failures")
    retry_after = int(blocked.headers.get("Retry-After", "0"))
    assert 0 < retry_after <= 15 * 60, f"Retry-After is {retry_after}"


def check_public_and_documented(client: httpx.Client) -> None:
    _status(client.get("/health"), 200, "GET /health without a token")
    _status(client.get("/api/docs"), 200, "GET /api/docs without a token")
    document = client.get("/api/openapi.json")
    _status(document, 200, "GET /api/openapi.json without a token")
    schemes = document.json()["components"]["securitySchemes"].values()
    flows = [scheme["flows"]["password"] for scheme in schemes if scheme["type"] == "oauth2"]
    assert flows and flows[0]["tokenUrl"] == "/api/auth/token", f"no password flow: {schemes}"


def check_auth(base_url: str, secret_key: str) -> None:
    run = uuid.uuid4().hex[:8]
    with httpx.Client(base_url=base_url, timeout=30) as client:
        check_public_and_documented(client)
        email, other = f"alice-{run}@example.com", f"bob-{run}@example.com"
        check_registration(client, email)
        _status(register(client, other), 201, "register a second user")
        token = check_login(client, email)
        check_tokens(client, token, secret_key)
        check_owned_items(client, token, check_login(client, other))
        check_throttling(client, email)


def session_headers(base_url: str) -> dict[str, str]:
    """With `auth` on, section 3 holds for a logged-in user: register one and return its
    `Authorization` header. With `auth` off (no /api/auth/token in the document), none."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        paths = client.get("/api/openapi.json").json().get("paths", {})
        if "/api/auth/token" not in paths:
            return {}
        email = f"contract-{uuid.uuid4().hex[:12]}@example.com"
        _status(register(client, email), 201, "register the user the contract checks run as")
        response = log_in(client, email)
        _status(response, 200, "log in as the user the contract checks run as")
        return bearer(response.json()["access_token"])
