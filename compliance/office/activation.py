"""Activation codes: how a person on the staff list links a chat account where there is no phone sharing
and no deep-link payload (Zalo). Each person may hold one live code: short, single use, expiring, stored as
its SHA-256 only. Sending it to the bot links the account; wrong codes are limited per chat account.

The alphabet has no characters that look alike (0/O, 1/I/L, 5/S, 2/Z, 8/B) and, beyond that, nothing a
Vietnamese keyboard rewrites while the code is typed: no vowels (Telex and VNI put their marks on vowels:
"aa" → "â", "a1" → "á"), no D ("dd" and "d9" → "đ"), no W (Telex turns a lone "w" into "ư"). What is left
(consonants that take no mark, and digits, which VNI only reads after a vowel) comes through an IME as typed;
any mark that still arrives (autocorrect) is stripped by `normalise`.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, exists, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from compliance.office.accounts import ChannelUser, find_with_account, link
from compliance.office.officials import actor_of
from compliance.privacy import audit
from compliance.text import clean_text, vietnamese_key, vietnamese_name_key
from storage.models import AccountStatus, Channel, ChannelAccount, Official, OfficialStatus, Unit
from storage.models_zalo import ActivationAttempt, ActivationCode

ALPHABET = "CFHJKMNPQRTVX34679"
CODE_LENGTH = 8
LIFETIME = timedelta(days=30)
# Wrong codes allowed per chat account in WRONG_WINDOW: 18^8 codes against 5 guesses an hour.
WRONG_LIMIT = 5
WRONG_WINDOW = timedelta(hours=1)
# Ids per statement in bulk work: far below SQLite's and asyncpg's limits on bound parameters.
CHUNK = 500

_ALLOWED = frozenset(ALPHABET)
# What people put between the two halves, or type by habit: spaces of every kind, dashes, dots.
_SEPARATORS = frozenset(" -_.\u2010\u2011\u2012\u2013\u2014\u2212\u00a0")


class CannotIssue(Exception):
    """The person is not on the staff list any more (left, erased) or does not exist."""


def hash_code(canonical: str) -> str:
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def shown(canonical: str) -> str:
    """ "XXXX-XXXX": the form printed on a slip and shown on a page."""
    return f"{canonical[:4]}-{canonical[4:]}"


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise(text: str) -> str | None:
    """The canonical 8 characters of a typed code, or None when it cannot be one: case, spaces, dashes and
    any accent a Vietnamese keyboard added do not matter."""
    if len(text) > 64:  # a code with generous spacing is far shorter: a long message is something else
        return None
    decomposed = unicodedata.normalize("NFKD", clean_text(text).replace("đ", "d").replace("Đ", "D"))
    kept = [ch for ch in decomposed if not unicodedata.combining(ch) and ch not in _SEPARATORS]
    canonical = "".join(kept).upper()
    if len(canonical) != CODE_LENGTH or not set(canonical) <= _ALLOWED:
        return None
    return canonical


def _live() -> tuple[ColumnElement[bool], ...]:
    return ActivationCode.used_at.is_(None), ActivationCode.revoked_at.is_(None)


def _may_hold_code(official: Official) -> bool:
    return official.status is not OfficialStatus.LEFT and official.erased_at is None


async def _unused_codes(session: AsyncSession, count: int) -> list[str]:
    """`count` fresh codes, none of them already stored (a clash would break the unique index and with it
    the whole batch): one query per CHUNK codes, redrawn until none clash."""
    chosen: set[str] = set()
    while len(chosen) < count:
        batch = {new_code() for _ in range(count - len(chosen))} - chosen
        for start in range(0, len(batch), CHUNK):
            part = sorted(batch)[start : start + CHUNK]
            taken = set(
                (
                    await session.scalars(
                        select(ActivationCode.code_hash).where(
                            ActivationCode.code_hash.in_([hash_code(c) for c in part])
                        )
                    )
                ).all()
            )
            chosen.update(code for code in part if hash_code(code) not in taken)
    return list(chosen)


async def _revoke(session: AsyncSession, official_ids: Sequence[int], now: datetime) -> None:
    for start in range(0, len(official_ids), CHUNK):
        await session.execute(
            update(ActivationCode)
            .where(ActivationCode.official_id.in_(official_ids[start : start + CHUNK]), *_live())
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        )


async def issue(
    session: AsyncSession,
    *,
    official_id: int,
    issued_by_id: int | None,
    now: datetime,
    lifetime: timedelta = LIFETIME,
) -> str:
    """A new code for one person, as "XXXX-XXXX": returned this once, only its hash is kept. Their previous
    live code stops working (one live code per person). For newcomers and for people already on Telegram
    or the web who add Zalo alike."""
    official = await session.get(Official, official_id)
    if official is None or not _may_hold_code(official):
        raise CannotIssue(official_id)
    await _revoke(session, [official_id], now)
    (code,) = await _unused_codes(session, 1)
    session.add(
        ActivationCode(
            code_hash=hash_code(code),
            official_id=official_id,
            hint=code[-2:],
            issued_by_id=issued_by_id,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    await session.flush()
    return shown(code)


@dataclass(frozen=True, slots=True)
class IssuedCode:
    official_id: int
    full_name: str
    unit_name: str
    code: str  # "XXXX-XXXX"
    expires_at: datetime


def _holds_account_on(channel: Channel) -> ColumnElement[bool]:
    account = aliased(ChannelAccount)
    return exists().where(
        account.official_id == Official.id,
        account.channel == channel,
        account.status != AccountStatus.UNLINKED,
    )


async def issue_for_unit(
    session: AsyncSession,
    *,
    unit_id: int,
    issued_by_id: int | None,
    include_subunits: bool,
    now: datetime,
    only_not_joined: bool = True,
    channel: Channel = Channel.ZALO,
    lifetime: timedelta = LIFETIME,
) -> list[IssuedCode]:
    """New codes for the people of a unit (and the units below it), for a printed sheet: people who left are
    skipped and, with `only_not_joined`, those who already hold an account on `channel` (a person on
    Telegram still gets a code to add Zalo). Sorted by unit, then name, the Vietnamese way. A fixed number
    of statements per CHUNK people, whatever the unit's size."""
    unit = await session.get(Unit, unit_id)
    if unit is None:
        return []
    where: list[ColumnElement[bool]] = [
        Official.status != OfficialStatus.LEFT,
        Official.erased_at.is_(None),
        Unit.path.startswith(unit.path) if include_subunits else Unit.id == unit.id,
    ]
    if only_not_joined:
        where.append(~_holds_account_on(channel))
    rows = (
        await session.execute(
            select(Official.id, Official.full_name, Unit.name)
            .join(Unit, Unit.id == Official.unit_id)
            .where(*where)
        )
    ).all()
    rows = sorted(rows, key=lambda r: (vietnamese_key(r[2]), vietnamese_name_key(r[1]), r[0]))
    if not rows:
        return []
    ids = [row[0] for row in rows]
    await _revoke(session, ids, now)
    codes = await _unused_codes(session, len(rows))
    expires = now + lifetime
    values = [
        {
            "code_hash": hash_code(code),
            "official_id": official_id,
            "hint": code[-2:],
            "issued_by_id": issued_by_id,
            "created_at": now,
            "expires_at": expires,
        }
        for code, official_id in zip(codes, ids, strict=True)
    ]
    for start in range(0, len(values), CHUNK):
        await session.execute(insert(ActivationCode), values[start : start + CHUNK])
    return [
        IssuedCode(official_id, full_name, unit_name, shown(code), expires)
        for code, (official_id, full_name, unit_name) in zip(codes, rows, strict=True)
    ]


