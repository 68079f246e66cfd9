"""Everything stored about one person (Nghị định 13/2023/NĐ-CP, the data subject's right of access).

`collect` gathers it as plain JSON-ready data: their row, unit and channel accounts, their signatures
(with the ledger hashes), self-checks and answers, quizzes, daily reminders, join requests, the messages
the bot sent or plans to send them, broadcast acknowledgements, and what they did as a head or admin. The
handler turns it into a JSON file and a readable summary; nothing here knows a message text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office.accounts import accounts_of
from compliance.privacy import zalo_conversation
from compliance.privacy.consent import history as consent_history
from storage.models import Channel, Invite, JoinRequest, Official, OutboxMessage, StaffUpload, Unit
from storage.models_broadcast import AuditEntry, BroadcastAck
from storage.models_pledge import Ceremony, ConversationState, PledgeVersion, Signature
from storage.models_practice import (
    DailyReminder,
    QuizAnswer,
    QuizAttempt,
    ReminderMute,
    SelfCheck,
    SelfCheckAnswer,
)

# The sections of the export, in the order a person reads them; the summary counts each list.
SECTIONS = (
    "signatures",
    "self_checks",
    "quiz_attempts",
    "daily_reminders",
    "join_requests",
    "messages",
    "broadcast_acks",
    "invites_created",
    "ceremonies_started",
    "staff_uploads",
    "actions_logged",
)


def plain(value: Any) -> Any:
    """A value as JSON can hold it: times in ISO 8601 (UTC), enums by value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _row(obj: object, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: plain(getattr(obj, name)) for name in fields}


@dataclass(frozen=True)
class PersonalData:
    data: dict[str, Any]

    def count(self, section: str) -> int:
        value = self.data.get(section)
        return len(value) if isinstance(value, list) else 0


OFFICIAL_FIELDS = (
    "id",
    "full_name",
    "title",
    "phone",
    "email",
    "role",
    "status",
    "locale",
    "created_at",
    "updated_at",
    "joined_at",
    "erased_at",
)

JOIN_REQUEST_FIELDS = (
    "id",
    "channel",
    "external_id",
    "display_name",
    "full_name",
    "locale",
    "status",
    "created_at",
    "decided_at",
)


