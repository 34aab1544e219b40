"""The users table, the refresh tokens handed out, and the records the throttles count."""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    false,
    func,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from ..timestamps import utc_now


class User(Base):
    __tablename__ = "users"
    # AUTOINCREMENT on SQLite: an id is never handed out twice, so a deleted user's token can
    # never name a newer user (PostgreSQL sequences never reuse ids anyway).
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012 (SQLAlchemy reads it once)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored in its canonical form (emails.py), so the unique constraint holds one account per
    # address however it is spelled, and lookups compare exactly.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # Argon2id, in the PHC string format ($argon2id$v=19$...).
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # May log in to the admin at /admin/ (when the project has it); the API treats staff like
    # everyone else.
    is_staff: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now, server_default=func.now()
    )
    # When the user followed the link of a verification mail; None: not verified yet.
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Every token the user holds carries the version it was issued under (`ver`); changing or
    # resetting the password moves it on, and every earlier token stops working.
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None


class LoginFailure(Base):
    """One login attempt for one account from one client address: reserved before the password
    is checked, kept when it fails (throttle.py). A table rather than process memory, so every
    worker process (and every host) counts the same attempts."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    # The client's address (throttle.client_address); "" for rows from before it was kept.
    client: Mapped[str] = mapped_column(String(64), default="", server_default="", index=True)
    failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class RefreshToken(Base):
    """One refresh token handed out (tokens.py): a SHA-256 hash of its `jti`, never the token.

    A refresh is allowed once per token (`used_at` is then set, and a new token of the same
    family handed out); a used token presented again revokes its whole family."""

    __tablename__ = "refresh_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    jti_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The login the token descends from, kept across rotations.
    family: Mapped[str] = mapped_column(String(64), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class ThrottleHit(Base):
    """One request a throttle counts (throttle.py), other than logins: a password-reset or
    verification mail asked for (`key`: the canonical email), or a failed use of a reset,
    verification or refresh token (`key`: the client address). Kept in the database, like
    `LoginFailure`, so that every worker process counts the same requests."""

    __tablename__ = "throttle_hits"
    __table_args__ = (Index("ix_throttle_hits_scope_key", "scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(254))
    client: Mapped[str] = mapped_column(String(64), default="")
    hit_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
