"""docs/contract.md §3 as black-box HTTP checks, the same for every stack.

`check_contract(base_url)` drives a running app from an empty database and raises an
AssertionError that names the broken promise.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

import httpx
from contract_auth import session_headers

ITEM_KEYS = {"id", "name", "description", "created_at"}
OWNED_ITEM_KEYS = ITEM_KEYS | {"owner_id"}  # with the `auth` question on (CONTRACT 3a)
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


def _item(body: object, what: str, owner: int | None) -> dict[str, object]:
    """An item's body. `owner`: with `auth` on, the caller's user id, which the item must
    carry as `owner_id` (CONTRACT 3a); with it off (None), the item has no `owner_id`."""
    keys = ITEM_KEYS if owner is None else OWNED_ITEM_KEYS
    assert isinstance(body, dict) and set(body) == keys, (
        f"{what}: not an item with exactly {sorted(keys)}: {body!r}"
    )
    assert isinstance(body["id"], int), f"{what}: id is not an integer: {body!r}"
    created = str(body["created_at"])
    datetime.fromisoformat(created.replace("Z", "+00:00"))
    if owner is not None:
        assert body["owner_id"] == owner and type(body["owner_id"]) is int, (
            f"{what}: owner_id is not the caller's user id {owner}: {body!r}"
        )
    return body


def caller_id(client: httpx.Client) -> int | None:
    """The logged-in caller's user id (GET /api/users/me) when the client sends a token,
    which it does when the app has `auth` on (`session_headers`); None otherwise."""
    if "authorization" not in client.headers:
        return None
    me = client.get("/api/users/me")
    _status(me, 200, "GET /api/users/me as the user the contract checks run as")
    body = _json(me, "GET /api/users/me")
    assert isinstance(body, dict) and type(body.get("id")) is int, f"me: {me.text[:200]!r}"
    user_id: int = body["id"]
    return user_id


def check_health(client: httpx.Client, up: bool = True) -> None:
    response = client.get("/health")
    if up:
        _status(response, 200, "GET /health")
        assert _json(response, "GET /health") == {"status": "ok", "database": "ok"}
    else:
        _status(response, 503, "GET /health with the database down")
        assert _json(response, "GET /health (down)") == {"status": "error", "database": "error"}


INDEX = {"docs": "/api/docs", "openapi": "/api/openapi.json", "health": "/health"}


def check_index(client: httpx.Client) -> None:
    """`GET /` is a small JSON index of where to go, public even with `auth` on, and in the
    OpenAPI document with its body's schema."""
    response = httpx.get(str(client.base_url.join("/")), timeout=30)  # no session: public
    _status(response, 200, "GET / without credentials")
    assert _json(response, "GET /") == INDEX, f"GET / is the index: {response.text[:300]!r}"
    document = _json(client.get("/api/openapi.json"), "GET /api/openapi.json")
    assert isinstance(document, dict), "an OpenAPI document"
    operation = document["paths"].get("/", {}).get("get")
    assert operation, f"GET / is not in the OpenAPI document: {sorted(document['paths'])}"
    answer = operation["responses"].get("200", {})
    assert "schema" in answer.get("content", {}).get("application/json", {}), (
        f"GET /'s 200 declares no JSON schema: {answer!r}"
    )
    # Many at once, across the web line's workers, some with hostile query strings (NUL, a
    # huge number, lookalike Unicode, a long value; within gunicorn's 4094-byte request line):
    # the same index every time, never a 5xx.
    queries = ["", "?x=%00", f"?n={'9' * 1000}", "?\uff41=\u017f", f"?q={'a' * 3000}"]

    def fetch(number: int) -> httpx.Response:
        url = str(client.base_url.join("/")) + queries[number % len(queries)]
        return httpx.get(url, timeout=30)

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(fetch, range(32)))
    for parallel in answers:
        _status(parallel, 200, f"GET {parallel.request.url.raw_path[:60]!r} among 32 at once")
        assert parallel.json() == INDEX


