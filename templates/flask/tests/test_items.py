import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient


def create_item(client: FlaskClient, name: str, description: str | None = None) -> dict[str, Any]:
    body = {"name": name} if description is None else {"name": name, "description": description}
    response = client.post("/api/items", json=body)
    assert response.status_code == 201, response.get_json()
    item: dict[str, Any] = response.get_json()
    return item


def test_create_and_get(client: FlaskClient) -> None:
    created = create_item(client, "  Widget  ", "A thing")

    assert set(created) == {"id", "name", "description", "created_at"}
    assert created["name"] == "Widget"
    assert created["description"] == "A thing"
    assert created["created_at"].endswith("+00:00")

    response = client.get(f"/api/items/{created['id']}")
    assert response.status_code == 200
    assert response.get_json() == created


def test_description_defaults_to_empty(client: FlaskClient) -> None:
    assert create_item(client, "Widget")["description"] == ""


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 101},
        {"name": None},
        {"name": 42},
        {"name": "ok", "description": "x" * 2001},
        {"name": "ok", "description": None},
        # Found by fuzzing: text a database cannot store was a 500.
        {"name": "nul\x00byte"},
        {"name": "ok", "description": "nul\x00byte"},
        {"name": "\ud800"},
        {"name": "ok", "description": "\udfff"},
    ],
)
def test_create_rejects_invalid_fields(client: FlaskClient, body: dict[str, Any]) -> None:
    response = client.post("/api/items", json=body)

    assert response.status_code == 422
    bad_field = "description" if "description" in body else "name"
    assert set(response.get_json()["errors"]["json"]) == {bad_field}


def test_create_accepts_limits(client: FlaskClient) -> None:
    item = create_item(client, "x" * 100, "y" * 2000)

    assert len(item["name"]) == 100
    assert len(item["description"]) == 2000


def test_unknown_fields_are_rejected(client: FlaskClient) -> None:
    response = client.post("/api/items", json={"name": "ok", "id": 7, "owner": "me"})

    assert response.status_code == 422
    assert set(response.get_json()["errors"]["json"]) == {"id", "owner"}
    assert client.get("/api/items").get_json() == []


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ('{"name": ', "application/json"),
        ("not json at all", "application/json"),
        ('{"name": "ok"}', "text/plain"),
        ("name=ok", "application/x-www-form-urlencoded"),
        ("[1, 2]", "application/json"),
        ("", "application/json"),
    ],
)
def test_malformed_or_non_json_bodies_get_a_json_4xx(
    client: FlaskClient, data: str, content_type: str
) -> None:
    response = client.post("/api/items", data=data, content_type=content_type)

    assert 400 <= response.status_code < 500
    assert response.is_json
    assert client.get("/api/items").get_json() == []


def test_list_is_newest_first(client: FlaskClient) -> None:
    names = [create_item(client, f"item {n}")["name"] for n in range(3)]

    response = client.get("/api/items")

    assert response.status_code == 200
    assert [item["name"] for item in response.get_json()] == names[::-1]


def test_list_paginates(client: FlaskClient) -> None:
    for n in range(5):
        create_item(client, f"item {n}")

    page = client.get("/api/items?limit=2&offset=1").get_json()

    assert [item["name"] for item in page] == ["item 3", "item 2"]
    assert client.get("/api/items?offset=5").get_json() == []


def test_list_limit_defaults_to_50(client: FlaskClient) -> None:
    for n in range(51):
        client.post("/api/items", json={"name": f"item {n}"})

    assert len(client.get("/api/items").get_json()) == 50
    assert len(client.get("/api/items?limit=100").get_json()) == 51


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=abc", "limit"),
        ("offset=-1", "offset"),
        ("offset=x", "offset"),
        (f"offset={2**63}", "offset"),
    ],
)
def test_list_rejects_bad_pagination(client: FlaskClient, query: str, field: str) -> None:
    response = client.get(f"/api/items?{query}")

    assert response.status_code == 422
    assert set(response.get_json()["errors"]["query"]) == {field}


def test_put_replaces_the_item(client: FlaskClient) -> None:
    item = create_item(client, "Old", "old description")

    response = client.put(f"/api/items/{item['id']}", json={"name": " New "})

    assert response.status_code == 200
    updated = response.get_json()
    assert updated == {**item, "name": "New", "description": ""}
    assert client.get(f"/api/items/{item['id']}").get_json() == updated


