"""The /api/items endpoints.

Whose items a request may touch is ownership.py's business: each query and statement adds its
`Mine` criteria, and a new item takes its `Owner` columns. The trailing slash is slashes.py's.

PUT and DELETE change the row with one conditional statement (`UPDATE ... WHERE id = ...
RETURNING`, `DELETE ... WHERE id = ... RETURNING id`) instead of loading the item first and
flushing it later: when another request deletes the item in between, the ORM's flush would
raise StaleDataError (a 500); the statement simply matches no row, and the answer is 404.
"""

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status
from sqlalchemy import delete, select, update

from ..db import SessionDep
from ..jsonbody import StrictJSONRoute
from ..openapi import errors
from . import ownership
from .models import Item
from .ownership import Mine, Owner
from .schemas import ItemIn, ItemOut

router = APIRouter(
    prefix="/api/items",
    tags=["items"],
    route_class=StrictJSONRoute,
    responses=ownership.RESPONSES,
)

# The largest value an INTEGER primary key or an OFFSET can hold on both databases;
# anything bigger cannot match a row, and would make the driver raise instead.
MAX_ID = 2**31 - 1
MAX_OFFSET = 2**63 - 1


def not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail="Item not found")


async def item_or_404(id: int, session: SessionDep, mine: Mine) -> Item:
    item = None
    if 0 < id <= MAX_ID:
        item = await session.scalar(select(Item).where(Item.id == id, *mine))
    if item is None:
        raise not_found()
    return item


ExistingItem = Annotated[Item, Depends(item_or_404)]


@router.get("", response_model=list[ItemOut], responses=errors(422))
async def list_items(
    session: SessionDep,
    mine: Mine,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Sequence[Item]:
    """Newest first; `id` breaks ties between items created in the same instant."""
    query = select(Item).where(*mine).order_by(Item.created_at.desc(), Item.id.desc())
    result = await session.scalars(query.limit(limit).offset(offset))
    return result.all()


@router.post(
    "", response_model=ItemOut, status_code=status.HTTP_201_CREATED, responses=errors(400, 422)
)
async def create_item(body: ItemIn, session: SessionDep, owner: Owner) -> Item:
    item = Item(name=body.name, description=body.description, **owner)
    session.add(item)
    await session.commit()
    return item


@router.get("/{id}", response_model=ItemOut, responses=errors(404, 422))
async def get_item(item: ExistingItem) -> Item:
    return item


@router.put("/{id}", response_model=ItemOut, responses=errors(400, 404, 422))
async def replace_item(id: int, body: ItemIn, session: SessionDep, mine: Mine) -> Item:
    if not 0 < id <= MAX_ID:
        raise not_found()
    statement = (
        update(Item)
        .where(Item.id == id, *mine)
        .values(name=body.name, description=body.description)
        .returning(Item)
    )
    item = await session.scalar(statement)
    if item is None:
        raise not_found()
    await session.commit()
    return item


@router.delete("/{id}", status_code=status.HTTP_204_NO_CONTENT, responses=errors(404, 422))
async def delete_item(id: int, session: SessionDep, mine: Mine) -> Response:
    deleted = None
    if 0 < id <= MAX_ID:
        deleted = await session.scalar(delete(Item).where(Item.id == id, *mine).returning(Item.id))
    if deleted is None:
        raise not_found()
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
