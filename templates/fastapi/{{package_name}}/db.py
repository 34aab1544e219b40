"""Database wiring: one async engine per process, one session per request.

Creating the engine opens no connection, so the app starts (and answers /health with 503)
while the database is down.
"""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends
from sqlalchemy import URL, MetaData, make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase

from .config import get_settings

# DATABASE_URL stays driver-neutral (as hosting platforms hand it out); pick the async driver here.
ASYNC_DRIVERS = {
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
}


def async_database_url(url: str) -> URL:
    parsed = make_url(url)
    return parsed.set(drivername=ASYNC_DRIVERS.get(parsed.drivername, parsed.drivername))


class Base(DeclarativeBase):
    # Named constraints let Alembic alter and drop them the same way on every database.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


ASYNC_URL = async_database_url(get_settings().database_url)
# pool_pre_ping replaces connections the database dropped (restarts, idle timeouts). A SQLite
# file drops none, and there the ping's extra round trip through aiosqlite's thread costs a
# fifth of a /health request.
# One worker's event loop serves many requests at once. The pool keeps as many connections
# open as the default pool could reach (5 + 10 overflow) but never closes them after each
# burst: an overflow connection is opened for one request and closed again when it goes back,
# and that reconnect (a TCP handshake and login, or a new aiosqlite thread) would cost more
# than the request. Beyond 15 concurrent queries, requests wait for a connection, as before.
# SQLite lets one writer in at a time, across all the web line's processes; the others wait
# for it (in aiosqlite's threads, not on the event loop) up to SQLITE_BUSY_SECONDS instead of
# the driver's 5, so that a burst of writes (logins, each one a write) queues rather than fails.
SQLITE_BUSY_SECONDS = 30
sqlite = ASYNC_URL.get_backend_name() == "sqlite"
engine = create_async_engine(
    ASYNC_URL,
    pool_pre_ping=not sqlite,
    pool_size=15,
    max_overflow=0,
    connect_args={"timeout": SQLITE_BUSY_SECONDS} if sqlite else {},
)
# expire_on_commit=False: responses read attributes after commit without another query.
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


async def get_session() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
