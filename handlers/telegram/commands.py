"""The command table on Telegram: the menus as setMyCommands takes them. The table itself
(handlers.commands) is shared by every channel; /help's lines and the refusals are handlers.views.help."""

from __future__ import annotations

from telegram import BotCommand

from handlers.commands import Where, menu_entries
from handlers.commands import menus_by_language as shared_menus_by_language
from storage.models import Role


def menu(role: Role | None, where: Where = Where.PRIVATE) -> list[BotCommand]:
    """The command menu of a role, in the current locale."""
    return [BotCommand(name, description) for name, description in menu_entries(role, where)]


def menus_by_language(
    role: Role | None, default_locale: str, where: Where = Where.PRIVATE
) -> list[tuple[str | None, list[BotCommand]]]:
    """[(language_code or None, commands)] for setMyCommands, each in its language."""
    return [
        (code, [BotCommand(name, description) for name, description in entries])
        for code, entries in shared_menus_by_language(role, default_locale, where)
    ]
