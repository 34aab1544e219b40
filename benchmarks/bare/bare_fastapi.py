"""A bare FastAPI app: one route, no middleware, the same JSON as the generated /health.

With BARE_DATABASE set (a SQLite file) the route also runs `SELECT 1` in a session of an
engine built like the generated project's (aiosqlite, pool_pre_ping=True), to price the
database round trip on its own; BARE_PRE_PING=0 leaves out the pre-ping.
"""

import os

from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

DATABASE = os.environ.get("BARE_DATABASE")
PRE_PING = os.environ.get("BARE_PRE_PING", "1") != "0"
engine = create_async_engine(f"sqlite+aiosqlite:///{DATABASE}", pool_pre_ping=PRE_PING)
Session = async_sessionmaker(engine, expire_on_commit=False)

app = FastAPI()


@app.get("/health")
async def health() -> dict[str, str]:
    if DATABASE:
        async with Session() as session:
            await session.execute(text("SELECT 1"))
    return {"status": "ok", "database": "ok"}
