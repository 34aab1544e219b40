"""/api/items: list, create, read, replace and delete items."""

from collections.abc import Sequence
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from ..extensions import db
from .models import Item
from .schemas import ItemSchema, ListArgsSchema

# Ids are PostgreSQL integers; a larger id cannot exist (and would overflow the query).
MAX_ID = 2**31 - 1


def get_item_or_404(id: int) -> Item:
    if not 0 < id <= MAX_ID:
        abort(404)
    return db.get_or_404(Item, id)


blp = Blueprint(
    "items",
    __name__,
    url_prefix="/api/items",
    description="Create, list, read, replace and delete items.",
)


# strict_slashes=False: /api/items and /api/items/ both answer directly. Flask's default, a
# 308 redirect to the slashed URL, is not followed on POST or PUT by every client.
@blp.route("", strict_slashes=False)
class ItemCollection(MethodView):
    @blp.arguments(ListArgsSchema, location="query")
    @blp.response(200, ItemSchema(many=True))
    def get(self, args: dict[str, int]) -> Sequence[Item]:
        """List items, newest first."""
        query = (
            select(Item)
            .order_by(Item.created_at.desc(), Item.id.desc())
            .limit(args["limit"])
            .offset(args["offset"])
        )
        return db.session.execute(query).scalars().all()

    @blp.arguments(ItemSchema)
    @blp.response(201, ItemSchema)
    def post(self, data: dict[str, Any]) -> Item:
        """Create an item."""
        item = Item(name=data["name"], description=data["description"])
        db.session.add(item)
        db.session.commit()
        return item


@blp.route("/<int:id>", strict_slashes=False)
class ItemDetail(MethodView):
    @blp.response(200, ItemSchema)
    def get(self, id: int) -> Item:
        """Get one item."""
        return get_item_or_404(id)

    @blp.arguments(ItemSchema)
    @blp.response(200, ItemSchema)
    def put(self, data: dict[str, Any], id: int) -> Item:
        """Replace an item's name and description."""
        item = get_item_or_404(id)
        item.name = data["name"]
        item.description = data["description"]
        db.session.commit()
        return item

    @blp.response(204)
    def delete(self, id: int) -> None:
        """Delete an item."""
        item = get_item_or_404(id)
        db.session.delete(item)
        db.session.commit()
