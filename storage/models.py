"""The tables of the foundation: units, officials, invites, join requests, staff uploads, the outbox.

Sized for a province from the first table: every lookup the bot makes per update (channel account, phone,
invite code, unit path prefix) has an index.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.clock import utcnow
from storage.types import UTCDateTime

# Deterministic constraint names keep Alembic's autogenerate and SQLite batch migrations stable.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class Role(enum.StrEnum):
    OFFICIAL = "official"
    HEAD = "head"
    ADMIN = "admin"


class OfficialStatus(enum.StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    LEFT = "left"
    UNREACHABLE = "unreachable"


class Channel(enum.StrEnum):
    """Where a person talks to the bot; shared by the domain (addressing) and the channels' handlers."""

    TELEGRAM = "telegram"
    ZALO = "zalo"
    WEB = "web"


class AccountStatus(enum.StrEnum):
    ACTIVE = "active"
    BLOCKED = "blocked"  # the person blocked the bot on this channel: nothing is sent until they write again
    UNLINKED = "unlinked"


class JoinRequestStatus(enum.StrEnum):
    AWAITING_NAME = "awaiting_name"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Stored as plain strings (no native PG enum) so adding a value later is not a migration of its own.
    return Enum(cls, name=name, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Unit(Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Lower-cased NFC name, unique among siblings, so an imported path finds the unit however it is typed.
    name_key: Mapped[str] = mapped_column(String(200))
    # Materialised path of ids ("/1/4/9/"): a subtree is one indexed prefix match, at any depth.
    path: Mapped[str] = mapped_column(String(400), index=True)
    depth: Mapped[int] = mapped_column(Integer)
    # Free text ("Phòng", "Trung tâm", "Sở"…): each province names its units, so kinds are data, not an enum.
    kind: Mapped[str | None] = mapped_column(String(60))
    # Set when the unit was merged into another (storage.models_unit_history.UnitMerge keeps when and by
    # whom): the row stays for the ledger's and the audit log's references, out of every picker.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], foreign_keys=[parent_id])

    __table_args__ = (Index("uq_units_parent_name", "parent_id", "name_key", unique=True),)


class Official(Base):
    __tablename__ = "officials"

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    email: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), default=Role.OFFICIAL)
    locale: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[OfficialStatus] = mapped_column(
        _enum(OfficialStatus, "official_status"), default=OfficialStatus.INVITED, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    joined_at: Mapped[datetime | None] = mapped_column()
    # Set when an admin erased a person who left: personal fields are cleared, the row stays for the ledger.
    erased_at: Mapped[datetime | None] = mapped_column()

    unit: Mapped[Unit | None] = relationship(lazy="joined")


class ChannelAccount(Base):
    """An official's identity on one channel: who writes (external_id) and where to write back (chat_id).

    Every update starts with (channel, external_id) → official: one lookup by the unique index.
    """

    __tablename__ = "channel_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id"), index=True)
    channel: Mapped[Channel] = mapped_column(_enum(Channel, "channel"))
    external_id: Mapped[str] = mapped_column(String(100))
    chat_id: Mapped[str] = mapped_column(String(100))
    display_name: Mapped[str | None] = mapped_column(String(200))
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[AccountStatus] = mapped_column(
        _enum(AccountStatus, "account_status"), default=AccountStatus.ACTIVE
    )
    # Which channel a person last used decides where their messages go; refreshed at most every few minutes.
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("uq_channel_accounts_channel_external", "channel", "external_id", unique=True),)


class Invite(Base):
    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    expires_at: Mapped[datetime] = mapped_column()
    max_uses: Mapped[int] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    revoked: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship(lazy="joined")


class JoinRequest(Base):
    __tablename__ = "join_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    invite_id: Mapped[int] = mapped_column(ForeignKey("invites.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    channel: Mapped[Channel] = mapped_column(_enum(Channel, "channel"))
    external_id: Mapped[str] = mapped_column(String(100))
    display_name: Mapped[str] = mapped_column(String(200))
    full_name: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[JoinRequestStatus] = mapped_column(
        _enum(JoinRequestStatus, "join_request_status"), default=JoinRequestStatus.AWAITING_NAME, index=True
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    decided_at: Mapped[datetime | None] = mapped_column()
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship(lazy="joined")

    __table_args__ = (Index("ix_join_requests_channel_external", "channel", "external_id"),)


class StaffUpload(Base):
    """A staff list an admin sent to the bot, kept until confirmed so a restart loses nothing."""

    __tablename__ = "staff_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("officials.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    row_count: Mapped[int] = mapped_column(Integer)
    error_count: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="previewed")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column()


class OutboxMessage(Base):
    """A message the bot sends on its own initiative, written in the transaction that caused it.

    The dedupe key makes planning idempotent; the lease lets a crashed sender's rows be taken over.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[Channel] = mapped_column(_enum(Channel, "channel"))
    # The channel's chat to write to (a Telegram chat id, a Zalo user id …), as text.
    address: Mapped[str] = mapped_column(String(100))
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"), index=True)
    # Set on a broadcast's copies (and its reminders): its delivery figures are one indexed aggregate.
    broadcast_id: Mapped[int | None] = mapped_column(ForeignKey("broadcasts.id"))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    not_before: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column()
    channel_message_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_outbox_due", "status", "not_before"),
        # a chat's rows: per-chat pacing, a person's own copy of a broadcast, erasure
        Index("ix_outbox_channel_address", "channel", "address"),
        # "sent to this chat within the last second" is asked on every claim (per-chat pacing)
        Index("ix_outbox_recently_sent", "status", "sent_at"),
        Index("ix_outbox_broadcast", "broadcast_id", "status"),
    )
