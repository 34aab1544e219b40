"""CONTRACT.md §3 as black-box HTTP checks, the same for every stack.

`check_contract(base_url)` drives a running app from an empty database and raises an
AssertionError that names the broken promise.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urljoin

import httpx
from contract_auth import session_headers

ITEM_KEYS = {"id", "name", "description", "created_at"}
REDIRECT = {301, 302, 303, 307, 308}


def _json(response: httpx.Response, what: str) -> object:
    assert "json" in response.headers.get("content-type", ""), (
        f"{what}: expected a JSON body, got {response.headers.get('content-type')!r}: "
        f"{response.text[:200]!r}"
    )
    return response.json()


def _status(response: httpx.Response, expected: set[int] | int, what: str) -> None:
    allowed = {expected} if isinstance(expected, int) else expected
    assert response.status_code in allowed, (
        f"{what}: expected {sorted(allowed)}, got {response.status_code}: {response.text[:300]!r}"
    )


def _error(response: httpx.Response, what: str, field: str | None = None) -> None:
    _status(response, {400, 422}, what)
    body = _json(response, what)
    if field is not None:
        assert field in str(body), f"{what}: the error body does not name {field!r}: {body!r}"


def _item(body: object, what: str) -> dict[str, object]:
    assert isinstance(body, dict) and set(body) == ITEM_KEYS, f"{what}: not an item: {body!r}"
    assert isinstance(body["id"], int), f"{what}: id is not an integer: {body!r}"
    created = str(body["created_at"])
    datetime.fromisoformat(created.replace("Z", "+00:00"))
    return body


def check_health(client: httpx.Client, up: bool = True) -> None:
    response = client.get("/health")
    if up:
        _status(response, 200, "GET /health")
        assert _json(response, "GET /health") == {"status": "ok", "database": "ok"}
    else:
        _status(response, 503, "GET /health with the database down")
        assert _json(response, "GET /health (down)") == {"status": "error", "database": "error"}


def check_items(client: httpx.Client) -> None:
    listed = client.get("/api/items")
    if listed.status_code in REDIRECT:  # a redirect is acceptable for GET only
        listed = client.get(listed.headers["location"])
    _status(listed, 200, "GET /api/items")
    assert _json(listed, "GET /api/items") == [], "a fresh database lists items"

    created = client.post("/api/items", json={"name": "  first  ", "description": "one"})
    _status(created, 201, "POST /api/items")
    first = _item(_json(created, "POST /api/items"), "POST /api/items")
    assert first["name"] == "first", f"name is trimmed: {first!r}"
    slash = client.post("/api/items/", json={"name": "second"})
    _status(slash, 201, "POST /api/items/ (trailing slash, no redirect)")
    second = _item(slash.json(), "POST /api/items/")
    assert second["description"] == "", "description defaults to an empty string"
    unknown = client.post("/api/items", json={"name": "third", "owner": "mallory"})
    if unknown.status_code == 201:
        assert "owner" not in unknown.json(), "unknown fields are never stored"
        third = unknown.json()
    else:
        _error(unknown, "POST with an unknown field")
        third = _item(client.post("/api/items", json={"name": "third"}).json(), "POST")

    names = [item["name"] for item in client.get("/api/items", follow_redirects=True).json()]
    assert names == ["third", "second", "first"], f"newest first: {names}"
    page = client.get("/api/items", params={"limit": 1, "offset": 1}, follow_redirects=True)
    _status(page, 200, "GET /api/items?limit=1&offset=1")
    assert [item["name"] for item in page.json()] == ["second"], page.text
    assert len(client.get("/api/items/", params={"limit": 2}, follow_redirects=True).json()) == 2
    for params in ({"limit": 0}, {"limit": 101}, {"limit": "abc"}, {"offset": -1}):
        response = client.get("/api/items", params=params, follow_redirects=True)
        _error(response, f"GET /api/items?{params}", next(iter(params)))

    for body, field in (
        ({}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "ok", "description": "d" * 2001}, "description"),
        ({"name": 5}, "name"),
    ):
        _error(client.post("/api/items", json=body), f"POST {str(body)[:40]}", field)
    ok_long = client.post("/api/items", json={"name": "n" * 100, "description": "d" * 2000})
    _status(ok_long, 201, "POST with the longest valid name and description")
    client.delete(f"/api/items/{ok_long.json()['id']}")
    malformed = client.post(
        "/api/items", content=b'{"name": ', headers={"content-type": "application/json"}
    )
    _status(malformed, set(range(400, 500)), "POST malformed JSON")
    _json(malformed, "POST malformed JSON")
    not_json = client.post("/api/items", content=b"name=x", headers={"content-type": "text/plain"})
    _status(not_json, set(range(400, 500)), "POST a text/plain body")
    _json(not_json, "POST a text/plain body")

    item_url = f"/api/items/{first['id']}"
    got = client.get(item_url)
    _status(got, 200, f"GET {item_url}")
    assert _item(got.json(), "GET item") == first
    replaced = client.put(item_url, json={"name": "renamed"})
    _status(replaced, 200, f"PUT {item_url}")
    assert replaced.json()["name"] == "renamed" and replaced.json()["description"] == "", (
        f"PUT is a full replace: {replaced.json()!r}"
    )
    _status(client.put(item_url + "/", json={"name": "again"}), 200, "PUT with a trailing slash")
    _error(client.put(item_url, json={"name": ""}), "PUT with an empty name", "name")
    missing = "/api/items/987654321"
    for method in ("GET", "PUT", "DELETE"):
        response = client.request(method, missing, json={"name": "x"} if method == "PUT" else None)
        _status(response, 404, f"{method} {missing}")
        _json(response, f"{method} {missing}")
    deleted = client.delete(item_url)
    _status(deleted, 204, f"DELETE {item_url}")
    assert deleted.content == b"", "DELETE answers with an empty body"
    _status(client.delete(item_url), 404, f"DELETE {item_url} twice")
    _status(client.delete(f"/api/items/{second['id']}/"), 204, "DELETE with a trailing slash")
    client.delete(f"/api/items/{third['id']}")


def check_openapi(client: httpx.Client) -> None:
    response = client.get("/api/openapi.json")
    _status(response, 200, "GET /api/openapi.json")
    document = _json(response, "GET /api/openapi.json")
    assert isinstance(document, dict) and str(document.get("openapi", "")).startswith("3"), (
        "an OpenAPI 3 document"
    )
    paths = document["paths"]
    collection = [p for p in paths if re.fullmatch(r"/api/items/?", p)]
    member = [p for p in paths if re.fullmatch(r"/api/items/\{[^}]+\}/?", p)]
    assert collection and member and "/health" in paths, f"paths covered: {sorted(paths)}"
    methods = {m for p in collection for m in paths[p]}
    assert {"get", "post"} <= methods, f"/api/items operations: {methods}"
    methods = {m for p in member for m in paths[p]}
    assert {"get", "put", "delete"} <= methods, f"/api/items/{{id}} operations: {methods}"


def docs_assets(client: httpx.Client) -> list[str]:
    """Every script and stylesheet /api/docs loads, checked to come from the app itself."""
    response = client.get("/api/docs", follow_redirects=True)
    _status(response, 200, "GET /api/docs")
    html = response.text
    assert "swagger" in html.lower(), "the docs page is Swagger UI"
    sources = re.findall(r'<script[^>]+src="([^"]+)"', html)
    sources += re.findall(r'<link[^>]+href="([^"]+\.css[^"]*)"', html)
    assert sources, "the docs page loads its scripts from somewhere"
    base = str(response.url)
    for source in sources:
        absolute = urljoin(base, source)
        assert absolute.startswith(str(client.base_url).rstrip("/")), (
            f"/api/docs loads {source} from another host (no CDN allowed)"
        )
        _status(client.get(absolute), 200, f"docs asset {source}")
    return sources


def check_hosts(client: httpx.Client) -> None:
    response = client.get("/health", headers={"host": "evil.example"})
    _status(response, 400, "a Host outside ALLOWED_HOSTS")


def check_contract(base_url: str) -> None:
    # With `auth` on (CONTRACT 3a) the same checks run as a logged-in user.
    headers = session_headers(base_url)
    with httpx.Client(base_url=base_url, timeout=15, headers=headers) as client:
        check_health(client)
        check_items(client)
        check_openapi(client)
        docs_assets(client)
        check_hosts(client)
