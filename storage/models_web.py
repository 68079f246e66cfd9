"""The web pages' sign-in: one-time links and the sessions they open. Only hashes of the secrets are kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.clock import utcnow
from storage.models import Base


class WebSignIn(Base):
    """A one-time sign-in link: valid a few minutes, used once, exchanged for a session.

    The link carries a random token; only its SHA-256 is stored, so a copy of the database opens nothing.
    """

    __tablename__ = "web_signins"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id"), index=True)
    # Where the link leads once signed in (a path of the site, checked when it is used).
    next_path: Mapped[str] = mapped_column(String(300), default="/")
    # Who asked for it: "chat", "cli", "admin:<id>" — for the audit of support links.
    issued_by: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()


class WebSession(Base):
    """A signed-in browser: the cookie holds a random token, the row its hash."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id"))
    # How it was opened: "link" (a one-time link) or "miniapp" (Telegram's initData).
    opened_by: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The absolute end; the idle end is last_seen_at plus the idle limit.
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (Index("ix_web_sessions_official", "official_id", "revoked_at"),)
