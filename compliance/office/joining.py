"""The ways in: a shared phone number matched to the staff list, and invite links approved by a head."""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.delivery.outbox import enqueue
from compliance.office.accounts import (
    Address,
    ChannelUser,
    address_of,
    find_official,
    find_with_account,
    link,
)
from compliance.office.officials import Actor, actor_of, approvers_of
from compliance.office.phones import canonical_phone
from compliance.privacy import audit
from compliance.text import clean_text, name_key
from storage.clock import utcnow
from storage.models import (
    ChannelAccount,
    Invite,
    JoinRequest,
    JoinRequestStatus,
    Official,
    OfficialStatus,
    Role,
    Unit,
)

MAX_NAME_LENGTH = 120
DEFAULT_INVITE_DAYS = 7
DEFAULT_INVITE_USES = 50


class ContactOutcome(enum.Enum):
    JOINED = "joined"
    ALREADY_JOINED = "already_joined"
    NOT_OWN_CONTACT = "not_own_contact"
    BAD_PHONE = "bad_phone"
    NOT_ON_LIST = "not_on_list"
    PHONE_TAKEN = "phone_taken"
    LEFT = "left"


@dataclass(frozen=True)
class ContactResult:
    outcome: ContactOutcome
    actor: Actor | None = None


async def join_by_contact(
    session: AsyncSession,
    *,
    user: ChannelUser,
    contact_user_id: int | str | None,
    phone: str,
    locale: str,
) -> ContactResult:
    """Link a channel account to the staff-list row with the phone number it shared.

    Only the sender's own contact counts: Telegram sets contact.user_id to the sender when the number
    comes from the request_contact button; a forwarded card of someone else carries their id or none.
    """
    if contact_user_id is None or str(contact_user_id) != user.external_id:
        return ContactResult(ContactOutcome.NOT_OWN_CONTACT)
    existing = await find_with_account(session, user)
    if existing is not None and existing[0].status is not OfficialStatus.LEFT:
        return ContactResult(ContactOutcome.ALREADY_JOINED, actor_of(*existing))
    canonical = canonical_phone(phone)
    if canonical is None:
        return ContactResult(ContactOutcome.BAD_PHONE)
    official = await session.scalar(select(Official).where(Official.phone == canonical))
    if official is None:
        return ContactResult(ContactOutcome.NOT_ON_LIST)
    if official.status is OfficialStatus.LEFT:
        return ContactResult(ContactOutcome.LEFT)
    if await _holds_other_account(session, official.id, user):
        return ContactResult(ContactOutcome.PHONE_TAKEN)
    account = await link(session, official, user)
    official.status = OfficialStatus.ACTIVE
    official.locale = official.locale or locale
    official.joined_at = utcnow()
    await session.flush()
    return ContactResult(ContactOutcome.JOINED, actor_of(official, account))


async def _holds_other_account(session: AsyncSession, official_id: int, user: ChannelUser) -> bool:
    """The staff row is linked to another account of this channel: someone else shared this number."""
    other = await session.scalar(
        select(ChannelAccount.id).where(
            ChannelAccount.official_id == official_id,
            ChannelAccount.channel == user.channel,
            ChannelAccount.external_id != user.external_id,
        )
    )
    return other is not None


async def create_invite(
    session: AsyncSession,
    *,
    unit: Unit,
    created_by: Actor,
    days: int = DEFAULT_INVITE_DAYS,
    max_uses: int = DEFAULT_INVITE_USES,
    now: datetime | None = None,
) -> Invite:
    if not created_by.may_manage(unit):
        raise PermissionError("only an admin or a head of this unit may invite to it")
    if not (1 <= days <= 90 and 1 <= max_uses <= 1000):
        raise ValueError("invite days must be 1..90 and uses 1..1000")
    invite = Invite(
        code=secrets.token_urlsafe(9),
        unit_id=unit.id,
        created_by_id=created_by.id,
        expires_at=(now or utcnow()) + timedelta(days=days),
        max_uses=max_uses,
        uses=0,
    )
    session.add(invite)
    await session.flush()
    await audit.record(
        session,
        actor=created_by,
        action="invite.create",
        subject=f"invite:{invite.id}",
        after={
            "unit": unit.code,
            "days": days,
            "max_uses": max_uses,
            "expires_at": invite.expires_at.isoformat(),
        },
    )
    return invite


