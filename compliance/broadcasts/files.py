"""The recipients of a broadcast as an Excel sheet; labels arrive translated, this lays the rows out."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from compliance.broadcasts.followup import RecipientRow
from compliance.dates import EXCEL_DATETIME
from compliance.practice.calendar import LOCAL_TZ

HEADER_FONT = Font(bold=True)
DATE_TIME_FORMAT = EXCEL_DATETIME


def _local(moment: datetime | None) -> datetime | None:
    # Excel has no time zones: the local wall time, without tzinfo, is what a reader expects to see.
    return moment.astimezone(LOCAL_TZ).replace(tzinfo=None) if moment else None


def recipients_excel(
    rows: Sequence[RecipientRow],
    *,
    sheet_title: str,
    header: Sequence[str],  # name, unit, state, sent at, acknowledged at
    state_label: Callable[[str], str],
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = sheet_title[:31]
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = HEADER_FONT
    for row in rows:
        sheet.append([row.name, row.unit, state_label(row.state), _local(row.sent_at), _local(row.acked_at)])
    for column in ("D", "E"):
        for cell in sheet[column][1:]:
            cell.number_format = DATE_TIME_FORMAT
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    widths = [
        max([len(header[0])] + [len(r.name) for r in rows]),
        max([len(header[1])] + [len(r.unit) for r in rows]),
    ]
    for index, width in enumerate([*widths, 16, 18, 18], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(12, width + 2), 50)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
