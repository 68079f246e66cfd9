"""Retention: what is deleted once it is past the period docs/privacy.md gives it (Luật 91/2025/QH15: data
is kept no longer than its purpose needs).

Each rule names a kind of record and how long it is kept; `purge` counts (dry run) or deletes what is past
it, in the caller's transaction, and a real run is audited with its figures. Evidence is not purged here:
the signature ledger, the self-checks and quiz results behind the reports, the audit log and the consents.
Someone who left has their personal data erased (compliance.privacy.erasure) once their row has not
changed for the period of departed officials; their signatures stay, hashed. What citizens left (a rating's
contact and comment, the name in a letter) is erased after the office's own period, a setting
(compliance.privacy.retention_citizens).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.privacy import audit, erasure, retention_citizens
from compliance.privacy.erasure import EraseOutcome
from storage.models import JoinRequest, JoinRequestStatus, Official, OfficialStatus, OutboxMessage, Role
from storage.models_pledge import ConversationState
from storage.models_web import WebSession, WebSignIn
from storage.models_zalo import ActivationAttempt, ActivationCode, ProcessedEvent

DAY = timedelta(days=1)
YEAR = timedelta(days=365)


@dataclass(frozen=True)
class Rule:
    key: str  # also the line's name in the audit entry and the command's output
    keep: timedelta
    table: type[Any]
    past: Callable[[datetime], ColumnElement[bool]]  # the rows past retention at a cutoff


RULES: tuple[Rule, ...] = (
    # A sign-in link works 10 minutes; 30 days of them answer "who signed in from a link" after an incident.
    Rule("web_signins", 30 * DAY, WebSignIn, lambda cut: WebSignIn.expires_at < cut),
    # A session lasts at most a few weeks; an ended one is kept 90 days for the same questions.
    Rule(
        "web_sessions",
        90 * DAY,
        WebSession,
        lambda cut: or_(WebSession.expires_at < cut, WebSession.revoked_at < cut),
    ),
    Rule("activation_attempts", 30 * DAY, ActivationAttempt, lambda cut: ActivationAttempt.at < cut),
    # An activation code is stored hashed; a year covers a sheet handed out and a dispute about who used it.
    Rule("activation_codes", YEAR, ActivationCode, lambda cut: ActivationCode.expires_at < cut),
    # Ids of events already taken, against Zalo's repeats: a week is far more than any repeat.
    Rule("processed_events", 7 * DAY, ProcessedEvent, lambda cut: ProcessedEvent.processed_at < cut),
    # Zalo's open questions wait 30 minutes; a month-old one is an abandoned conversation.
    Rule(
        "zalo_conversations",
        30 * DAY,
        ConversationState,
        lambda cut: and_(ConversationState.kind == "zalo", ConversationState.updated_at < cut),
    ),
    # Messages the bot sent (their texts name people): a year; a plan update's copies are its delivery
    # figures, kept two years with the broadcast's own report.
    Rule(
        "messages",
        YEAR,
        OutboxMessage,
        lambda cut: and_(
            OutboxMessage.status.in_(["sent", "failed"]),
            OutboxMessage.broadcast_id.is_(None),
            OutboxMessage.created_at < cut,
        ),
    ),
    Rule(
        "broadcast_copies",
        2 * YEAR,
        OutboxMessage,
        lambda cut: and_(
            OutboxMessage.status.in_(["sent", "failed"]),
            OutboxMessage.broadcast_id.is_not(None),
            OutboxMessage.created_at < cut,
        ),
    ),
    # Join requests refused or given up: the newcomer never joined; a year answers their questions.
    Rule(
        "join_requests",
        YEAR,
        JoinRequest,
        lambda cut: and_(
            JoinRequest.status.in_([JoinRequestStatus.REJECTED, JoinRequestStatus.CANCELLED]),
            JoinRequest.created_at < cut,
        ),
    ),
)
# Someone who left: two years cover the yearly evaluation (đánh giá, xếp loại) after they leave and a
# complaint about it; then their personal data is erased, their signatures stay as hashes.
DEPARTED_KEEP = 2 * YEAR
DEPARTED = "departed_officials"


@dataclass(frozen=True)
class PurgeReport:
    dry_run: bool
    counts: dict[str, int]
    keep_days: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _departed(now: datetime) -> ColumnElement[bool]:
    # updated_at: the row's last change, at the latest the day they were marked as having left.
    return and_(
        Official.status == OfficialStatus.LEFT,
        Official.erased_at.is_(None),
        Official.role != Role.ADMIN,
        Official.updated_at < now - DEPARTED_KEEP,
    )


async def purge(
    session: AsyncSession, *, now: datetime, dry_run: bool, citizen_keep: timedelta
) -> PurgeReport:
    """What is past retention at `now`: counted when `dry_run`, otherwise deleted (and erased) and audited.
    `citizen_keep`: how long citizens' details are kept (the setting CITIZEN_DATA_RETENTION_DAYS)."""
    counts: dict[str, int] = {}
    for rule in RULES:
        past = rule.past(now - rule.keep)
        if dry_run:
            counts[rule.key] = int(
                await session.scalar(select(func.count()).select_from(rule.table).where(past)) or 0
            )
        else:
            result = await session.execute(
                delete(rule.table).where(past).execution_options(synchronize_session=False)
            )
            counts[rule.key] = int(getattr(result, "rowcount", 0) or 0)
    departed = list(
        (await session.scalars(select(Official.id).where(_departed(now)).order_by(Official.id))).all()
    )
    erased = 0
    if not dry_run:
        for official_id in departed:
            done = await erasure.erase(session, official_id=official_id, actor=None)
            erased += done.outcome is EraseOutcome.ERASED
    counts[DEPARTED] = len(departed) if dry_run else erased
    citizens = await retention_citizens.purge(session, now=now, keep=citizen_keep, dry_run=dry_run)
    counts[retention_citizens.RATINGS] = citizens.ratings
    counts[retention_citizens.LETTERS] = citizens.letters
    keep_days = {rule.key: rule.keep.days for rule in RULES} | {
        DEPARTED: DEPARTED_KEEP.days,
        retention_citizens.RATINGS: citizen_keep.days,
        retention_citizens.LETTERS: citizen_keep.days,
    }
    report = PurgeReport(dry_run, counts, keep_days)
    if not dry_run:
        await audit.record(
            session, actor=None, action="privacy.purge", subject="retention", after={"deleted": counts}
        )
        await session.flush()
    return report
