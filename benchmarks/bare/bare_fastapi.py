"""A hand-written FastAPI app doing the generated app's work, without its structure.

The same database (DATABASE_URL, SQLite file by default), async driver (asyncpg, aiosqlite)
and engine settings (pool_pre_ping, except on SQLite; 15 pooled connections kept open) as the
generated project, the same
queries through the same ORM: /health runs `SELECT 1`, /api/items reads `limit` and `offset`
and returns the newest items as a JSON array. No middleware, no dependencies, no response
models.
"""

import os
from datetime import datetime
from typing import Any

from fastapi import FastAPI
from sqlalchemy import DateTime, String, make_url, select, text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

url = make_url(os.environ.get("DATABASE_URL") or f"sqlite:///{os.environ['BARE_SQLITE']}")
driver = {"sqlite": "sqlite+aiosqlite", "postgres": "postgresql+asyncpg"}
url = url.set(drivername=driver.get(url.drivername, "postgresql+asyncpg"))
engine = create_async_engine(
    url, pool_pre_ping=url.get_backend_name() != "sqlite", pool_size=15, max_overflow=0
)
Session = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "items"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


app = FastAPI()


@app.get("/health")
async def health() -> dict[str, str]:
    async with Session() as session:
        await session.execute(text("SELECT 1"))
    return {"status": "ok", "database": "ok"}


@app.get("/api/items")
async def items(limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    query = select(Item).order_by(Item.created_at.desc(), Item.id.desc())
    async with Session() as session:
        rows = (await session.scalars(query.limit(limit).offset(offset))).all()
    return [
        {"id": r.id, "name": r.name, "description": r.description, "created_at": r.created_at}
        for r in rows
    ]
