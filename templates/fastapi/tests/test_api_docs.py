import re

import pytest
from httpx import AsyncClient

pytestmark = pytest.mark.anyio


async def test_openapi_covers_every_route(client: AsyncClient) -> None:
    response = await client.get("/api/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/health", "/api/items", "/api/items/{id}"} <= set(schema["paths"])


async def test_docs_load_their_assets_from_the_app(client: AsyncClient) -> None:
    page = await client.get("/api/docs")

    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets
    for url in assets:
        assert url.startswith("/"), f"{url} is not served by the app"
        assert (await client.get(url)).status_code == 200
    assert "/api/openapi.json" in page.text
