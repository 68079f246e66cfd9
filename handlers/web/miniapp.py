"""Telegram Mini App sign-in: the initData string Telegram hands the page, checked as Telegram documents.

secret = HMAC-SHA256(key="WebAppData", message=bot token); the data is genuine when HMAC-SHA256(key=secret,
message=the fields but `hash`, sorted, as key=value lines) equals its `hash`. A fresh auth_date keeps an
old, leaked string from opening a session later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from urllib.parse import parse_qsl

MAX_AGE_SECONDS = 3600


class InitDataError(Exception):
    pass


def _check_string(fields: dict[str, str]) -> str:
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")


def sign(fields: dict[str, str], *, bot_token: str) -> str:
    """The hash Telegram would put in initData for these fields (tests and the fake server sign with it)."""
    secret = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    return hmac.new(secret, _check_string(fields).encode(), hashlib.sha256).hexdigest()


def telegram_user_id(init_data: str, *, bot_token: str, now: float | None = None) -> int:
    if not init_data or len(init_data) > 4096:
        raise InitDataError("missing or too long")
    fields = dict(parse_qsl(init_data, keep_blank_values=True, strict_parsing=False))
    presented = fields.get("hash", "")
    if not presented or not hmac.compare_digest(sign(fields, bot_token=bot_token), presented):
        raise InitDataError("bad signature")
    auth_date = fields.get("auth_date", "")
    moment = time.time() if now is None else now
    if not auth_date.isdigit() or not 0 <= moment - int(auth_date) <= MAX_AGE_SECONDS:
        raise InitDataError("stale")
    try:
        user = json.loads(fields.get("user", ""))
        return int(user["id"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InitDataError("no user") from exc
