"""channel accounts: Telegram ids move out of officials, join requests and the outbox

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import storage.types
from storage.clock import utcnow

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _channel() -> sa.Enum:
    return sa.Enum("telegram", "zalo", "web", name="channel", native_enum=False, length=20)


def _text(length: int) -> sa.String:
    return sa.String(length=length)


def _move(
    table: str,
    *,
    new: list[tuple[str, sa.types.TypeEngine[Any]]],
    copy: str,
    old: list[str],
    index: tuple[str, str, list[str]],
    nullable: frozenset[str] | set[str] = frozenset(),
) -> None:
    """Replace columns by new ones filled from them (`copy`, an UPDATE's SET clause), and the index that
    served the old ones by one on the new: added as NULL-able, filled, then made NOT NULL."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        for name, type_ in new:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
    op.execute(f"UPDATE {table} SET {copy}")  # noqa: S608 (this module's constants, no input)
    dropped_index, created_index, columns = index
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_index(dropped_index)
        for name in old:
            batch_op.drop_column(name)
        for name, type_ in new:
            if name not in nullable:
                batch_op.alter_column(name, existing_type=type_, nullable=False)
        batch_op.create_index(created_index, columns, unique=False)


def _now() -> sa.BindParameter[object]:
    return sa.bindparam("now", utcnow(), type_=storage.types.UTCDateTime(timezone=True))


def upgrade() -> None:
    op.create_table(
        "channel_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("official_id", sa.Integer(), nullable=False),
        sa.Column("channel", _channel(), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("chat_id", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("linked_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum("active", "blocked", "unlinked", name="account_status", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("last_seen_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["official_id"], ["officials.id"], name=op.f("fk_channel_accounts_official_id_officials")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_accounts")),
    )
    with op.batch_alter_table("channel_accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_channel_accounts_official_id"), ["official_id"], unique=False)
        batch_op.create_index("uq_channel_accounts_channel_external", ["channel", "external_id"], unique=True)

    # Every Telegram link becomes an account; "unreachable" is how a block of the bot was recorded.
    op.execute(
        sa.text(
            "INSERT INTO channel_accounts"
            " (official_id, channel, external_id, chat_id, display_name, linked_at, status, last_seen_at)"
            " SELECT id, 'telegram', CAST(telegram_user_id AS VARCHAR(100)),"
            " CAST(telegram_user_id AS VARCHAR(100)), NULL, COALESCE(joined_at, :now),"
            " CASE WHEN status = 'unreachable' THEN 'blocked' ELSE 'active' END, COALESCE(joined_at, :now)"
            " FROM officials WHERE telegram_user_id IS NOT NULL ORDER BY id"
        ).bindparams(_now())
    )
    # SQLite rebuilds officials (copy, drop, rename) while other tables point at it: storage.migrate runs
    # migrations there with foreign keys off and checks them all before committing.
    with op.batch_alter_table("officials", schema=None) as batch_op:
        batch_op.drop_constraint("uq_officials_telegram_user_id", type_="unique")
        batch_op.drop_column("telegram_user_id")

    _move(
        "join_requests",
        new=[("channel", _channel()), ("external_id", _text(100)), ("display_name", _text(200))],
        copy="channel = 'telegram', external_id = CAST(telegram_user_id AS VARCHAR(100)),"
        " display_name = telegram_name",
        old=["telegram_user_id", "telegram_name"],
        index=(
            "ix_join_requests_telegram_user_id",
            "ix_join_requests_channel_external",
            ["channel", "external_id"],
        ),
    )
    _move(
        "outbox",
        new=[("channel", _channel()), ("address", _text(100)), ("channel_message_id", _text(100))],
        copy="channel = 'telegram', address = CAST(chat_id AS VARCHAR(100)),"
        " channel_message_id = CAST(telegram_message_id AS VARCHAR(100))",
        old=["chat_id", "telegram_message_id"],
        index=("ix_outbox_chat_id", "ix_outbox_channel_address", ["channel", "address"]),
        nullable={"channel_message_id"},
    )


def downgrade() -> None:
    # Only Telegram existed before: rows of other channels have no place to go back to and are dropped.
    op.execute("DELETE FROM outbox WHERE channel <> 'telegram'")
    _move(
        "outbox",
        new=[("chat_id", sa.BigInteger()), ("telegram_message_id", sa.BigInteger())],
        copy="chat_id = CAST(address AS BIGINT), telegram_message_id = CAST(channel_message_id AS BIGINT)",
        old=["channel_message_id", "address", "channel"],
        index=("ix_outbox_channel_address", "ix_outbox_chat_id", ["chat_id"]),
        nullable={"telegram_message_id"},
    )
    op.execute("DELETE FROM join_requests WHERE channel <> 'telegram'")
    _move(
        "join_requests",
        new=[("telegram_user_id", sa.BigInteger()), ("telegram_name", _text(200))],
        copy="telegram_user_id = CAST(external_id AS BIGINT), telegram_name = display_name",
        old=["display_name", "external_id", "channel"],
        index=(
            "ix_join_requests_channel_external",
            "ix_join_requests_telegram_user_id",
            ["telegram_user_id"],
        ),
    )

    with op.batch_alter_table("officials", schema=None) as batch_op:
        batch_op.add_column(sa.Column("telegram_user_id", sa.BigInteger(), nullable=True))
    # One Telegram id per official: the account they used last.
    op.execute(
        "UPDATE officials SET telegram_user_id = (SELECT CAST(a.external_id AS BIGINT) FROM channel_accounts a"
        " WHERE a.official_id = officials.id AND a.channel = 'telegram'"
        " ORDER BY a.last_seen_at DESC, a.id DESC LIMIT 1)"
    )
    with op.batch_alter_table("officials", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_officials_telegram_user_id", ["telegram_user_id"])

    with op.batch_alter_table("channel_accounts", schema=None) as batch_op:
        batch_op.drop_index("uq_channel_accounts_channel_external")
        batch_op.drop_index(batch_op.f("ix_channel_accounts_official_id"))
    op.drop_table("channel_accounts")
