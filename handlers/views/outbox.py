"""What each kind of outbox message says: a builder per kind, payload → neutral message, in the reader's
language. The dispatcher of every channel builds a row with build(), which looks its kind up in RENDERERS
(the payload is all they need) or LINKING (they link a web page: the site's address comes too)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from handlers.commands import MENU_LANGUAGES, menus_by_language
from handlers.i18n import _, current_locale, fmt_date, fmt_datetime
from handlers.messages import Choice, CommandMenu, OutMessage, esc, row
from handlers.views.broadcasts import broadcast_copy, broadcast_reminder
from handlers.views.satisfaction import rating_flagged
from handlers.views.weekly import group_weekly, weekly_report
from storage.models import Role

Builder = Callable[[dict[str, Any]], OutMessage]
# payload, PUBLIC_URL → message: the domain plans a page's path only, not knowing the site's address.
LinkingBuilder = Callable[[dict[str, Any], str], OutMessage]
# The settings' own default PUBLIC_URL, for a dispatcher a test builds without one.
LOCAL_SITE = "http://127.0.0.1:8080"


def _join_request(payload: dict[str, Any]) -> OutMessage:
    # Rows planned before channel accounts carry the Telegram name under its old key.
    display_name = payload["display_name"] if "display_name" in payload else payload["telegram_name"]
    # The newcomer's name as their chat app shows it; rows planned before Zalo name no channel.
    if payload.get("channel") == "zalo":
        text = _("<b>Join request</b> for {unit}:\n{name} (Zalo: {zalo_name})").format(
            unit=esc(payload["unit_name"]), name=esc(payload["full_name"]), zalo_name=esc(display_name)
        )
    else:
        text = _("<b>Join request</b> for {unit}:\n{name} (Telegram: {telegram_name})").format(
            unit=esc(payload["unit_name"]),
            name=esc(payload["full_name"]),
            telegram_name=esc(display_name),
        )
    request_id = payload["request_id"]
    return OutMessage(
        text,
        choices=(
            row(Choice(_("✅ Approve"), f"jr:a:{request_id}"), Choice(_("✖ Reject"), f"jr:r:{request_id}")),
        ),
    )


def _join_approved(payload: dict[str, Any]) -> OutMessage:
    text = _("Your request was approved. Welcome, <b>{name}</b> ({unit})! Type /help to see what you can do.")
    return OutMessage(text.format(name=esc(payload["full_name"]), unit=esc(payload["unit_name"])))


def _join_rejected(payload: dict[str, Any]) -> OutMessage:
    return OutMessage(
        _("Your request to join {unit} was not approved. Please contact your office.").format(
            unit=esc(payload["unit_name"])
        )
    )


def _title(payload: dict[str, Any]) -> str:
    return str(payload["title_en"] if current_locale() == "en" else payload["title_vi"])


def _pledge_resign(payload: dict[str, Any]) -> OutMessage:
    if payload.get("first"):
        text = _("The office has published the pledge <b>{title}</b>. Please read it and sign it: /pledge")
    else:
        text = _(
            "A new version of the pledge <b>{title}</b> has been published. "
            "Please read it and sign it again: /pledge"
        )
    return OutMessage(text.format(title=esc(_title(payload))))


def _reminder(payload: dict[str, Any]) -> OutMessage:
    if payload["kind"] == "sign":
        return _sign_reminder(payload)
    item = payload["en"] if current_locale() == "en" else payload["vi"]
    text = _("<b>Today's pledge item</b> (no. {number}):\n{item}").format(
        number=payload["number"], item=esc(item)
    )
    return OutMessage(text, choices=(row(Choice(_("Read"), f"rd:{payload['day']}")),))


def _sign_reminder(payload: dict[str, Any]) -> OutMessage:
    title = esc(_title(payload))
    if "deadline" not in payload:
        text = _("Good morning! You have not signed <b>{title}</b> yet. Type /pledge to read and sign it.")
        return OutMessage(text.format(title=title))
    deadline = fmt_date(date.fromisoformat(payload["deadline"]))
    if "year" in payload:  # a yearly signing campaign
        text = _(
            "Good morning! Everyone signs <b>{title}</b> again for {year}. "
            "Please sign it by {deadline}: /pledge"
        )
        return OutMessage(text.format(title=title, year=payload["year"], deadline=deadline))
    text = _("Good morning! As a new member of the office, please sign <b>{title}</b> by {deadline}: /pledge")
    return OutMessage(text.format(title=title, deadline=deadline))


def _sign_overdue(payload: dict[str, Any]) -> OutMessage:
    text = _(
        "<b>Overdue signature</b>: {name} ({unit}) joined on {joined} and has not signed the pledge; "
        "the deadline was {deadline}."
    )
    return OutMessage(
        text.format(
            name=esc(payload["full_name"]),
            unit=esc(payload["unit_name"]),
            joined=fmt_date(date.fromisoformat(payload["joined"])),
            deadline=fmt_date(date.fromisoformat(payload["deadline"])),
        )
    )


def _selfcheck_open(payload: dict[str, Any]) -> OutMessage:
    deadline = datetime.fromisoformat(payload["deadline"])
    text = _("This week's self-check is open until {deadline}. It takes two minutes.").format(
        deadline=fmt_datetime(deadline)
    )
    return OutMessage(text, choices=(row(Choice(_("Start the self-check"), f"sc:open:{payload['week']}")),))


def _selfcheck_nudge(payload: dict[str, Any]) -> OutMessage:
    text = _("Today is the deadline of this week's self-check, and yours is not finished yet.")
    return OutMessage(text, choices=(row(Choice(_("Finish the self-check"), f"sc:open:{payload['week']}")),))


def _quiz(payload: dict[str, Any]) -> OutMessage:
    text = _("This week's quiz is ready: five short questions on the pledge and office culture.")
    return OutMessage(text, choices=(row(Choice(_("Start the quiz"), f"qz:start:{payload['week']}")),))


def _nudge(payload: dict[str, Any]) -> OutMessage:
    texts = {
        "not_signed": _("A reminder from your unit head: please read and sign the pledge: /pledge"),
        "overdue": _("A reminder from your unit head: please read and sign the pledge: /pledge"),
        "missed_twice": _("A reminder from your unit head: please do this week's self-check: /checkin"),
        "never_read": _(
            "A reminder from your unit head: please read the daily pledge item and press “Read”."
        ),
    }
    return OutMessage(texts[payload["lapse"]])


def command_menu(role: Role, locale: str) -> CommandMenu:
    """A person's own menu: their role's commands, the fallback in their own language; for an official,
    no menu of their own (the channel's default applies)."""
    if role is Role.OFFICIAL:
        return CommandMenu(tuple((code, ()) for code in (None, *MENU_LANGUAGES)))
    return CommandMenu(menus_by_language(role, locale))


def _command_menu(payload: dict[str, Any]) -> OutMessage:
    # The dispatcher builds in the person's language: that is their menu's fallback language.
    return OutMessage(menu=command_menu(Role(payload["role"]), current_locale()))


RENDERERS: dict[str, Builder] = {
    "join_request": _join_request,
    "join_approved": _join_approved,
    "join_rejected": _join_rejected,
    "pledge_resign": _pledge_resign,
    "reminder": _reminder,
    "sign_overdue": _sign_overdue,
    "selfcheck_open": _selfcheck_open,
    "selfcheck_nudge": _selfcheck_nudge,
    "quiz": _quiz,
    "weekly_report": weekly_report,
    "nudge": _nudge,
    "broadcast": broadcast_copy,
    "broadcast_remind": broadcast_reminder,
    "group_weekly": group_weekly,
    "command_menu": _command_menu,
}
LINKING: dict[str, LinkingBuilder] = {
    "rating_flagged": rating_flagged,
}
KINDS: frozenset[str] = frozenset(RENDERERS) | frozenset(LINKING)


def build(kind: str, payload: dict[str, Any], *, public_url: str) -> OutMessage:
    """The message of an outbox row; KeyError for a kind or a payload field unknown here (the dispatchers
    mark such a row failed)."""
    linking = LINKING.get(kind)
    if linking is not None:
        return linking(payload, public_url)
    return RENDERERS[kind](payload)
