"""A hand-written Flask app doing the generated app's per-request contract work, and nothing
more: no flask-smorest, no marshmallow, no blueprints, no flask-jwt-extended.

Per request, as the generated project (docs/contract.md), with contract.py's pieces:
- host check: Flask's TRUSTED_HOSTS from ALLOWED_HOSTS;
- body cap: MAX_CONTENT_LENGTH from MAX_REQUEST_BYTES; a declared length over it is a 413
  before any view runs (werkzeug stops a chunked body at the cap itself);
- request id: X-Request-ID kept when sane, else a new UUID; bound to structlog's context
  variables for the request's records, echoed on the response;
- one access record: a structlog JSON line on stdout (timestamp, level, logger, request_id,
  method, path, status, duration_ms);
- security headers (nosniff, X-Frame-Options, CSP frame-ancestors, Referrer-Policy,
  Cache-Control no-store, HSTS), unless the response set its own;
- CORS only when CORS_ALLOWED_ORIGINS is set (flask-cors, as generated; unset in the benchmark);
- errors as `{"detail": ...}` JSON;
- with BARE_AUTH=1, /api/items/* need a bearer token (contract.token_claims: PyJWT, HS256,
  exp/iat/iss/sub/type), then the user by primary key (`db.session.get(User, id)`), active,
  with the token's version; every item query is limited to the user's own.

Routes, through Flask-SQLAlchemy on the same database (DATABASE_URL, else BARE_SQLITE), driver
(psycopg 3) and engine options as generated: /health runs `SELECT 1`; GET /api/items checks
`limit` and `offset` and returns the newest items; GET /api/items/<id> one item; POST
/api/items parses the JSON body strictly, checks `name` and `description`, inserts (201).
"""

import os
import time
from datetime import UTC, datetime
from functools import wraps
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
from flask import Flask, Response, abort, g, jsonify, request
from flask.typing import ResponseReturnValue
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Boolean, DateTime, Integer, String, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from werkzeug.exceptions import HTTPException

url = os.environ.get("DATABASE_URL") or f"sqlite:///{os.environ['BARE_SQLITE']}"
engine_options: dict[str, Any] = {}
if url.startswith(("postgres://", "postgresql://")):
    url = "postgresql+psycopg://" + url.split("://", 1)[1]
    engine_options = {"pool_pre_ping": True, "connect_args": {"connect_timeout": 3}}


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})


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


app = Flask(__name__)
app.config.update(
    SQLALCHEMY_DATABASE_URI=url,
    SQLALCHEMY_ENGINE_OPTIONS=engine_options,
    TRUSTED_HOSTS=ALLOWED_HOSTS or None,
    MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
)
db.init_app(app)
if CORS_ORIGINS:
    from flask_cors import CORS

    CORS(app, origins=CORS_ORIGINS, expose_headers=[REQUEST_ID_HEADER])


@app.before_request
def start() -> None:
    g.started = time.perf_counter()
    g.request_id = request_id(request.headers.get(REQUEST_ID_HEADER))
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=g.request_id)
    if (request.content_length or 0) > MAX_REQUEST_BYTES:
        abort(413)


@app.after_request
def finish(response: Response) -> Response:
    headers = response.headers
    headers[REQUEST_ID_HEADER] = g.get("request_id") or request_id(None)
    for name, value in SECURITY_HEADERS.items():
        if name not in headers:
            headers[name] = value
    access_log.info(
        "request",
        logger=ACCESS_LOGGER,
        method=request.method,
        path=request.path,
        status=response.status_code,
        duration_ms=round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 2),
    )
    return response


@app.errorhandler(HTTPException)
def error(exc: HTTPException) -> ResponseReturnValue:
    return {"detail": exc.description or exc.name}, exc.code or 500


def token_user() -> User | None:
    """The active user of the request's bearer token, with the token's version; None if not."""
    claims = token_claims(request.headers.get("Authorization"))
    user = db.session.get(User, claims.user_id) if claims else None
    if claims is None or user is None or not user.is_active:
        return None
    return user if user.token_version == claims.version else None


def logged_in(view: Any) -> Any:
    """With auth: the token's user in g.user, or a 401."""
    if not AUTH:
        return view

    @wraps(view)
    def check(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        g.user = token_user()
        if g.user is None:
            return {"detail": "Not authenticated."}, 401, {"WWW-Authenticate": "Bearer"}
        return view(*args, **kwargs)

    return check


def as_json(item: Item) -> dict[str, Any]:
    created = item.created_at
    if created.tzinfo is None:  # SQLite's, stored in UTC
        created = created.replace(tzinfo=UTC)
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
def health() -> ResponseReturnValue:
    db.session.execute(text("SELECT 1"))
    return {"status": "ok", "database": "ok"}


@app.get("/api/items", strict_slashes=False)
@logged_in
def list_items() -> ResponseReturnValue:
    limit = page_param(request.args.get("limit"), 50, 100, 1)
    offset = page_param(request.args.get("offset"), 0, MAX_OFFSET, 0)
    if limit is None or offset is None:
        abort(422, "limit: 1-100; offset: 0 or more")
    query = select(Item).order_by(Item.created_at.desc(), Item.id.desc())
    if AUTH:
        query = query.where(Item.owner_id == g.user.id)
    rows = db.session.execute(query.limit(limit).offset(offset)).scalars().all()
    return jsonify([as_json(item) for item in rows])


@app.get("/api/items/<int:id>", strict_slashes=False)
@logged_in
def read_item(id: int) -> ResponseReturnValue:
    query = select(Item).where(Item.id == id)
    if AUTH:
        query = query.where(Item.owner_id == g.user.id)
    item = db.session.execute(query).scalar_one_or_none() if 0 < id <= MAX_ID else None
    if item is None:
        abort(404)
    return as_json(item)


@app.post("/api/items", strict_slashes=False)
@logged_in
def create_item() -> ResponseReturnValue:
    try:
        fields = item_fields(parse_json(request.get_data()))
    except BadBody as exc:
        abort(400, f"The body is not valid JSON: {exc}.")
    if fields is None:
        abort(422, "name: 1-100 characters; description: at most 2000")
    item = Item(name=fields[0], description=fields[1])
    if AUTH:
        item.owner_id = g.user.id
    db.session.add(item)
    db.session.commit()
    return as_json(item), 201
