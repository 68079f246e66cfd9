"""Files reachable by a link that is its own key: what a channel without files (Zalo) points people to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.clock import utcnow
from storage.models import Base


class SharedFile(Base):
    """A picture or document behind /f/<token>, for one recipient, until it expires.

    Only the token's SHA-256 is kept: the link in the message is the capability, and a database dump does
    not hand out working links. A broadcast's uploaded document is referenced (broadcast_file_id), not
    copied, so one plan update's PDF is stored once however many people get a link to it; anything else
    (a chart, a receipt) carries its own bytes. Exactly one of the two is set."""

    __tablename__ = "shared_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Who it was made for (None: made for nobody in particular); erasing a person removes theirs.
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "photo" | "document"
    name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    broadcast_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("broadcast_files.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)

    __table_args__ = (CheckConstraint("(content IS NULL) <> (broadcast_file_id IS NULL)", name="one_source"),)
