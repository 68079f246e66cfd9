from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text

from compliance.content import ContentError
from compliance.office.accounts import linked
from compliance.office.officials import actor_of
from compliance.office.staff_import import import_staff
from compliance.office.units import get_unit_by_code
from compliance.pledge import ledger
from compliance.pledge import signing as pledges
from compliance.pledge.signing import SignOutcome
from compliance.pledge.templates import (
    canonical_text,
    load_template_bytes,
    shipped_templates,
    text_sha256,
)
from storage.clock import utcnow
from storage.engine import Database
from storage.models import Official, OfficialStatus, OutboxMessage
from storage.models_pledge import Signature
from tests.factories import link_telegram, telegram_id_of, telegram_official
from tests.pledge_files import template, template_document, template_yaml
from tests.staff_files import OFFICE, xlsx_bytes


def test_shipped_templates_load_and_hash_stably() -> None:
    loaded = shipped_templates()
    assert {t.code for t in loaded} >= {"6b5k3th", "4xin4luon", "5khong"}
    for item in loaded:
        assert len(item.items) >= 5  # "5 không" has five
        assert text_sha256(item, "vi") == text_sha256(item, "vi") != text_sha256(item, "en")


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["sections"][1]["items"][0]["text"].pop("en"), "item khong-1"),
        (
            lambda d: d["sections"][0]["items"].append({"id": "biet-1", "text": {"vi": "a", "en": "b"}}),
            "section biet item 3",
        ),
        (lambda d: d.update(effective="soon"), "effective"),
        (lambda d: d.update(require_quiz=True), "quiz"),
        (lambda d: d.update(sections=[]), "sections"),
    ],
)
def test_broken_templates_name_the_file_and_the_item(
    change: Callable[[dict[str, Any]], object], where: str
) -> None:
    document = template_document()
    change(document)
    with pytest.raises(ContentError) as caught:
        load_template_bytes(__import__("yaml").safe_dump(document, allow_unicode=True).encode(), "hn-1.yaml")
    assert caught.value.source == "hn-1.yaml" and caught.value.where == where


def test_a_file_must_be_named_after_its_code_and_version() -> None:
    with pytest.raises(ContentError, match=r"thu-1\.yaml"):
        load_template_bytes(template_yaml(), "other-2.yaml", expected_name="other-2")


def test_canonical_text_numbers_items_across_sections() -> None:
    rendered = canonical_text(template(), "vi")
    assert "1. Biết lắng nghe số 1." in rendered and "3. Không hách dịch." in rendered


@pytest.fixture
async def office(database: Database) -> Database:
    async with database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))
        for n, phone in enumerate(["+84912000001", "+84912000002", "+84912000003", "+84912000004"], start=1):
            person = await session.scalar(select(Official).where(Official.phone == phone))
            assert person is not None
            person.status = OfficialStatus.ACTIVE
            await link_telegram(session, person, 100 + n)
    return database


async def test_versions_resolve_to_the_nearest_unit_and_material_changes_ask_to_resign(
    office: Database,
) -> None:
    async with office.unit_of_work() as session:
        root = await get_unit_by_code(session, "so-gtvt")
        office_unit = await get_unit_by_code(session, "van-phong")
        transport = await get_unit_by_code(session, "phong-quan-ly-van-tai")
        assert root and office_unit and transport
        first = await pledges.publish(
            session, template=template(), unit=None, material=True, publisher_id=None
        )
        local = await pledges.publish(
            session,
            template=template(code="vp"),
            unit=office_unit,
            material=True,
            publisher_id=None,
            now=utcnow() + timedelta(seconds=1),
        )
        assert (await pledges.current_version(session, transport)).id == first.version.id  # type: ignore[union-attr]
        assert (await pledges.current_version(session, office_unit)).id == local.version.id  # type: ignore[union-attr]
        assert (await pledges.current_version(session, None)).id == first.version.id  # type: ignore[union-attr]
        # Four joined people: two in the Văn phòng subtree got the local version's request instead.
        assert (first.resign_requests, local.resign_requests) == (4, 2)
        newer = await pledges.publish(
            session,
            template=template(version=2, items=3),
            unit=None,
            material=True,
            publisher_id=None,
            now=utcnow() + timedelta(seconds=2),
        )
        assert newer.resign_requests == 2  # only those outside Văn phòng, which keeps its own version
        wording = await pledges.publish(
            session,
            template=template(version=3, items=3),
            unit=None,
            material=False,
            publisher_id=None,
            now=utcnow() + timedelta(seconds=3),
        )
        assert wording.resign_requests == 0
        again = await pledges.publish(
            session, template=template(version=3, items=3), unit=None, material=False, publisher_id=None
        )
        assert again.outcome is pledges.PublishOutcome.ALREADY_PUBLISHED
        kinds = (await session.scalars(select(OutboxMessage.kind))).all()
    assert kinds == ["pledge_resign"] * 8


def test_material_by_default_when_items_change() -> None:
    assert pledges.is_material_change(template(), template(items=3))
    assert not pledges.is_material_change(template(), template(version=2))