class InviteOutcome(enum.Enum):
    ASK_NAME = "ask_name"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED_UP = "used_up"
    ALREADY_JOINED = "already_joined"
    ALREADY_PENDING = "already_pending"


@dataclass(frozen=True)
class InviteResult:
    outcome: InviteOutcome
    unit_name: str | None = None


async def redeem_invite(
    session: AsyncSession,
    *,
    code: str,
    user: ChannelUser,
    display_name: str,
    locale: str,
    now: datetime | None = None,
) -> InviteResult:
    """Open a join request from an invite link; the person is asked for their full name next."""
    now = now or utcnow()
    if await find_official(session, user) is not None:
        return InviteResult(InviteOutcome.ALREADY_JOINED)
    invite = await session.scalar(select(Invite).where(Invite.code == code[:32]))
    if invite is None or invite.revoked:
        return InviteResult(InviteOutcome.UNKNOWN)
    if invite.expires_at <= now:
        return InviteResult(InviteOutcome.EXPIRED, invite.unit.name)
    open_request = await _open_request(session, user)
    if open_request is not None and open_request.status is JoinRequestStatus.PENDING:
        return InviteResult(InviteOutcome.ALREADY_PENDING, open_request.unit.name)
    if invite.uses >= invite.max_uses:
        return InviteResult(InviteOutcome.USED_UP, invite.unit.name)
    if open_request is not None:
        open_request.status = JoinRequestStatus.CANCELLED
    invite.uses += 1
    session.add(
        JoinRequest(
            invite_id=invite.id,
            unit_id=invite.unit_id,
            channel=user.channel,
            external_id=user.external_id,
            display_name=clean_text(display_name)[:200],
            locale=locale,
            status=JoinRequestStatus.AWAITING_NAME,
        )
    )
    await session.flush()
    return InviteResult(InviteOutcome.ASK_NAME, invite.unit.name)


async def _open_request(session: AsyncSession, user: ChannelUser) -> JoinRequest | None:
    return await session.scalar(
        select(JoinRequest)
        .where(
            JoinRequest.channel == user.channel,
            JoinRequest.external_id == user.external_id,
            JoinRequest.status.in_([JoinRequestStatus.AWAITING_NAME, JoinRequestStatus.PENDING]),
        )
        .order_by(JoinRequest.id.desc())
        .limit(1)
    )


async def awaiting_name(session: AsyncSession, user: ChannelUser) -> JoinRequest | None:
    request = await _open_request(session, user)
    return request if request and request.status is JoinRequestStatus.AWAITING_NAME else None


class NameOutcome(enum.Enum):
    SUBMITTED = "submitted"
    INVALID = "invalid"
    NO_REQUEST = "no_request"


async def submit_name(session: AsyncSession, *, user: ChannelUser, raw_name: str) -> NameOutcome:
    """Record the newcomer's full name and ask the unit's approvers, through the outbox."""
    request = await awaiting_name(session, user)
    if request is None:
        return NameOutcome.NO_REQUEST
    name = clean_text(raw_name)
    words = name.split(" ")
    if (
        not (2 <= len(words) <= 8)
        or len(name) > MAX_NAME_LENGTH
        or not all(any(c.isalpha() for c in w) for w in words)
    ):
        return NameOutcome.INVALID
    request.full_name = name
    request.status = JoinRequestStatus.PENDING
    for approver in await approvers_of(session, request.unit):
        to = await address_of(session, approver.id)
        assert to is not None  # approvers_of returns only people who reached the bot
        await enqueue(
            session,
            dedupe_key=f"join_request:{request.id}:{approver.id}",
            kind="join_request",
            to=to,
            official_id=approver.id,
            payload={
                "request_id": request.id,
                "full_name": name,
                "unit_name": request.unit.name,
                "display_name": request.display_name,
                "channel": request.channel.value,
            },
        )
    return NameOutcome.SUBMITTED