def test_put_validates(client: FlaskClient) -> None:
    item = create_item(client, "Old")

    response = client.put(f"/api/items/{item['id']}", json={"description": "no name"})

    assert response.status_code == 422
    assert set(response.get_json()["errors"]["json"]) == {"name"}


def test_delete(client: FlaskClient) -> None:
    item = create_item(client, "Doomed")

    response = client.delete(f"/api/items/{item['id']}")

    assert response.status_code == 204
    assert response.data == b""
    assert client.get(f"/api/items/{item['id']}").status_code == 404


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize("item_id", ["999999", str(2**31), "99999999999999999999999"])
def test_missing_item_is_a_json_404(client: FlaskClient, method: str, item_id: str) -> None:
    response = client.open(f"/api/items/{item_id}", method=method, json={"name": "x"})

    assert response.status_code == 404
    assert response.is_json


@pytest.mark.parametrize("path", ["/api/items", "/api/items/"])
def test_both_collection_paths_work_without_redirect(client: FlaskClient, path: str) -> None:
    created = client.post(path, json={"name": "slash"})
    listed = client.get(path)

    assert created.status_code == 201
    assert listed.status_code == 200
    assert [item["name"] for item in listed.get_json()] == ["slash"]


def test_item_path_with_trailing_slash(client: FlaskClient) -> None:
    item = create_item(client, "Widget")

    assert client.get(f"/api/items/{item['id']}/").status_code == 200
    assert client.put(f"/api/items/{item['id']}/", json={"name": "W"}).status_code == 200
    assert client.delete(f"/api/items/{item['id']}/").status_code == 204


def test_errors_are_json_not_html(client: FlaskClient) -> None:
    not_found = client.get("/api/nothing-here")
    not_allowed = client.patch("/api/items", json={})

    assert not_found.status_code == 404
    assert not_allowed.status_code == 405
    for response in (not_found, not_allowed):
        assert response.is_json
        assert b"<html" not in response.data.lower()


@pytest.mark.parametrize(
    ("data", "content_type"),
    [('{"name": ', "application/json"), ("[1, 2]", "application/json"), ("x", "text/plain")],
)
def test_put_malformed_body_is_a_json_4xx(
    client: FlaskClient, data: str, content_type: str
) -> None:
    item = create_item(client, "Widget")
    url = f"/api/items/{item['id']}"

    response = client.put(url, data=data, content_type=content_type)

    assert response.status_code in {400, 422}
    assert response.is_json
    assert client.get(url).get_json() == item


def test_put_rejects_unknown_fields(client: FlaskClient) -> None:
    item = create_item(client, "Widget")
    url = f"/api/items/{item['id']}"

    response = client.put(url, json={"name": "Gadget", "id": 999, "owner": "me"})

    assert response.status_code == 422
    assert set(response.get_json()["errors"]["json"]) == {"id", "owner"}
    assert client.get(url).get_json() == item


def test_put_after_delete_is_a_404_and_does_not_recreate(client: FlaskClient) -> None:
    item = create_item(client, "Widget")
    url = f"/api/items/{item['id']}"
    assert client.delete(url).status_code == 204

    response = client.put(url, json={"name": "Back from the dead"})

    assert response.status_code == 404
    assert response.is_json
    assert client.get(url).status_code == 404
    assert client.get("/api/items").get_json() == []


def test_concurrent_put_and_delete_never_fail_or_resurrect(app: Flask, client: FlaskClient) -> None:
    # Real threads, each with its own app context, session and database connection, as
    # gunicorn workers have; the database decides who wins.
    def send(method: str, url: str, start: threading.Barrier) -> int:
        own_client = app.test_client()
        own_client.environ_base.update(client.environ_base)  # the same user, if any
        start.wait()
        return own_client.open(url, method=method, json={"name": f"by {method}"}).status_code

    for _ in range(10):
        url = f"/api/items/{create_item(client, 'contended')['id']}"
        start = threading.Barrier(3)
        with ThreadPoolExecutor(max_workers=3) as pool:
            answers = list(pool.map(send, ["PUT", "DELETE", "PUT"], [url] * 3, [start] * 3))

        put_a, deleted, put_b = answers
        assert deleted == 204, answers
        assert {put_a, put_b} <= {200, 404}, answers
        assert client.get(url).status_code == 404, f"resurrected: {answers}"
