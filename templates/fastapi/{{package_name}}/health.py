"""GET /health: is this process up and can it reach its database?"""

import asyncio
import logging
from typing import Literal

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from .db import engine

logger = logging.getLogger(__name__)

# Load balancers give up after a few seconds; answer before they do, even if the
# database host silently drops packets instead of refusing the connection.
DATABASE_TIMEOUT_SECONDS = 3

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok", "error"]
    database: Literal["ok", "error"]


UNHEALTHY = {"model": Health, "description": "The database is unreachable"}


@router.get(
    "/health",
    response_model=Health,
    responses={status.HTTP_503_SERVICE_UNAVAILABLE: UNHEALTHY},
)
async def health() -> Health | JSONResponse:
    try:
        # A pooled connection, not an ORM session: the check needs no unit of work.
        async with asyncio.timeout(DATABASE_TIMEOUT_SECONDS), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach the database means "not healthy"
        logger.warning("health check: database unreachable: %r", exc)
        return JSONResponse(
            Health(status="error", database="error").model_dump(),
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    return Health(status="ok", database="ok")