class DecisionOutcome(enum.Enum):
    APPROVED = "approved"
    REJECTED = "rejected"
    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"
    ALREADY_DECIDED = "already_decided"


@dataclass(frozen=True)
class DecisionResult:
    outcome: DecisionOutcome
    full_name: str | None = None


async def decide(session: AsyncSession, *, request_id: int, decider: Actor, approve: bool) -> DecisionResult:
    """Approve or reject a join request; the button only names the request, the database says who may."""
    # Two heads pressing at once: the row lock makes the second see the first one's decision.
    request = await session.scalar(
        select(JoinRequest).where(JoinRequest.id == request_id).with_for_update(of=JoinRequest)
    )
    if request is None:
        return DecisionResult(DecisionOutcome.NOT_FOUND)
    if not decider.may_manage(request.unit):
        return DecisionResult(DecisionOutcome.NOT_ALLOWED)
    if request.status is not JoinRequestStatus.PENDING:
        return DecisionResult(DecisionOutcome.ALREADY_DECIDED, request.full_name)
    request.decided_by_id = decider.id
    request.decided_at = utcnow()
    assert request.full_name is not None
    if not approve:
        request.status = JoinRequestStatus.REJECTED
        await _audit_decision(session, request, decider, None)
        await enqueue(
            session,
            dedupe_key=f"join_decision:{request.id}",
            kind="join_rejected",
            to=_newcomer(request),
            payload={"unit_name": request.unit.name, "locale": request.locale},
        )
        return DecisionResult(DecisionOutcome.REJECTED, request.full_name)
    newcomer = ChannelUser(request.channel, request.external_id)
    if await find_official(session, newcomer) is not None:
        request.status = JoinRequestStatus.CANCELLED
        return DecisionResult(DecisionOutcome.ALREADY_DECIDED, request.full_name)
    official = Official(
        full_name=request.full_name,
        name_key=name_key(request.full_name),
        unit_id=request.unit_id,
        role=Role.OFFICIAL,
        status=OfficialStatus.ACTIVE,
        locale=request.locale,
        joined_at=utcnow(),
    )
    session.add(official)
    await session.flush()
    await link(session, official, newcomer, display_name=request.display_name)
    request.status = JoinRequestStatus.APPROVED
    request.official_id = official.id
    await _audit_decision(session, request, decider, official.id)
    await enqueue(
        session,
        dedupe_key=f"join_decision:{request.id}",
        kind="join_approved",
        to=_newcomer(request),
        official_id=official.id,
        payload={"full_name": official.full_name, "unit_name": request.unit.name},
    )
    return DecisionResult(DecisionOutcome.APPROVED, request.full_name)


def _newcomer(request: JoinRequest) -> Address:
    # Telegram and Zalo write to a person's private chat by their user id.
    return Address(request.channel, request.external_id)


async def _audit_decision(
    session: AsyncSession, request: JoinRequest, decider: Actor, official_id: int | None
) -> None:
    after: dict[str, object] = {"status": request.status.value}
    if official_id is not None:
        after["official_id"] = official_id
    await audit.record(
        session,
        actor=decider,
        action="join.approve" if request.status is JoinRequestStatus.APPROVED else "join.reject",
        subject=f"join_request:{request.id}",
        before={
            "status": JoinRequestStatus.PENDING.value,
            "name": request.full_name,
            "unit": request.unit.code,
        },
        after=after,
    )


async def cancel_pending(session: AsyncSession, *, user: ChannelUser) -> bool:
    """/cancel for a newcomer: withdraw the join request they have open, if any."""
    request = await _open_request(session, user)
    if request is None:
        return False
    request.status = JoinRequestStatus.CANCELLED
    return True
