"""A broadcast's document uploaded on the web: checked, stored once, referenced by id until it is sent.

The chat's documents stay at Telegram (a file_id); a file uploaded on a page is kept in the database
(storage.models_broadcast.BroadcastFile), so every replica can send it and the officials' pages can offer
it for download. The composer's preview stores it and carries only its id; the confirmation ties it to the
broadcast; the dispatcher reads it with the broadcast's content (compliance.broadcasts.status.contents).
"""

from __future__ import annotations

import enum
import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePosixPath

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office.officials import Actor
from storage.clock import utcnow
from storage.models_broadcast import BroadcastFile

# A draft previewed and never confirmed leaves its file behind: removed when a later upload comes in.
ABANDONED_AFTER = timedelta(days=1)
DOCUMENT = "document"
NAME_LIMIT = 200


@dataclass(frozen=True)
class FileType:
    media_type: str
    signatures: tuple[bytes, ...]  # the file's first bytes: a renamed executable is not a PDF


_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
# What offices attach to a plan update: the signed plan (PDF), office documents, a scan as a picture.
ALLOWED: dict[str, FileType] = {
    ".pdf": FileType("application/pdf", (b"%PDF-",)),
    ".docx": FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    ".xlsx": FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    ".pptx": FileType("application/vnd.openxmlformats-officedocument.presentationml.presentation", _ZIP),
    ".odt": FileType("application/vnd.oasis.opendocument.text", _ZIP),
    ".ods": FileType("application/vnd.oasis.opendocument.spreadsheet", _ZIP),
    ".doc": FileType("application/msword", _OLE),
    ".xls": FileType("application/vnd.ms-excel", _OLE),
    ".jpg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": FileType("image/png", (b"\x89PNG\r\n\x1a\n",)),
}


class FileProblem(enum.Enum):
    EMPTY = "empty"
    TOO_LARGE = "too_large"
    TYPE = "type"  # an extension not allowed, or content that is not what the name says


@dataclass(frozen=True)
class Checked:
    name: str
    media_type: str


def clean_name(raw: str) -> str:
    """The file's own name, without any folder a browser sent, NFC, short enough for the column."""
    name = PurePosixPath(raw.replace("\\", "/")).name
    name = unicodedata.normalize("NFC", "".join(c for c in name if c.isprintable())).strip()
    if len(name) > NAME_LIMIT:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: NAME_LIMIT - len(suffix) - 1] + dot + suffix) if dot else name[:NAME_LIMIT]
    return name or "document"


def check(name: str, content: bytes, *, limit: int) -> Checked | FileProblem:
    if not content:
        return FileProblem.EMPTY
    if len(content) > limit:
        return FileProblem.TOO_LARGE
    cleaned = clean_name(name)
    kind = ALLOWED.get(PurePosixPath(cleaned.lower()).suffix)
    if kind is None or not content.startswith(kind.signatures):
        return FileProblem.TYPE
    return Checked(cleaned, kind.media_type)


async def store(session: AsyncSession, *, actor: Actor, checked: Checked, content: bytes) -> BroadcastFile:
    await session.execute(
        delete(BroadcastFile).where(
            BroadcastFile.broadcast_id.is_(None), BroadcastFile.created_at < utcnow() - ABANDONED_AFTER
        )
    )
    stored = BroadcastFile(
        uploaded_by_id=actor.id,
        name=checked.name,
        media_type=checked.media_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
    )
    session.add(stored)
    await session.flush()
    return stored


async def draft_file(session: AsyncSession, *, actor: Actor, file_id: int) -> BroadcastFile | None:
    """A file this person uploaded for a draft not confirmed yet: an id from a form grants nothing more."""
    return await session.scalar(
        select(BroadcastFile).where(
            BroadcastFile.id == file_id,
            BroadcastFile.uploaded_by_id == actor.id,
            BroadcastFile.broadcast_id.is_(None),
        )
    )


def file_ref(stored: BroadcastFile) -> str:
    """What Broadcast.attachment_file_id holds for a stored file (a Telegram file_id never has a colon)."""
    return f"web:{stored.id}"


async def of_broadcast(session: AsyncSession, broadcast_id: int) -> BroadcastFile | None:
    return await session.scalar(select(BroadcastFile).where(BroadcastFile.broadcast_id == broadcast_id))
