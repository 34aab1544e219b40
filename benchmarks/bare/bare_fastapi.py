"""A hand-written FastAPI app doing the generated app's per-request contract work, and nothing
more: no dependencies, no pydantic models, no response models, no template structure.

Per request, as the generated project (docs/contract.md), in one pure ASGI middleware with
contract.py's pieces:
- host check: a Host header not in ALLOWED_HOSTS is a 400;
- body cap: a `Content-Length` over MAX_REQUEST_BYTES is a 413; a body without one (chunked)
  is counted as it arrives and refused past the cap;
- request id: X-Request-ID kept when sane, else a new UUID; bound to structlog's context
  variables for the request's records, echoed on the response;
- one access record: a structlog JSON line on stdout (timestamp, level, logger, request_id,
  method, path, status, duration_ms);
- security headers (nosniff, X-Frame-Options, CSP frame-ancestors, Referrer-Policy,
  Cache-Control no-store, HSTS), unless the response set its own;
- CORS only when CORS_ALLOWED_ORIGINS is set (Starlette's CORSMiddleware, as generated; unset
  in the benchmark);
- with BARE_AUTH=1, /api/items/* need a bearer token (contract.token_claims: PyJWT, HS256,
  exp/iat/iss/sub/type), then the user by primary key (`session.get(User, id)`, in the
  request's one session), active, with the token's version; item queries are the user's own.
The header deadline (slow clients) is the worker's: throughput.py runs this app with the
generated project's worker class.

Routes, through SQLAlchemy's asyncio ORM on the same database (DATABASE_URL, else BARE_SQLITE),
driver (asyncpg, aiosqlite) and engine settings (pool_pre_ping except on SQLite, 15 pooled
connections kept open, SQLite busy timeout 30 s): /health runs `SELECT 1` on a pooled
connection within 3 s; GET /api/items checks `limit` and `offset` and returns the newest items;
GET /api/items/{id} one item; POST /api/items parses the JSON body strictly, checks `name` and
`description`, inserts (201).
"""

import asyncio
import os
import time
from datetime import UTC, datetime
from typing import Any

import structlog
from contract import (
    ACCESS_LOGGER,
    ALLOWED_HOSTS,
    AUTH,
    CORS_ORIGINS,
    MAX_ID,
    MAX_OFFSET,
    MAX_REQUEST_BYTES,
    REQUEST_ID_HEADER,
    SECURITY_HEADERS,
    BadBody,
    access_log,
    item_fields,
    page_param,
    parse_json,
    request_id,
    token_claims,
)
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Boolean, DateTime, Integer, String, make_url, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from starlette.types import ASGIApp, Message, Receive, Scope, Send

url = make_url(os.environ.get("DATABASE_URL") or f"sqlite:///{os.environ['BARE_SQLITE']}")
driver = {"sqlite": "sqlite+aiosqlite", "postgres": "postgresql+asyncpg"}
url = url.set(drivername=driver.get(url.drivername, "postgresql+asyncpg"))
sqlite = url.get_backend_name() == "sqlite"
engine = create_async_engine(
    url,
    pool_pre_ping=not sqlite,
    pool_size=15,
    max_overflow=0,
    connect_args={"timeout": 30} if sqlite else {},
)
Session = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean)
    is_staff: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    token_version: Mapped[int] = mapped_column(Integer)


class Item(Base):
    __tablename__ = "items"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=lambda: datetime.now(UTC)
    )
    if AUTH:  # the column exists only in a project with auth on
        owner_id: Mapped[int | None] = mapped_column(Integer)


SECURITY = [(name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]
HOSTS = {host.encode() for host in ALLOWED_HOSTS}


def detail(status: int, message: str) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=status)


class TooLarge(Exception):
    pass


