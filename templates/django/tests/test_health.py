import os
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.test import APIClient

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_health_ok(api_client: APIClient) -> None:
    response = api_client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize(
    "database_url",
    [
        "postgresql://postgres@127.0.0.1:1/unreachable",
        "sqlite:////nonexistent-directory/unreachable.sqlite3",
    ],
    ids=["postgresql", "sqlite"],
)
def test_health_reports_unreachable_database(database_url: str) -> None:
    # A fresh process whose DATABASE_URL points at nothing: the settings are read at start-up,
    # so this is the only way to give the app a database that really is not there.
    code = (
        "import django; django.setup(); from django.test import Client; "
        "response = Client().get('/health'); print(response.status_code, response.content.decode())"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": database_url,
            "ALLOWED_HOSTS": "testserver",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == '503 {"status":"error","database":"error"}'
