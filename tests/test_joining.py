from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from compliance.office import joining
from compliance.office.accounts import ChannelUser
from compliance.office.joining import ContactOutcome, DecisionOutcome, InviteOutcome, NameOutcome
from compliance.office.officials import actor_of, load_actor
from compliance.office.staff_import import import_staff
from compliance.office.units import get_unit_by_code
from storage.clock import utcnow
from storage.engine import Database
from storage.models import Official, OutboxMessage, Role, Unit
from tests.factories import by_telegram
from tests.staff_files import OFFICE, xlsx_bytes


@pytest.fixture
async def office(database: Database) -> Database:
    async with database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))
    return database


async def official(database: Database, phone: str) -> Official:
    async with database.unit_of_work() as session:
        found = await session.scalar(select(Official).where(Official.phone == phone))
        assert found is not None
        return found


async def test_contact_joins_only_the_senders_own_listed_number(office: Database) -> None:
    async with office.unit_of_work() as session:
        forwarded = await joining.join_by_contact(
            session, user=ChannelUser.telegram(1), contact_user_id=2, phone="0912000004", locale="vi"
        )
        unlisted = await joining.join_by_contact(
            session, user=ChannelUser.telegram(1), contact_user_id=1, phone="0987654321", locale="vi"
        )
        joined = await joining.join_by_contact(
            session, user=ChannelUser.telegram(1), contact_user_id=1, phone="84912000004", locale="en"
        )
        taken = await joining.join_by_contact(
            session, user=ChannelUser.telegram(3), contact_user_id=3, phone="+84912000004", locale="vi"
        )
    assert forwarded.outcome is ContactOutcome.NOT_OWN_CONTACT
    assert unlisted.outcome is ContactOutcome.NOT_ON_LIST
    assert joined.outcome is ContactOutcome.JOINED and joined.actor is not None
    assert joined.actor.full_name == "Nguyễn Thị Lan" and joined.actor.locale == "en"
    assert taken.outcome is ContactOutcome.PHONE_TAKEN
    lan = await official(office, "+84912000004")
    async with office.unit_of_work() as session:
        holder = await by_telegram(session, 1)
    assert holder is not None and holder.id == lan.id and lan.joined_at is not None


async def test_invite_approval_by_the_units_head_only(office: Database) -> None:
    async with office.unit_of_work() as session:
        head = await joining.join_by_contact(
            session, user=ChannelUser.telegram(50), contact_user_id=50, phone="0912000002", locale="vi"
        )
        peer = await joining.join_by_contact(
            session, user=ChannelUser.telegram(51), contact_user_id=51, phone="0912000005", locale="vi"
        )
        assert head.actor is not None and peer.actor is not None
        unit = await session.get(Unit, head.actor.unit_id)
        assert unit is not None
        other = await get_unit_by_code(session, "phong-quan-ly-van-tai")
        assert other is not None
        with pytest.raises(PermissionError):
            await joining.create_invite(session, unit=other, created_by=head.actor)
        invite = await joining.create_invite(session, unit=unit, created_by=head.actor, max_uses=1)
        code = invite.code
    async with office.unit_of_work() as session:
        first = await joining.redeem_invite(
            session, code=code, user=ChannelUser.telegram(60), display_name="Mai", locale="en"
        )
        used_up = await joining.redeem_invite(
            session, code=code, user=ChannelUser.telegram(61), display_name="X", locale="vi"
        )
        unknown = await joining.redeem_invite(
            session, code="nope", user=ChannelUser.telegram(62), display_name="Y", locale="vi"
        )
        assert (
            await joining.submit_name(session, user=ChannelUser.telegram(60), raw_name="Mai")
            is NameOutcome.INVALID
        )
        assert (
            await joining.submit_name(session, user=ChannelUser.telegram(60), raw_name=" Vũ  Thị Mai ")
            is NameOutcome.SUBMITTED
        )
        planned = (await session.scalars(select(OutboxMessage))).all()
    assert (first.outcome, used_up.outcome, unknown.outcome) == (
        InviteOutcome.ASK_NAME,
        InviteOutcome.USED_UP,
        InviteOutcome.UNKNOWN,
    )
    # The request goes to the unit's own head, not to the head of the Sở above (not joined) or a peer.
    assert [(p.kind, p.channel, p.address) for p in planned] == [("join_request", "telegram", "50")]
    request_id = planned[0].payload["request_id"]
    async with office.unit_of_work() as session:
        refused = await joining.decide(session, request_id=request_id, decider=peer.actor, approve=True)
        approved = await joining.decide(session, request_id=request_id, decider=head.actor, approve=True)
        again = await joining.decide(session, request_id=request_id, decider=head.actor, approve=False)
    assert refused.outcome is DecisionOutcome.NOT_ALLOWED
    assert approved.outcome is DecisionOutcome.APPROVED and approved.full_name == "Vũ Thị Mai"
    assert again.outcome is DecisionOutcome.ALREADY_DECIDED
    async with office.unit_of_work() as session:
        mai = await by_telegram(session, 60)
        assert mai is not None and mai.unit_id == unit.id and mai.role is Role.OFFICIAL and mai.locale == "en"


async def test_expired_invites_are_refused(office: Database) -> None:
    async with office.unit_of_work() as session:
        admin = await load_actor(
            session,
            user=ChannelUser.telegram(9),
            display_name="Admin",
            language_code="vi",
            admin_ids=frozenset({9}),
            default_locale="vi",
        )
        assert admin is not None and admin.is_admin
        unit = await get_unit_by_code(session, "van-phong")
        assert unit is not None
        invite = await joining.create_invite(session, unit=unit, created_by=admin, days=1)
        code = invite.code
    async with office.unit_of_work() as session:
        result = await joining.redeem_invite(
            session,
            code=code,
            user=ChannelUser.telegram(70),
            display_name="Z",
            locale="vi",
            now=utcnow() + timedelta(days=2),
        )
    assert result.outcome is InviteOutcome.EXPIRED


async def test_admin_ids_are_admins_from_the_first_message(office: Database) -> None:
    async with office.unit_of_work() as session:
        stranger = await load_actor(
            session,
            user=ChannelUser.telegram(5),
            display_name="A",
            language_code="en",
            admin_ids=frozenset({9}),
            default_locale="vi",
        )
        admin = await load_actor(
            session,
            user=ChannelUser.telegram(9),
            display_name="Chánh  VP",
            language_code="en-US",
            admin_ids=frozenset({9}),
            default_locale="vi",
        )
    assert stranger is None
    assert admin is not None and admin.is_admin and admin.full_name == "Chánh VP" and admin.locale == "en"
    lan = await official(office, "+84912000004")
    assert not actor_of(lan).is_admin