def check_items(client: httpx.Client, owner: int | None = None) -> None:
    """Section 3's items; `owner` as in `_item`: every item body, listed or not, names it."""
    listed = client.get("/api/items")
    if listed.status_code in REDIRECT:  # a redirect is acceptable for GET only
        listed = client.get(listed.headers["location"])
    _status(listed, 200, "GET /api/items")
    assert _json(listed, "GET /api/items") == [], "a fresh database lists items"

    created = client.post("/api/items", json={"name": "  first  ", "description": "one"})
    _status(created, 201, "POST /api/items")
    first = _item(_json(created, "POST /api/items"), "POST /api/items", owner)
    assert first["name"] == "first", f"name is trimmed: {first!r}"
    slash = client.post("/api/items/", json={"name": "second"})
    _status(slash, 201, "POST /api/items/ (trailing slash, no redirect)")
    second = _item(slash.json(), "POST /api/items/", owner)
    assert second["description"] == "", "description defaults to an empty string"
    # owner_id is read-only: a body naming another owner is ignored or refused, never obeyed.
    someone_else = 987654321 if owner is None else owner + 1
    unknown = client.post(
        "/api/items", json={"name": "third", "owner": "mallory", "owner_id": someone_else}
    )
    if unknown.status_code == 201:
        assert "owner" not in unknown.json(), "unknown fields are never stored"
        third = _item(unknown.json(), "POST with an unknown field and an owner_id", owner)
    else:
        _error(unknown, "POST with an unknown field and an owner_id")
        third = _item(client.post("/api/items", json={"name": "third"}).json(), "POST", owner)

    listing = client.get("/api/items", follow_redirects=True).json()
    items = [_item(item, "an item of GET /api/items", owner) for item in listing]
    names = [item["name"] for item in items]
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
    assert _item(got.json(), "GET item", owner) == first
    replaced = client.put(item_url, json={"name": "renamed"})
    _status(replaced, 200, f"PUT {item_url}")
    _item(replaced.json(), f"PUT {item_url}", owner)
    assert replaced.json()["name"] == "renamed" and replaced.json()["description"] == "", (
        f"PUT is a full replace: {replaced.json()!r}"
    )
    _status(client.put(item_url + "/", json={"name": "again"}), 200, "PUT with a trailing slash")
    _error(client.put(item_url, json={"name": ""}), "PUT with an empty name", "name")
    check_put_bodies(client, item_url, owner)
    missing = "/api/items/987654321"
    for method in ("GET", "PUT", "DELETE"):
        response = client.request(method, missing, json={"name": "x"} if method == "PUT" else None)
        _status(response, 404, f"{method} {missing}")
        _json(response, f"{method} {missing}")
    deleted = client.delete(item_url)
    _status(deleted, 204, f"DELETE {item_url}")
    assert deleted.content == b"", "DELETE answers with an empty body"
    _status(client.delete(item_url), 404, f"DELETE {item_url} twice")
    gone = client.put(item_url, json={"name": "back from the dead"})
    _status(gone, 404, f"PUT {item_url} after its DELETE")
    _json(gone, f"PUT {item_url} after its DELETE")
    _status(client.get(item_url), 404, f"GET {item_url} after a PUT on the deleted item")
    _status(client.delete(f"/api/items/{second['id']}/"), 204, "DELETE with a trailing slash")
    client.delete(f"/api/items/{third['id']}")


def check_put_bodies(client: httpx.Client, item_url: str, owner: int | None = None) -> None:
    """PUT with a malformed body or unknown fields: a JSON 4xx or the fields ignored, and the
    item never changed by what was refused; its owner (`_item`) never changed at all."""
    before = client.get(item_url).json()
    malformed = client.put(
        item_url, content=b'{"name": ', headers={"content-type": "application/json"}
    )
    _status(malformed, {400, 422}, f"PUT {item_url} malformed JSON")
    _json(malformed, f"PUT {item_url} malformed JSON")
    not_object = client.put(item_url, json=["a"])
    _status(not_object, {400, 422}, f"PUT {item_url} a JSON array")
    _json(not_object, f"PUT {item_url} a JSON array")
    assert client.get(item_url).json() == before, "a refused PUT leaves the item unchanged"

    unknown = client.put(
        item_url,
        json={"name": before["name"], "id": 987654321, "created_at": "2000-01-01T00:00:00Z",
              "owner": "mallory", "owner_id": 987654321 if owner is None else owner + 1},
    )  # fmt: skip
    if unknown.status_code == 200:
        assert _item(unknown.json(), f"PUT {item_url}", owner) == {**before, "description": ""}, (
            f"PUT ignores unknown and read-only fields: {unknown.json()!r}"
        )
    else:
        _error(unknown, f"PUT {item_url} with unknown fields")
        assert client.get(item_url).json() == before, "a refused PUT leaves the item unchanged"
    _item(client.get(item_url).json(), f"GET {item_url} after PUTs naming another owner", owner)
    _status(client.get("/api/items/987654321"), 404, "PUT never moves an item to another id")


