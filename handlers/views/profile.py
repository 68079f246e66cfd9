"""/me, /lang, /help and /cancel: what every person sees, whatever their role."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from compliance.office.officials import SUPPORTED_LOCALES, Actor
from handlers.i18n import _
from handlers.messages import Choice, Keyboard, OutMessage, esc, row
from storage.models import Role

LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


def role_name(role: Role) -> str:
    return {
        Role.OFFICIAL: _("official"),
        Role.HEAD: _("unit head"),
        Role.ADMIN: _("administrator"),
    }[role]


def details(actor: Actor) -> OutMessage:
    lines = [
        _("<b>Your details</b>"),
        _("Name: {name}").format(name=esc(actor.full_name)),
        _("Title: {title}").format(title=esc(actor.title) if actor.title else "—"),
        _("Unit: {unit}").format(unit=esc(actor.unit_name) if actor.unit_name else "—"),
        _("Role: {role}").format(role=role_name(actor.role)),
        _("Language: {language}").format(language=LANGUAGE_NAMES.get(actor.locale or "", "—")),
    ]
    return OutMessage("\n".join(lines))


def choose_language() -> OutMessage:
    choices = tuple(row(Choice(LANGUAGE_NAMES[code], f"lang:{code}")) for code in SUPPORTED_LOCALES)
    return OutMessage(_("Choose your language:"), choices=choices)


def unknown_language() -> str:
    return _("Unknown language.")


def language_set(code: str) -> OutMessage:
    return OutMessage(_("Language set to {language}.").format(language=LANGUAGE_NAMES[code]), edit=True)


def help_text(role: Role | None, lines: Iterable[str]) -> OutMessage:
    """Every command the role may use (`lines`, read from the command table that the gate and the menus
    use)."""
    if role is None:
        title = _("<b>Cam Kết Bot</b>")
    else:
        title = _("<b>What you can do</b> (you are: {role})").format(role=role_name(role))
    return OutMessage("\n".join([title, *lines]))


def group_help_text(bot_username: str, lines: Sequence[str]) -> OutMessage:
    every = [_("<b>Commands in this group</b>"), *lines]
    every.append(
        _("Everything else (signing, self-checks, reports…) works in a private chat with me: @{bot}").format(
            bot=esc(bot_username)
        )
    )
    return OutMessage("\n".join(every))


def cancelled(anything: bool) -> OutMessage:
    """/cancel also takes away the phone keyboard of a join left half-way."""
    text = _("Cancelled. Nothing was recorded.") if anything else _("There is nothing to cancel.")
    return OutMessage(text, keyboard=Keyboard.REMOVE)
