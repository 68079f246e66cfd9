"""The command table on Telegram: /help's lines, the refusals, and the menus as setMyCommands takes them.

The table itself (handlers.commands) is shared by every channel; its names are re-exported here for the
Telegram modules that read it.
"""

from __future__ import annotations

from telegram import BotCommand

from handlers.commands import COMMANDS, PRIVATE_ONLY, Access, Where, access_of, allowed, menu_entries
from handlers.commands import menus_by_language as shared_menus_by_language
from handlers.i18n import _
from storage.models import Role

# The table's names that the Telegram modules (and their tests) read from here.
__all__ = [
    "COMMANDS", "PRIVATE_ONLY", "Access", "Where", "access_of",
    "group_help_lines", "help_lines", "menu", "menus_by_language", "who_may",
]  # fmt: skip


def who_may(access: Access) -> str:
    """Who may use something of that level, for a refusal: it names the roles, truthfully."""
    # Only joined people are answered this way (strangers are told how to join): what they lack is a role.
    if access is Access.ADMIN:
        return _("This command is for administrators only.")
    return _("This command is for unit heads and administrators only.")


def help_lines(role: Role | None) -> list[str]:
    """/help in a private chat: every command the role may use there, and the files an admin may send."""
    lines = [command.help() for command in allowed(role, Where.PRIVATE)]
    group_commands = [c for c in allowed(role, Where.GROUP) if Where.PRIVATE not in c.where]
    if group_commands:
        lines.append(_("<b>In your unit's group chat</b>"))
        lines.extend(command.help() for command in group_commands)
    if role is Role.ADMIN:
        lines.append(_("<b>Files you can send me</b>"))
        lines.append(_("a staff list (.xlsx or .csv): I check it, then you confirm the import"))
        lines.append(_("a pledge template (.yaml): I show a preview, then you publish it"))
    return lines


def group_help_lines() -> list[str]:
    """/help in a group: the commands that work there (heads and admins use most of them)."""
    return [command.help() for command in COMMANDS if Where.GROUP in command.where]


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