class Contract:
    """Host check, body cap, request id, security headers and the access record."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        headers = dict(scope["headers"])
        rid = request_id(headers.get(b"x-request-id", b"").decode("latin-1"))
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=rid)
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                raw = message["headers"] = list(message.get("headers", ()))
                present = {name for name, _ in raw}
                raw += [header for header in SECURITY if header[0] not in present]
                raw.append((b"x-request-id", rid.encode()))
            await send(message)

        try:
            host = headers.get(b"host", b"").rsplit(b":", 1)[0]
            declared = headers.get(b"content-length", b"")
            if HOSTS and host not in HOSTS:
                await detail(400, "Invalid host header")(scope, receive, send_with_headers)
            elif declared.isdigit() and int(declared) > MAX_REQUEST_BYTES:
                await too_large(scope, receive, send_with_headers)
            elif declared or b"chunked" not in headers.get(b"transfer-encoding", b""):
                await self.app(scope, receive, send_with_headers)
            else:
                await self.counted(scope, receive, send_with_headers)
        finally:
            access_log.info(
                "request",
                logger=ACCESS_LOGGER,
                method=scope["method"],
                path=scope["path"],
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )

    async def counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A body without a length: refused as soon as its chunks pass the cap."""
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > MAX_REQUEST_BYTES:
                raise TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except TooLarge:
            await too_large(scope, receive, send)


async def too_large(scope: Scope, receive: Receive, send: Send) -> None:
    message = f"Request body too large: send at most {MAX_REQUEST_BYTES} bytes."
    await detail(413, message)(scope, receive, send)


app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None, redirect_slashes=False)
if CORS_ORIGINS:
    from fastapi.middleware.cors import CORSMiddleware

    app.add_middleware(
        CORSMiddleware,
        allow_origins=CORS_ORIGINS,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", REQUEST_ID_HEADER],
        expose_headers=[REQUEST_ID_HEADER],
    )
app.add_middleware(Contract)


async def user_of(request: Request, session: AsyncSession) -> User | None:
    """With auth: the token's active user (None: answer 401). Without: None, unused."""
    claims = token_claims(request.headers.get("authorization"))
    user = await session.get(User, claims.user_id) if claims else None
    if claims is None or user is None or not user.is_active:
        return None
    return user if user.token_version == claims.version else None


def not_authenticated() -> JSONResponse:
    return JSONResponse(
        {"detail": "Not authenticated."}, 401, headers={"WWW-Authenticate": "Bearer"}
    )


def as_json(item: Item) -> dict[str, Any]:
    created = item.created_at
    created = created.replace(tzinfo=UTC) if created.tzinfo is None else created.astimezone(UTC)
    shown = {
        "id": item.id,
        "name": item.name,
        "description": item.description,
        "created_at": created.isoformat(),
    }
    if AUTH:  # the owner, as the generated app's item JSON has it with auth on
        shown["owner_id"] = item.owner_id
    return shown


@app.get("/health")
async def health() -> JSONResponse:
    try:
        async with asyncio.timeout(3), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:
        return JSONResponse({"status": "error", "database": "error"}, 503)
    return JSONResponse({"status": "ok", "database": "ok"})


@app.get("/api/items")
@app.get("/api/items/")
async def list_items(request: Request) -> JSONResponse:
    limit = page_param(request.query_params.get("limit"), 50, 100, 1)
    offset = page_param(request.query_params.get("offset"), 0, MAX_OFFSET, 0)
    if limit is None or offset is None:
        return detail(422, "limit: 1-100; offset: 0 or more")
    query = select(Item).order_by(Item.created_at.desc(), Item.id.desc())
    async with Session() as session:
        if AUTH:
            if (user := await user_of(request, session)) is None:
                return not_authenticated()
            query = query.where(Item.owner_id == user.id)
        rows = (await session.scalars(query.limit(limit).offset(offset))).all()
    return JSONResponse([as_json(item) for item in rows])


@app.get("/api/items/{id}")
@app.get("/api/items/{id}/")
async def read_item(id: int, request: Request) -> JSONResponse:
    async with Session() as session:
        user = await user_of(request, session) if AUTH else None
        if AUTH and user is None:
            return not_authenticated()
        item = await session.get(Item, id) if 0 < id <= MAX_ID else None
    if item is None or (user is not None and item.owner_id != user.id):
        return detail(404, "Item not found")
    return JSONResponse(as_json(item))


@app.post("/api/items")
@app.post("/api/items/")
async def create_item(request: Request) -> JSONResponse:
    async with Session() as session:
        user = await user_of(request, session) if AUTH else None
        if AUTH and user is None:
            return not_authenticated()
        try:
            fields = item_fields(parse_json(await request.body()))
        except BadBody as exc:
            return detail(400, f"The JSON body {exc}.")
        if fields is None:
            return detail(422, "name: 1-100 characters; description: at most 2000")
        item = Item(name=fields[0], description=fields[1])
        if user is not None:
            item.owner_id = user.id
        session.add(item)
        await session.commit()
    return JSONResponse(as_json(item), 201)
