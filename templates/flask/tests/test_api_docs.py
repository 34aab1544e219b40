import re

from flask.testing import FlaskClient


def test_openapi_document_covers_every_route(client: FlaskClient) -> None:
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/health", "/api/items", "/api/items/{id}"} <= set(spec["paths"])
    assert set(spec["paths"]["/api/items"]) >= {"get", "post"}
    assert set(spec["paths"]["/api/items/{id}"]) >= {"get", "put", "delete"}


def test_docs_load_their_assets_from_the_app(client: FlaskClient) -> None:
    response = client.get("/api/docs")

    assert response.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', response.get_data(as_text=True))
    assert len(assets) == 3
    for asset in assets:
        assert asset.startswith("/"), f"{asset} is not served by the app"
        with client.get(asset) as asset_response:
            assert asset_response.status_code == 200
