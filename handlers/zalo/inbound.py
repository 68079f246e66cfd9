"""What the Zalo adapter hands the dialogs: one inbound message, parsed, and what the dialogs may use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.engine import Database

TEXT = "message.text.received"
IMAGE = "message.image.received"
STICKER = "message.sticker.received"
UNSUPPORTED = "message.unsupported.received"


@dataclass(frozen=True, slots=True)
class ZaloIncoming:
    """One message to the bot. Zalo's ids are opaque text; in a private chat chat_id equals user_id."""

    event: str  # TEXT, IMAGE, STICKER or UNSUPPORTED
    message_id: str
    user_id: str
    chat_id: str
    display_name: str
    text: str | None  # NFC, as received; None for a picture or a sticker
    chat_type: str  # "PRIVATE" or "GROUP"
    sent_at: datetime  # aware UTC

    @property
    def private(self) -> bool:
        return self.chat_type.upper() == "PRIVATE"


@dataclass(frozen=True)
class ZaloServices:
    """Set once at start by the process (bot/), read by every dialog."""

    database: Database
    default_locale: str
    # PUBLIC_URL: links to the web pages for what text cannot carry (documents, the dashboard, signing).
    public_url: str
    # ZALO_GROUPS: answer in group chats (a unit's group linked, handlers.zalo.groups); off: ignored.
    zalo_groups: bool = False
