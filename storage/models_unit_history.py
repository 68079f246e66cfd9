"""The units' history: names a unit had before a rename, and merges (the 2025 reorganisation merged and
renamed about a thousand offices), so an old name is still found and old figures still have a home."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.clock import utcnow
from storage.models import Base


class UnitName(Base):
    """A name a unit had until `until`: written by a rename, searched by its key."""

    __tablename__ = "unit_names"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    until: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))


class UnitMerge(Base):
    """One merge: the source unit's name at that moment, where it went, when, by whom and what moved."""

    __tablename__ = "unit_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("units.id"), unique=True)
    source_name: Mapped[str] = mapped_column(String(200))
    source_name_key: Mapped[str] = mapped_column(String(200), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    merged_at: Mapped[datetime] = mapped_column(default=utcnow)
    merged_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    # {"officials": n, "units": n, "groups": n, "invites": n, "join_requests": n}
    moved: Mapped[dict[str, Any]] = mapped_column(default=dict)
