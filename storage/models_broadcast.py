"""Broadcasts and their acknowledgements, unit group chats, and the audit log of admin and head actions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.clock import utcnow
from storage.models import Base


class Broadcast(Base):
    """A plan update sent to many: one row here, one outbox row per recipient (outbox.broadcast_id).

    Delivery states live on the outbox rows, acknowledgements in broadcast_acks: counts are aggregates over
    indexed columns, never a scan of JSON.
    """

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("officials.id"), index=True)
    # The sender's reach when it was composed: a head's own unit (its subtree), or empty for the office.
    scope_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    text: Mapped[str] = mapped_column(Text)
    attachment_kind: Mapped[str | None] = mapped_column(String(10))  # "document" | "photo"
    attachment_file_id: Mapped[str | None] = mapped_column(String(255))
    attachment_name: Mapped[str | None] = mapped_column(String(255))
    # {"kind": "all" | "units" | "heads" | "groups", "units": [unit ids]}
    target: Mapped[dict[str, Any]] = mapped_column()
    requires_ack: Mapped[bool] = mapped_column(default=True)
    send_at: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(12), index=True)  # scheduled|sending|done|cancelled|stopped
    total: Mapped[int] = mapped_column(Integer, default=0)
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # What the progress message shows now, so it is edited only when a figure changes.
    progress_shown: Mapped[str | None] = mapped_column(String(60))
    auto_reminded_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    # The web preview's one-time form key: a confirm sent twice (a double click, a resent form) finds the
    # broadcast the first one made instead of making a second.
    draft_key: Mapped[str | None] = mapped_column(String(64), unique=True)


class BroadcastFile(Base):
    """A document uploaded on the web for a broadcast: the chat's files live at Telegram (a file_id), a web
    upload has nowhere else to live. Stored when the draft is previewed, tied to its broadcast on confirm;
    one that was never confirmed is removed a day later."""

    __tablename__ = "broadcast_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int | None] = mapped_column(ForeignKey("broadcasts.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("officials.id"))
    name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BroadcastAck(Base):
    """That a recipient pressed "Đã nhận": recorded once, the first time."""

    __tablename__ = "broadcast_acks"

    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id"), primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id"), primary_key=True)
    acked_at: Mapped[datetime] = mapped_column(default=utcnow)


class UnitGroup(Base):
    """A Telegram group chat linked to a unit: broadcasts can reach it; the head may turn on its weekly
    aggregate (counts only, never names)."""

    __tablename__ = "unit_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    title: Mapped[str] = mapped_column(String(255))
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)
    weekly_summary: Mapped[bool] = mapped_column(default=False)


class AuditEntry(Base):
    """Who did what, when, with the state before and after: every admin and head action."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"), index=True)
    # "cli" or the actor's name when it was written, so the log reads the same after an erasure.
    actor_label: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    before: Mapped[dict[str, Any] | None] = mapped_column()
    after: Mapped[dict[str, Any] | None] = mapped_column()

    __table_args__ = (Index("ix_audit_log_subject", "subject"),)
