"""CONTRACT 3a through each stack's Procfile `web` line (two workers), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from conftest import Servers
from contract_auth import check_auth
from helpers import STACKS

pytestmark = pytest.mark.smoke


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
@pytest.mark.parametrize("stack", STACKS)
def test_auth_contract_through_the_procfile(stack: str, database: str, servers: Servers) -> None:
    web = servers.get(stack, "sqlite" if database == "sqlite" else "postgresql")
    check_auth(web.url, web.env["SECRET_KEY"])
