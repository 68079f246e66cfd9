"""The administrator's first-day checklist, shown by /start and /admin until the office is set up."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office.setup import Checklist, Step, StepState, checklist
from compliance.practice.schedules import DEFAULTS
from handlers.i18n import _, fmt_number


def _line(state: StepState) -> str:
    mark = "✅" if state.done else "⬜"
    n = fmt_number(state.count)
    if state.step is Step.STAFF:
        text = (
            _("Staff list: {n} officials on it.").format(n=n)
            if state.done
            else _("Staff list: not imported yet. Send it as an .xlsx or .csv file (/import says how).")
        )
    elif state.step is Step.PLEDGE:
        text = (
            _("Pledge: published.")
            if state.done
            else _(
                "Pledge: nothing published yet, so nobody can sign. Send the pledge as a .yaml file "
                "(adapt a sample from content/pledges first); /admin → “Publish a pledge” says how."
            )
        )
    elif state.step is Step.SCHEDULE:
        text = (
            _("Schedule: set.")
            if state.done
            else _(
                "Schedule: the default times apply (daily reminder at {time} on working days). "
                "Check or change them with /schedule."
            ).format(time=DEFAULTS.reminder_time)
        )
    elif state.step is Step.HEADS:
        if state.total == 0:
            text = _(
                "Unit heads: none on the staff list. Mark them “trưởng đơn vị” in the Vai trò column, "
                "or use /sethead."
            )
        else:
            text = _("Unit heads: {joined} of {total} have joined.").format(
                joined=fmt_number(state.count), total=fmt_number(state.total)
            )
            if not state.done:
                text += " " + _("Ask the others to open the bot, press /start and share their phone number.")
    else:
        text = (
            _("Unit groups: {n} linked.").format(n=n)
            if state.done
            else _("Unit groups: none linked. Add me to a unit's group and send /linkgroup there.")
        )
    return f"{mark} {text}"


def checklist_text(state: Checklist) -> str | None:
    """The checklist while something is left to do; None once the office is set up."""
    if state.complete:
        return None
    return "\n".join([_("<b>Getting the office started</b>"), *(_line(s) for s in state.steps)])


async def admin_checklist(session: AsyncSession) -> str | None:
    return checklist_text(await checklist(session))
