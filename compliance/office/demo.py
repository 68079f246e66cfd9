"""A demo office as offices are in 2026, so a new user can try every feature at once: a commune's People's
Committee under the two-level local government (districts were abolished on 1 July 2025) and a provincial
department as a second root, 40 officials, a head per unit.

Bình Lục is a commune of Ninh Bình formed on 1 July 2025 from the former Bình Lục district's communes; the
units are those a commune has since: the HĐND and UBND office, two phòng, and the one-stop desk (Trung tâm
Phục vụ hành chính công). Their kinds are data (units.kind), as each province names its own.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office.staff_import import StaffRow, apply_rows
from compliance.office.units import UnitTree
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

COMMUNE = "UBND xã Bình Lục, tỉnh Ninh Bình"
DEPARTMENT = "Sở Nội vụ tỉnh Ninh Bình"
COMMUNE_STAFF = (
    "Công chức Văn phòng – Thống kê",
    "Công chức Tài chính – Kế toán",
    "Công chức Tư pháp – Hộ tịch",
    "Công chức Văn hóa – Xã hội",
    "Chuyên viên",
    "Viên chức",
)
DEPARTMENT_STAFF = ("Chuyên viên", "Chuyên viên chính", "Cán sự", "Văn thư", "Kế toán")


@dataclass(frozen=True)
class DemoUnit:
    path: tuple[str, ...]
    kind: str
    head_title: str
    staff_titles: tuple[str, ...] = ()  # empty: nobody but the head (the roots)


UNITS: tuple[DemoUnit, ...] = (
    DemoUnit((COMMUNE,), "UBND xã", "Chủ tịch UBND xã"),
    DemoUnit((COMMUNE, "Văn phòng HĐND và UBND"), "Văn phòng", "Chánh Văn phòng", COMMUNE_STAFF),
    DemoUnit((COMMUNE, "Phòng Kinh tế"), "Phòng", "Trưởng phòng", COMMUNE_STAFF),
    DemoUnit((COMMUNE, "Phòng Văn hóa – Xã hội"), "Phòng", "Trưởng phòng", COMMUNE_STAFF),
    DemoUnit(
        (COMMUNE, "Trung tâm Phục vụ hành chính công"), "Trung tâm", "Giám đốc Trung tâm", COMMUNE_STAFF
    ),
    DemoUnit((DEPARTMENT,), "Sở", "Giám đốc Sở"),
    DemoUnit((DEPARTMENT, "Văn phòng Sở"), "Văn phòng", "Chánh Văn phòng", DEPARTMENT_STAFF),
    DemoUnit((DEPARTMENT, "Phòng Công chức, viên chức"), "Phòng", "Trưởng phòng", DEPARTMENT_STAFF),
    DemoUnit((DEPARTMENT, "Phòng Cải cách hành chính"), "Phòng", "Trưởng phòng", DEPARTMENT_STAFF),
)
OFFICIALS = 40


def demo_rows(seed: int = 2026) -> list[StaffRow]:
    """The same office every time (fixed seed), so re-running updates it instead of adding people."""
    rng = random.Random(seed)
    rows: list[StaffRow] = []
    used_names: set[str] = set()
    staffed = [unit for unit in UNITS if unit.staff_titles]
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
        unit = UNITS[index] if is_head else staffed[index % len(staffed)]
        rows.append(
            StaffRow(
                row=index + 2,
                full_name=name,
                title=unit.head_title if is_head else rng.choice(unit.staff_titles),
                unit_path=unit.path,
                phone=f"+8491{index:07d}",
                email=None,
                role=Role.HEAD if is_head else Role.OFFICIAL,
            )
        )
    return rows


async def seed_demo(session: AsyncSession, seed: int = 2026) -> tuple[int, int]:
    """Create or update the demo office and its units' kinds; returns (created, updated) officials."""
    created, updated = await apply_rows(session, demo_rows(seed), file_name="demo-data")
    tree = await UnitTree.load(session)
    for demo_unit in UNITS:
        unit = tree.find(demo_unit.path)
        if unit is not None and unit.kind is None:  # a kind the admin set since is theirs to keep
            unit.kind = demo_unit.kind
    await session.flush()
    return created, updated