class Outcome(enum.StrEnum):
    LINKED = "linked"
    WRONG = "wrong"  # no such code (attempts_left says how many more this hour)
    WAIT = "wait"  # too many wrong codes: retry_at says when
    EXPIRED = "expired"  # past its date, replaced by a newer code, or its person left
    USED = "used"
    ALREADY_LINKED = "already_linked"  # this chat account already belongs to someone (official_* name them)


@dataclass(frozen=True, slots=True)
class Redeemed:
    outcome: Outcome
    official_id: int | None = None
    full_name: str | None = None
    attempts_left: int | None = None
    retry_at: datetime | None = None


async def _wait_until(session: AsyncSession, user: ChannelUser, now: datetime) -> tuple[datetime | None, int]:
    """(when this account may try again, or None if it may now; wrong codes it sent in the window)."""
    recent = list(
        (
            await session.scalars(
                select(ActivationAttempt.at)
                .where(
                    ActivationAttempt.channel == user.channel.value,
                    ActivationAttempt.external_id == user.external_id,
                    ActivationAttempt.at > now - WRONG_WINDOW,
                )
                .order_by(ActivationAttempt.at)
            )
        ).all()
    )
    if len(recent) < WRONG_LIMIT:
        return None, len(recent)
    # The window frees a place when the oldest of the last WRONG_LIMIT attempts leaves it.
    return recent[len(recent) - WRONG_LIMIT] + WRONG_WINDOW, len(recent)


