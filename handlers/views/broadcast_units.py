"""The plan update's unit picker: the tree one level at a time, several units ticked ✅, "›" to go into a
unit's sub-units, "Done" to go on. The choices carry only unit ids (the handler re-reads them)."""

from __future__ import annotations

from compliance.office.unit_listing import UnitLevel, UnitLine
from handlers.i18n import _, fmt_number
from handlers.messages import Choice, OutMessage, esc, row
from handlers.views.units import page_choices

PREFIX = "bc:u:"
MAX_LABEL = 40


def _label(name: str) -> str:
    return name if len(name) <= MAX_LABEL else name[: MAX_LABEL - 1] + "…"


def _toggle(line: UnitLine, chosen: set[int], level: int, page: int, *, whole: bool = False) -> Choice:
    mark = "✅" if line.id in chosen else "☐"
    name = _("{unit} (whole unit)").format(unit=_label(line.name)) if whole else _label(line.name)
    return Choice(f"{mark} {name}", f"{PREFIX}t:{line.id}:{level}:{page}")


def _choices(view: UnitLevel, chosen: set[int]) -> tuple[tuple[Choice, ...], ...]:
    level = view.unit.id if view.unit is not None else 0
    rows: list[tuple[Choice, ...]] = []
    if view.unit is not None:
        rows.append(row(_toggle(view.unit, chosen, level, view.page, whole=True)))
    for child in view.children:
        toggle = _toggle(child, chosen, level, view.page)
        rows.append(row(toggle, Choice("›", f"{PREFIX}o:{child.id}:0")) if child.sub_units else row(toggle))
    nav: list[Choice] = []
    if view.up is not None:
        up = view.up[1] if view.up[1] is not None else 0
        nav.append(Choice(_("⬆ Up"), f"{PREFIX}o:{up}:0"))
    nav.extend(page_choices(view, f"{PREFIX}o:{level}:"))
    if nav:
        rows.append(row(*nav))
    rows.append(row(Choice(_("Done ({n} chosen)").format(n=len(chosen)), f"{PREFIX}ok")))
    return tuple(rows)


def picker(
    view: UnitLevel,
    chosen_names: list[str],
    chosen_ids: set[int],
    *,
    reached: int = 0,
    not_joined: int = 0,
    edit: bool = False,
) -> OutMessage:
    """One screen of the picker; `reached` and `not_joined` count the chosen units' people."""
    lines = [
        _("<b>Choose the units</b> that receive it (each with the units below it): press a unit to tick it.")
    ]
    if view.unit is not None:
        lines.append(
            _("Now in: <b>{unit}</b>, {officials} on the staff list, {joined} joined.").format(
                unit=esc(view.unit.name),
                officials=fmt_number(view.unit.officials),
                joined=fmt_number(view.unit.joined),
            )
        )
    if not chosen_names:
        lines.append(_("Nothing chosen yet."))
    else:
        lines.append(_("Chosen: {units}.").format(units=esc(", ".join(chosen_names))))
        lines.append(_("Recipients: {n}.").format(n=fmt_number(reached)))
        if not_joined:
            lines.append(
                _(
                    "{n} of the officials of these units have not joined the bot: they will not receive it."
                ).format(n=fmt_number(not_joined))
            )
    return OutMessage("\n".join(lines), choices=_choices(view, chosen_ids), edit=edit)


def no_unit() -> OutMessage:
    return OutMessage(_("There is no unit you may send to."))


def choose_one_first() -> str:
    return _("Choose at least one unit first.")


def outside_reach() -> str:
    return _("You can only send to your own unit and the units below it.")
