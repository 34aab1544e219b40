"""A real browser on the running app: /api/docs renders every operation with no network.

Each stack's default rendering is started as a platform would (Procfile `release`, then `web`,
production environment, SQLite). Headless Chromium then loads `/api/docs` with every host
name but localhost unresolvable and every non-loopback request sent to a closed proxy port,
so a page that still needs a CDN renders nothing. The DOM after the scripts ran must hold a
Swagger UI operation block for every operation in `/api/openapi.json` (at least GET/POST
/api/items, GET/PUT/DELETE /api/items/{id} and GET /health) and no Swagger error ("Failed to
load API definition", the errors wrapper). For Django the admin login page must show its form.

Without Chromium these tests skip, saying why; under SCAFFOLD_REQUIRE_SERVICES=1 (CI) they fail.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import httpx
import pytest
import yaml
from conftest import Served, Servers
from helpers import STACKS, closed_port, missing

pytestmark = [pytest.mark.smoke, pytest.mark.browser]

REQUIRED_OPERATIONS = {
    ("GET", "/api/items"),
    ("POST", "/api/items"),
    ("GET", "/api/items/{id}"),
    ("PUT", "/api/items/{id}"),
    ("DELETE", "/api/items/{id}"),
    ("GET", "/health"),
}
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
SWAGGER_ERRORS = (
    "Failed to load API definition",
    "errors-wrapper",
    "No API definition provided",
    "Unable to render this definition",
    "Could not render",
)


@pytest.fixture(scope="session")
def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    missing("Chromium is not installed (Debian: apt-get install chromium), so no browser checks")
    raise AssertionError("unreachable")


def offline_flags() -> list[str]:
    """Chromium as root in a sandbox, with no network beyond loopback: other names do not
    resolve, other addresses go to a dead proxy."""
    return [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
        f"--proxy-server=http://127.0.0.1:{closed_port()}",
    ]


def dump_dom(browser: str, url: str) -> tuple[str, str]:
    """The DOM of `url` after its scripts ran, loaded with no network beyond loopback."""
    with tempfile.TemporaryDirectory(prefix="scaffold-chromium-") as profile:
        result = subprocess.run(
            [
                browser,
                "--headless",
                *offline_flags(),
                f"--user-data-dir={profile}",
                "--enable-logging=stderr",
                "--virtual-time-budget=15000",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    log = "\n".join(line for line in result.stderr.splitlines() if "dbus" not in line)
    assert result.returncode == 0 and result.stdout.strip(), (
        f"chromium could not load {url} (exit {result.returncode}):\n{log[-3000:]}"
    )
    console = "\n".join(line for line in log.splitlines() if "CONSOLE" in line)
    return result.stdout, console


def _normalise(path: str) -> str:
    path = re.sub(r"\{[^}]+\}", "{id}", path)
    return path.rstrip("/") or "/"


def rendered_operations(dom: str) -> set[tuple[str, str]]:
    """(METHOD, path) of every Swagger UI operation block in the DOM."""
    operations = set()
    for block in re.split(r'<div class="opblock opblock-', dom)[1:]:
        method = re.search(r'class="opblock-summary-method"[^>]*>\s*([A-Za-z]+)\s*<', block)
        path = re.search(r'class="opblock-summary-path[^"]*"[^>]*data-path="([^"]+)"', block)
        if method and path:
            operations.add((method.group(1).upper(), _normalise(path.group(1))))
    return operations


def document_operations(document: dict[str, object]) -> set[tuple[str, str]]:
    paths = document["paths"]
    assert isinstance(paths, dict)
    return {
        (method.upper(), _normalise(path))
        for path, item in paths.items()
        for method in item
        if method in HTTP_METHODS
    }


def _framework(project: Path) -> str:
    return str(yaml.safe_load((project / ".copier-answers.yml").read_text())["framework"])


@pytest.fixture(params=STACKS)
def web(request: pytest.FixtureRequest, servers: Servers) -> Served:
    """Each stack's default rendering, released and serving on SQLite in production mode."""
    return servers.get(request.param)


def test_operation_parser_reads_swagger_markup() -> None:
    dom = (
        '<div class="opblock opblock-get" id="operations-items-list">'
        '<span class="opblock-summary-method">GET</span>'
        '<span class="opblock-summary-path" data-path="/api/items/"><a>/api/items/</a></span>'
        '</div><div class="opblock opblock-delete" id="x">'
        '<span class="opblock-summary-method">DELETE</span>'
        '<span class="opblock-summary-path" data-path="/api/items/{item_id}">'
    )
    assert rendered_operations(dom) == {("GET", "/api/items"), ("DELETE", "/api/items/{id}")}


def test_api_docs_render_every_operation(chromium: str, web: Served) -> None:
    document = httpx.get(f"{web.url}/api/openapi.json", timeout=15).json()
    expected = document_operations(document)
    assert expected >= REQUIRED_OPERATIONS, (
        f"/api/openapi.json lacks {sorted(REQUIRED_OPERATIONS - expected)}"
    )
    dom, console = dump_dom(chromium, f"{web.url}/api/docs")
    errors = [marker for marker in SWAGGER_ERRORS if marker in dom]
    assert not errors, f"/api/docs shows an error ({errors}):\n{dom[-3000:]}\n{console}"
    assert 'class="swagger-ui' in dom, f"no Swagger UI in the page:\n{dom[:3000]}\n{console}"
    rendered = rendered_operations(dom)
    missing = expected - rendered
    assert not missing, (
        f"/api/docs did not render {sorted(missing)}; rendered {sorted(rendered)}\n"
        f"browser console:\n{console[-3000:]}\nDOM:\n{dom[:3000]}"
    )


@pytest.mark.parametrize("web", ["django"], indirect=True)
def test_django_admin_login_form_renders(chromium: str, web: Served) -> None:
    dom, console = dump_dom(chromium, f"{web.url}/admin/login/")
    assert re.search(r'<input[^>]+name="password"', dom), (
        f"no password field on /admin/login/:\n{dom[:3000]}\n{console}"
    )
    assert re.search(r'<input[^>]+name="username"', dom), "no username field on /admin/login/"
    stylesheets = re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', dom)
    assert stylesheets, "the admin login page links its stylesheets"
    for href in stylesheets:
        response = httpx.get(httpx.URL(web.url).join(href), timeout=15)
        assert response.status_code == 200 and "css" in response.headers.get("content-type", ""), (
            f"admin stylesheet {href}: {response.status_code} {response.headers}"
        )
