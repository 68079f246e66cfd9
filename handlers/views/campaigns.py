"""What the signing-deadline pages say: the refusals of a campaign request, a campaign's state."""

from __future__ import annotations

from datetime import date

from compliance.pledge.campaigns import CampaignProblem
from handlers.i18n import _


def problem_text(problem: CampaignProblem) -> str:
    texts = {
        CampaignProblem.NO_NAME: _("Give the campaign a name."),
        CampaignProblem.BAD_YEAR: _("The year must be a year like 2027."),
        CampaignProblem.END_BEFORE_START: _("The last day is before the first day."),
        CampaignProblem.ENDED: _("The last day has already passed."),
        CampaignProblem.UNKNOWN_VERSION: _("There is no such pledge version: choose a published one."),
        CampaignProblem.UNKNOWN_UNIT: _("There is no unit with this code."),
        CampaignProblem.OVERLAP: _(
            "Another campaign for the same pledge overlaps these days and these units: change the days, "
            "or extend the other campaign instead."
        ),
        CampaignProblem.NOT_FOUND: _("There is no such campaign."),
        CampaignProblem.CLOSED: _("This campaign is closed."),
        CampaignProblem.NOT_LATER: _("An extension must end later than the campaign does now."),
    }
    return texts[problem]


def state_text(starts_on: date, ends_on: date, closed: bool, today: date) -> str:
    if closed:
        return _("closed")
    if today < starts_on:
        return _("not started")
    if today > ends_on:
        return _("ended")
    return _("open")


def days_error(low: int, high: int) -> str:
    return _("Enter a whole number of working days from {low} to {high}.").format(low=low, high=high)
