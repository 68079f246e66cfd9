"""What is said about unit group chats: how to link a group, /linkgroup, /unlinkgroup and /groupreport.

Nothing said in a group names a person: groups see unit names, counts and percentages only.
"""

from __future__ import annotations

from compliance.office.groups import GroupOutcome, LinkOutcome
from handlers.i18n import _
from handlers.messages import OutMessage, esc


def how_to_link() -> str:
    return _(
        "Hello! I am the office's pledge bot.\n\n"
        "To link this group to its unit, the unit's head sends /linkgroup here "
        "(an administrator sends /linkgroup UNIT_CODE). A linked group can receive plan updates, and the "
        "head may turn on the unit's weekly figures with /groupreport on.\n\n"
        "In this group I answer only commands addressed to me and never post anyone's personal data."
    )


def greeting() -> OutMessage:
    return OutMessage(how_to_link())


def only_in_groups() -> OutMessage:
    return OutMessage(
        _("This command works in the unit's group chat: add me to the group and send it there.")
    )


def unit_not_found(code: str) -> OutMessage:
    return OutMessage(_("Unit not found: {code}.").format(code=esc(code[:40])))


def which_unit() -> OutMessage:
    return OutMessage(_("Give the unit's code: /linkgroup UNIT_CODE"))


def link_not_allowed() -> OutMessage:
    return OutMessage(_("Only the unit's head or an administrator can link this group to that unit."))


def linked(
    outcome: LinkOutcome, unit_name: str, unit_code: str, previous_unit_name: str | None
) -> OutMessage:
    name = esc(unit_name)
    if outcome is LinkOutcome.ALREADY:
        text = _("This group is already linked to <b>{unit}</b>.").format(unit=name)
    elif outcome is LinkOutcome.MOVED:
        text = _("This group is now linked to <b>{unit}</b> instead of {previous}.").format(
            unit=name, previous=esc(previous_unit_name or "")
        )
    else:
        text = _(
            "This group is now linked to <b>{unit}</b> ({code}). Plan updates for the unit can reach it "
            "here; the head may turn on the unit's weekly figures with /groupreport on."
        ).format(unit=name, code=esc(unit_code))
    return OutMessage(text)


def unlinked(unit_name: str) -> OutMessage:
    return OutMessage(_("This group is no longer linked to <b>{unit}</b>.").format(unit=esc(unit_name)))


def refusal(outcome: GroupOutcome) -> OutMessage:
    if outcome is GroupOutcome.NOT_LINKED:
        return OutMessage(
            _("This group is not linked to a unit yet. The unit's head can link it with /linkgroup.")
        )
    return OutMessage(_("Only the head of the linked unit or an administrator can do this."))


def weekly_setting(on: bool) -> OutMessage:
    if on:
        return OutMessage(_("The unit's weekly figures are posted in this group. Usage: /groupreport on|off"))
    return OutMessage(_("The unit's weekly figures are not posted in this group. Usage: /groupreport on|off"))


def weekly_changed(on: bool) -> OutMessage:
    if on:
        return OutMessage(
            _(
                "Every week the unit's figures (counts and percentages, never names) will be posted here. "
                "Turn it off with /groupreport off."
            )
        )
    return OutMessage(_("The unit's weekly figures will no longer be posted here."))
