"""The test setup makes the PostgreSQL database DATABASE_URL names, or says how to."""

import os
import uuid

import pytest
from conftest import create_database_if_missing, database_answers
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

DATABASE_URL = make_url(os.environ.get("DATABASE_URL") or "sqlite://")


@pytest.mark.skipif(
    DATABASE_URL.get_backend_name() != "postgresql", reason="DATABASE_URL is not PostgreSQL"
)
def test_a_missing_database_is_created() -> None:
    missing = DATABASE_URL.set(database=f"{DATABASE_URL.database}_{uuid.uuid4().hex[:8]}")
    driver = missing.set(drivername="postgresql+psycopg")
    assert not database_answers(driver)

    create_database_if_missing(missing.render_as_string(hide_password=False))

    try:
        assert database_answers(driver)
    finally:
        server = create_engine(
            driver.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
        )
        with server.connect() as connection:
            quoted = connection.dialect.identifier_preparer.quote(missing.database or "")
            connection.execute(text(f"DROP DATABASE {quoted}"))
        server.dispose()


def test_an_unreachable_server_is_one_line_naming_the_command() -> None:
    with pytest.raises(pytest.UsageError) as refused:
        create_database_if_missing("postgresql://postgres@127.0.0.1:1/shop_tests")

    message = str(refused.value)
    assert "\n" not in message
    assert message.endswith("run: createdb -h 127.0.0.1 -p 1 -U postgres shop_tests")