async def collect(session: AsyncSession, *, official_id: int) -> PersonalData | None:
    official = await session.get(Official, official_id)
    if official is None:
        return None
    data: dict[str, Any] = {"official": _row(official, OFFICIAL_FIELDS)}
    unit = await session.get(Unit, official.unit_id) if official.unit_id else None
    data["unit"] = _row(unit, ("id", "code", "name")) if unit else None
    accounts = await accounts_of(session, official_id)
    data["accounts"] = [
        _row(a, ("channel", "external_id", "chat_id", "display_name", "linked_at", "status", "last_seen_at"))
        for a in accounts
    ]

    versions = {i: c for i, c in await session.execute(select(PledgeVersion.id, PledgeVersion.code))}
    signatures = (
        await session.scalars(
            select(Signature).where(Signature.official_id == official_id).order_by(Signature.id)
        )
    ).all()
    data["signatures"] = [
        {
            **_row(
                s,
                (
                    "id",
                    "signed_at",
                    "pledge_version_id",
                    "on_behalf_of_unit",
                    "locale",
                    "typed_name",
                    "typed_name_sha256",
                    "text_sha256",
                    "prev_hash",
                    "row_hash",
                    "chat_id",
                    "message_id",
                ),
            ),
            "pledge_code": versions.get(s.pledge_version_id),
        }
        for s in signatures
    ]

    checks = (
        await session.scalars(
            select(SelfCheck).where(SelfCheck.official_id == official_id).order_by(SelfCheck.week)
        )
    ).all()
    scores: dict[int, dict[str, int]] = {}
    if checks:
        answer_rows = await session.execute(
            select(SelfCheckAnswer.self_check_id, SelfCheckAnswer.item_id, SelfCheckAnswer.score).where(
                SelfCheckAnswer.self_check_id.in_([c.id for c in checks])
            )
        )
        for check_id, item_id, score in answer_rows:
            scores.setdefault(check_id, {})[item_id] = score
    data["self_checks"] = [
        {
            **_row(c, ("week", "status", "answers", "note", "opened_at", "deadline_at", "completed_at")),
            "scores": scores.get(c.id, {}),
        }
        for c in checks
    ]

    attempts = (
        await session.scalars(
            select(QuizAttempt).where(QuizAttempt.official_id == official_id).order_by(QuizAttempt.id)
        )
    ).all()
    answers: dict[int, list[dict[str, Any]]] = {}
    for a in (
        await session.scalars(
            select(QuizAnswer).where(QuizAnswer.official_id == official_id).order_by(QuizAnswer.id)
        )
    ).all():
        answers.setdefault(a.attempt_id, []).append(
            _row(a, ("question_id", "chosen", "correct", "answered_at"))
        )
    data["quiz_attempts"] = [
        {
            **_row(q, ("week", "practice", "bank", "score", "answered", "started_at", "finished_at")),
            "answers": answers.get(q.id, []),
        }
        for q in attempts
    ]

    reminders = (
        await session.scalars(
            select(DailyReminder).where(DailyReminder.official_id == official_id).order_by(DailyReminder.day)
        )
    ).all()
    data["daily_reminders"] = [_row(r, ("day", "kind", "item_id", "read_at")) for r in reminders]
    mute = await session.scalar(select(ReminderMute).where(ReminderMute.official_id == official_id))
    data["reminder_mute"] = _row(mute, ("until", "created_at")) if mute else None

    join_filter = [JoinRequest.official_id == official_id]
    join_filter += [
        and_(JoinRequest.channel == a.channel, JoinRequest.external_id == a.external_id) for a in accounts
    ]
    requests = (
        await session.scalars(select(JoinRequest).where(or_(*join_filter)).order_by(JoinRequest.id))
    ).all()
    data["join_requests"] = [
        {
            **_row(r, JOIN_REQUEST_FIELDS),
            "unit": r.unit.name,
        }
        for r in requests
    ]

    outbox_filter = [OutboxMessage.official_id == official_id]
    outbox_filter += [
        and_(OutboxMessage.channel == a.channel, OutboxMessage.address == a.chat_id) for a in accounts
    ]
    messages = await session.execute(
        select(
            OutboxMessage.kind,
            OutboxMessage.created_at,
            OutboxMessage.status,
            OutboxMessage.sent_at,
            OutboxMessage.broadcast_id,
        )
        .where(or_(*outbox_filter))
        .order_by(OutboxMessage.id)
    )
    data["messages"] = [
        {
            "kind": kind,
            "created_at": plain(created),
            "status": status,
            "sent_at": plain(sent),
            "broadcast_id": bc,
        }
        for kind, created, status, sent, bc in messages
    ]

    acks = (
        await session.scalars(
            select(BroadcastAck)
            .where(BroadcastAck.official_id == official_id)
            .order_by(BroadcastAck.acked_at)
        )
    ).all()
    data["broadcast_acks"] = [_row(a, ("broadcast_id", "acked_at")) for a in acks]

    invites = (
        await session.scalars(select(Invite).where(Invite.created_by_id == official_id).order_by(Invite.id))
    ).all()
    data["invites_created"] = [
        _row(i, ("unit_id", "created_at", "expires_at", "max_uses", "uses")) for i in invites
    ]
    ceremonies = (
        await session.scalars(
            select(Ceremony).where(Ceremony.started_by_id == official_id).order_by(Ceremony.id)
        )
    ).all()
    data["ceremonies_started"] = [
        _row(c, ("unit_id", "chat_id", "started_at", "closed_at")) for c in ceremonies
    ]
    uploads = (
        await session.scalars(
            select(StaffUpload).where(StaffUpload.uploaded_by_id == official_id).order_by(StaffUpload.id)
        )
    ).all()
    data["staff_uploads"] = [
        _row(u, ("file_name", "row_count", "error_count", "status", "created_at", "applied_at"))
        for u in uploads
    ]
    logged = (
        await session.scalars(
            select(AuditEntry).where(AuditEntry.actor_id == official_id).order_by(AuditEntry.id)
        )
    ).all()
    data["actions_logged"] = [_row(e, ("at", "action", "subject")) for e in logged]

    zalo_ids = [a.external_id for a in accounts if a.channel is Channel.ZALO]
    data["zalo_conversations"] = plain(await zalo_conversation.open_questions(session, zalo_ids))
    drafts = None
    # Drafts are kept by the Telegram bot's persistence, under the person's Telegram id.
    telegram_ids = [a.external_id for a in accounts if a.channel is Channel.TELEGRAM]
    if telegram_ids:
        state = await session.scalar(
            select(ConversationState).where(
                ConversationState.kind == "user_data", ConversationState.key == telegram_ids[0]
            )
        )
        drafts = plain(state.value.get("v")) if state else None
    data["drafts"] = drafts
    data["consents"] = [
        record.as_json() for record in await consent_history(session, official_id=official_id)
    ]
    return PersonalData(data)
