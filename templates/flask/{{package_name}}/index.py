"""GET /: the first URL a visitor opens, answered with where to go next."""

import marshmallow as ma

from .bodies import Blueprint

blp = Blueprint("index", __name__, description="Where the API's docs and health check are.")

INDEX = {"docs": "/api/docs", "openapi": "/api/openapi.json", "health": "/health"}


class IndexSchema(ma.Schema):
    docs = ma.fields.String(required=True, metadata={"example": INDEX["docs"]})
    openapi = ma.fields.String(required=True, metadata={"example": INDEX["openapi"]})
    health = ma.fields.String(required=True, metadata={"example": INDEX["health"]})


@blp.route("/")
@blp.response(200, IndexSchema)
def index() -> dict[str, str]:
    return INDEX
