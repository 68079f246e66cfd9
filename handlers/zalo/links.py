"""Links for what Zalo cannot carry: an attachment becomes PUBLIC_URL/f/<token> (handlers.web.files).

Zalo sends a picture only by URL, and fetches it itself, from its own servers, more than once and again
days later; it sends no documents at all. So every attachment the bot would send gets a shared file
(compliance.delivery.shared_files), made for its recipient and committed before the message leaves (Zalo
fetches the picture while sendPhoto is still answering).

PUBLIC_URL must therefore be reachable from the internet for pictures: Zalo's servers cannot fetch from
http://127.0.0.1 or an office LAN address (the picture then fails to show). A document link works
wherever the reader's phone can reach PUBLIC_URL.

render() takes a plain function from attachment to URL; making the link needs the database, so `hook`
makes the links of a reply's messages first and hands render a function that looks them up.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Sequence
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from compliance.delivery import shared_files
from compliance.office.accounts import ChannelUser, find_official
from handlers.messages import Attachment, AttachmentKind, OutMessage
from handlers.zalo.render import AttachmentUrl
from storage.clock import utcnow
from storage.engine import Database
from storage.models import Channel

log = logging.getLogger(__name__)
PATH = "/f/"
WEB_REF = "web:"
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"%PDF-", "application/pdf"),
)
_LOCAL_HOSTS = ("localhost", "127.", "10.", "192.168.", "0.0.0.0", "[::1]", "::1")  # noqa: S104 - compared, not bound


def media_type_of(attachment: Attachment) -> str:
    """The type the web server declares: by the bytes when they say it, else by the name."""
    data = attachment.data or b""
    for signature, media_type in _SIGNATURES:
        if data.startswith(signature):
            return media_type
    guessed, _ = mimetypes.guess_type(attachment.file_name or "")
    return guessed or "application/octet-stream"


def fetchable_by_zalo(public_url: str) -> bool:
    """False for an address Zalo's servers certainly cannot reach (a picture sent from there fails)."""
    host = urlsplit(public_url).hostname or ""
    return bool(host) and not host.startswith(_LOCAL_HOSTS)


class AttachmentLinks:
    """Makes the /f/ links of attachments, in its own short unit of work."""

    def __init__(
        self, database: Database, public_url: str, *, lifetime: timedelta = shared_files.DEFAULT_LIFETIME
    ) -> None:
        self.database = database
        self.public_url = public_url.rstrip("/")
        self.lifetime = lifetime

    async def attachment_url(
        self,
        session: AsyncSession,
        attachment: Attachment,
        *,
        official_id: int | None,
        broadcast_id: int | None = None,
    ) -> str | None:
        """A link to the attachment for this recipient; None when it cannot be linked.

        A broadcast's document uploaded on the web is linked by reference to its stored file, whatever the
        copy carries (its bytes, or the Telegram file_id that replaced them once a Telegram copy went out).
        A document sent in the Telegram chat lives only at Telegram (a file_id): no link, it stays named
        only, as before."""
        kind = shared_files.PHOTO if attachment.kind is AttachmentKind.PHOTO else shared_files.DOCUMENT
        now = utcnow()
        stored = await shared_files.broadcast_file_of(session, broadcast_id) if broadcast_id else None
        if stored is None and attachment.file_ref and attachment.file_ref.startswith(WEB_REF):
            number = attachment.file_ref.removeprefix(WEB_REF)
            stored = int(number) if number.isascii() and number.isdigit() else None
        if stored is not None:
            token = await shared_files.share(
                session,
                broadcast_file_id=stored,
                name=attachment.file_name,
                kind=kind,
                official_id=official_id,
                now=now,
                lifetime=self.lifetime,
            )
        elif attachment.data is not None:
            token = await shared_files.share(
                session,
                content=attachment.data,
                name=attachment.file_name,
                media_type=media_type_of(attachment),
                kind=kind,
                official_id=official_id,
                now=now,
                lifetime=self.lifetime,
            )
        else:
            return None  # a Telegram file_id: only Telegram can serve it
        return f"{self.public_url}{PATH}{token}" if token else None

    async def hook(
        self,
        messages: Sequence[OutMessage],
        *,
        official_id: int | None = None,
        zalo_user_id: str | None = None,
        broadcast_id: int | None = None,
    ) -> AttachmentUrl | None:
        """The links of these messages' attachments, made and committed now; render's lookup of them.
        `zalo_user_id`: whose reply it is, when the caller knows only the Zalo account."""
        pending = [m.attachment for m in messages if m.attachment is not None and m.attachment.url is None]
        if not pending:
            return None
        urls: dict[int, str | None] = {}
        async with self.database.unit_of_work() as session:
            if official_id is None and zalo_user_id is not None:
                official = await find_official(session, ChannelUser(Channel.ZALO, zalo_user_id))
                official_id = official.id if official is not None else None
            for attachment in pending:
                urls[id(attachment)] = await self.attachment_url(
                    session, attachment, official_id=official_id, broadcast_id=broadcast_id
                )
        return lambda attachment: urls.get(id(attachment))
