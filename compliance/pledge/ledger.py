"""The signature ledger: an append-only hash chain that a third party can recheck.

Algorithm (also in the README): each row's hash is SHA-256 over the UTF-8 bytes of the JSON object
{"chat_id", "locale", "message_id", "official_id", "on_behalf_of_unit", "pledge_version_id",
"prev_hash", "signed_at", "text_sha256", "typed_name_sha256", "unit_id"} written with sorted keys, no
spaces (separators "," and ":"), non-ASCII kept as is, signed_at as ISO 8601 in UTC with microseconds
("2026-12-01T01:02:03.000004+00:00"). The first row's prev_hash is 64 zeros; every other row's is the
previous row's hash, rows ordered by id. The id is not hashed (a sequence may skip numbers): the link
proves each row's place. A broken link whose hash is nowhere in the ledger means a row was removed; one
whose hash is elsewhere means rows were moved. typed_name_sha256 is SHA-256 of the NFC typed name, so a
name can be erased later without breaking the chain; the stored name, while there, is checked against it.

A receipt carries a verification code: the first 10 characters of the row hash, upper case, in two groups
of five ("3F9A2-C71B0"): short enough to read out or type, and 40 bits, so no two rows of a province's
ledger share one by chance.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.engine import dialect_of
from storage.models_pledge import Signature

GENESIS = "0" * 64
CODE_LENGTH = 10
MIN_CODE_LENGTH = 8  # fewer characters could name several rows
_HEX = frozenset("0123456789abcdef")
_CHAIN_LOCK = 7_305_001  # the advisory lock id that serialises appends on PostgreSQL
_BATCH = 5000


def name_digest(typed_name: str) -> str:
    return hashlib.sha256(unicodedata.normalize("NFC", typed_name).encode("utf-8")).hexdigest()


def row_content(row: Signature) -> dict[str, Any]:
    return {
        "chat_id": row.chat_id,
        "locale": row.locale,
        "message_id": row.message_id,
        "official_id": row.official_id,
        "on_behalf_of_unit": row.on_behalf_of_unit,
        "pledge_version_id": row.pledge_version_id,
        "prev_hash": row.prev_hash,
        "signed_at": row.signed_at.isoformat(timespec="microseconds"),
        "text_sha256": row.text_sha256,
        "typed_name_sha256": row.typed_name_sha256,
        "unit_id": row.unit_id,
    }


def row_hash_of(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


async def append(
    session: AsyncSession,
    *,
    official_id: int,
    unit_id: int | None,
    pledge_version_id: int,
    on_behalf_of_unit: bool,
    locale: str,
    text_sha256: str,
    typed_name: str,
    signed_at: datetime,
    chat_id: int,
    message_id: int,
) -> Signature:
    """Add a signature at the end of the chain, in the caller's transaction."""
    if dialect_of(session) == "postgresql":
        # Concurrent signers queue here instead of racing for the same previous hash.
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})
    last = await session.scalar(select(Signature).order_by(Signature.id.desc()).limit(1))
    row = Signature(
        official_id=official_id,
        unit_id=unit_id,
        pledge_version_id=pledge_version_id,
        on_behalf_of_unit=on_behalf_of_unit,
        locale=locale,
        text_sha256=text_sha256,
        typed_name=unicodedata.normalize("NFC", typed_name),
        typed_name_sha256=name_digest(typed_name),
        signed_at=signed_at,
        chat_id=chat_id,
        message_id=message_id,
        prev_hash=last.row_hash if last else GENESIS,
        row_hash="pending",
    )
    row.row_hash = row_hash_of(row_content(row))
    session.add(row)
    await session.flush()
    return row


@dataclass(frozen=True)
class Verification:
    ok: bool
    count: int
    bad_row: int | None = None
    reason: str | None = None  # content_changed | name_changed | row_missing | order_broken
    field: str | None = None  # the column found changed, when the check can tell which


