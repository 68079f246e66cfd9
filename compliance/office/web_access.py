"""Signing in to the web pages: one-time links, the sessions they open, and signing out.

A link's token and a session's token are random (256 bits), given to the person once and stored only as
their SHA-256: a copy of the database opens nothing. A link lasts ten minutes and is used once; a session
ends after twelve idle hours, seven days at most, or when revoked ("sign out everywhere").
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office.officials import Actor, actor_of
from compliance.office.phones import canonical_phone
from storage.clock import utcnow
from storage.models import Channel, Official, OfficialStatus
from storage.models_web import WebSession, WebSignIn

LINK_LIFETIME = timedelta(minutes=10)
SESSION_IDLE = timedelta(hours=12)
SESSION_LONGEST = timedelta(days=7)
# last_seen_at is written at most this often: each page would otherwise be a write.
TOUCH_EVERY = timedelta(minutes=1)
TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def safe_next_path(path: str | None) -> str:
    """Only a path of this site: a link must never send a person elsewhere once signed in."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path[:300]


async def issue_link(session: AsyncSession, *, official_id: int, issued_by: str, next_path: str = "/") -> str:
    """A one-time sign-in token for an official; the caller builds the link (PUBLIC_URL + /signin/…)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    session.add(
        WebSignIn(
            token_hash=token_hash(token),
            official_id=official_id,
            next_path=safe_next_path(next_path),
            issued_by=issued_by[:50],
            created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
    )
    await session.flush()
    return token


@dataclass(frozen=True)
class OpenedSession:
    token: str
    official_id: int
    next_path: str
    expires_at: datetime


async def _open(session: AsyncSession, *, official_id: int, opened_by: str, next_path: str) -> OpenedSession:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    row = WebSession(
        token_hash=token_hash(token),
        official_id=official_id,
        opened_by=opened_by,
        created_at=now,
        last_seen_at=now,
        expires_at=now + SESSION_LONGEST,
    )
    session.add(row)
    await session.flush()
    return OpenedSession(token, official_id, next_path, row.expires_at)


def _may_sign_in(official: Official | None) -> bool:
    return (
        official is not None
        and official.erased_at is None
        and official.status in (OfficialStatus.ACTIVE, OfficialStatus.INVITED, OfficialStatus.UNREACHABLE)
    )


async def redeem_link(session: AsyncSession, *, token: str) -> OpenedSession | None:
    """Exchange a link's token for a session; None when it is unknown, used, expired or its owner left.

    The token is marked used by a conditional UPDATE, so two browsers opening one link at the same moment
    get one session between them.
    """
    if not token or len(token) > 100:
        return None
    now = utcnow()
    taken = await session.execute(
        update(WebSignIn)
        .where(
            WebSignIn.token_hash == token_hash(token),
            WebSignIn.used_at.is_(None),
            WebSignIn.expires_at > now,
        )
        .values(used_at=now)
        .returning(WebSignIn.official_id, WebSignIn.next_path)
    )
    row = taken.first()
    if row is None:
        return None
    official_id, next_path = row
    if not _may_sign_in(await session.get(Official, official_id)):
        return None
    return await _open(session, official_id=official_id, opened_by="link", next_path=next_path)


async def open_for_official(
    session: AsyncSession, *, official_id: int, opened_by: str
) -> OpenedSession | None:
    """A session for an official another proof identified (Telegram's Mini App initData)."""
    if not _may_sign_in(await session.get(Official, official_id)):
        return None
    return await _open(session, official_id=official_id, opened_by=opened_by, next_path="/")


@dataclass(frozen=True)
class SignedIn:
    actor: Actor
    session_id: int
    expires_at: datetime


async def signed_in(session: AsyncSession, *, token: str) -> SignedIn | None:
    """The official behind a session cookie, or None when the session is unknown, ended or revoked."""
    if not token or len(token) > 100:
        return None
    row = (
        await session.execute(
            select(WebSession, Official)
            .join(Official, Official.id == WebSession.official_id)
            .where(WebSession.token_hash == token_hash(token), WebSession.revoked_at.is_(None))
        )
    ).first()
    if row is None:
        return None
    web_session, official = row
    now = utcnow()
    if now >= web_session.expires_at or now >= web_session.last_seen_at + SESSION_IDLE:
        return None
    if not _may_sign_in(official) or official.status is OfficialStatus.LEFT:
        return None
    if now - web_session.last_seen_at >= TOUCH_EVERY:
        web_session.last_seen_at = now
    actor = replace(actor_of(official), channel=Channel.WEB, external_id=str(official.id))
    return SignedIn(actor, web_session.id, web_session.expires_at)


async def sign_out(session: AsyncSession, *, token: str) -> None:
    await session.execute(
        update(WebSession)
        .where(WebSession.token_hash == token_hash(token), WebSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


async def sign_out_everywhere(session: AsyncSession, *, official_id: int) -> int:
    """Revoke every open session of a person (also used when they leave or are erased)."""
    result = await session.execute(
        update(WebSession)
        .where(WebSession.official_id == official_id, WebSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def open_sessions(session: AsyncSession, *, official_id: int) -> int:
    now = utcnow()
    rows = await session.scalars(
        select(WebSession).where(
            WebSession.official_id == official_id,
            WebSession.revoked_at.is_(None),
            WebSession.expires_at > now,
            WebSession.last_seen_at > now - SESSION_IDLE,
        )
    )
    return len(rows.all())


async def official_by_phone(session: AsyncSession, phone: str) -> Official | None:
    canonical = canonical_phone(phone)
    if canonical is None:
        return None
    return await session.scalar(select(Official).where(Official.phone == canonical))
