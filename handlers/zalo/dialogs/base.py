"""What every Zalo dialog shares: the turn (one message being handled), the folding of what people type
into keywords, and the chat's open question, kept in the database so a restart loses no step.

Zalo has no buttons and no callback data: a bare number only means something against the question the
bot asked last, so that question (dialog, step, its data, an expiry) is stored per person and read back
on their next message. Nothing about a dialog is kept in memory: any replica may take the next message.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office.officials import Actor
from compliance.privacy.zalo_conversation import KIND, conversation_key
from compliance.text import clean_text
from handlers.messages import OutMessage
from handlers.zalo.inbound import ZaloIncoming, ZaloServices
from storage import conversations
from storage.models_pledge import ConversationState

# KIND and the key are compliance.privacy.zalo_conversation's: /mydata shows these rows, erasure removes them.
LIFETIME = timedelta(minutes=30)
SIGN_IN_PATH = "/signin/"
# Replies like "1 1 2 3" or "A": a few short tokens; anything longer is text, not an answer.
_NOT_WORD = re.compile(r"[^\w\s/]+")
MAX_NUMBERS = 200

Replies = list[OutMessage]


def fold(text: str) -> str:
    """What a keyword is compared in: no accents, no case, no punctuation, single spaces; "Đồng ý!" and
    "dong y" (NFC or NFD) both give "dong y"."""
    cleaned = clean_text(text).replace("đ", "d").replace("Đ", "D")
    bare = "".join(c for c in unicodedata.normalize("NFD", cleaned) if not unicodedata.combining(c))
    return " ".join(_NOT_WORD.sub(" ", bare.casefold()).split())


def numbers(text: str) -> list[int] | None:
    """ "2", "1 1 2 3" or "1,2,3" as numbers; None when the text is anything else."""
    tokens = fold(text).split()
    if not tokens or len(tokens) > MAX_NUMBERS:
        return None
    if not all(token.isascii() and token.isdigit() and len(token) <= 4 for token in tokens):
        return None
    return [int(token) for token in tokens]


def state_key(user_id: str) -> str:
    return conversation_key(user_id)


@dataclass(frozen=True)
class Open:
    """The question the bot asked this person last, still waiting for an answer."""

    dialog: str
    step: str
    data: dict[str, Any]
    expires_at: datetime


@dataclass
class Turn:
    """One inbound message being handled, inside its unit of work."""

    session: AsyncSession
    incoming: ZaloIncoming
    services: ZaloServices
    actor: Actor | None
    now: datetime
    open: Open | None = None
    text: str = ""
    _dirty: bool = field(default=False, repr=False)

    @property
    def me(self) -> Actor:
        assert self.actor is not None, "a member's dialog ran for a stranger"
        return self.actor

    @property
    def key(self) -> str:
        return state_key(self.incoming.user_id)

    def link(self, token: str) -> str:
        return self.services.public_url.rstrip("/") + SIGN_IN_PATH + token

    async def ask(self, dialog: str, step: str, **data: Any) -> None:
        """Keep the question just asked: the person's next message answers it (for LIFETIME)."""
        expires = self.now + LIFETIME
        value = {"dialog": dialog, "step": step, "data": data, "expires": expires.isoformat()}
        await conversations.save(self.session, KIND, self.key, value)
        self.open = Open(dialog, step, data, expires)

    async def close(self) -> None:
        """Nothing is waiting for an answer any more."""
        if self.open is not None or self._dirty:
            await conversations.remove(self.session, KIND, self.key)
        self.open = None
        self._dirty = False

    async def load_open(self) -> Open | None:
        """The question still open for this person; an expired one is dropped (its data may name things
        that have changed since)."""
        stored = await self.session.scalar(
            select(ConversationState.value).where(
                ConversationState.kind == KIND, ConversationState.key == self.key
            )
        )
        if stored is None:
            return None
        row = stored.get("v") or {}
        try:
            opened = Open(
                str(row["dialog"]),
                str(row["step"]),
                dict(row.get("data") or {}),
                datetime.fromisoformat(str(row["expires"])),
            )
        except (KeyError, TypeError, ValueError):
            opened = None  # a row of an older shape: nothing to answer
        if opened is None or opened.expires_at <= self.now:
            self._dirty = True
            await self.close()
            return None
        self.open = opened
        return opened
