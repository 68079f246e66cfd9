"""Staff lists as offices send them, written with openpyxl or as Excel's CSV UTF-8 (with BOM)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook

HEADER = ["Họ và tên", "Chức vụ", "Đơn vị", "Số điện thoại", "Email", "Vai trò"]

OFFICE = [
    ["Trần Văn Bình", "Giám đốc", "Sở GTVT", "0912 000 001", "binh@example.vn", "trưởng đơn vị"],
    ["Lê Thị Hoa", "Chánh Văn phòng", "Sở GTVT / Văn phòng", "+84 912000002", "", "trưởng đơn vị"],
    ["Phạm Minh Châu", "Chuyên viên", "Sở GTVT / Văn phòng", "84912000003", "", "cán bộ"],
    ["Nguyễn Thị Lan", "Chuyên viên", "Sở GTVT / Phòng Quản lý vận tải", "0912.000.004", "", "cán bộ"],
    ["Đỗ Quang Huy", "Cán sự", "Sở GTVT / Phòng Quản lý vận tải", "0912-000-005", "", ""],
]


def xlsx_bytes(rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER, *, bom: bool = True) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig" if bom else "utf-8")
