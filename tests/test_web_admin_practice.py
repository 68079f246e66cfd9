"""The calendar and the schedules as forms: saved through the chat's domain, refusals beside the field."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from compliance.practice import schedules
from compliance.practice.calendar import WorkCalendar
from storage.clock import local_today
from storage.engine import Database
from storage.models import Unit
from storage.models_broadcast import AuditEntry
from storage.models_practice import CalendarOverride, Schedule
from tests.web_admin_office import populate, signed_in_as
from tests.web_client import csrf_of

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'


def _next_weekday(weekday: int) -> date:
    day = local_today() + timedelta(days=1)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day


async def _count(database: Database, model: type) -> int:
    async with database.unit_of_work() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _next_working_wednesday(database: Database) -> date:
    """A Wednesday that is a working day: one inside a public holiday (Tết) cannot become a day off."""
    wednesday = _next_weekday(2)
    async with database.unit_of_work() as session:
        work = await WorkCalendar.load(session, start=wednesday, end=wednesday + timedelta(weeks=8))
    while not work.is_working_day(wednesday):
        wednesday += timedelta(weeks=1)
    return wednesday


async def test_a_day_off_is_added_listed_and_removed(database: Database) -> None:
    people = await populate(database)
    wednesday = await _next_working_wednesday(database)
    async with signed_in_as(database, people, "admin") as client:
        token = csrf_of(await client.get("/admin/calendar"))
        added = await client.post(
            "/admin/calendar/add",
            data={"csrf": token, "day": wednesday.isoformat(), "kind": "off", "note": HOSTILE},
        )
        assert added.status_code == 303
        shown = await client.get("/admin/calendar")
        assert f'name="day" value="{wednesday.isoformat()}"' in shown.text
        assert "<script>alert" not in shown.text and "&lt;script&gt;" in shown.text
        async with database.unit_of_work() as session:
            work = await WorkCalendar.load(session, start=wednesday, end=wednesday)
            assert not work.is_working_day(wednesday)
        removed = await client.post(
            "/admin/calendar/remove", data={"csrf": token, "day": wednesday.isoformat()}
        )
        assert removed.status_code == 303
        again = await client.post(
            "/admin/calendar/remove", data={"csrf": token, "day": wednesday.isoformat()}
        )
        assert again.status_code == 400 and 'id="day-error"' in again.text
    assert await _count(database, CalendarOverride) == 0
    async with database.unit_of_work() as session:
        actions = (
            await session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("calendar.%")))
        ).all()
        assert sorted(actions) == ["calendar.add", "calendar.remove"]


async def test_calendar_refusals_are_shown_beside_their_field_and_save_nothing(database: Database) -> None:
    people = await populate(database)
    saturday = _next_weekday(5)
    async with signed_in_as(database, people, "admin") as client:
        token = csrf_of(await client.get("/admin/calendar"))
        cases = [
            ({"day": "31/02/2027", "kind": "off"}, "day"),
            ({"day": "abc", "kind": "off"}, "day"),
            ({"day": "2027-03-03", "kind": "holiday"}, "kind"),
            ({"day": "2027-03-03", "kind": "off", "note": "x" * 201}, "note"),
            ({"day": saturday.isoformat(), "kind": "off"}, "day"),  # already a day off
        ]
        for form, field in cases:
            refused = await client.post("/admin/calendar/add", data={"csrf": token, **form})
            assert refused.status_code == 400 and f'id="{field}-error"' in refused.text, form
    assert await _count(database, CalendarOverride) == 0


async def test_the_office_and_a_unit_schedule_are_saved_field_by_field(database: Database) -> None:
    people = await populate(database)
    async with signed_in_as(database, people, "admin") as client:
        page = await client.get("/admin/schedules")
        assert 'name="reminder_time" value="07:45"' in page.text
        form = _defaults()
        saved = await client.post(
            "/admin/schedules",
            data={"csrf": csrf_of(page), **form, "reminder_time": "7h30", "quiz_weekday": "thu"},
        )
        assert saved.status_code == 303
        unit_page = await client.get("/admin/schedules", params={"unit": "van-phong"})
        if unit_page.status_code == 404:  # the code is made from the name; find it instead
            unit_page = await client.get(
                "/admin/schedules", params={"unit": await _code(database, "Văn phòng")}
            )
        assert unit_page.status_code == 200
        code = await _code(database, "Văn phòng")
        unit_form = {f: "" for f in schedules.FIELDS}
        done = await client.post(
            f"/admin/schedules?unit={code}", data={"csrf": csrf_of(page), **unit_form, "quiz_time": "15:00"}
        )
        assert done.status_code == 303
        assert (await client.get("/admin/schedules", params={"unit": "no-such"})).status_code == 404
    async with database.unit_of_work() as session:
        loaded = await schedules.load_schedules(session)
        assert loaded.office.reminder_time == "07:30" and loaded.office.quiz_weekday == 3
        unit_id = await session.scalar(select(Schedule.unit_id).where(Schedule.unit_id.is_not(None)))
        assert unit_id is not None
        unit = loaded.for_unit(unit_id)
        assert unit.quiz_time == "15:00" and unit.reminder_time == "07:30"  # the rest follows the office
        actions = (
            await session.scalars(select(AuditEntry.action).where(AuditEntry.action == "schedule.set"))
        ).all()
        assert len(actions) == 3  # only the fields that changed


async def test_a_bad_schedule_field_is_refused_beside_it_and_nothing_is_saved(database: Database) -> None:
    people = await populate(database)
    async with signed_in_as(database, people, "admin") as client:
        page = await client.get("/admin/schedules")
        form = {**_defaults(), "reminder_time": "7h30", "quiz_time": "25:99", "summary_weekday": HOSTILE}
        refused = await client.post("/admin/schedules", data={"csrf": csrf_of(page), **form})
        assert refused.status_code == 400
        assert 'id="quiz_time-error"' in refused.text and 'id="summary_weekday-error"' in refused.text
        assert 'id="reminder_time-error"' not in refused.text
        assert "<script>alert" not in refused.text
        empty = await client.post(
            "/admin/schedules", data={"csrf": csrf_of(page), **_defaults(), "quiz_time": ""}
        )
        assert empty.status_code == 400 and 'id="quiz_time-error"' in empty.text
    assert await _count(database, Schedule) == 0


def _defaults() -> dict[str, str]:
    weekdays = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    values = {}
    for field in schedules.FIELDS:
        value = getattr(schedules.DEFAULTS, field)
        values[field] = weekdays[value] if isinstance(value, int) else value
    return values


async def _code(database: Database, name: str) -> str:
    async with database.unit_of_work() as session:
        code = await session.scalar(select(Unit.code).where(Unit.name == name))
        assert code is not None
        return code
