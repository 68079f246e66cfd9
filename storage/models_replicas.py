"""What several replicas of the bot share beyond the domain: the updates one of them has taken."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from storage.clock import utcnow
from storage.models import Base


class ProcessedUpdate(Base):
    """A Telegram update id taken by a replica, written in that update's own transaction.

    Telegram retries a webhook call it got no answer to, and a reverse proxy may hand the retry to another
    replica: the second insert of an id waits for the first transaction and then finds the row, so one
    update is handled once. Rows older than Telegram's retry window are deleted by a job.
    """

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    processed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
