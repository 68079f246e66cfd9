"""Staff-list import on the web: upload → the dry-run table (errors by row and column) → confirm.

The uploaded file waits in the database between the two steps (compliance.office.staff_uploads, the
chat's own two-step store), so a restart between them loses nothing; only the admin's newest upload can
be confirmed, and a file with bad rows never can: the admin mends it and uploads it again.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compliance.office.staff_file import COLUMNS, StaffFileError
from compliance.office.staff_import import ImportPlan, RowError, RowProblem, plan_import
from compliance.office.staff_uploads import discard_uploads, pending_upload, preview_upload
from handlers.commands import Access
from handlers.i18n import _
from handlers.views import staff as views
from handlers.web.admin.staff_jobs import ImportJob, jobs_of
from handlers.web.admin.uploads import read_upload
from handlers.web.context import WebContext, int_param, page
from handlers.web.errors import BadInput, NotFound
from storage.models import StaffUpload

# The dry run lists this many errors; a file with more is mended in bulk, and the count says how many.
SHOWN_ERRORS = 500
STAFF_TYPES = {".xlsx": b"PK\x03\x04", ".csv": None}

_PROBLEM_COLUMN = {
    RowProblem.MISSING_NAME: "full_name",
    RowProblem.MISSING_PHONE: "phone",
    RowProblem.BAD_PHONE: "phone",
    RowProblem.DUPLICATE_PHONE: "phone",
    RowProblem.UNKNOWN_ROLE: "role",
    RowProblem.MISSING_UNIT: "unit",
    RowProblem.UNIT_TOO_DEEP: "unit",
    RowProblem.BAD_EMAIL: "email",
}


def error_rows(plan: ImportPlan) -> list[tuple[int, str, str]]:
    """(row, column as the file heads it, the chat's sentence for it) of the first SHOWN_ERRORS errors."""
    return [(e.row, COLUMNS[_PROBLEM_COLUMN[e.problem]][0], views.row_error_text(e)) for e in _first(plan)]


def _first(plan: ImportPlan) -> list[RowError]:
    return plan.errors[:SHOWN_ERRORS]


@page(access=Access.ADMIN)
async def staff_page(context: WebContext) -> Response:
    return context.render(
        "admin/staff.html", title=_("Staff list"), plan=None, upload_id=None, file_error=None
    )


@page(access=Access.ADMIN)
async def staff_upload(context: WebContext) -> Response:
    name, content = await read_upload(
        context, "file", STAFF_TYPES, _("Only .xlsx and .csv files can be imported.")
    )
    try:
        upload, plan = await preview_upload(
            context.session, admin=context.me, file_name=name, content=content
        )
    except StaffFileError as error:
        # Nothing was written (the file is read before any change): the form again, the reason beside it.
        return context.render(
            "admin/staff.html",
            status=400,
            title=_("Staff list"),
            plan=None,
            upload_id=None,
            file_error=views.file_error_text(error),
        )
    # The dry run is shown on this answer: checking 50 000 rows again for a redirect would double the wait.
    return await _preview(context, upload, plan)


async def _preview(context: WebContext, upload: StaffUpload, plan: ImportPlan) -> Response:
    return context.render(
        "admin/staff.html",
        title=_("Staff list check"),
        plan=plan,
        upload_id=upload.id,
        file_name=upload.file_name,
        errors=error_rows(plan),
        error_row_count=len({e.row for e in plan.errors}),
        more_errors=max(0, len(plan.errors) - SHOWN_ERRORS),
        file_error=None,
    )


@page(access=Access.ADMIN)
async def staff_status(context: WebContext) -> Response:
    """The upload's page: its import's progress or outcome, else its dry run while it waits."""
    upload_id = int_param(context.request.path_params["upload_id"])
    job = jobs_of(context.request).get(upload_id, context.me.id)
    if job is not None:
        return _job_page(context, job)
    upload = await pending_upload(context.session, upload_id=upload_id, admin=context.me)
    if upload is None:
        raise NotFound(views.no_longer_waiting())
    plan = await plan_import(context.session, file_name=upload.file_name, content=upload.content)
    return await _preview(context, upload, plan)


def _job_page(context: WebContext, job: ImportJob) -> Response:
    if not job.finished:
        return context.render("admin/staff_running.html", title=_("Importing…"), job=job)
    if job.created is not None:
        return context.render(
            "admin/staff_done.html", title=_("Staff list imported"), created=job.created, updated=job.updated
        )
    text = (
        _("The file changed meaning since the check; nothing was imported.")
        if job.refused
        else _("The import failed; nothing was imported. Try again, or tell the bot's operator.")
    )
    return context.render("admin/staff_done.html", status=409, title=_("Staff list"), failure=text)


@page(access=Access.ADMIN)
async def staff_confirm(context: WebContext) -> Response:
    upload_id = int_param(context.request.path_params["upload_id"])
    jobs = jobs_of(context.request)
    running = jobs.get(upload_id, context.me.id)
    # Pressed again while it runs, or after it succeeded: the same import's page, nothing applied twice.
    if running is None or running.refused or running.failed:
        upload = await pending_upload(context.session, upload_id=upload_id, admin=context.me)
        if upload is None:
            raise NotFound(views.no_longer_waiting())
        if upload.error_count:
            raise BadInput(_("This file has rows with errors: mend them and upload it again."))
        jobs.start(context.config.database, upload_id=upload_id, admin=context.me)
    return context.redirect(f"/admin/staff/{upload_id}")


@page(access=Access.ADMIN)
async def staff_cancel(context: WebContext) -> Response:
    await discard_uploads(context.session, uploaded_by_id=context.me.id)
    return context.redirect("/admin/staff")


def routes() -> list[BaseRoute]:
    return [
        Route("/admin/staff", staff_page, methods=["GET"]),
        Route("/admin/staff", staff_upload, methods=["POST"]),
        Route("/admin/staff/cancel", staff_cancel, methods=["POST"]),
        Route("/admin/staff/{upload_id}", staff_status, methods=["GET"]),
        Route("/admin/staff/{upload_id}/confirm", staff_confirm, methods=["POST"]),
    ]
