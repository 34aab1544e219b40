"""CONTRACT 3a through each stack's Procfile `web` line (two workers), on SQLite and PostgreSQL."""

from __future__ import annotations

import procfile
import pytest
from conftest import Projects
from contract_auth import check_auth
from helpers import STACKS

pytestmark = pytest.mark.smoke


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
@pytest.mark.parametrize("stack", STACKS)
def test_auth_contract_through_the_procfile(
    stack: str, database: str, projects: Projects, request: pytest.FixtureRequest
) -> None:
    project = projects.get(stack, auth=True)
    overrides = {"WEB_CONCURRENCY": "2"}
    if database == "postgres":
        overrides["DATABASE_URL"] = request.getfixturevalue("postgres_url")
    else:
        (project / "db.sqlite3").unlink(missing_ok=True)
    env = procfile.production_env(**overrides)
    procfile.release(project, env)
    with procfile.start(project, "web", env) as web:
        check_auth(web.url, env["SECRET_KEY"])
