"""The one table of commands: who may use each, where, and how /help and the menus describe it, whatever the
channel.

The gate's authorization (handlers.telegram.gate.COMMAND_ACCESS), /help and each person's command menu are
all read from COMMANDS, so a command cannot be allowed and missing from the help, or listed in a menu for a
role that is then refused. Telegram registers the menus with setMyCommands (handlers.telegram.commands).
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from handlers.i18n import _, use_locale
from storage.models import Role


class Access(enum.IntEnum):
    ANYONE = 0  # strangers too: the ways in
    MEMBER = 1  # a joined official
    MANAGER = 2  # a unit head or an admin
    ADMIN = 3


class Where(enum.Flag):
    PRIVATE = enum.auto()
    GROUP = enum.auto()
    BOTH = PRIVATE | GROUP


@dataclass(frozen=True)
class Command:
    name: str
    access: Access
    where: Where
    help: Callable[[], str]  # its line in /help
    menu: Callable[[], str] | None = None  # its description in the menu; None: it needs arguments


# In the order of /help and of the menus: an official's everyday commands first.
COMMANDS: tuple[Command, ...] = (
    Command(
        "start",
        Access.ANYONE,
        Where.PRIVATE,
        lambda: _("/start: join by sharing your phone number; administrators see what is left to set up"),
        lambda: _("Start and join"),
    ),
    Command(
        "pledge",
        Access.MEMBER,
        Where.PRIVATE,
        lambda: _("/pledge: read and sign the pledge"),
        lambda: _("Read and sign the pledge"),
    ),
    Command(
        "mypledge",
        Access.MEMBER,
        Where.PRIVATE,
        lambda: _("/mypledge: your signed pledge receipt"),
        lambda: _("Your pledge receipt"),
    ),
    Command(
        "checkin",
        Access.MEMBER,
        Where.PRIVATE,
        lambda: _("/checkin: this week's self-check"),
        lambda: _("Weekly self-check"),
    ),
    Command(
        "report",
        Access.MEMBER,
        Where.PRIVATE,
        lambda: _("/report: your card; for heads and admins, their units' compliance with Excel and chart"),
        lambda: _("Compliance report"),
    ),
    Command(
        "quiz",
        Access.MEMBER,
        Where.PRIVATE,
        lambda: _("/quiz: a practice round of questions"),
        lambda: _("Practice quiz"),
    ),
    Command(
        "mute",
        Access.MEMBER,
        Where.PRIVATE,
        lambda: _("/mute 15/12: pause the daily reminder until a date (leave); /mute off"),
        lambda: _("Pause the daily reminder (leave)"),
    ),
    Command("me", Access.MEMBER, Where.PRIVATE, lambda: _("/me: your details"), lambda: _("Your details")),
    Command(
        "mydata",
        Access.MEMBER,
        Where.PRIVATE,
        lambda: _("/mydata: everything stored about you (JSON)"),
        lambda: _("Everything stored about you"),
    ),
    Command(
        "withdraw",
        Access.MEMBER,
        Where.PRIVATE,
        lambda: _("/withdraw: withdraw your consent to the processing of your data (asks to confirm)"),
        lambda: _("Withdraw your consent"),
    ),
    Command(
        "web",
        Access.MEMBER,
        Where.PRIVATE,
        lambda: _("/web: a link to your page on the web (works once, for 10 minutes)"),
        lambda: _("Your page on the web"),
    ),
    Command("lang", Access.MEMBER, Where.PRIVATE, lambda: _("/lang: change language"), lambda: _("Language")),
    Command("help", Access.ANYONE, Where.BOTH, lambda: _("/help: this help"), lambda: _("What you can do")),
    Command(
        "cancel",
        Access.ANYONE,
        Where.PRIVATE,
        lambda: _("/cancel: stop what you are doing"),
        lambda: _("Stop what you are doing"),
    ),
    # Unit heads (their unit and the units below it) and admins (the whole office).
    Command(
        "invite",
        Access.MANAGER,
        Where.PRIVATE,
        lambda: _("/invite [unit code] [days] [uses]: an invite link for people not on the staff list"),
        lambda: _("Invite link for a unit"),
    ),
    Command(
        "pending",
        Access.MANAGER,
        Where.PRIVATE,
        lambda: _("/pending: join requests waiting for your approval"),
        lambda: _("Join requests waiting for approval"),
    ),
    Command(
        "verify",
        Access.MANAGER,
        Where.PRIVATE,
        lambda: _(
            "/verify CODE: check a pledge receipt by its verification code against the signature ledger"
        ),
        lambda: _("Check a pledge receipt"),
    ),
    Command(
        "units",
        Access.MANAGER,
        Where.PRIVATE,
        lambda: _("/units: your units with their officials (admins: the whole tree, and change it)"),
        lambda: _("Units, their heads and counts"),
    ),
    Command(
        "ceremony",
        Access.MANAGER,
        Where.BOTH,
        lambda: _("/ceremony: open a signing ceremony for your unit (here or in its group)"),
        lambda: _("Open a signing ceremony"),
    ),
    Command(
        "broadcast",
        Access.MANAGER,
        Where.PRIVATE,
        lambda: _("/broadcast: send a plan update to your units (text, a file, who receives it, when)"),
        lambda: _("Send a plan update"),
    ),
    Command(
        "broadcasts",
        Access.MANAGER,
        Where.PRIVATE,
        lambda: _("/broadcasts: the plan updates sent, who received and who confirmed them"),
        lambda: _("Plan updates sent and who confirmed"),
    ),
    Command(
        "linkgroup",
        Access.MANAGER,
        Where.GROUP,
        lambda: _("/linkgroup [unit code], in the unit's group: link the group to the unit"),
        lambda: _("Link this group to its unit"),
    ),
    Command(
        "unlinkgroup",
        Access.MANAGER,
        Where.GROUP,
        lambda: _("/unlinkgroup, in a linked group: undo the link"),
        lambda: _("Undo this group's link"),
    ),
    Command(
        "groupreport",
        Access.MANAGER,
        Where.GROUP,
        lambda: _("/groupreport on|off, in a linked group: the unit's weekly figures, without names"),
        lambda: _("The unit's weekly figures here (on/off)"),
    ),
    # Administrators.
    Command(
        "admin",
        Access.ADMIN,
        Where.PRIVATE,
        lambda: _("/admin: every administrator action, with buttons"),
        lambda: _("All administrator actions"),
    ),
    Command(
        "import",
        Access.ADMIN,
        Where.PRIVATE,
        lambda: _("/import: import the staff list (send the .xlsx or .csv file)"),
        lambda: _("Import the staff list"),
    ),
    Command(
        "addunit",
        Access.ADMIN,
        Where.PRIVATE,
        lambda: _("/addunit PARENT|- CODE Name: add a unit (- for the top level)"),
    ),
    Command("renameunit", Access.ADMIN, Where.PRIVATE, lambda: _("/renameunit CODE Name: rename a unit")),
    Command(
        "moveunit",
        Access.ADMIN,
        Where.PRIVATE,
        lambda: _("/moveunit CODE PARENT|-: move a unit with the units below it"),
    ),
    Command(
        "sethead", Access.ADMIN, Where.PRIVATE, lambda: _("/sethead CODE PHONE: make someone the unit's head")
    ),
    Command(
        "calendar",
        Access.ADMIN,
        Where.PRIVATE,
        lambda: _("/calendar: working days, days off and make-up days"),
        lambda: _("Working days and days off"),
    ),
    Command(
        "schedule",
        Access.ADMIN,
        Where.PRIVATE,
        lambda: _("/schedule: reminder, self-check and quiz times, for the office or a unit"),
        lambda: _("Reminder and self-check times"),
    ),
    Command(
        "audit",
        Access.ADMIN,
        Where.PRIVATE,
        lambda: _("/audit: the latest entries of the audit log (who changed what, when)"),
        lambda: _("Latest entries of the audit log"),
    ),
    Command(
        "erase",
        Access.ADMIN,
        Where.PRIVATE,
        lambda: _("/erase PHONE: erase the personal data of a person who left"),
        lambda: _("Erase the data of a person who left"),
    ),
)
BY_NAME: dict[str, Command] = {command.name: command for command in COMMANDS}
# Commands that only make sense in a private chat: sent in a group, they get a pointer to the private chat.
PRIVATE_ONLY: tuple[str, ...] = tuple(c.name for c in COMMANDS if Where.GROUP not in c.where)


def access_of(role: Role | None) -> Access:
    if role is None:
        return Access.ANYONE
    return {Role.OFFICIAL: Access.MEMBER, Role.HEAD: Access.MANAGER, Role.ADMIN: Access.ADMIN}[role]


def allowed(role: Role | None, where: Where) -> list[Command]:
    """The commands this role may use in that kind of chat, in the table's order."""
    level = access_of(role)
    return [c for c in COMMANDS if c.access <= level and where in c.where]