def _race(clients: list[httpx.Client], url: str) -> dict[str, httpx.Response]:
    """PUT, DELETE and PUT on `url`, released at the same instant, one client each."""
    import threading

    start = threading.Barrier(len(clients))
    answers: dict[str, httpx.Response] = {}

    def send(label: str, client: httpx.Client) -> None:
        method = label.split()[0]
        start.wait()
        body = {"name": f"by {label}"} if method == "PUT" else None
        answers[label] = client.request(method, url, json=body)

    labels = ("PUT a", "DELETE", "PUT b")
    threads = [
        threading.Thread(target=send, args=pair) for pair in zip(labels, clients, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def check_concurrent_writes(base_url: str, rounds: int = 40) -> None:
    """PUT, DELETE and PUT on one item at the same instant, on separate connections: never a
    5xx, each PUT 200 or 404, and the deleted item stays deleted."""
    headers = session_headers(base_url)
    clients = [httpx.Client(base_url=base_url, timeout=30, headers=headers) for _ in range(3)]
    try:
        for _ in range(rounds):
            created = clients[0].post("/api/items", json={"name": "contended"})
            _status(created, 201, "POST /api/items")
            url = f"/api/items/{created.json()['id']}"
            answers = _race(clients, url)
            shown = {label: response.status_code for label, response in answers.items()}
            assert len(answers) == 3, f"a request did not complete: {shown}"
            _status(answers["DELETE"], 204, f"DELETE {url} racing two PUTs {shown}")
            for label in ("PUT a", "PUT b"):
                _status(answers[label], {200, 404}, f"{label} {url} racing a DELETE {shown}")
                if answers[label].status_code == 404:
                    _json(answers[label], f"{label} {url} racing a DELETE")
            _status(clients[0].get(url), 404, f"GET {url} after its DELETE won {shown}")
    finally:
        for client in clients:
            client.close()


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with its `$ref`s (to `#/components/...`) followed."""
    while "$ref" in schema:
        node: Any = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def check_item_schema(document: dict[str, Any], member: str, owned: bool) -> None:
    """The item GET /api/items/{id} answers is declared with `owner_id`, a read-only integer,
    when `auth` is on (`owned`), and without it otherwise."""
    answer = document["paths"][member]["get"]["responses"]["200"]
    schema = _resolve(document, answer["content"]["application/json"]["schema"])
    properties = {name: _resolve(document, value) for name, value in schema["properties"].items()}
    assert set(properties) >= ITEM_KEYS, f"the item's schema declares {sorted(properties)}"
    if not owned:
        assert "owner_id" not in properties, f"owner_id declared without auth: {schema!r}"
        return
    owner_id = properties.get("owner_id", {})
    assert owner_id.get("type") == "integer" and owner_id.get("readOnly") is True, (
        f"owner_id is not declared a read-only integer: {owner_id!r}"
    )
    assert not owner_id.get("nullable"), f"owner_id is declared nullable: {owner_id!r}"


def check_openapi(client: httpx.Client, owned: bool = False) -> None:
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
    check_item_schema(document, next(p for p in member if "get" in paths[p]), owned)
    # Every status an operation can answer is in the document, errors included.
    for path in [*collection, *member, "/health"]:
        for method, operation in paths[path].items():
            if method not in {"get", "post", "put", "delete"}:
                continue  # path-level "parameters", "summary"...
            codes = set(operation["responses"])
            what = f"{method.upper()} {path} documents only {sorted(codes)}"
            if path == "/health":
                assert {"200", "503"} <= codes, what
                continue
            if path in member:
                assert "404" in codes, what
            if method in {"post", "put"} or (method == "get" and path in collection):
                assert codes & {"400", "422"}, f"{what}: no validation error"
    # Any body can be too large (hardening): every operation that takes one says so.
    for path, operations in paths.items():
        for method, operation in operations.items():
            if isinstance(operation, dict) and "requestBody" in operation:
                codes = set(operation["responses"])
                assert "413" in codes, f"{method.upper()} {path} documents only {sorted(codes)}"


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
    with httpx.Client(base_url=base_url, timeout=30, headers=headers) as client:
        owner = caller_id(client)
        check_health(client)
        check_index(client)
        check_items(client, owner)
        check_openapi(client, owned=owner is not None)
        docs_assets(client)
        check_hosts(client)