def row_problem(row: Signature) -> tuple[str, str | None] | None:
    """What is wrong with the row on its own, (reason, field), or None when it matches its hashes.

    The chain covers the typed name through its digest only: without this comparison an edited name
    would pass verification and show on /mydata and the receipt. An erased name (None) has nothing to
    compare and stays valid."""
    if row_hash_of(row_content(row)) != row.row_hash:
        return "content_changed", None
    if row.typed_name is not None and name_digest(row.typed_name) != row.typed_name_sha256:
        return "name_changed", "typed_name"
    return None


async def _in_order(session: AsyncSession) -> AsyncIterator[Signature]:
    """Every signature in id order, a batch at a time, so a province's ledger never sits in memory."""
    last_id = 0
    while True:
        rows = (
            await session.scalars(
                select(Signature).where(Signature.id > last_id).order_by(Signature.id).limit(_BATCH)
            )
        ).all()
        if not rows:
            return
        for row in rows:
            yield row
        last_id = rows[-1].id
        session.expunge_all()


async def verify(session: AsyncSession) -> Verification:
    """Recompute the chain in id order; name the first row that does not match and why."""
    expected_prev = GENESIS
    count = 0
    async for row in _in_order(session):
        problem = row_problem(row)
        if problem is not None:
            return Verification(False, count, row.id, problem[0], problem[1])
        if row.prev_hash != expected_prev:
            elsewhere = await session.scalar(select(Signature.id).where(Signature.row_hash == row.prev_hash))
            return Verification(False, count, row.id, "order_broken" if elsewhere else "row_missing")
        expected_prev = row.row_hash
        count += 1
    return Verification(True, count)


def verification_code(row_hash: str) -> str:
    head = row_hash[:CODE_LENGTH].upper()
    return f"{head[:5]}-{head[5:]}"


def code_prefix(code: str) -> str | None:
    """The row-hash prefix a code stands for, however it was typed (dashes, spaces, lower case), or
    None when it cannot be one."""
    prefix = "".join(ch for ch in code.lower() if ch not in " -_.")
    if not MIN_CODE_LENGTH <= len(prefix) <= 64 or not set(prefix) <= _HEX:
        return None
    return prefix


@dataclass(frozen=True)
class CodeCheck:
    """A receipt's code looked up: the row it names, whether that row matches its hashes, and the chain."""

    signature: Signature | None
    matches: int  # rows whose hash starts with the code: 0, 1, or 2 meaning "more than one"
    row_problem: tuple[str, str | None] | None = None
    chain: Verification | None = None


async def check_code(session: AsyncSession, code: str) -> CodeCheck | None:
    """None when `code` is not a code at all; otherwise what the ledger says about the row it names."""
    prefix = code_prefix(code)
    if prefix is None:
        return None
    ids = (
        await session.scalars(
            select(Signature.id).where(func.substr(Signature.row_hash, 1, len(prefix)) == prefix).limit(2)
        )
    ).all()
    if len(ids) != 1:
        return CodeCheck(None, len(ids))
    # The whole chain, not only this row: a row that matches its hash proves little if rows before it
    # were removed or rewritten. (It runs first: it empties the session as it goes.)
    chain = await verify(session)
    row = await session.get(Signature, ids[0])
    assert row is not None
    return CodeCheck(row, 1, row_problem(row), chain)


EXPORT_COLUMNS = [
    "id",
    "official_id",
    "unit_id",
    "pledge_version_id",
    "on_behalf_of_unit",
    "locale",
    "text_sha256",
    "typed_name_sha256",
    "signed_at",
    "chat_id",
    "message_id",
    "prev_hash",
    "row_hash",
]


async def export_csv(session: AsyncSession) -> str:
    """Every signature with its hashes, for a third party to recheck with the algorithm above."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    async for row in _in_order(session):
        content = row_content(row)
        writer.writerow([row.id, *(content[c] for c in EXPORT_COLUMNS[1:-1]), row.row_hash])
    return out.getvalue()
