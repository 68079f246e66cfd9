"""Workbooks of many small sheets (a province's report has one per unit, 2 000 of them) written with
openpyxl's write-only mode: rows go to the sheet's XML as they are appended, nothing is kept per cell.

Three things openpyxl does per sheet cost more than the rows at that scale, and are done differently here:
- each write-only sheet streams into a temporary file of its own, opened until the workbook is saved
  (thousands of open files; creating and removing them took seconds of system time on a busy disk): here
  each sheet streams into memory, and the archive takes the bytes;
- each new title is checked against every earlier title, each read through a property (quadratic: a
  second at 2 000 sheets): the caller makes titles unique (see unique_title), and sheet() skips that check;
- each column's width is an object written per sheet: runs of columns of the same width share one;
- each sheet keeps some eighty small objects until the workbook is saved, and as they pile up the garbage
  collector makes full passes over the whole process (a fifth of the time): it waits while a workbook is
  built (collector_paused).
"""

from __future__ import annotations

import gc
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import NamedStyle
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.dimensions import ColumnDimension, DimensionHolder
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.writer.excel import ExcelWriter

SHEET_NAME_LIMIT = 31


class _MemoryWriter(WorksheetWriter):
    """A sheet's XML written into memory (WorksheetWriter takes a BytesIO) instead of a temporary file."""

    def __init__(self, sheet: WriteOnlyWorksheet) -> None:
        super().__init__(sheet, out=io.BytesIO())

    def cleanup(self) -> None:
        """Nothing to remove: there is no temporary file."""


class _Sheet(WriteOnlyWorksheet):
    # set up by openpyxl (Worksheet._setup), absent from the write-only sheet's type stubs
    column_dimensions: DimensionHolder[str, ColumnDimension]
    auto_filter: AutoFilter
    _writer: WorksheetWriter | None

    def _get_writer(self) -> None:
        if self._writer is None:
            writer = _MemoryWriter(self)
            writer.write_top()
            self._writer = writer


class _Archive(ZipFile):
    """ExcelWriter adds a sheet to the archive by the name of its temporary file: here, the bytes."""

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        if isinstance(filename, io.BytesIO):
            self.writestr(arcname, filename.getvalue())
        else:
            super().write(filename, arcname, *args, **kwargs)


class SheetsWorkbook(Workbook):
    def __init__(self, styles: Sequence[NamedStyle] = ()) -> None:
        super().__init__(write_only=True)
        self._titles: list[str] = []
        self._adding = False
        for style in styles:
            # registered once: cells then take a style by name instead of a font, fill and number format
            # each looked up (hashed) in the workbook's lists
            self.add_named_style(style)

    @property
    def sheetnames(self) -> list[str]:
        return [] if self._adding else list(self._titles)

    def sheet(
        self, title: str, *, widths: Sequence[float], header_rows: int = 1, filter_rows: int | None = None
    ) -> _Sheet:
        """A new sheet, title made unique by the caller (unique_title). Its column widths, frozen header
        and filter are set here, before its first row is written (a write-only sheet writes them first)."""
        self._adding = True
        try:
            sheet = _Sheet(parent=self, title=title)
        finally:
            self._adding = False
        self._add_sheet(sheet)  # type: ignore[attr-defined]  # what create_sheet does, untyped in the stubs
        self._titles.append(title)
        start = 0
        while start < len(widths):
            end = start
            while end + 1 < len(widths) and widths[end + 1] == widths[start]:
                end += 1
            letter = get_column_letter(start + 1)
            sheet.column_dimensions[letter] = ColumnDimension(
                sheet,  # type: ignore[arg-type]  # as openpyxl's own holder makes them for this sheet
                index=letter,
                min=start + 1,
                max=end + 1,
                width=widths[start],
            )
            start = end + 1
        sheet.freeze_panes = f"A{header_rows + 1}"
        if filter_rows is not None:
            sheet.auto_filter.ref = f"A{header_rows}:{get_column_letter(len(widths))}{filter_rows}"
        return sheet

    def to_bytes(self) -> bytes:
        if not self.worksheets:
            self.create_sheet()
        buffer = io.BytesIO()
        self.properties.modified = datetime.now(UTC).replace(tzinfo=None)  # as openpyxl's own save
        ExcelWriter(self, _Archive(buffer, "w", ZIP_DEFLATED, allowZip64=True)).save()  # closes it
        return buffer.getvalue()


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic garbage collection inside: building a workbook is synchronous, so nothing else of the
    bot runs meanwhile, and what it leaves is collected as usual afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def unique_title(wanted: str, used: set[str]) -> str:
    """wanted, cut to Excel's limit and made unique among used (compared without case, as Excel does),
    which it joins."""
    title = wanted[:SHEET_NAME_LIMIT]
    n = 2
    while title.lower() in used:
        title = f"{wanted[: SHEET_NAME_LIMIT - 4]}-{n}"
        n += 1
    used.add(title.lower())
    return title


def styled(sheet: WriteOnlyWorksheet, value: Any, style: str) -> Cell:
    cell = WriteOnlyCell(sheet, value)
    cell.style = style
    return cell


def column_widths(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[float]:
    """As wide as the longest value, between 10 and 60 characters; rows may be shorter than the header."""
    widths = []
    for index, title in enumerate(header):
        values = (r[index] for r in rows if index < len(r) and r[index] is not None)
        width = max([len(str(title))] + [len(str(value)) for value in values])
        widths.append(float(min(max(10, width + 2), 60)))
    return widths