async def signed_office(office: Database, signers: int = 3) -> None:
    async with office.unit_of_work() as session:
        published = await pledges.publish(
            session, template=template(), unit=None, material=False, publisher_id=None
        )
        assert published.version is not None
        people = (await session.scalars(select(Official).where(linked()))).all()
        for person in sorted(people, key=lambda p: p.id)[:signers]:
            result = await pledges.sign(
                session,
                actor=actor_of(person),
                version_id=published.version.id,
                typed_name=person.full_name.upper(),
                locale="vi",
                chat_id=await telegram_id_of(session, person.id) or 0,
                message_id=1,
            )
            assert result.outcome is SignOutcome.SIGNED


async def test_signing_checks_the_name_and_refuses_a_second_signature(office: Database) -> None:
    await signed_office(office, signers=1)
    async with office.unit_of_work() as session:
        version = await pledges.current_version(session, None)
        people = (await session.scalars(select(Official).where(linked()))).all()
        first, second = sorted(people, key=lambda p: p.id)[:2]
        assert version is not None
        twice = await pledges.sign(
            session,
            actor=actor_of(first),
            version_id=version.id,
            typed_name=first.full_name,
            locale="vi",
            chat_id=1,
            message_id=2,
        )
        wrong = await pledges.sign(
            session,
            actor=actor_of(second),
            version_id=version.id,
            typed_name="Nguyễn Văn Khác",
            locale="vi",
            chat_id=1,
            message_id=2,
        )
        for_unit = await pledges.sign(
            session,
            actor=actor_of(second),
            version_id=version.id,
            typed_name=second.full_name,
            locale="vi",
            chat_id=1,
            message_id=2,
            on_behalf_of_unit=second.role.value != "head",
        )
    assert twice.outcome is SignOutcome.ALREADY_SIGNED and twice.signature is not None
    assert wrong.outcome is SignOutcome.NAME_MISMATCH
    assert for_unit.outcome in (SignOutcome.SIGNED, SignOutcome.NOT_A_HEAD)


async def test_ledger_verify_catches_an_edit_a_deletion_and_a_swap(office: Database) -> None:
    await signed_office(office, signers=4)
    async with office.unit_of_work() as session:
        assert await ledger.verify(session) == ledger.Verification(True, 4)
        ids = (await session.scalars(select(Signature.id).order_by(Signature.id))).all()
    # (what is done with raw SQL, the first row that no longer matches)
    cases = {
        "content_changed": (f"UPDATE signatures SET text_sha256 = 'x' WHERE id = {ids[1]}", ids[1]),
        "row_missing": (f"DELETE FROM signatures WHERE id = {ids[1]}", ids[2]),
        "order_broken": (
            f"UPDATE signatures SET id = -1 WHERE id = {ids[1]};"
            f"UPDATE signatures SET id = {ids[1]} WHERE id = {ids[2]};"
            f"UPDATE signatures SET id = {ids[2]} WHERE id = -1",
            ids[1],
        ),
    }
    for reason, (sql, first_bad) in cases.items():
        async with office.engine.begin() as connection:
            saved = (await connection.exec_driver_sql("SELECT * FROM signatures ORDER BY id")).all()
            for statement in sql.split(";"):
                await connection.execute(text(statement))
        async with office.unit_of_work() as session:
            result = await ledger.verify(session)
        assert (result.ok, result.reason, result.bad_row) == (False, reason, first_bad), reason
        async with office.engine.begin() as connection:  # put the ledger back for the next case
            await connection.execute(text("DELETE FROM signatures"))
            for row in saved:
                values = dict(row._mapping)
                columns = ", ".join(values)
                placeholders = ", ".join(f":{name}" for name in values)
                await connection.execute(
                    text(f"INSERT INTO signatures ({columns}) VALUES ({placeholders})"), values
                )
        async with office.unit_of_work() as session:
            assert (await ledger.verify(session)).ok


async def test_concurrent_signatures_keep_one_chain(office: Database) -> None:
    """Many signers at once: on PostgreSQL the advisory lock queues them; the chain never forks."""
    if office.dialect != "postgresql":
        pytest.skip("SQLite has one writer at a time; the race needs PostgreSQL")
    async with office.unit_of_work() as session:
        published = await pledges.publish(
            session, template=template(), unit=None, material=False, publisher_id=None
        )
        assert published.version is not None
        unit = await get_unit_by_code(session, "van-phong")
        assert unit is not None
        for n in range(30):
            await telegram_official(
                session,
                5000 + n,
                full_name=f"Người Ký {n}",
                name_key=f"người ký {n}",
                unit_id=unit.id,
                status=OfficialStatus.ACTIVE,
            )
    async with office.unit_of_work() as session:
        signers = (
            await session.scalars(select(Official).where(Official.full_name.startswith("Người Ký ")))
        ).all()

    assert published.version is not None
    version_id = published.version.id

    async def one(person: Official) -> None:
        async with office.unit_of_work() as session:
            result = await pledges.sign(
                session,
                actor=actor_of(person),
                version_id=version_id,
                typed_name=person.full_name,
                locale="vi",
                chat_id=1,
                message_id=1,
            )
            assert result.outcome is SignOutcome.SIGNED

    await asyncio.gather(*(one(p) for p in signers))
    async with office.unit_of_work() as session:
        assert await ledger.verify(session) == ledger.Verification(True, 30)
        assert await session.scalar(select(func.count(func.distinct(Signature.prev_hash)))) == 30
