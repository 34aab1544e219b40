"""Health check for load balancers and uptime monitors: is the app up, can it reach its database."""

import marshmallow as ma
from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .bodies import Blueprint
from .extensions import db

blp = Blueprint("health", __name__, description="Service and database status.")


class HealthSchema(ma.Schema):
    status = ma.fields.String(required=True, metadata={"example": "ok"})
    database = ma.fields.String(required=True, metadata={"example": "ok"})


@blp.route("/health")
@blp.response(200, HealthSchema)
@blp.alt_response(503, schema=HealthSchema, description="The database is unreachable.")
def health() -> tuple[dict[str, str], int]:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        # One line, no traceback: probes repeat every few seconds while the database is down.
        reason = str(error).splitlines()[0]
        current_app.logger.warning("Health check failed, database unreachable: %s", reason)
        return {"status": "error", "database": "error"}, 503
    return {"status": "ok", "database": "ok"}, 200
