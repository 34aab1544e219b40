"""Issue 16's application hardening, through each stack's running app (Procfile `web`).

- A 2 MiB POST is answered 413 with a JSON body (before any login check), and so is a chunked
  one without `Content-Length`. (Each project's own tests show that nothing is stored.)
- An API response carries the security headers (FastAPI and Flask: OWASP's REST set with HSTS,
  as DEBUG is off; Django: its SecurityMiddleware's).
- Django: the admin moves with ADMIN_URL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import procfile
import pytest
from conftest import Projects, Served, Servers
from helpers import STACKS

pytestmark = pytest.mark.smoke

TWO_MIB = 2 * 1024 * 1024
BIG_ITEM = json.dumps({"name": "big", "description": "x" * TWO_MIB}).encode()
OWASP_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "content-security-policy": "frame-ancestors 'none'",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    "strict-transport-security": "max-age=31536000; includeSubDomains",
}
DJANGO_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


@pytest.fixture(params=STACKS)
def web(request: pytest.FixtureRequest, servers: Servers) -> Served:
    """Each stack's default rendering, released and serving on SQLite in production mode."""
    return servers.get(request.param)


def chunks() -> Iterator[bytes]:
    for start in range(0, len(BIG_ITEM), 64 * 1024):
        yield BIG_ITEM[start : start + 64 * 1024]


def test_a_2_mib_post_is_refused_with_413_json(web: Served) -> None:
    with httpx.Client(base_url=web.url, timeout=30) as client:
        response = client.post(
            "/api/items", content=BIG_ITEM, headers={"Content-Type": "application/json"}
        )
        print(f"{web.stack}: POST 2 MiB -> {response.status_code} {response.text}")

        assert response.status_code == 413
        assert response.headers["content-type"].startswith("application/json")
        assert isinstance(response.json(), dict)


def test_a_chunked_2_mib_post_is_not_stored(web: Served) -> None:
    with httpx.Client(base_url=web.url, timeout=30) as client:
        response = client.post(
            "/api/items", content=chunks(), headers={"Content-Type": "application/json"}
        )
        print(f"{web.stack}: POST 2 MiB chunked -> {response.status_code} {response.text}")

        assert response.status_code == 413
        assert response.headers["content-type"].startswith("application/json")


def test_api_responses_carry_the_security_headers(web: Served) -> None:
    response = httpx.get(f"{web.url}/api/items", timeout=15)
    print(f"{web.stack}: GET /api/items -> {response.status_code}")
    for name, value in response.headers.items():
        print(f"  {name}: {value}")

    assert response.status_code in (200, 401)  # 401: the `auth` answer's login is required
    expected = DJANGO_HEADERS if web.stack == "django" else OWASP_HEADERS
    assert {name: response.headers.get(name) for name in expected} == expected


def test_docs_scripts_are_kept_and_revalidated(web: Served) -> None:
    """Swagger UI's script (over a megabyte) may be kept by the browser and revalidated by its
    ETag, rather than downloaded again on every visit to the docs."""
    with httpx.Client(base_url=web.url, timeout=15) as client:
        page = client.get("/api/docs")
        found = re.search(r'src="([^"]*swagger-ui-bundle[^"]*\.js)"', page.text)
        assert found, page.text[:2000]
        script = client.get(found.group(1))
        print(f"{web.stack}: GET {found.group(1)} -> {script.status_code} {script.headers}")
        again = client.get(found.group(1), headers={"If-None-Match": script.headers["etag"]})

    assert script.status_code == 200 and len(script.content) > 500_000
    assert "no-store" not in script.headers.get("cache-control", "")
    assert again.status_code == 304


@pytest.mark.skipif("django" not in STACKS, reason="no Django stack")
def test_django_admin_moves_with_admin_url(projects: Projects) -> None:
    project = projects.get("django")
    env = procfile.production_env(ADMIN_URL="backstage/", DATABASE_URL=procfile.scratch_sqlite())
    procfile.release(project, env)
    with procfile.start(project, "web", env) as web:
        moved = httpx.get(f"{web.url}/backstage/login/", timeout=15)
        old = httpx.get(f"{web.url}/admin/login/", timeout=15)

    assert moved.status_code == 200 and 'name="password"' in moved.text
    assert old.status_code == 404
