"""What the staff-list import says: the dry run's summary with its row errors, the confirm buttons, the
progress and the outcome. The command line prints the same row and file errors."""

from __future__ import annotations

from compliance.office.staff_file import StaffFileError
from compliance.office.staff_import import ImportPlan, RowError, RowProblem
from handlers.i18n import _, fmt_number
from handlers.messages import Choice, OutMessage, esc, row

SHOWN_ERRORS = 20


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


def checked(plan: ImportPlan, upload_id: int) -> OutMessage:
    """The dry run's summary; the confirm buttons only when every row can be imported."""
    choices: tuple[tuple[Choice, ...], ...] = ()
    if not plan.errors and plan.rows:
        choices = (
            row(Choice(_("✅ Import"), f"imp:ok:{upload_id}"), Choice(_("✖ Cancel"), f"imp:no:{upload_id}")),
        )
    return OutMessage(plan_summary(plan), choices=choices)


def file_refused(error: StaffFileError) -> OutMessage:
    return OutMessage(file_error_text(error))


def import_help() -> OutMessage:
    return OutMessage(
        _(
            "Send the staff list as an .xlsx or .csv file with the columns Họ và tên, Chức vụ, Đơn vị, "
            "Số điện thoại, Email, Vai trò. I will check it and ask you to confirm before importing."
        )
    )


def admins_only() -> OutMessage:
    return OutMessage(_("Only administrators can import the staff list."))


def checking() -> OutMessage:
    return OutMessage(_("Checking the file…"))


def no_longer_waiting() -> str:
    return _("This import is no longer waiting for confirmation.")


def cancelled() -> OutMessage:
    return OutMessage(_("Import cancelled. Nothing was changed."), edit=True)


def importing(done: int, total: int) -> OutMessage:
    text = _("Importing… {done} / {total}").format(done=fmt_number(done), total=fmt_number(total))
    return OutMessage(text, edit=True)


def changed_meaning() -> OutMessage:
    return OutMessage(_("The file changed meaning since the check; nothing was imported."), edit=True)


def imported(created: int, updated: int) -> OutMessage:
    text = _("Import done: {created} new officials, {updated} updated.").format(
        created=fmt_number(created), updated=fmt_number(updated)
    )
    return OutMessage(text, edit=True)
