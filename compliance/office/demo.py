"""A demo office, so a new user can try every feature at once: a Sở, 3 phòng, 2 tổ, 40 officials."""

from __future__ import annotations

import random

from compliance.office.staff_import import StaffRow
from storage.models import Role

FAMILY = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
)
MIDDLE_MALE = ("Văn", "Đức", "Minh", "Quang", "Hữu", "Thanh", "Công")
MIDDLE_FEMALE = ("Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương", "Hồng")
GIVEN_MALE = (
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hải",
    "Hùng",
    "Khánh",
    "Long",
    "Nam",
    "Phong",
    "Quân",
    "Sơn",
    "Tuấn",
)
GIVEN_FEMALE = (
    "Anh",
    "Châu",
    "Dung",
    "Hà",
    "Hạnh",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Nga",
    "Oanh",
    "Thảo",
    "Yến",
)

ROOT = "Sở Nội vụ (demo)"
UNITS: tuple[tuple[str, ...], ...] = (
    (ROOT,),
    (ROOT, "Văn phòng Sở"),
    (ROOT, "Phòng Cải cách hành chính"),
    (ROOT, "Phòng Công chức, viên chức"),
    (ROOT, "Phòng Cải cách hành chính", "Tổ Một cửa"),
    (ROOT, "Văn phòng Sở", "Tổ Tiếp nhận và trả kết quả"),
)
HEAD_TITLES = ("Giám đốc Sở", "Chánh Văn phòng", "Trưởng phòng", "Trưởng phòng", "Tổ trưởng", "Tổ trưởng")
STAFF_TITLES = ("Chuyên viên", "Chuyên viên chính", "Cán sự", "Văn thư", "Kế toán")
OFFICIALS = 40


def demo_rows(seed: int = 2026) -> list[StaffRow]:
    """The same office every time (fixed seed), so re-running updates it instead of adding people."""
    rng = random.Random(seed)
    rows: list[StaffRow] = []
    used_names: set[str] = set()
    for index in range(OFFICIALS):
        while True:
            female = rng.random() < 0.5
            name = " ".join(
                (
                    rng.choice(FAMILY),
                    rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE),
                    rng.choice(GIVEN_FEMALE if female else GIVEN_MALE),
                )
            )
            if name not in used_names:
                used_names.add(name)
                break
        is_head = index < len(UNITS)
        unit = UNITS[index] if is_head else UNITS[1 + index % (len(UNITS) - 1)]
        rows.append(
            StaffRow(
                row=index + 2,
                full_name=name,
                title=HEAD_TITLES[index] if is_head else rng.choice(STAFF_TITLES),
                unit_path=unit,
                phone=f"+8491{index:07d}",
                email=None,
                role=Role.HEAD if is_head else Role.OFFICIAL,
            )
        )
    return rows
