"""The unit screens' buttons, built once in the views: the pager and the way up of /units and of the plan
update's unit picker carry the same actions as the handlers parse."""

from __future__ import annotations

from compliance.office.unit_listing import UnitLevel, UnitLine
from handlers.i18n import use_locale
from handlers.views.broadcast_units import picker
from handlers.views.units import units_level

CHILD = UnitLine(id=7, code="vp", name="Văn phòng", officials=12, joined=5, sub_units=2)
UNIT = UnitLine(id=3, code="so", name="Sở <Tư pháp>", officials=40, joined=20, sub_units=11)


def actions(level: UnitLevel, *, picking: bool) -> list[list[str]]:
    with use_locale("en"):
        message = picker(level, [], set()) if picking else units_level(level)
    return [[choice.action for choice in choices] for choices in message.choices]


def test_the_middle_page_of_a_unit_has_both_arrows_and_the_way_up() -> None:
    level = UnitLevel(unit=UNIT, children=[CHILD], page=1, pages=3, up=("office", None), read_only=False)
    assert actions(level, picking=False) == [["un:u:7:0"], ["un:u:3:0", "un:u:3:2"], ["un:o:0"]]
    assert actions(level, picking=True) == [
        ["bc:u:t:3:3:1"],
        ["bc:u:t:7:3:1", "bc:u:o:7:0"],
        ["bc:u:o:0:0", "bc:u:o:3:0", "bc:u:o:3:2"],
        ["bc:u:ok"],
    ]


def test_the_office_on_one_page_has_no_arrows() -> None:
    level = UnitLevel(unit=None, children=[CHILD], page=0, pages=1, up=None, read_only=True)
    assert actions(level, picking=False) == [["un:u:7:0"]]
    assert actions(level, picking=True) == [["bc:u:t:7:0:0", "bc:u:o:7:0"], ["bc:u:ok"]]
    with use_locale("en"):
        text = units_level(level).text
    assert "Văn phòng" in text and "/addunit" not in text
