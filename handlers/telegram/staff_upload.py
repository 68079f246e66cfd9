"""An admin sends the staff list to the bot: a dry-run summary, then a confirm button, with progress."""

from __future__ import annotations

import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode

from compliance.office.staff_file import MAX_FILE_BYTES, StaffFileError
from compliance.office.staff_import import ImportPlan, ImportRefused, RowError, RowProblem
from compliance.office.staff_uploads import confirm_upload, discard_uploads, pending_upload, preview_upload
from handlers.i18n import _, fmt_number
from handlers.messages import esc
from handlers.scope import current_scope
from handlers.telegram.context import BotContext, reply

SHOWN_ERRORS = 20
PROGRESS_EVERY_SECONDS = 2.0


def row_error_text(error: RowError) -> str:
    texts = {
        RowProblem.MISSING_NAME: _("row {row}: the full name is missing"),
        RowProblem.MISSING_PHONE: _("row {row}: the phone number is missing"),
        RowProblem.BAD_PHONE: _("row {row}: the phone number “{value}” cannot be read"),
        RowProblem.DUPLICATE_PHONE: _("row {row}: the same phone number as row {value}"),
        RowProblem.UNKNOWN_ROLE: _(
            "row {row}: unknown role “{value}” (use: cán bộ, trưởng đơn vị or quản trị)"
        ),
        RowProblem.MISSING_UNIT: _("row {row}: the unit is missing"),
        RowProblem.UNIT_TOO_DEEP: _("row {row}: the unit path has {value} levels, more than allowed"),
        RowProblem.BAD_EMAIL: _("row {row}: the email “{value}” is not valid"),
    }
    return texts[error.problem].format(row=error.row, value=esc(error.value))


def file_error_text(error: StaffFileError) -> str:
    texts = {
        "unreadable": _("The file cannot be read as an Excel workbook."),
        "not_utf8": _("The CSV file is not in UTF-8. In Excel, save it as “CSV UTF-8”."),
        "too_many_rows": _("The file has more than {detail} rows."),
        "too_large": _("The file is larger than {detail} MB."),
        "unsupported_type": _("Only .xlsx and .csv files can be imported."),
        "empty": _("The file is empty."),
        "missing_columns": _("The file lacks these columns: {detail}."),
    }
    return texts.get(error.code, _("The file cannot be read.")).format(detail=esc(error.detail))


def plan_summary(plan: ImportPlan) -> str:
    lines = [
        _("<b>Staff list check</b>"),
        _("Rows read: {n}").format(n=fmt_number(plan.total)),
        _("New officials: {n}").format(n=fmt_number(plan.to_create)),
        _("Officials updated: {n}").format(n=fmt_number(plan.to_update)),
        _("New units: {n}").format(n=fmt_number(plan.new_units)),
    ]
    if plan.errors:
        lines.append(
            _("<b>Rows with errors: {n}</b>. Nothing will be imported until they are fixed:").format(
                n=fmt_number(len({e.row for e in plan.errors}))
            )
        )
        lines.extend("• " + row_error_text(e) for e in plan.errors[:SHOWN_ERRORS])
        if len(plan.errors) > SHOWN_ERRORS:
            lines.append(_("…and {n} more.").format(n=fmt_number(len(plan.errors) - SHOWN_ERRORS)))
    return "\n".join(lines)


async def import_help(update: Update, context: BotContext) -> None:
    await reply(
        update,
        _(
            "Send the staff list as an .xlsx or .csv file with the columns Họ và tên, Chức vụ, Đơn vị, "
            "Số điện thoại, Email, Vai trò. I will check it and ask you to confirm before importing."
        ),
    )


async def document_received(update: Update, context: BotContext) -> None:
    scope = current_scope()
    message = update.effective_message
    assert message is not None and message.document is not None and scope.actor is not None
    if not scope.actor.is_admin:
        await reply(update, _("Only administrators can import the staff list."))
        return
    document = message.document
    if document.file_size and document.file_size > MAX_FILE_BYTES:
        await reply(
            update, file_error_text(StaffFileError("too_large", str(MAX_FILE_BYTES // (1024 * 1024))))
        )
        return
    status = await reply(update, _("Checking the file…"))
    telegram_file = await document.get_file()
    content = bytes(await telegram_file.download_as_bytearray())
    try:
        upload, plan = await preview_upload(
            scope.session, admin=scope.actor, file_name=document.file_name or "staff", content=content
        )
    except StaffFileError as error:
        await _edit(status, file_error_text(error))
        return
    await scope.commit()
    markup = None
    if not plan.errors and plan.rows:
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(_("✅ Import"), callback_data=f"imp:ok:{upload.id}"),
                    InlineKeyboardButton(_("✖ Cancel"), callback_data=f"imp:no:{upload.id}"),
                ]
            ]
        )
    await _edit(status, plan_summary(plan), markup)


async def _edit(message: Message | None, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    if message is not None:
        await message.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)


async def import_decision(update: Update, context: BotContext) -> None:
    scope = current_scope()
    query = update.callback_query
    assert query is not None and scope.actor is not None
    parts = (query.data or "").split(":")
    upload_id = int(parts[2]) if len(parts) == 3 and parts[2].isdigit() else -1
    upload = await pending_upload(scope.session, upload_id=upload_id, admin=scope.actor)
    if upload is None:
        await query.answer(_("This import is no longer waiting for confirmation."), show_alert=True)
        return
    await query.answer()
    if parts[1] != "ok":
        await discard_uploads(scope.session, uploaded_by_id=scope.actor.id)
        await scope.commit()
        await query.edit_message_text(_("Import cancelled. Nothing was changed."))
        return
    last_shown = 0.0

    async def progress(done: int, total: int) -> None:
        nonlocal last_shown
        if time.monotonic() - last_shown >= PROGRESS_EVERY_SECONDS:
            last_shown = time.monotonic()
            await query.edit_message_text(
                _("Importing… {done} / {total}").format(done=fmt_number(done), total=fmt_number(total))
            )

    try:
        created, updated = await confirm_upload(
            scope.session, upload=upload, progress=progress, actor=scope.actor
        )
    except (ImportRefused, StaffFileError):
        await query.edit_message_text(_("The file changed meaning since the check; nothing was imported."))
        return
    await scope.commit()
    await query.edit_message_text(
        _("Import done: {created} new officials, {updated} updated.").format(
            created=fmt_number(created), updated=fmt_number(updated)
        )
    )
