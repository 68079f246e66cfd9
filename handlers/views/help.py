"""/help's lines and the refusal naming who may use a command, read from the shared command table."""

from __future__ import annotations

from handlers.commands import COMMANDS, Access, Where, allowed
from handlers.i18n import _
from storage.models import Role


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
