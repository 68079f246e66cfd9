"""Each head's and admin's command menu (setMyCommands for their chat), from the command table.

A person's own /start sets theirs at once; role changes of many people (an import, /sethead) go through
the outbox (compliance.delivery.command_menus), built by kind "command_menu" (handlers.views.outbox).
"""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import TelegramError

from compliance.delivery.command_menus import plan_menus
from compliance.office.officials import Actor
from handlers.commands import menus_version
from handlers.telegram.render import apply_menu
from handlers.views.outbox import command_menu
from storage.engine import Database
from storage.models import Channel, Role

log = logging.getLogger(__name__)


async def set_chat_menu(bot: Bot, chat_id: int, role: Role, locale: str) -> None:
    await apply_menu(bot, chat_id, command_menu(role, locale))


async def refresh_own_menu(bot: Bot, actor: Actor, default_locale: str) -> None:
    """A head's or admin's own menu, set at once when they open the bot or change language: one chat, no
    outbox needed. A failure is logged, never shown: the answer they asked for matters more."""
    if (actor.is_head or actor.is_admin) and actor.channel is Channel.TELEGRAM and actor.external_id:
        try:
            await set_chat_menu(bot, int(actor.external_id), actor.role, actor.locale or default_locale)
        except TelegramError:
            log.warning("could not set the command menu of official %s", actor.id, exc_info=True)


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