async def retry_at(session: AsyncSession, user: ChannelUser, now: datetime) -> datetime | None:
    """When this chat account may send a code again (None: now). A unit's invite code typed to the bot
    shares the limit: guessing either kind costs the same wrong attempts."""
    return (await _wait_until(session, user, now))[0]


async def count_wrong(session: AsyncSession, user: ChannelUser, now: datetime) -> None:
    """A wrong code of another kind (a unit's invite code) counted against the account's limit."""
    session.add(ActivationAttempt(channel=user.channel.value, external_id=user.external_id, at=now))
    await session.flush()


async def _wrong(session: AsyncSession, user: ChannelUser, now: datetime, before: int) -> Redeemed:
    session.add(ActivationAttempt(channel=user.channel.value, external_id=user.external_id, at=now))
    await session.flush()
    return Redeemed(Outcome.WRONG, attempts_left=max(WRONG_LIMIT - before - 1, 0))


async def redeem(
    session: AsyncSession, *, code_text: str, user: ChannelUser, display_name: str, now: datetime
) -> Redeemed:
    """A code sent by a chat account: link the account to the code's person, or say why not."""
    retry_at, wrong_so_far = await _wait_until(session, user, now)
    if retry_at is not None:
        return Redeemed(Outcome.WAIT, retry_at=retry_at)
    found = await find_with_account(session, user)
    if found is not None and found[0].status is not OfficialStatus.LEFT:
        return Redeemed(Outcome.ALREADY_LINKED, official_id=found[0].id, full_name=found[0].full_name)
    canonical = normalise(code_text)
    code = (
        await session.scalar(select(ActivationCode).where(ActivationCode.code_hash == hash_code(canonical)))
        if canonical is not None
        else None
    )
    if code is None:
        return await _wrong(session, user, now, wrong_so_far)
    if code.used_at is not None:
        return Redeemed(Outcome.USED)
    official = await session.get(Official, code.official_id)
    if (
        code.revoked_at is not None
        or code.expires_at <= now
        or official is None
        or not _may_hold_code(official)
    ):
        return Redeemed(Outcome.EXPIRED)
    account_label = f"{user.channel.value}:{user.external_id}"
    # Conditional: of two sends of one code racing, one changes the row and links; the other finds it used.
    taken = await session.execute(
        update(ActivationCode)
        .where(ActivationCode.id == code.id, *_live())
        .values(used_at=now, used_by=account_label)
        .execution_options(synchronize_session=False)
    )
    if getattr(taken, "rowcount", 0) != 1:
        return Redeemed(Outcome.USED)
    account = await link(session, official, user, display_name=clean_text(display_name)[:200] or None)
    if official.status is not OfficialStatus.ACTIVE:
        official.status = OfficialStatus.ACTIVE
    if official.joined_at is None:
        official.joined_at = now
    await session.flush()
    await audit.record(
        session,
        actor=actor_of(official, account),
        action="account.link",
        subject=f"official:{official.id}",
        after={"channel": user.channel.value, "via": "activation code"},
    )
    return Redeemed(Outcome.LINKED, official_id=official.id, full_name=official.full_name)


async def live_code_hints(
    session: AsyncSession, official_ids: Sequence[int], now: datetime
) -> dict[int, str]:
    """The hint (last two characters) of each person's live, unexpired code: which slip is the valid one."""
    hints: dict[int, str] = {}
    for start in range(0, len(official_ids), CHUNK):
        rows = await session.execute(
            select(ActivationCode.official_id, ActivationCode.hint).where(
                ActivationCode.official_id.in_(official_ids[start : start + CHUNK]),
                ActivationCode.expires_at > now,
                *_live(),
            )
        )
        hints.update({official_id: hint for official_id, hint in rows.all()})
    return hints


async def prune_attempts(session: AsyncSession, *, now: datetime) -> int:
    """Delete wrong-code attempts older than the window: they no longer count (for a daily job)."""
    result = await session.execute(
        delete(ActivationAttempt)
        .where(ActivationAttempt.at <= now - WRONG_WINDOW)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
