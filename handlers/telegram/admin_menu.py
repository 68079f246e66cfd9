"""/admin: every administrator action in one menu; /audit: the latest entries of the audit log.

A button either runs a listing that needs no arguments (units, audit, calendar, schedule) or says what the
action does and which command or file starts it.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from compliance.privacy import audit
from handlers.scope import current_scope
from handlers.telegram import calendar_admin, schedule_admin, staff_upload, units_admin
from handlers.telegram.context import BotContext
from handlers.telegram.office_setup import admin_checklist
from handlers.telegram.render import answer
from handlers.views import access
from handlers.views import admin as views
from handlers.views.audit import audit_log

AUDIT_SHOWN = 20


async def admin_command(update: Update, context: BotContext) -> None:
    pending = await admin_checklist(current_scope().session)
    await answer(update, views.admin_menu(pending))


async def admin_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    key = (query.data or "").split(":", 1)[-1]
    runners: dict[str, Callable[[Update, BotContext], Coroutine[Any, Any, None]]] = {
        "import": staff_upload.import_help,
        "units": units_admin.units_command,
        "calendar": calendar_admin.calendar_command,
        "schedule": schedule_admin.schedule_command,
        "audit": audit_command,
    }
    explanation = views.explanation(key)
    if key not in runners and explanation is None:
        await query.answer(access.stale_button(), show_alert=True)
        return
    await query.answer()
    # The listings read their arguments from context.args, which a button press does not have.
    context.args = []
    if key in runners:
        await runners[key](update, context)
        return
    assert explanation is not None
    await answer(update, explanation)


async def audit_command(update: Update, context: BotContext) -> None:
    session = current_scope().session
    lines = await audit.latest(session, limit=AUDIT_SHOWN)
    names = await audit.subject_names(session, lines)
    await answer(update, audit_log(lines, names))


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    """/admin, /audit, /units and the unit-changing commands, all in private chats."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("admin", admin_command, filters=private),
        CommandHandler("audit", audit_command, filters=private),
        CallbackQueryHandler(admin_button, pattern=r"^adm:"),
        CommandHandler("units", units_admin.units_command, filters=private),
        CommandHandler("addunit", units_admin.add_unit_command, filters=private),
        CommandHandler("renameunit", units_admin.rename_unit_command, filters=private),
        CommandHandler("moveunit", units_admin.move_unit_command, filters=private),
        CommandHandler("sethead", units_admin.set_head_command, filters=private),
        CallbackQueryHandler(units_admin.units_button, pattern=r"^un:"),
    ]
