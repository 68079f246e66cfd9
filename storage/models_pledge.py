"""The pledge: published versions, the append-only signature ledger, signing ceremonies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.clock import utcnow
from storage.models import Base


class PledgeVersion(Base):
    """A template as published, for the whole office (unit_id empty) or a unit's subtree."""

    __tablename__ = "pledge_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    material: Mapped[bool] = mapped_column()
    content: Mapped[dict[str, Any]] = mapped_column()
    content_hash: Mapped[str] = mapped_column(String(64))
    effective: Mapped[date] = mapped_column(Date)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))

    __table_args__ = (Index("ix_pledge_versions_scope", "unit_id", "published_at"),)


class Signature(Base):
    """One row of the ledger. Never updated or deleted by the code: each row hashes its content and the
    previous row's hash, and `prev_hash` is unique, so the chain cannot fork even under concurrency."""

    __tablename__ = "signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    pledge_version_id: Mapped[int] = mapped_column(ForeignKey("pledge_versions.id"), index=True)
    on_behalf_of_unit: Mapped[bool] = mapped_column(default=False)
    locale: Mapped[str] = mapped_column(String(8))
    text_sha256: Mapped[str] = mapped_column(String(64))
    # The typed name can be erased (personal data); the chain hashes its digest, so it stays verifiable.
    typed_name: Mapped[str | None] = mapped_column(String(200))
    typed_name_sha256: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column()
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    row_hash: Mapped[str] = mapped_column(String(64), unique=True)


class Ceremony(Base):
    """A signing ceremony posted in a chat: its message is edited as the unit signs."""

    __tablename__ = "ceremonies"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    pledge_version_id: Mapped[int] = mapped_column(ForeignKey("pledge_versions.id"))
    started_by_id: Mapped[int] = mapped_column(ForeignKey("officials.id"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    shown_signed: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column()


class ConversationState(Base):
    """python-telegram-bot's conversation states and user_data, kept so a restart loses no step."""

    __tablename__ = "conversation_states"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # a conversation's name, or "user_data"
    key: Mapped[str] = mapped_column(String(100))
    value: Mapped[dict[str, Any]] = mapped_column()  # {"v": the state or the user_data}
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (Index("uq_conversation_states_kind_key", "kind", "key", unique=True),)
