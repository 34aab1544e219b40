import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import ConnectionHandler
from django.test import Client
from pytest_django import DjangoDbBlocker
from rest_framework.test import APIClient

from .test_deploy import production_settings


@pytest.mark.django_db
def test_health_ok(api_client: APIClient) -> None:
    response = api_client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_index_points_to_the_docs_without_a_login(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert response.json() == {
        "docs": "/api/docs",
        "openapi": "/api/openapi.json",
        "health": "/health",
    }
    assert "/" in client.get("/api/openapi.json").json()["paths"]


@contextlib.contextmanager
def default_database(config: dict[str, Any]) -> Iterator[None]:
    """Django's default connection made from `config` for a while, as at start-up."""
    replacement = ConnectionHandler({DEFAULT_DB_ALIAS: config})[DEFAULT_DB_ALIAS]
    original = connections[DEFAULT_DB_ALIAS]
    connections[DEFAULT_DB_ALIAS] = replacement
    try:
        yield
    finally:
        replacement.close()
        connections[DEFAULT_DB_ALIAS] = original


@pytest.mark.parametrize(
    "database_url",
    [
        "postgresql://postgres@127.0.0.1:1/unreachable",
        "sqlite:////nonexistent-directory/unreachable.sqlite3",
    ],
    ids=["postgresql", "sqlite"],
)
def test_health_reports_unreachable_database(
    client: Client, django_db_blocker: DjangoDbBlocker, database_url: str
) -> None:
    # The database settings as production makes them from a DATABASE_URL that points at
    # nothing, and a real connection attempt: not a mock of the error.
    database = production_settings(DATABASE_URL=database_url)["DATABASES"]["default"]
    with django_db_blocker.unblock(), default_database(database):
        response = client.get("/health")

    assert response.status_code == 503
    assert response.content == b'{"status":"error","database":"error"}'
