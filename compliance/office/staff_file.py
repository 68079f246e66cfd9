"""Reading a staff list (.xlsx, or .csv as Excel saves it) into raw rows with their row numbers."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

from openpyxl import load_workbook

from compliance.text import clean_text, name_key

MAX_ROWS = 100_000
MAX_FILE_BYTES = 20 * 1024 * 1024

# Column -> the header spellings offices use for it (compared by name_key).
COLUMNS: dict[str, tuple[str, ...]] = {
    "full_name": ("Họ và tên", "Họ tên", "Full name", "Name"),
    "title": ("Chức vụ", "Title", "Position"),
    "unit": ("Đơn vị", "Đơn vị công tác", "Unit"),
    "phone": ("Số điện thoại", "Điện thoại", "SĐT", "Phone"),
    "email": ("Email", "Thư điện tử"),
    "role": ("Vai trò", "Role"),
}
REQUIRED = ("full_name", "unit", "phone")
_HEADER_LOOKUP = {
    name_key(spelling): column for column, spellings in COLUMNS.items() for spelling in spellings
}


class StaffFileError(Exception):
    """The file as a whole cannot be read; `code` says why, `detail` carries what to show."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code, detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class RawRow:
    number: int  # as the spreadsheet numbers it, header = 1
    values: dict[str, str]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone typed as a number comes back as 912345678.0
    return clean_text(str(value))


def _rows_from_xlsx(content: bytes) -> list[list[object]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise StaffFileError("unreadable", type(exc).__name__) from exc
    try:
        sheet = workbook.worksheets[0]
        rows: list[list[object]] = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + 1:
                raise StaffFileError("too_many_rows", str(MAX_ROWS))
        return rows
    finally:
        workbook.close()


def _rows_from_csv(content: bytes) -> list[list[object]]:
    try:
        text = content.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a BOM
    except UnicodeDecodeError as exc:
        raise StaffFileError("not_utf8") from exc
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[object]] = []
    for row in csv.reader(io.StringIO(text), dialect):
        rows.append(list(row))
        if len(rows) > MAX_ROWS + 1:
            raise StaffFileError("too_many_rows", str(MAX_ROWS))
    return rows


def read_staff_file(file_name: str, content: bytes) -> list[RawRow]:
    if len(content) > MAX_FILE_BYTES:
        raise StaffFileError("too_large", str(MAX_FILE_BYTES // (1024 * 1024)))
    lowered = file_name.lower()
    if lowered.endswith(".xlsx"):
        table = _rows_from_xlsx(content)
    elif lowered.endswith(".csv"):
        table = _rows_from_csv(content)
    else:
        raise StaffFileError("unsupported_type", file_name.rsplit(".", 1)[-1] if "." in file_name else "")
    if not table:
        raise StaffFileError("empty")
    header = [_HEADER_LOOKUP.get(name_key(_cell_text(cell))) for cell in table[0]]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise StaffFileError("missing_columns", ", ".join(COLUMNS[c][0] for c in missing))
    rows: list[RawRow] = []
    for index, row in enumerate(table[1:], start=2):
        values = {column: _cell_text(cell) for column, cell in zip(header, row, strict=False) if column}
        if any(values.values()):  # blank lines between blocks of staff are common
            rows.append(RawRow(index, values))
    return rows
