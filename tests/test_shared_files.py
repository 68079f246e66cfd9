"""Shared files: a token opens its file until it expires; a broadcast's document is referenced, not copied;
expired links are forgotten by the job; erasure removes a person's links."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from compliance.delivery import shared_files
from storage.engine import Database
from storage.models import Official, OfficialStatus
from storage.models_broadcast import BroadcastFile
from storage.models_files import SharedFile

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
PDF = "%PDF-1.4\n% kế hoạch\n%%EOF\n".encode()


async def _official(database: Database, name: str = "Trần Thị Bình") -> int:
    async with database.unit_of_work() as session:
        official = Official(full_name=name, name_key=name.lower(), status=OfficialStatus.ACTIVE)
        session.add(official)
        await session.flush()
        return official.id


async def _broadcast_file(database: Database, uploader_id: int) -> int:
    async with database.unit_of_work() as session:
        stored = BroadcastFile(
            uploaded_by_id=uploader_id,
            name="Kế hoạch 15.pdf",
            media_type="application/pdf",
            size=len(PDF),
            sha256=hashlib.sha256(PDF).hexdigest(),
            content=PDF,
        )
        session.add(stored)
        await session.flush()
        return stored.id


async def test_a_token_opens_its_bytes_until_it_expires(database: Database) -> None:
    official_id = await _official(database)
    async with database.unit_of_work() as session:
        token = await shared_files.share(
            session,
            content=PNG,
            name="bieu-do.png",
            media_type="image/png",
            kind=shared_files.PHOTO,
            official_id=official_id,
            now=NOW,
        )
    assert token is not None and len(token) >= 22  # ≥ 128 bits of randomness, URL-safe
    async with database.unit_of_work() as session:
        stored = (await session.scalars(select(SharedFile))).one()
        assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()  # never the token itself
        assert (stored.size, stored.official_id) == (len(PNG), official_id)
        assert stored.expires_at - NOW == shared_files.DEFAULT_LIFETIME >= timedelta(days=7)
        opened = await shared_files.open_shared(session, token=token, now=NOW + timedelta(days=13))
        assert opened == shared_files.Opened("bieu-do.png", "image/png", "photo", PNG)
        assert await shared_files.open_shared(session, token=token, now=NOW + timedelta(days=14)) is None
        assert (
            await shared_files.open_shared(
                session, token=token[:-1] + ("A" if token[-1] != "A" else "B"), now=NOW
            )
            is None
        )
        assert await shared_files.open_shared(session, token="", now=NOW) is None
        assert await shared_files.open_shared(session, token="a" * 500, now=NOW) is None


async def test_a_broadcast_document_is_referenced_once_per_recipient(database: Database) -> None:
    admin_id = await _official(database, "Lê Văn Quản")
    readers = [await _official(database, f"Cán bộ {n}") for n in range(3)]
    file_id = await _broadcast_file(database, admin_id)
    tokens = []
    async with database.unit_of_work() as session:
        for reader in readers:
            token = await shared_files.share(
                session, broadcast_file_id=file_id, kind=shared_files.DOCUMENT, official_id=reader, now=NOW
            )
            assert token is not None
            tokens.append(token)
        missing = await shared_files.share(
            session, broadcast_file_id=file_id + 99, kind=shared_files.DOCUMENT, official_id=None, now=NOW
        )
        assert missing is None
    assert len(set(tokens)) == 3
    async with database.unit_of_work() as session:
        rows = (await session.scalars(select(SharedFile))).all()
        assert [r.content for r in rows] == [None, None, None]  # no copy of the PDF
        assert {(r.name, r.media_type, r.size) for r in rows} == {
            ("Kế hoạch 15.pdf", "application/pdf", len(PDF))
        }
        opened = await shared_files.open_shared(session, token=tokens[1], now=NOW)
        assert opened == shared_files.Opened("Kế hoạch 15.pdf", "application/pdf", "document", PDF)


async def test_share_needs_exactly_one_source(database: Database) -> None:
    async with database.unit_of_work() as session:
        with pytest.raises(ValueError):
            await shared_files.share(session, kind=shared_files.DOCUMENT, official_id=None, now=NOW)
        with pytest.raises(ValueError):
            await shared_files.share(
                session,
                content=PDF,
                broadcast_file_id=1,
                kind=shared_files.DOCUMENT,
                official_id=None,
                now=NOW,
            )


async def test_expired_links_are_forgotten_and_erasure_removes_a_persons_links(database: Database) -> None:
    first, second = await _official(database), await _official(database, "Phạm Văn Chí")
    async with database.unit_of_work() as session:
        short = await shared_files.share(
            session, content=PDF, kind="document", official_id=first, now=NOW, lifetime=timedelta(days=1)
        )
        kept = await shared_files.share(session, content=PDF, kind="document", official_id=first, now=NOW)
        other = await shared_files.share(session, content=PNG, kind="photo", official_id=second, now=NOW)
    async with database.unit_of_work() as session:
        assert await shared_files.forget_expired(session, now=NOW + timedelta(days=2)) == 1
    async with database.unit_of_work() as session:
        assert short is not None and kept is not None and other is not None
        assert await shared_files.open_shared(session, token=short, now=NOW) is None  # deleted, not just old
        assert await shared_files.open_shared(session, token=kept, now=NOW) is not None
        assert await shared_files.forget_for(session, official_id=first) == 1
    async with database.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(SharedFile)) == 1
        assert await shared_files.open_shared(session, token=other, now=NOW) is not None
