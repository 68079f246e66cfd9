"""Each head's and admin's command menu (setMyCommands for their chat), from the command table.

A person's own /start sets theirs at once; role changes of many people (an import, /sethead) go through
the outbox (compliance.delivery.command_menus), rendered here by kind "command_menu".
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from telegram import Bot
from telegram.error import TelegramError

from compliance.delivery.command_menus import plan_menus
from compliance.office.officials import Actor
from handlers.i18n import current_locale, use_locale
from handlers.telegram.commands import MENU_LANGUAGES, menus_by_language
from handlers.telegram.outgoing import ChatMenu, Outgoing
from storage.engine import Database
from storage.models import Role

log = logging.getLogger(__name__)


def chat_menu(role: Role, locale: str) -> ChatMenu:
    """The menu of a person's chat: their role's commands, the fallback in their own language; for an
    official, no menu of the chat's own (the default scope's applies)."""
    if role is Role.OFFICIAL:
        return ChatMenu(tuple((code, ()) for code in (None, *MENU_LANGUAGES)))
    return ChatMenu(tuple((code, tuple(commands)) for code, commands in menus_by_language(role, locale)))


async def set_chat_menu(bot: Bot, chat_id: int, role: Role, locale: str) -> None:
    await chat_menu(role, locale).apply(bot, chat_id)


async def refresh_own_menu(bot: Bot, actor: Actor, default_locale: str) -> None:
    """A head's or admin's own menu, set at once when they open the bot or change language: one chat, no
    outbox needed. A failure is logged, never shown: the answer they asked for matters more."""
    if (actor.is_head or actor.is_admin) and actor.telegram_user_id is not None:
        try:
            await set_chat_menu(bot, actor.telegram_user_id, actor.role, actor.locale or default_locale)
        except TelegramError:
            log.warning("could not set the command menu of official %s", actor.id, exc_info=True)


def render_command_menu(payload: dict[str, Any]) -> Outgoing:
    """The dispatcher renders in the person's language: that is their menu's fallback language."""
    return Outgoing("", menu=chat_menu(Role(payload["role"]), current_locale()))


def menus_version() -> str:
    """Changes when any role's menu changes (a command, a description, a translation): the startup plans
    menu rows once per version, so restarts and replicas do not set every head's menu again."""
    digest = hashlib.sha256()
    for role in (Role.OFFICIAL, Role.HEAD, Role.ADMIN):
        for locale in MENU_LANGUAGES:
            with use_locale(locale):
                for code, commands in menus_by_language(role, locale):
                    digest.update(f"{role}|{code}|".encode())
                    digest.update("|".join(f"{c.command}={c.description}" for c in commands).encode())
    return digest.hexdigest()[:16]


async def plan_startup_menus(database: Database, *, except_telegram_ids: frozenset[int]) -> None:
    """At start: a menu row for every head and admin who has reached the bot, once per menus version
    (ADMIN_IDS are set directly by the caller)."""
    try:
        async with database.unit_of_work() as session:
            await plan_menus(
                session,
                official_ids=None,
                key_suffix=f"v{menus_version()}",
                except_telegram_ids=except_telegram_ids,
            )
    except Exception:
        # The database is away at start: the menus wait for the next start or each person's /start.
        log.warning("could not plan the heads' command menus", exc_info=True)