def menu_entries(role: Role | None, where: Where = Where.PRIVATE) -> tuple[tuple[str, str], ...]:
    """The command menu of a role, (name, description) in the current locale."""
    # A group's menu is the same for everyone in it: the gate answers those who may not.
    chosen = [c for c in COMMANDS if Where.GROUP in c.where] if where is Where.GROUP else allowed(role, where)
    return tuple((c.name, c.menu()) for c in chosen if c.menu is not None)


# Menus are registered once with no language (the channel's fallback, in the office's language) and once per
# language the bot speaks.
MENU_LANGUAGES: tuple[str, ...] = ("vi", "en")


def menus_by_language(
    role: Role | None, default_locale: str, where: Where = Where.PRIVATE
) -> tuple[tuple[str | None, tuple[tuple[str, str], ...]], ...]:
    """((language_code or None, menu entries), ...), each in its language."""
    result: list[tuple[str | None, tuple[tuple[str, str], ...]]] = []
    for language_code, locale in ((None, default_locale), *((code, code) for code in MENU_LANGUAGES)):
        with use_locale(locale):
            result.append((language_code, menu_entries(role, where)))
    return tuple(result)


def menus_version() -> str:
    """Changes when any role's menu changes (a command, a description, a translation): the startup plans
    menu rows once per version, so restarts and replicas do not set every head's menu again."""
    digest = hashlib.sha256()
    for role in (Role.OFFICIAL, Role.HEAD, Role.ADMIN):
        for locale in MENU_LANGUAGES:
            for code, commands in menus_by_language(role, locale):
                digest.update(f"{role}|{code}|".encode())
                digest.update("|".join(f"{name}={description}" for name, description in commands).encode())
    return digest.hexdigest()[:16]
