"""Workbooks of many small sheets (the emulation review has one per unit, 2 000 in a province) written with
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
  built (compliance.reports.collector.collector_paused).

A big table (everyone in a province's reach: 50 000 rows) is written by table(): its XML made here from
plain values, a cell a formatted string: about six times faster than openpyxl's cell objects (measured on
50 000 rows of 12 cells: 1.4 s against 8.2 s, the same busy machine).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.packaging.relationship import RelationshipList
from openpyxl.styles import NamedStyle
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.dimensions import ColumnDimension, DimensionHolder
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.writer.excel import ExcelWriter

from storage.clock import utcnow

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
    _writer: WorksheetWriter | _Written | None

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

    def table(
        self,
        title: str,
        *,
        rows: Iterable[Sequence[object]],
        widths: Sequence[float],
        styles: Mapping[int, str] | None = None,
        header_rows: int = 1,
        filter_rows: int | None = None,
    ) -> int:
        """A sheet of plain values written straight to its XML; returns how many rows it has. Column
        `index` (0-based) takes the named style `styles[index]`; a Styled value takes its own. Title unique
        (unique_title); widths, frozen header and filter as sheet() sets them."""
        sheet = self.sheet(title, widths=widths, header_rows=header_rows, filter_rows=filter_rows)
        ids: dict[str, int] = {}

        def style_id(name: str) -> int:
            if name not in ids:
                cell = WriteOnlyCell(sheet)
                cell.style = name
                ids[name] = cell.style_id  # registered in the workbook as openpyxl would
            return ids[name]

        column_ids = {index: style_id(name) for index, name in (styles or {}).items()}
        letters = [get_column_letter(n + 1) for n in range(max(len(widths), 1))]
        out = io.BytesIO()  # the sheet's XML, each row encoded as it is made: no second copy as text
        out.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n')
        out.write(f'<worksheet xmlns="{_MAIN}" xmlns:r="{_RELS}">'.encode())
        dimension_at = out.tell()
        out.write(b" " * 40)  # room for <dimension ref=…/>, written once the rows are counted
        frozen = f"A{header_rows + 1}"
        out.write(
            (
                '<sheetViews><sheetView workbookViewId="0">'
                f'<pane ySplit="{header_rows}" topLeftCell="{frozen}" activePane="bottomLeft" '
                'state="frozen"/>'
                f'<selection pane="bottomLeft" activeCell="{frozen}" sqref="{frozen}"/>'
                "</sheetView></sheetViews>"
                '<sheetFormatPr baseColWidth="8" defaultRowHeight="15"/><cols>'
                + "".join(
                    f'<col min="{n + 1}" max="{n + 1}" width="{width}" customWidth="1"/>'
                    for n, width in enumerate(widths)
                )
                + "</cols><sheetData>"
            ).encode()
        )
        count = 0
        texts: dict[str, str] = {}  # a text's cell content, escaped once (units' names, states recur)
        for count, row in enumerate(rows, start=1):
            cells = []
            for index, value in enumerate(row):
                if value is None:
                    continue
                if index >= len(letters):
                    letters.extend(get_column_letter(n + 1) for n in range(len(letters), index + 1))
                kind = type(value)
                if kind is Styled:
                    sid = style_id(value.style)  # type: ignore[attr-defined]  # a Styled, as tested
                    value = value.value  # type: ignore[attr-defined]
                    if value is None:
                        continue
                    cells.append(_cell(letters[index], count, value, sid))
                    continue
                sid = column_ids.get(index, 0)
                # the common cells inline (a province's people: 600 000 of them), the rest by _cell
                if kind is str:
                    text = texts.get(value)  # type: ignore[call-overload]  # a str, as tested
                    if text is None:
                        text = texts[value] = _inline(value)  # type: ignore[index,arg-type]
                    style = f' s="{sid}"' if sid else ""
                    cells.append(f'<c r="{letters[index]}{count}"{style} t="inlineStr">{text}</c>')
                elif kind is int or kind is float:
                    style = f' s="{sid}"' if sid else ""
                    cells.append(f'<c r="{letters[index]}{count}"{style}><v>{value!r}</v></c>')
                else:
                    cells.append(_cell(letters[index], count, value, sid))
            out.write(f'<row r="{count}">{"".join(cells)}</row>'.encode())
        filter_ref = f'<autoFilter ref="{sheet.auto_filter.ref}"/>' if sheet.auto_filter.ref else ""
        out.write(
            (
                f"</sheetData>{filter_ref}"
                '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
                "</worksheet>"
            ).encode()
        )
        last = f"{letters[len(widths) - 1] if widths else 'A'}{max(count, 1)}"
        out.seek(dimension_at)
        out.write(f'<dimension ref="A1:{last}"/>'.ljust(40).encode())  # spaces between elements are allowed
        out.seek(0)
        sheet._writer = _Written(out)
        sheet._WriteOnlyWorksheet__saved = True  # type: ignore[attr-defined]  # ExcelWriter then takes _writer as is
        return count

    def to_bytes(self) -> bytes:
        if not self.worksheets:
            self.create_sheet()
        buffer = io.BytesIO()
        self.properties.modified = utcnow().replace(tzinfo=None)  # as openpyxl's own save
        # deflate level 5: zlib's default (6) packs a province's 23 MB of XML 3 % smaller in 70 % more time
        archive = _Archive(buffer, "w", ZIP_DEFLATED, allowZip64=True, compresslevel=5)
        ExcelWriter(self, archive).save()  # closes it
        return buffer.getvalue()


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_EPOCH = datetime(1899, 12, 30)


@dataclass(frozen=True, slots=True)
class Styled:
    """A value of table() with a named style of its own."""

    value: object
    style: str


class _Written:
    """What ExcelWriter reads of a closed write-only sheet's writer: the XML, no relationships."""

    def __init__(self, xml: io.BytesIO) -> None:
        self.out = xml
        self._rels = RelationshipList()

    def cleanup(self) -> None:
        """Nothing to remove: the XML is in memory."""


def _inline(value: str) -> str:
    """A text cell's content: without the characters XML cannot hold, escaped, its edge spaces kept."""
    text = value if value.isprintable() else ILLEGAL_CHARACTERS_RE.sub("", value)  # printable: none to drop
    if "&" in text or "<" in text or ">" in text:
        text = escape(text)
    space = ' xml:space="preserve"' if text[:1] == " " or text[-1:] == " " else ""
    return f"<is><t{space}>{text}</t></is>"


def _cell(letter: str, row: int, value: object, style: int) -> str:
    """One cell's XML; the common types first (a table is mostly text and counts)."""
    s = f' s="{style}"' if style else ""
    if isinstance(value, str):
        return f'<c r="{letter}{row}"{s} t="inlineStr">{_inline(value)}</c>'
    if isinstance(value, bool):
        return f'<c r="{letter}{row}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{letter}{row}"{s}><v>{value!r}</v></c>'
    if isinstance(value, datetime):  # naive, as shown: Excel has no time zones
        delta = value.replace(tzinfo=None) - _EPOCH
        return f'<c r="{letter}{row}"{s}><v>{delta.days + delta.seconds / 86400!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{letter}{row}"{s}><v>{(value - _EPOCH.date()).days}</v></c>'
    return _cell(letter, row, str(value), style)


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
