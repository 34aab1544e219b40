"""The /api/items endpoints.

Every route answers with and without the trailing slash: clients POST to either, and a
redirect would turn their POST into a GET.
"""

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status
from sqlalchemy import select

from ..db import SessionDep
from .models import Item
from .schemas import ItemIn, ItemOut

router = APIRouter(prefix="/api/items", tags=["items"])

# The largest value an INTEGER primary key or an OFFSET can hold on both databases;
# anything bigger cannot match a row, and would make the driver raise instead.
MAX_ID = 2**31 - 1
MAX_OFFSET = 2**63 - 1


async def item_or_404(id: int, session: SessionDep) -> Item:
    item = await session.get(Item, id) if 0 < id <= MAX_ID else None
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Item not found")
    return item


ExistingItem = Annotated[Item, Depends(item_or_404)]


@router.get("", response_model=list[ItemOut])
@router.get("/", response_model=list[ItemOut], include_in_schema=False)
async def list_items(
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Sequence[Item]:
    """Newest first; `id` breaks ties between items created in the same instant."""
    query = select(Item).order_by(Item.created_at.desc(), Item.id.desc())
    result = await session.scalars(query.limit(limit).offset(offset))
    return result.all()


@router.post("", response_model=ItemOut, status_code=status.HTTP_201_CREATED)
@router.post(
    "/", response_model=ItemOut, status_code=status.HTTP_201_CREATED, include_in_schema=False
)
async def create_item(body: ItemIn, session: SessionDep) -> Item:
    item = Item(name=body.name, description=body.description)
    session.add(item)
    await session.commit()
    return item


@router.get("/{id}", response_model=ItemOut)
@router.get("/{id}/", response_model=ItemOut, include_in_schema=False)
async def get_item(item: ExistingItem) -> Item:
    return item


@router.put("/{id}", response_model=ItemOut)
@router.put("/{id}/", response_model=ItemOut, include_in_schema=False)
async def replace_item(body: ItemIn, item: ExistingItem, session: SessionDep) -> Item:
    item.name = body.name
    item.description = body.description
    await session.commit()
    return item


@router.delete("/{id}", status_code=status.HTTP_204_NO_CONTENT)
@router.delete("/{id}/", status_code=status.HTTP_204_NO_CONTENT, include_in_schema=False)
async def delete_item(item: ExistingItem, session: SessionDep) -> Response:
    await session.delete(item)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
