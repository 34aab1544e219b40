"""GET /: the first URL a visitor opens, answered with where to go next."""

from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter(tags=["index"])


class Index(BaseModel):
    docs: str
    openapi: str
    health: str


INDEX = Index(docs="/api/docs", openapi="/api/openapi.json", health="/health")


@router.get("/", response_model=Index, summary="Where the API's docs and health check are")
async def index() -> Index:
    return INDEX
