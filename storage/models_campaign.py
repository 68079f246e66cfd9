"""Signing deadlines (issue 17): office settings, yearly signing campaigns, and the overdue notices sent."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.clock import utcnow
from storage.models import Base


class OfficeSetting(Base):
    """One office-wide setting by name (e.g. "sign_within_days"): a row per setting, absent = the default."""

    __tablename__ = "office_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SigningCampaign(Base):
    """A yearly re-signing: everyone in scope signs the template `code` again between two local days.

    Days are Viet Nam's, both included; `units` is {"ids": [...]} (each with its subtree), empty for the
    whole office. Closing early moves `ends_on` back and sets `closed_at`, so one column says the window.
    """

    __tablename__ = "signing_campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(40))
    pledge_version_id: Mapped[int] = mapped_column(ForeignKey("pledge_versions.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    units: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (Index("ix_signing_campaigns_window", "starts_on", "ends_on"),)


class OverdueNotice(Base):
    """That a person's heads were told they are overdue (`subject`: "joiner" or "campaign:<id>"): once."""

    __tablename__ = "overdue_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id"))
    subject: Mapped[str] = mapped_column(String(40))
    deadline: Mapped[date] = mapped_column(Date)
    notified: Mapped[int] = mapped_column(Integer, default=0)  # outbox rows planned to the heads
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("uq_overdue_notices_official_subject", "official_id", "subject", unique=True),)
