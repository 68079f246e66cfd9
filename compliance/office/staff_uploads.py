"""Staff lists sent to the bot: kept in the database between the preview and the admin's confirmation."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office.officials import Actor
from compliance.office.staff_import import (
    ImportPlan,
    ImportRefused,
    ProgressCallback,
    apply_rows,
    plan_import,
)
from storage.clock import utcnow
from storage.models import StaffUpload

PREVIEWED = "previewed"
APPLIED = "applied"
DISCARDED = "discarded"


async def preview_upload(
    session: AsyncSession, *, admin: Actor, file_name: str, content: bytes
) -> tuple[StaffUpload, ImportPlan]:
    """Dry-run a file and keep it, so the confirmation survives a restart. Raises StaffFileError."""
    plan = await plan_import(session, file_name=file_name, content=content)
    # Only the newest preview can be confirmed: older ones would import a stale list.
    await discard_uploads(session, uploaded_by_id=admin.id)
    upload = StaffUpload(
        uploaded_by_id=admin.id,
        file_name=file_name[:255],
        content=content,
        row_count=plan.total,
        error_count=len(plan.errors),
        status=PREVIEWED,
    )
    session.add(upload)
    await session.flush()
    return upload, plan


async def discard_uploads(session: AsyncSession, *, uploaded_by_id: int) -> bool:
    result = await session.execute(
        update(StaffUpload)
        .where(StaffUpload.uploaded_by_id == uploaded_by_id, StaffUpload.status == PREVIEWED)
        .values(status=DISCARDED, content=b"")
    )
    return bool(getattr(result, "rowcount", 0))


async def pending_upload(session: AsyncSession, *, upload_id: int, admin: Actor) -> StaffUpload | None:
    """The upload this admin may still confirm: theirs, previewed, not discarded."""
    return await session.scalar(
        select(StaffUpload).where(
            StaffUpload.id == upload_id,
            StaffUpload.uploaded_by_id == admin.id,
            StaffUpload.status == PREVIEWED,
        )
    )


async def confirm_upload(
    session: AsyncSession,
    *,
    upload: StaffUpload,
    progress: ProgressCallback | None = None,
    actor: Actor | None = None,
) -> tuple[int, int]:
    """Apply a previewed file in the caller's transaction: all rows or none."""
    plan = await plan_import(session, file_name=upload.file_name, content=upload.content)
    if plan.errors:
        raise ImportRefused(f"{len(plan.errors)} bad rows")
    created, updated = await apply_rows(
        session, plan.rows, progress=progress, actor=actor, file_name=upload.file_name
    )
    upload.status = APPLIED
    upload.applied_at = utcnow()
    return created, updated
