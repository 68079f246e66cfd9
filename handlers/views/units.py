"""What /units and the unit-changing commands (/addunit, /renameunit, /moveunit, /sethead) say."""

from __future__ import annotations

from compliance.office.unit_admin import Refusal, UnitAdminError
from compliance.office.unit_listing import UnitLevel, UnitLine
from handlers.i18n import _, fmt_number
from handlers.messages import Choice, OutMessage, echo, esc, row


def unit_not_found(code: str) -> OutMessage:
    return OutMessage(_("Unit not found: {code}").format(code=echo(code)))


def _counts(line: UnitLine) -> str:
    return _("{officials} officials ({joined} joined), {units} sub-units").format(
        officials=fmt_number(line.officials), joined=fmt_number(line.joined), units=fmt_number(line.sub_units)
    )


def _level_text(level: UnitLevel, office: UnitLine | None) -> str:
    if level.unit is not None:
        head = _("<b>{name}</b> (<code>{code}</code>)").format(
            name=esc(level.unit.name), code=esc(level.unit.code)
        )
        lines = [head, _counts(level.unit)]
    else:
        lines = [_("<b>The whole office</b>")]
        if office is not None:
            lines.append(
                _("{officials} officials ({joined} joined), {units} top-level units").format(
                    officials=fmt_number(office.officials),
                    joined=fmt_number(office.joined),
                    units=fmt_number(office.sub_units),
                )
            )
    if level.children:
        lines.append("")
        if level.pages > 1:
            lines.append(_("Page {page} of {pages}").format(page=level.page + 1, pages=level.pages))
        lines.extend(f"• {esc(c.name)} (<code>{esc(c.code)}</code>): {_counts(c)}" for c in level.children)
    elif level.unit is not None:
        lines.append(_("No units below this one."))
    else:
        lines.append(_("There are no units yet: import the staff list or use /addunit."))
    if not level.read_only:
        lines.append("")
        lines.append(_("Change: /addunit, /renameunit, /moveunit, /sethead (send one alone for its usage)"))
    return "\n".join(lines)


def page_choices(level: UnitLevel, action: str) -> list[Choice]:
    """◀ and ▶ where there is a page before or after; `action` is followed by the page's number."""
    pager = []
    if level.page > 0:
        pager.append(Choice("◀", f"{action}{level.page - 1}"))
    if level.page + 1 < level.pages:
        pager.append(Choice("▶", f"{action}{level.page + 1}"))
    return pager


def units_level(level: UnitLevel, office: UnitLine | None = None, *, edit: bool = False) -> OutMessage:
    """One screen of /units: the level's counts, a button per sub-unit, the pager and the way up."""
    choices = [
        row(
            Choice(
                f"{c.name} · {fmt_number(c.officials)}" + (" ▸" if c.sub_units else ""),
                f"un:u:{c.id}:0",
            )
        )
        for c in level.children
    ]
    here = f"u:{level.unit.id}" if level.unit is not None else "o"
    pager = page_choices(level, f"un:{here}:")
    if pager:
        choices.append(row(*pager))
    if level.up is not None:
        kind, parent_id = level.up
        target = f"un:u:{parent_id}:0" if kind == "unit" else "un:o:0"
        choices.append(row(Choice(_("⬆ Up"), target)))
    return OutMessage(_level_text(level, office), choices=tuple(choices), edit=edit)


def no_unit() -> OutMessage:
    return OutMessage(_("You do not belong to a unit, so there is nothing to show."))


def outside_own_units() -> OutMessage:
    return OutMessage(_("You can only see your own unit and the units below it."))


