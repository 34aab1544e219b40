import asyncio
from datetime import datetime
from typing import Any

import pytest
from httpx import AsyncClient

pytestmark = pytest.mark.anyio


async def create(client: AsyncClient, name: str, description: str | None = None) -> dict[str, Any]:
    body = {"name": name} if description is None else {"name": name, "description": description}
    response = await client.post("/api/items", json=body)
    assert response.status_code == 201, response.text
    item: dict[str, Any] = response.json()
    return item


def error_fields(response_json: dict[str, Any]) -> set[str]:
    return {str(error["loc"][-1]) for error in response_json["detail"]}


async def test_create_returns_the_item(client: AsyncClient) -> None:
    response = await client.post(
        "/api/items", json={"name": "  Widget  ", "description": "A useful thing"}
    )

    assert response.status_code == 201
    item = response.json()
    assert set(item) == {"id", "name", "description", "created_at"}
    assert isinstance(item["id"], int)
    assert item["name"] == "Widget"
    assert item["description"] == "A useful thing"
    assert datetime.fromisoformat(item["created_at"]).tzinfo is not None


async def test_description_defaults_to_empty(client: AsyncClient) -> None:
    item = await create(client, "Widget")

    assert item["description"] == ""


async def test_unknown_fields_are_not_stored(client: AsyncClient) -> None:
    response = await client.post(
        "/api/items", json={"name": "Widget", "id": 999, "owner": "mallory"}
    )

    assert response.status_code == 201
    item = response.json()
    assert item["id"] != 999
    assert "owner" not in item


async def test_get_one(client: AsyncClient) -> None:
    created = await create(client, "Widget", "desc")

    response = await client.get(f"/api/items/{created['id']}")

    assert response.status_code == 200
    assert response.json() == created


async def test_list_is_newest_first(client: AsyncClient) -> None:
    names = [(await create(client, f"item {n}"))["name"] for n in range(3)]

    response = await client.get("/api/items")

    assert response.status_code == 200
    assert [item["name"] for item in response.json()] == names[::-1]


async def test_list_paginates(client: AsyncClient) -> None:
    for n in range(5):
        await create(client, f"item {n}")

    first = (await client.get("/api/items", params={"limit": 2})).json()
    rest = (await client.get("/api/items", params={"limit": 2, "offset": 2})).json()

    assert [item["name"] for item in first] == ["item 4", "item 3"]
    assert [item["name"] for item in rest] == ["item 2", "item 1"]


async def test_list_defaults_to_fifty(client: AsyncClient) -> None:
    for n in range(51):
        await create(client, f"item {n}")

    response = await client.get("/api/items")

    assert len(response.json()) == 50


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": "x"}, "offset"),
        ({"offset": 2**63}, "offset"),
    ],
)
async def test_list_rejects_bad_paging(
    client: AsyncClient, params: dict[str, Any], field: str
) -> None:
    response = await client.get("/api/items", params=params)

    assert response.status_code == 422
    assert error_fields(response.json()) == {field}


async def test_replace_is_a_full_replace(client: AsyncClient) -> None:
    created = await create(client, "Widget", "old description")

    response = await client.put(f"/api/items/{created['id']}", json={"name": " Gadget "})

    assert response.status_code == 200
    assert response.json() == {**created, "name": "Gadget", "description": ""}
    fetched = await client.get(f"/api/items/{created['id']}")
    assert fetched.json() == response.json()


async def test_delete(client: AsyncClient) -> None:
    created = await create(client, "Widget")

    response = await client.delete(f"/api/items/{created['id']}")

    assert response.status_code == 204
    assert response.content == b""
    assert (await client.get(f"/api/items/{created['id']}")).status_code == 404


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize("item_id", ["999999", "0", "-1", "99999999999999999999"])
async def test_missing_item_is_404(client: AsyncClient, method: str, item_id: str) -> None:
    body = {"name": "Widget"} if method == "PUT" else None

    response = await client.request(method, f"/api/items/{item_id}", json=body)

    assert response.status_code == 404
    assert response.json() == {"detail": "Item not found"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": None}, "name"),
        ({"name": 42}, "name"),
        ({"name": "Widget", "description": "x" * 2001}, "description"),
        ({"name": "Widget", "description": None}, "description"),
        ({"name": "nul\x00byte"}, "name"),
        ({"name": "Widget", "description": "nul\x00byte"}, "description"),
    ],
)
@pytest.mark.parametrize("method", ["POST", "PUT"])
async def test_invalid_body_names_the_field(
    client: AsyncClient, method: str, body: dict[str, Any], field: str
) -> None:
    url = "/api/items" if method == "POST" else f"/api/items/{(await create(client, 'x'))['id']}"

    response = await client.request(method, url, json=body)

    assert response.status_code == 422
    assert error_fields(response.json()) == {field}


