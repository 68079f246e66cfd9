"""Erasing a person who left (Nghị định 13/2023/NĐ-CP): their personal fields go, the evidence stays.

The official's row is kept (signatures, self-checks and quizzes point to it and the office's figures
are aggregates over them) but loses the name, phone, email, title, language and its channel accounts.
The ledger keeps only the digest of the typed name, so clearing the name leaves every hash verifiable.
Join requests, messages planned for them and their conversation drafts lose the names they carried; the
question the Zalo bot had open for them (compliance.privacy.zalo_conversation) goes.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.delivery.shared_files import forget_for as forget_shared_files
from compliance.office.accounts import accounts_of
from compliance.office.officials import Actor
from compliance.office.phones import canonical_phone
from compliance.privacy import audit, zalo_conversation
from storage.clock import utcnow
from storage.models import (
    Channel,
    ChannelAccount,
    JoinRequest,
    Official,
    OfficialStatus,
    OutboxMessage,
    Role,
    StaffUpload,
)
from storage.models_pledge import ConversationState, Signature
from storage.models_practice import SelfCheck

ERASED_NAME = "—"
# The audit log names what was cleared; a Telegram account keeps the name of the column it once was.
PERSONAL_FIELDS = ("full_name", "name_key", "phone", "email", "title", "telegram_user_id", "locale")
ACCOUNT_FIELDS = {Channel.TELEGRAM: "telegram_user_id"}
# Messages that were still to go out to an erased person are given up with this reason.
ERASED_REASON = "erased"


class EraseOutcome(enum.Enum):
    FOUND = "found"
    ERASED = "erased"
    BAD_PHONE = "bad_phone"
    NOT_FOUND = "not_found"
    ADMIN = "admin"  # an administrator is not erased: take the role away first
    SELF = "self"
    ALREADY = "already"


@dataclass(frozen=True)
class ErasureTarget:
    outcome: EraseOutcome
    official_id: int | None = None
    full_name: str | None = None
    unit_name: str | None = None
    signatures: int = 0


async def find_target(session: AsyncSession, *, phone: str, actor: Actor | None) -> ErasureTarget:
    """The person an admin means by a phone number, and whether they may be erased."""
    canonical = canonical_phone(phone)
    if canonical is None:
        return ErasureTarget(EraseOutcome.BAD_PHONE)
    official = await session.scalar(select(Official).where(Official.phone == canonical))
    if official is None:
        return ErasureTarget(EraseOutcome.NOT_FOUND)
    return await _check(session, official, actor)


async def _check(session: AsyncSession, official: Official, actor: Actor | None) -> ErasureTarget:
    signed = len(
        (await session.scalars(select(Signature.id).where(Signature.official_id == official.id))).all()
    )
    outcome = EraseOutcome.FOUND
    if official.erased_at is not None:
        outcome = EraseOutcome.ALREADY
    elif actor is not None and actor.id == official.id:
        outcome = EraseOutcome.SELF
    elif official.role is Role.ADMIN:
        outcome = EraseOutcome.ADMIN
    return ErasureTarget(
        outcome,
        official.id,
        official.full_name,
        official.unit.name if official.unit else None,
        signed,
    )


async def erase(session: AsyncSession, *, official_id: int, actor: Actor | None) -> ErasureTarget:
    """Clear the person's personal data in the caller's transaction, re-checking everything first (the
    confirmation button only names the row)."""
    official = await session.scalar(
        select(Official).where(Official.id == official_id).with_for_update(of=Official)
    )
    if official is None:
        return ErasureTarget(EraseOutcome.NOT_FOUND)
    target = await _check(session, official, actor)
    if target.outcome is not EraseOutcome.FOUND:
        return target
    accounts = await accounts_of(session, official_id)
    names = {n for n in (official.full_name, official.name_key) if n}
    names.update(a.display_name for a in accounts if a.display_name)
    held = {ACCOUNT_FIELDS.get(a.channel, f"{a.channel.value}_account") for a in accounts}
    cleared = [f for f in PERSONAL_FIELDS if f in held or getattr(official, f, None) not in (None, "")]
    cleared += sorted(held.difference(PERSONAL_FIELDS))
    before_status = official.status.value
    official.full_name = ERASED_NAME
    official.name_key = ""
    official.phone = official.email = official.title = official.locale = None
    official.status = OfficialStatus.LEFT
    official.erased_at = utcnow()

    # The ledger hashes typed_name_sha256, never the name itself: the chain still verifies.
    await session.execute(
        update(Signature).where(Signature.official_id == official_id).values(typed_name=None)
    )
    # A weekly note is free text in the person's own words.
    await session.execute(update(SelfCheck).where(SelfCheck.official_id == official_id).values(note=None))

    request_filter = [JoinRequest.official_id == official_id]
    request_filter += [
        and_(JoinRequest.channel == a.channel, JoinRequest.external_id == a.external_id) for a in accounts
    ]
    requests = (await session.scalars(select(JoinRequest).where(or_(*request_filter)))).all()
    for request in requests:
        names.update(n for n in (request.full_name, request.display_name) if n)
        request.full_name = None
        request.display_name = ERASED_NAME
    chats = [and_(OutboxMessage.channel == a.channel, OutboxMessage.address == a.chat_id) for a in accounts]
    await _scrub_outbox(session, official_id, chats, {r.id for r in requests}, names)
    for account in accounts:
        if account.channel is Channel.TELEGRAM:
            await _drop_drafts(session, int(account.external_id))
    await zalo_conversation.forget(session, [a.external_id for a in accounts if a.channel is Channel.ZALO])
    # Links made for the person (a receipt, a data export, a chart sent on Zalo) stop working.
    await forget_shared_files(session, official_id=official_id)
    # The accounts go: the person could join again later, on any channel, as someone new.
    await session.execute(delete(ChannelAccount).where(ChannelAccount.official_id == official_id))
    # Staff lists already applied (or discarded) are not needed any more and hold the person's phone.
    await session.execute(update(StaffUpload).where(StaffUpload.status != "previewed").values(content=b""))
    await audit.record(
        session,
        actor=actor,
        action="official.erase",
        subject=f"official:{official_id}",
        before={"status": before_status},
        after={"status": OfficialStatus.LEFT.value, "cleared": cleared, "signatures_kept": target.signatures},
    )
    await session.flush()
    return ErasureTarget(EraseOutcome.ERASED, official_id, None, target.unit_name, target.signatures)


def _redact(value: Any, names: set[str]) -> Any:
    if isinstance(value, str):
        return ERASED_NAME if value in names else value
    if isinstance(value, dict):
        return {k: _redact(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v, names) for v in value]
    return value


async def _scrub_outbox(
    session: AsyncSession,
    official_id: int,
    chats: list[ColumnElement[bool]],
    request_ids: set[int],
    names: set[str],
) -> None:
    """Messages to the person (by official, or to one of their accounts' chats) lose their content (and are
    given up if not sent yet); the join requests shown to approvers lose the newcomer's names."""
    mine = [OutboxMessage.official_id == official_id, *chats]
    await session.execute(
        update(OutboxMessage)
        .where(or_(*mine), OutboxMessage.status.in_(["pending", "sending"]))
        .values(status="failed", lease_until=None, last_error=ERASED_REASON)
    )
    await session.execute(update(OutboxMessage).where(or_(*mine)).values(payload={"erased": True}))
    for request_id in request_ids:
        # Join requests go to approvers as "join_request:<request>:<approver>", the decision to the person.
        about = (
            await session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.dedupe_key.like(f"join_request:{request_id}:%")
                    | (OutboxMessage.dedupe_key == f"join_decision:{request_id}")
                )
            )
        ).all()
        for row in about:
            row.payload = _redact(row.payload, names)


async def _drop_drafts(session: AsyncSession, tid: int) -> None:
    await session.execute(
        delete(ConversationState).where(
            ConversationState.kind == "user_data", ConversationState.key == str(tid)
        )
    )
    conversations = (
        await session.scalars(select(ConversationState).where(ConversationState.kind.like("conv:%")))
    ).all()
    for row in conversations:
        try:
            key = json.loads(row.key)
        except ValueError:
            continue
        if tid in key:
            await session.delete(row)
