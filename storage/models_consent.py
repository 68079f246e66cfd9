"""A person's consent to the processing of their data (Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15).

One row per consent given: which notice the person read (its version), when, on which channel, and when
it was withdrawn. Rows are never deleted while the person is on the staff list: they are the office's
evidence that what it processed was consented to, and when that stopped.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.clock import utcnow
from storage.models import Base


class Consent(Base):
    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id"))
    notice_version: Mapped[int] = mapped_column(Integer)
    # Where the person said "Tôi đồng ý": telegram, zalo or web.
    channel: Mapped[str] = mapped_column(String(20))
    given_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column()
    withdrawn_channel: Mapped[str | None] = mapped_column(String(20))

    # "Does this person hold a current consent" is asked on every update and by every planning query.
    __table_args__ = (Index("ix_consents_current", "official_id", "notice_version", "withdrawn_at"),)
