"""Citizens' ratings in words, for every channel: the survey's levels and answers, and the head's notice of
a flagged rating (outbox kind "rating_flagged")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from handlers.i18n import _, fmt_datetime
from handlers.messages import OutMessage, esc


def level_name(level: int) -> str:
    """The SIPAS survey's five levels (the rating form's own words)."""
    names = {
        5: _("Very satisfied"),
        4: _("Satisfied"),
        3: _("Neither satisfied nor dissatisfied"),
        2: _("Dissatisfied"),
        1: _("Very dissatisfied"),
    }
    return names[level]


def trips_name(trips: int) -> str:
    return {1: _("1 trip"), 2: _("2 trips"), 3: _("3 trips or more")}[trips]


def answer_name(answer: bool | None) -> str:
    if answer is None:
        return _("not answered")
    return _("yes") if answer else _("no")


def flag_reasons(payload: dict[str, Any]) -> list[str]:
    """Why the rating reached the head, most serious first."""
    reasons = []
    if payload["asked_beyond_rules"]:
        reasons.append(
            _("asked for something beyond the rules (harassment, trouble or an unofficial payment)")
        )
    if payload["overall"] <= 2:
        reasons.append(_("dissatisfied overall"))
    if payload["attitude"] <= 2:
        reasons.append(_("dissatisfied with the official's attitude"))
    return reasons


def followup_link(payload: dict[str, Any], public_url: str) -> str:
    """The follow-up page's address: the site's (PUBLIC_URL) before the planned path; rows planned before
    the path carry the whole address."""
    if "url" in payload:
        return str(payload["url"])
    return public_url.rstrip("/") + str(payload["path"])


def rating_flagged(payload: dict[str, Any], public_url: str) -> OutMessage:
    """The head's notice: what the citizen answered and wrote, the contact only if they consented (the
    payload has none otherwise), and the follow-up page's link on the site at `public_url`."""
    place = esc(payload["unit_name"])
    if payload.get("desk"):
        place = _("{unit}, {desk}").format(unit=place, desk=esc(payload["desk"]))
    lines = [
        _("<b>A citizen's rating needs your follow-up</b>: {place}").format(place=place),
        _("Received: {moment}").format(moment=fmt_datetime(datetime.fromisoformat(payload["at"]))),
        _("Why: {reasons}").format(reasons="; ".join(flag_reasons(payload))),
        _("Overall: {level}").format(level=level_name(payload["overall"])),
        _("Official's attitude: {level}").format(level=level_name(payload["attitude"])),
        _("Trips for the dossier: {trips}").format(trips=trips_name(payload["trips"])),
        _("Papers posted publicly: {answer}; progress could be looked up: {lookup}").format(
            answer=answer_name(payload.get("papers_posted")),
            lookup=answer_name(payload.get("progress_lookup")),
        ),
    ]
    if payload.get("official_name"):
        lines.append(_("Official on duty: {name}").format(name=esc(payload["official_name"])))
    if payload.get("dossier_number"):
        lines.append(_("Dossier receipt number: {number}").format(number=esc(payload["dossier_number"])))
    if payload.get("comment"):
        lines.append(_("Comment: {comment}").format(comment=esc(payload["comment"])))
    if payload.get("contact"):
        lines.append(
            _("Contact (the citizen agreed to be contacted for a reply): {contact}").format(
                contact=esc(payload["contact"])
            )
        )
    url = esc(followup_link(payload, public_url)).replace('"', "&quot;")
    label = _("the follow-up page")
    lines.append(_("Record what you did about it: {link}").format(link=f'<a href="{url}">{label}</a>'))
    return OutMessage("\n".join(lines))
