"""What keeps the public rating form honest without signing anyone in.

- The address a rating came from is kept only as HMAC-SHA256 with the office's own key, so an admin can
  see a burst from one place and set it aside, and nobody can turn the hash back into the address (an
  IPv4 address has only 2^32 values: a plain hash would be reversed in minutes).
- The key is generated on first use and kept in the database (office_settings), never in the code or the
  repository: every replica reads the same one, and a restore keeps the hashes comparable.
- The form carries a signed timestamp: a submission must come from a form this server gave out, at least
  a few seconds earlier (robots post at once) and not hours ago. It is also what stands in for the CSRF
  token of signed-in pages: an anonymous form has no session for another site to ride, and the signature
  binds the submission to the point whose form was opened.
- One rating per device, point and day: a cookie listing the points rated today (a person can clear it,
  which the rate limits and the review of address hashes are there for).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date
from typing import Final

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.engine import dialect_of
from storage.models_campaign import OfficeSetting

KEY_SETTING: Final = "feedback_address_key"
# A form older than this is refused as expired (a person reloads it): a day-old token is a replayed one.
FORM_LONGEST_SECONDS: Final = 2 * 3600
RATED_COOKIE: Final = "camket_rated"
_RATED_MOST: Final = 50  # points remembered per device and day: far above a person's day at the desks


async def address_key(session: AsyncSession) -> bytes:
    """The office's key for the address hashes and form tokens: made once (32 random bytes), then read.
    Two replicas making it at the same moment keep whichever row was written first."""
    found = await session.scalar(select(OfficeSetting.value).where(OfficeSetting.name == KEY_SETTING))
    if found is None:
        insert = pg_insert if dialect_of(session) == "postgresql" else sqlite_insert
        await session.execute(
            insert(OfficeSetting)
            .values(name=KEY_SETTING, value=secrets.token_hex(32))
            .on_conflict_do_nothing(index_elements=["name"])
        )
        found = await session.scalar(select(OfficeSetting.value).where(OfficeSetting.name == KEY_SETTING))
        assert found is not None
    return bytes.fromhex(found)


def address_hash(key: bytes, address: str) -> str:
    return hmac.new(key, b"address:" + address.encode("utf-8", "replace"), hashlib.sha256).hexdigest()


def _signature(key: bytes, code: str, issued: int) -> str:
    return hmac.new(key, f"form:{code}:{issued}".encode(), hashlib.sha256).hexdigest()[:32]


def form_token(key: bytes, code: str, issued: float) -> str:
    """The hidden field of the form given out for point `code` at `issued` (seconds since the epoch)."""
    whole = int(issued)
    return f"{whole}.{_signature(key, code, whole)}"


def form_age(key: bytes, code: str, token: str, now: float) -> float | None:
    """Seconds since this server gave out the form, or None when the token is not one it signed for this
    point (or is from the future, or too old)."""
    issued_text, _, signature = token.partition(".")
    if not (issued_text.isascii() and issued_text.isdigit() and len(issued_text) <= 12):
        return None
    issued = int(issued_text)
    if not hmac.compare_digest(_signature(key, code, issued), signature):
        return None
    age = now - issued
    if age < -5 or age > FORM_LONGEST_SECONDS:  # a few seconds of clock skew between replicas
        return None
    return age


def rated_today(cookie: str | None, day: date) -> set[str]:
    """The point codes this device rated on `day` (the cookie: "YYYYMMDD:CODE,CODE"); anything else or
    another day's list is nothing."""
    if not cookie:
        return set()
    day_text, _, codes = cookie.partition(":")
    if day_text != day.strftime("%Y%m%d"):
        return set()
    return {code for code in codes.split(",")[:_RATED_MOST] if code.isascii() and code.isalnum()}


def rated_cookie(previous: set[str], code: str, day: date) -> str:
    codes = sorted(previous | {code})[:_RATED_MOST]
    return f"{day.strftime('%Y%m%d')}:{','.join(codes)}"