async def test_limits_are_inclusive(client: AsyncClient) -> None:
    item = await create(client, "x" * 100, "y" * 2000)

    assert len(item["name"]) == 100
    assert len(item["description"]) == 2000


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"name": "Widget"', "application/json"),
        (b"not json at all", "application/json"),
        (b"name=Widget", "application/x-www-form-urlencoded"),
        (b"Widget", "text/plain"),
        (b"", "application/json"),
        (b'["Widget"]', "application/json"),
    ],
)
async def test_malformed_body_is_a_json_4xx(
    client: AsyncClient, content: bytes, content_type: str
) -> None:
    response = await client.post(
        "/api/items", content=content, headers={"Content-Type": content_type}
    )

    assert 400 <= response.status_code < 500
    assert response.headers["content-type"] == "application/json"
    assert "detail" in response.json()


@pytest.mark.parametrize(
    "content",
    [b'{"name": "\\ud800"}', b'{"name": "Widget", "description": "\\udfff"}', b'{"name": 1e999}'],
)
async def test_input_json_cannot_echo_is_a_422_not_a_500(
    client: AsyncClient, content: bytes
) -> None:
    # Found by fuzzing: a lone surrogate or an infinite number in the 422's echo of the input
    # used to make the error response itself fail.
    response = await client.post(
        "/api/items", content=content, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 422
    assert response.json()["detail"]


async def test_trailing_slash_works_for_every_method(client: AsyncClient) -> None:
    created = (await client.post("/api/items/", json={"name": "Widget"})).json()
    item_url = f"/api/items/{created['id']}/"

    assert (await client.get("/api/items/")).status_code == 200
    assert (await client.get(item_url)).status_code == 200
    assert (await client.put(item_url, json={"name": "Gadget"})).status_code == 200
    assert (await client.delete(item_url)).status_code == 204


async def test_put_malformed_json_is_a_json_422(client: AsyncClient) -> None:
    created = await create(client, "Widget")
    url = f"/api/items/{created['id']}"

    response = await client.put(
        url, content=b'{"name": ', headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 422
    assert response.json()["detail"]
    assert (await client.get(url)).json() == created


async def test_put_ignores_unknown_fields(client: AsyncClient) -> None:
    created = await create(client, "Widget")
    url = f"/api/items/{created['id']}"

    response = await client.put(
        url, json={"name": "Gadget", "id": 999, "created_at": "2000-01-01T00:00:00Z", "owner": "x"}
    )

    assert response.status_code == 200
    assert response.json() == {**created, "name": "Gadget"}
    assert [item["id"] for item in (await client.get("/api/items")).json()] == [created["id"]]


async def test_put_after_delete_is_a_404_and_does_not_recreate(client: AsyncClient) -> None:
    created = await create(client, "Widget")
    url = f"/api/items/{created['id']}"
    assert (await client.delete(url)).status_code == 204

    response = await client.put(url, json={"name": "Back from the dead"})

    assert response.status_code == 404
    assert response.json() == {"detail": "Item not found"}
    assert (await client.get(url)).status_code == 404
    assert (await client.get("/api/items")).json() == []


async def test_concurrent_put_and_delete_never_fail_or_resurrect(client: AsyncClient) -> None:
    # The requests overlap on the event loop, each in its own session and connection, as
    # they would in one worker; the database decides who wins.
    for _ in range(10):
        created = await create(client, "contended")
        url = f"/api/items/{created['id']}"

        put_a, deleted, put_b = await asyncio.gather(
            client.put(url, json={"name": "by PUT a"}),
            client.delete(url),
            client.put(url, json={"name": "by PUT b"}),
        )

        answers = [put_a.status_code, deleted.status_code, put_b.status_code]
        assert deleted.status_code == 204, answers
        assert {put_a.status_code, put_b.status_code} <= {200, 404}, answers
        assert (await client.get(url)).status_code == 404, f"resurrected: {answers}"


@pytest.mark.parametrize("method", ["POST", "PUT"])
async def test_body_that_is_not_text_is_a_documented_400(client: AsyncClient, method: str) -> None:
    # Found by fuzzing: bytes that are not UTF-8 get FastAPI's own 400, which the API document
    # must list like every other answer.
    url = "/api/items" if method == "POST" else f"/api/items/{(await create(client, 'x'))['id']}"

    response = await client.request(
        method, url, content=b"\x18\xff", headers={"Content-Type": "application/json"}
    )
    document = (await client.get("/api/openapi.json")).json()
    path = "/api/items" if method == "POST" else "/api/items/{id}"

    assert response.status_code == 400
    assert response.json() == {"detail": "There was an error parsing the body"}
    assert "400" in document["paths"][path][method.lower()]["responses"]
