"""What Zalo needs that Telegram did not: activation codes (Zalo has no phone sharing and no deep-link
payload), the wrong guesses they are limited by, and the events already taken (Zalo may deliver one twice)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.clock import utcnow
from storage.models import Base


class ActivationCode(Base):
    """A personal code that links a chat account to an official on the staff list: single use, expiring,
    stored as its SHA-256 (with `hint`, its last two characters, to tell codes apart on a sheet)."""

    __tablename__ = "activation_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id"), index=True)
    hint: Mapped[str] = mapped_column(String(4))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()
    # The account it linked, as "<channel>:<external id>".
    used_by: Mapped[str | None] = mapped_column(String(120))
    # Set when a newer code replaced it (one live code per person).
    revoked_at: Mapped[datetime | None] = mapped_column()


class ActivationAttempt(Base):
    """A wrong code sent by a chat account: at most a few an hour per account, then a wait."""

    __tablename__ = "activation_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_activation_attempts_account", "channel", "external_id", "at"),)


class ProcessedEvent(Base):
    """An inbound event of a channel whose ids are text (Zalo's message ids), taken once: written in the
    event's own transaction, so a repeat (Zalo's getUpdates may return one again; a webhook retried on
    another replica) finds the row and is skipped. Old rows are deleted by a job."""

    __tablename__ = "processed_events"

    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ZaloGroup(Base):
    """A Zalo group chat linked to a unit (behind ZALO_GROUPS): it gets the unit's weekly aggregate. Zalo's
    group ids are opaque text, unlike Telegram's integer chat ids (storage.models_broadcast.UnitGroup)."""

    __tablename__ = "zalo_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(100), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)


class ZaloGroupCode(Base):
    """A one-time code a head (or admin) asked for in a private chat and then sends in the group to link it:
    the group's updates carry no proof of who may link it but the sender. Stored as its SHA-256."""

    __tablename__ = "zalo_group_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("officials.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()
    # The group it linked.
    used_in: Mapped[str | None] = mapped_column(String(100))
