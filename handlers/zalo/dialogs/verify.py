"""XAC MINH <code>: a unit head or the office checks a pledge receipt against the signature ledger, as
/verify does on Telegram (the receipt's picture and PDF tell the reader to). The code is read from the text
as typed: folding would lower its case."""

from __future__ import annotations

from handlers.messages import OutMessage
from handlers.views import access
from handlers.views import verify as views
from handlers.zalo.dialogs.base import Replies, Turn

# Folded prefixes → how many words they take before the code.
PREFIXES: dict[str, int] = {"xac minh": 2, "/verify": 1, "verify": 1, "xacminh": 1}


def asks_to_verify(folded: str) -> bool:
    return any(folded == prefix or folded.startswith(prefix + " ") for prefix in PREFIXES)


def _code(turn: Turn, folded: str) -> str:
    words = next(n for prefix, n in PREFIXES.items() if folded == prefix or folded.startswith(prefix + " "))
    parts = turn.text.split(maxsplit=words)
    return parts[words].strip() if len(parts) > words else ""


async def verify(turn: Turn, folded: str) -> Replies:
    if not (turn.me.is_head or turn.me.is_admin):
        return [OutMessage(access.managers_only())]
    code = _code(turn, folded)
    if not code:
        return [views.usage("XAC MINH")]
    return [await views.verification(turn.session, code)]
