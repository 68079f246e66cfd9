"""A confirmed staff list is applied off the request: 50 000 rows take most of a minute on a loaded
SQLite (measured: 38 s to apply after a 15 s check), longer than a browser or a proxy waits. The page
starts the import here and answers at once; the status page refreshes itself every two seconds until the
import is done.

The import is one transaction, as in the chat (all rows or none): if the process stops half-way nothing
was written, the upload is still waiting in the database, and the admin confirms it again. What is kept
here, in the process, is only the progress to show.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from starlette.requests import Request

from compliance.office.officials import Actor
from compliance.office.staff_file import StaffFileError
from compliance.office.staff_import import ImportRefused
from compliance.office.staff_uploads import confirm_upload, pending_upload
from storage.engine import Database

log = logging.getLogger("handlers.web.admin")


@dataclass
class ImportJob:
    upload_id: int
    admin_id: int
    done: int = 0
    total: int = 0
    created: int | None = None
    updated: int | None = None
    refused: bool = False  # the file changed meaning since its check, or the upload was no longer waiting
    failed: bool = False  # an error of ours: logged, nothing imported
    task: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def finished(self) -> bool:
        return self.created is not None or self.refused or self.failed


class ImportJobs:
    """The imports of this process, by upload id (one at a time per upload)."""

    def __init__(self) -> None:
        self._jobs: dict[int, ImportJob] = {}

    def get(self, upload_id: int, admin_id: int) -> ImportJob | None:
        job = self._jobs.get(upload_id)
        return job if job is not None and job.admin_id == admin_id else None

    def start(self, database: Database, *, upload_id: int, admin: Actor) -> ImportJob:
        running = self._jobs.get(upload_id)
        if running is not None and not running.finished:
            return running  # a second press of "Import" joins the first
        job = ImportJob(upload_id, admin.id)
        self._jobs[upload_id] = job
        job.task = asyncio.create_task(_run(database, job, admin), name=f"staff-import-{upload_id}")
        return job


def jobs_of(request: Request) -> ImportJobs:
    state = request.app.state
    if not hasattr(state, "staff_imports"):
        state.staff_imports = ImportJobs()
    jobs: ImportJobs = state.staff_imports
    return jobs


async def _run(database: Database, job: ImportJob, admin: Actor) -> None:
    async def progress(done: int, total: int) -> None:
        job.done, job.total = done, total

    try:
        async with database.unit_of_work() as session:
            upload = await pending_upload(session, upload_id=job.upload_id, admin=admin)
            if upload is None:
                job.refused = True
                return
            job.total = upload.row_count
            created, updated = await confirm_upload(session, upload=upload, progress=progress, actor=admin)
        job.created, job.updated = created, updated
    except (ImportRefused, StaffFileError):
        job.refused = True
    except Exception:
        log.exception("staff import %s failed", job.upload_id)
        job.failed = True
