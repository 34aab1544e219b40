"""A bare Flask app: one route, no extensions, the same JSON as the generated /health.

With BARE_DATABASE set (a SQLite file) the route also runs `SELECT 1` through Flask-SQLAlchemy
(the generated project's SQLite settings: none beyond the URL), to price the database round
trip on its own.
"""

import os

from flask import Flask
from sqlalchemy import text

DATABASE = os.environ.get("BARE_DATABASE")

app = Flask(__name__)

if DATABASE:
    from flask_sqlalchemy import SQLAlchemy

    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{DATABASE}"
    db = SQLAlchemy(app)


@app.get("/health")
def health() -> dict[str, str]:
    if DATABASE:
        db.session.execute(text("SELECT 1"))
    return {"status": "ok", "database": "ok"}
