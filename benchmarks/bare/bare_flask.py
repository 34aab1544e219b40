"""A hand-written Flask app doing the generated app's work, without its structure.

The same database (DATABASE_URL, SQLite file by default), driver (psycopg 3) and engine
settings as the generated project, the same queries through Flask-SQLAlchemy: /health runs
`SELECT 1`, /api/items reads `limit` and `offset` and returns the newest items as a JSON
array. No flask-smorest, no marshmallow, no blueprints.
"""

import os
from datetime import datetime

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, String, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

url = os.environ.get("DATABASE_URL") or f"sqlite:///{os.environ['BARE_SQLITE']}"
options = {}
if url.startswith(("postgres://", "postgresql://")):
    url = "postgresql+psycopg://" + url.split("://", 1)[1]
    options = {"pool_pre_ping": True, "connect_args": {"connect_timeout": 3}}


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Item(Base):
    __tablename__ = "items"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


app = Flask(__name__)
app.config.update(SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS=options)
db.init_app(app)


@app.get("/health")
def health() -> ResponseReturnValue:
    db.session.execute(text("SELECT 1"))
    return {"status": "ok", "database": "ok"}


@app.get("/api/items")
def items() -> ResponseReturnValue:
    limit = request.args.get("limit", 50, type=int)
    offset = request.args.get("offset", 0, type=int)
    query = select(Item).order_by(Item.created_at.desc(), Item.id.desc())
    rows = db.session.execute(query.limit(limit).offset(offset)).scalars().all()
    return jsonify(
        [
            {"id": r.id, "name": r.name, "description": r.description,
             "created_at": r.created_at.isoformat()}
            for r in rows
        ]
    )  # fmt: skip