def refusal(error: UnitAdminError) -> OutMessage:
    detail = esc(error.detail)
    texts = {
        Refusal.NOT_ALLOWED: _("Only administrators can change units."),
        Refusal.UNIT_NOT_FOUND: _("Unit not found: {detail}"),
        Refusal.PARENT_NOT_FOUND: _("Parent unit not found: {detail}"),
        Refusal.BAD_CODE: _(
            "“{detail}” cannot be a unit code: use 1 to 40 Latin letters, digits, - or _ "
            "(for example phong-tu-phap)."
        ),
        Refusal.CODE_TAKEN: _("The code {detail} is already used by another unit."),
        Refusal.BAD_NAME: _("The name must have 1 to 200 characters and no “/”."),
        Refusal.NAME_TAKEN: _("There is already a unit named “{detail}” at that place in the tree."),
        Refusal.TOO_DEEP: _("Units can be at most {detail} levels deep."),
        Refusal.UNDER_ITSELF: _("A unit cannot be moved below itself or one of its own sub-units."),
        Refusal.UNCHANGED: _("That is already so; nothing changed."),
        Refusal.BAD_PHONE: _("“{detail}” is not a phone number."),
        Refusal.OFFICIAL_NOT_FOUND: _("No official on the staff list has the phone number {detail}."),
        Refusal.MERGED: _("“{detail}” was merged into another unit: change that unit instead."),
        Refusal.INTO_ITSELF: _("A unit cannot be merged into itself."),
        Refusal.INTO_DESCENDANT: _("A unit cannot be merged into one of its own sub-units ({detail})."),
        Refusal.BAD_KIND: _(
            "The kind of unit must have at most 60 characters (for example Phòng, Trung tâm)."
        ),
    }
    return OutMessage(texts[error.reason].format(detail=detail))


def add_usage() -> OutMessage:
    return OutMessage(
        _(
            "Usage: /addunit PARENT_CODE CODE Name\n"
            "PARENT_CODE is the code of the unit above it, or - for a top-level unit.\n"
            "Example: /addunit so-gtvt phong-phap-che Phòng Pháp chế"
        )
    )


def added(name: str, code: str, parent_name: str | None) -> OutMessage:
    text = (
        _("Unit added: <b>{name}</b> (<code>{code}</code>) under <b>{parent}</b>.")
        if parent_name
        else _("Unit added: <b>{name}</b> (<code>{code}</code>), a top-level unit.")
    )
    return OutMessage(text.format(name=esc(name), code=esc(code), parent=esc(parent_name)))


def rename_usage() -> OutMessage:
    return OutMessage(_("Usage: /renameunit CODE New name\nExample: /renameunit van-phong Văn phòng Sở"))


def renamed(code: str, name: str) -> OutMessage:
    return OutMessage(
        _("Renamed: <code>{code}</code> is now <b>{name}</b>.").format(code=esc(code), name=esc(name))
    )


def move_usage() -> OutMessage:
    return OutMessage(
        _(
            "Usage: /moveunit CODE NEW_PARENT_CODE\n"
            "Use - as the new parent to make it a top-level unit. Its sub-units move with it."
        )
    )


def moved(name: str, parent_name: str | None) -> OutMessage:
    text = (
        _("Moved: <b>{name}</b> is now under <b>{parent}</b>, with its sub-units.")
        if parent_name
        else _("Moved: <b>{name}</b> is now a top-level unit, with its sub-units.")
    )
    return OutMessage(text.format(name=esc(name), parent=esc(parent_name)))


def set_head_usage() -> OutMessage:
    return OutMessage(
        _(
            "Usage: /sethead CODE PHONE\n"
            "The person becomes the unit's head (and is moved into the unit if needed); "
            "the unit's previous head becomes an official."
        )
    )


def head_set(official_name: str, unit_name: str, moved_from: str | None, demoted: list[str]) -> OutMessage:
    lines = [
        _("<b>{name}</b> is now the head of <b>{unit}</b>.").format(
            name=esc(official_name), unit=esc(unit_name)
        )
    ]
    if moved_from:
        lines.append(_("Moved from {unit}.").format(unit=esc(moved_from)))
    if demoted:
        lines.append(_("No longer head: {names}.").format(names=", ".join(esc(n) for n in demoted)))
    return OutMessage("\n".join(lines))
