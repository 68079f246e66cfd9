"""The rating form under load: the page keeps a reception point's names and staff a short while
(handlers/web/feedback/desk_cache), and posts arriving together are stored together
(handlers/web/feedback/rating_writer, compliance.feedback.ratings.record_many)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy import select, update

from compliance.feedback.points import create_point, set_active
from compliance.feedback.ratings import NewRating, RatingAnswers, record_many
from compliance.text import vietnamese_name_key
from handlers.web.feedback.desk_cache import DeskCache
from handlers.web.feedback.rating_writer import RatingWriter
from storage.clock import utcnow
from storage.engine import Database
from storage.models import Official, OfficialStatus, Unit
from storage.models_feedback import ReceptionPoint
from tests.feedback_desk import aged_token, answers, device, office_with_points, send, stored
from tests.web_admin_office import populate, signed_in_as
from tests.web_client import csrf_of, web_app


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _rename_unit(database: Database, code: str, name: str) -> None:
    async with database.unit_of_work() as session:
        point = await session.scalar(select(ReceptionPoint).where(ReceptionPoint.code == code))
        assert point is not None
        await session.execute(update(Unit).where(Unit.id == point.unit_id).values(name=name))


async def test_a_point_is_read_again_only_after_its_time(database: Database) -> None:
    _, codes = await office_with_points(database)
    clock = Clock()
    cache = DeskCache(ttl=30, clock=clock)
    async with database.unit_of_work() as session:
        first = await cache.get(session, codes["desk"])
    assert first is not None and first.unit_name == "Văn phòng" and first.desk == "Quầy số 3 – Đất đai"
    await _rename_unit(database, codes["desk"], "Văn phòng HĐND và UBND")
    clock.now += 29
    # The code as a person types it (lower case, a dash) is the same point.
    typed = codes["desk"].lower()[:3] + "-" + codes["desk"].lower()[3:]
    async with database.unit_of_work() as session:
        assert (await cache.get(session, typed)) is first
    clock.now += 2
    async with database.unit_of_work() as session:
        again = await cache.get(session, codes["desk"])
    assert again is not None and again.unit_name == "Văn phòng HĐND và UBND"


async def test_staff_are_in_vietnamese_order_and_leavers_are_not_offered(database: Database) -> None:
    _, codes = await office_with_points(database)
    async with database.unit_of_work() as session:
        point = await session.scalar(select(ReceptionPoint).where(ReceptionPoint.code == codes["office"]))
        assert point is not None
        staff = (await session.scalars(select(Official).where(Official.unit_id == point.unit_id))).all()
        assert len(staff) >= 2
        leaver = staff[0]
        leaver.status = OfficialStatus.LEFT
    async with database.unit_of_work() as session:
        desk = await DeskCache(ttl=0).get(session, codes["office"])
    assert desk is not None
    names = [name for _, name in desk.staff]
    assert leaver.full_name not in names
    assert sorted(names) == sorted(o.full_name for o in staff[1:] if o.erased_at is None)
    assert names == sorted(names, key=vietnamese_name_key)


async def test_unknown_codes_are_never_kept(database: Database) -> None:
    await office_with_points(database)
    cache = DeskCache(ttl=30)
    async with database.unit_of_work() as session:
        assert await cache.get(session, "ZZZZZZ") is None
        assert await cache.get(session, "not a code at all, far too long to be one") is None
    assert cache._kept == {}


async def test_a_point_closed_on_this_process_is_closed_at_once(database: Database) -> None:
    people = await populate(database)
    async with database.unit_of_work() as session:
        office = await session.scalar(select(Unit).where(Unit.name == "Văn phòng"))
        assert office is not None
        point = await create_point(session, unit=office, desk=None, actor=None)
        behind = await create_point(session, unit=office, desk="Quầy 2", actor=None)
    async with signed_in_as(database, people, "head", rating_desk_cache_seconds=3600) as client:
        assert (await client.get(f"/r/{point.code}")).status_code == 200
        assert (await client.get(f"/r/{behind.code}")).status_code == 200
        token = csrf_of(await client.get("/dashboard/points"))
        off = await client.post(f"/dashboard/points/{point.id}/active", data={"csrf": token, "active": "0"})
        assert off.status_code == 303
        assert (await client.get(f"/r/{point.code}")).status_code == 404
        # Closed behind this process's back (another replica): its page shows the form until the hour ends.
        async with database.unit_of_work() as session:
            found = await session.get(ReceptionPoint, behind.id)
            assert found is not None
            await set_active(session, point=found, active=False, actor=None)
        assert (await client.get(f"/r/{behind.code}")).status_code == 200


async def test_many_phones_rating_at_once_are_all_stored(database: Database) -> None:
    """Posts arriving together are all stored: none refused as locked, none lost, flagged ones included.
    Without the cache each post reads its point on the page's own connection first: more posts than the
    pool has connections, each waiting for its turn to write, must not starve the one whose turn it is."""
    _, codes = await office_with_points(database)
    app = web_app(database, rating_desk_cache_seconds=0)
    phones = [device(app, f"198.51.100.{n}") for n in range(1, 41)]
    try:
        sent = await asyncio.gather(
            *(
                send(phone, database, codes[("office", "desk", "transport")[n % 3]], overall=str(1 + n % 5))
                for n, phone in enumerate(phones)
            )
        )
    finally:
        await asyncio.gather(*(phone.aclose() for phone in phones))
    assert [response.status_code for response in sent] == [303] * 40
    rows = await stored(database)
    assert len(rows) == 40
    assert sum(row.flagged for row in rows) == sum(1 for n in range(40) if 1 + n % 5 <= 2)


async def test_a_batch_stores_each_rating_as_one_at_a_time_would(database: Database) -> None:
    _, codes = await office_with_points(database)
    async with database.unit_of_work() as session:
        point = await session.scalar(select(ReceptionPoint).where(ReceptionPoint.code == codes["office"]))
        other = await session.scalar(select(ReceptionPoint).where(ReceptionPoint.code == codes["transport"]))
        assert point is not None and other is not None
        on_duty = await session.scalar(
            select(Official.id).where(Official.unit_id == point.unit_id, Official.erased_at.is_(None))
        )
        elsewhere = await session.scalar(select(Official.id).where(Official.unit_id == other.unit_id))
    now = utcnow()

    def new(**changes: object) -> NewRating:
        fields: dict[str, object] = {"overall": 5, "attitude": 5, "trips": 1, "asked_beyond_rules": False}
        fields.update(changes)
        return NewRating(point=point, answers=RatingAnswers(**fields), address_hash="a" * 64, now=now)  # type: ignore[arg-type]

    batch = [
        new(comment="  Cán bộ   nhiệt tình  "),
        new(overall=1),  # flagged: stored on its own, with its notice
        new(official_id=on_duty),
        new(official_id=elsewhere),  # not on this desk's staff: refused
        new(overall=9),  # out of range: refused
        new(asked_beyond_rules=True, contact="0912 345 678", contact_consent=True),
        new(trips=2),
    ]
    async with database.unit_of_work() as session:
        outcomes = await record_many(session, batch)
    assert [type(o).__name__ if o else None for o in outcomes] == [
        None, None, None, "RatingRefused", "RatingRefused", None, None
    ]  # fmt: skip
    assert outcomes[3] is not None and outcomes[3].fields == {"official_id": "not_on_staff"}
    assert outcomes[4] is not None and outcomes[4].fields == {"overall": "out_of_range"}
    rows = await stored(database)
    assert sorted(
        ((r.overall, r.trips, r.official_id, r.flagged, r.comment, r.contact) for r in rows), key=str
    ) == sorted(
        [
            (5, 1, None, False, "Cán bộ nhiệt tình", None),
            (1, 1, None, True, None, None),
            (5, 1, on_duty, False, None, None),
            (5, 1, None, True, None, "0912 345 678"),
            (5, 2, None, False, None, None),
        ],
        key=str,
    )
    # (The flagged ones' notices reaching the head through the form: tests/e2e/test_feedback_followup.py.)


async def test_posts_arriving_together_share_transactions(database: Database) -> None:
    _, codes = await office_with_points(database)
    app = web_app(database)
    phones = [device(app, f"198.51.100.{n}") for n in range(1, 31)]
    try:
        forms = [await phone.get(f"/r/{codes['desk']}") for phone in phones]
        assert all(form.status_code == 200 for form in forms)
        token = await aged_token(database, codes["desk"])
        sent = await asyncio.gather(
            *(phone.post(f"/r/{codes['desk']}", data=answers(form_token=token)) for phone in phones)
        )
    finally:
        await asyncio.gather(*(phone.aclose() for phone in phones))
    assert [response.status_code for response in sent] == [303] * 30
    assert len(await stored(database)) == 30
    writer = app.state.rating_writer
    assert 1 <= writer.batches < 30


async def test_a_post_the_database_refuses_does_not_cost_the_others_theirs(database: Database) -> None:
    _, codes = await office_with_points(database)
    async with database.unit_of_work() as session:
        point = await session.scalar(select(ReceptionPoint).where(ReceptionPoint.code == codes["desk"]))
        assert point is not None
        real = PublicDeskRef(point.id, point.unit_id)
    gone = PublicDeskRef(10_000_000, real.unit_id)  # a point deleted meanwhile: its row cannot be written
    answers_ = RatingAnswers(overall=4, attitude=4, trips=1, asked_beyond_rules=False)
    writer = RatingWriter(database)
    outcomes = await asyncio.gather(
        *(
            writer.record(NewRating(point=where, answers=answers_, address_hash="d" * 64, now=utcnow()))
            for where in (real, gone, real, real)
        ),
        return_exceptions=True,
    )
    assert [type(outcome).__name__ for outcome in outcomes] == [
        "NoneType", "IntegrityError", "NoneType", "NoneType"
    ]  # fmt: skip
    assert len(await stored(database)) == 3


@dataclass(frozen=True)
class PublicDeskRef:
    id: int
    unit_id: int
