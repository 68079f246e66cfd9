"""Consent under Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15: asked after an account is linked, before
anything else is processed; recorded with the notice's version, the time and the channel; withdrawn at
any time.

Consent belongs to the person, not to an account: given on Zalo, it holds on Telegram and the web. Saying
no, and withdrawing, end the processing: every channel account is unlinked (the person stays on the staff
list), web sessions are revoked and messages not yet sent are given up. The signature ledger is not
touched: its hashes stay as evidence, as the notice says.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from compliance.office.officials import Actor
from compliance.office.web_access import sign_out_everywhere
from compliance.privacy import audit
from compliance.privacy.notice import current_notice
from storage.clock import utcnow
from storage.models import AccountStatus, ChannelAccount, Official, OutboxMessage
from storage.models_consent import Consent

# Messages still waiting to go to someone who said no or withdrew are given up with this reason.
STOPPED_REASON = "consent withdrawn"


class Outcome(enum.Enum):
    GIVEN = "given"
    ALREADY = "already"  # a second press of the button, or the same answer on another channel
    STALE = "stale"  # the answer was to a notice that has since been replaced: it is shown again
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    NOTHING = "nothing"  # no consent to withdraw


def current_version() -> int:
    return current_notice().version


def consented() -> ColumnElement[bool]:
    """The official of the enclosing query holds a consent to the current notice (one index probe): who
    is planned any message, reminder or self-check."""
    held = aliased(Consent)
    return exists().where(
        held.official_id == Official.id,
        held.notice_version == current_version(),
        held.withdrawn_at.is_(None),
    )


async def has_current(session: AsyncSession, official_id: int) -> bool:
    found = await session.scalar(
        select(Consent.id)
        .where(
            Consent.official_id == official_id,
            Consent.notice_version == current_version(),
            Consent.withdrawn_at.is_(None),
        )
        .limit(1)
    )
    return found is not None


async def give(session: AsyncSession, *, actor: Actor, version: int, channel: str) -> Outcome:
    """The person said "Tôi đồng ý" to notice `version` on `channel`."""
    if version != current_version():
        return Outcome.STALE
    if await has_current(session, actor.id):
        return Outcome.ALREADY
    now = utcnow()
    session.add(Consent(official_id=actor.id, notice_version=version, channel=channel, given_at=now))
    await audit.record(
        session,
        actor=actor,
        action="consent.give",
        subject=f"official:{actor.id}",
        after={"notice_version": version, "channel": channel, "given_at": now.isoformat()},
    )
    await session.flush()
    return Outcome.GIVEN


@dataclass(frozen=True)
class Stopped:
    outcome: Outcome
    accounts_unlinked: int = 0
    sessions_revoked: int = 0
    messages_dropped: int = 0


async def decline(session: AsyncSession, *, actor: Actor, version: int, channel: str) -> Stopped:
    """The person said "Không đồng ý" (to whichever version they were shown: a no is a no): nothing
    more is processed and their accounts are unlinked; a consent they held to an older notice ends."""
    await session.execute(
        update(Consent)
        .where(Consent.official_id == actor.id, Consent.withdrawn_at.is_(None))
        .values(withdrawn_at=utcnow(), withdrawn_channel=channel)
    )
    stopped = await _stop(session, actor.id, channel)
    await audit.record(
        session,
        actor=actor,
        action="consent.decline",
        subject=f"official:{actor.id}",
        after={"notice_version": version, "channel": channel, **_figures(stopped)},
    )
    return Stopped(Outcome.DECLINED, *stopped)


async def withdraw(session: AsyncSession, *, actor: Actor, channel: str) -> Stopped:
    """The person withdrew their consent (after confirming): every consent they hold ends now, and so
    does the processing, on every channel."""
    now = utcnow()
    ended = await session.execute(
        update(Consent)
        .where(Consent.official_id == actor.id, Consent.withdrawn_at.is_(None))
        .values(withdrawn_at=now, withdrawn_channel=channel)
    )
    if not int(getattr(ended, "rowcount", 0) or 0):
        return Stopped(Outcome.NOTHING)
    stopped = await _stop(session, actor.id, channel)
    await audit.record(
        session,
        actor=actor,
        action="consent.withdraw",
        subject=f"official:{actor.id}",
        before={"consented": True},
        after={"withdrawn_at": now.isoformat(), "channel": channel, **_figures(stopped)},
    )
    return Stopped(Outcome.WITHDRAWN, *stopped)


def _figures(stopped: tuple[int, int, int]) -> dict[str, int]:
    unlinked, revoked, dropped = stopped
    return {"accounts_unlinked": unlinked, "sessions_revoked": revoked, "messages_dropped": dropped}


async def _stop(session: AsyncSession, official_id: int, channel: str) -> tuple[int, int, int]:
    """End every way the bot reaches the person; their row, signatures and history stay."""
    unlinked = await session.execute(
        update(ChannelAccount)
        .where(ChannelAccount.official_id == official_id, ChannelAccount.status != AccountStatus.UNLINKED)
        .values(status=AccountStatus.UNLINKED)
    )
    revoked = await sign_out_everywhere(session, official_id=official_id)
    dropped = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.official_id == official_id, OutboxMessage.status.in_(["pending", "sending"]))
        .values(status="failed", lease_until=None, last_error=STOPPED_REASON)
    )
    await session.flush()
    return (
        int(getattr(unlinked, "rowcount", 0) or 0),
        revoked,
        int(getattr(dropped, "rowcount", 0) or 0),
    )


@dataclass(frozen=True)
class ConsentRecord:
    notice_version: int
    channel: str
    given_at: datetime
    withdrawn_at: datetime | None
    withdrawn_channel: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "notice_version": self.notice_version,
            "channel": self.channel,
            "given_at": self.given_at.isoformat(),
            "withdrawn_at": self.withdrawn_at.isoformat() if self.withdrawn_at else None,
            "withdrawn_channel": self.withdrawn_channel,
        }


async def history(session: AsyncSession, *, official_id: int) -> list[ConsentRecord]:
    """Every consent the person gave, oldest first (for /mydata)."""
    rows = (
        await session.scalars(select(Consent).where(Consent.official_id == official_id).order_by(Consent.id))
    ).all()
    return [
        ConsentRecord(r.notice_version, r.channel, r.given_at, r.withdrawn_at, r.withdrawn_channel)
        for r in rows
    ]
