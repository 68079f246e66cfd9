"""/admin: every administrator action in one menu; /audit: the latest entries of the audit log.

A button either runs a listing that needs no arguments (units, audit, calendar, schedule) or says what the
action does and which command or file starts it.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from compliance.privacy import audit
from handlers.i18n import _
from handlers.messages import esc
from handlers.scope import current_scope
from handlers.telegram import calendar_admin, schedule_admin, staff_upload, units_admin
from handlers.telegram.audit_view import entry_text
from handlers.telegram.context import BotContext, reply
from handlers.telegram.office_setup import admin_checklist

AUDIT_SHOWN = 20
# Telegram's limit is 4096 characters; entries beyond this are left for the command line.
MAX_MESSAGE_CHARS = 4000


def menu_entries() -> list[tuple[str, str]]:
    """(key, label) of every admin action, in the menu's order."""
    return [
        ("import", _("📥 Import staff list")),
        ("units", _("🏢 Units")),
        ("invite", _("🔗 Invite link")),
        ("pending", _("⏳ Pending joins")),
        ("broadcast", _("📣 Send a plan update")),
        ("broadcasts", _("📊 Plan updates sent")),
        ("groups", _("👥 Unit group chats")),
        ("calendar", _("📅 Calendar")),
        ("schedule", _("⏰ Schedule")),
        ("pledge", _("📜 Publish a pledge")),
        ("export", _("📤 Emulation review export")),
        ("audit", _("🧾 Audit log")),
    ]


def explanations() -> dict[str, str]:
    return {
        "invite": _(
            "/invite [unit code] [days] [uses]: an invite link (and its QR code) for people who are not on "
            "the staff list. Their requests come to the unit's head to approve."
        ),
        "pending": _("/pending: the join requests waiting for approval, with buttons to approve or reject."),
        "broadcast": _(
            "/broadcast: compose a plan update (text, optionally a document or photo), choose who gets it "
            "and when, preview it, then confirm. Recipients can confirm they have read it."
        ),
        "broadcasts": _(
            "/broadcasts: the recent plan updates with delivered, failed and acknowledged counts; open one "
            "to see who has not acknowledged, remind them, or get the Excel."
        ),
        "groups": _(
            "Add the bot to the unit's Telegram group, then send /linkgroup CODE there to link it to the "
            "unit (/unlinkgroup undoes it). Plan updates can then be sent to linked groups."
        ),
        "pledge": _(
            "Send the pledge template as a .yaml file (named CODE-VERSION.yaml, as in content/pledges). "
            "I show a preview. The first version is signed by everyone; for a later one, choose whether "
            "everyone re-signs (a material change) or it is a wording fix. A template marked sample: true "
            "is a sample to adapt: I publish it only after you confirm a warning."
        ),
        "export": _(
            "/report, then the button “Emulation review, this quarter (Excel)”. On the server: "
            "python -m bot export --period 2027Q1 FILE.xlsx (or --period 2027, --unit CODE)."
        ),
    }


def admin_menu_markup() -> InlineKeyboardMarkup:
    entries = menu_entries()
    rows = [
        [InlineKeyboardButton(label, callback_data=f"adm:{key}") for key, label in entries[i : i + 2]]
        for i in range(0, len(entries), 2)
    ]
    return InlineKeyboardMarkup(rows)


async def admin_command(update: Update, context: BotContext) -> None:
    text = _("<b>Administration</b>\nChoose an action; each button says how it works.")
    pending = await admin_checklist(current_scope().session)
    await reply(update, f"{pending}\n\n{text}" if pending else text, reply_markup=admin_menu_markup())


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
    text = explanations().get(key)
    if key not in runners and text is None:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    await query.answer()
    # The listings read their arguments from context.args, which a button press does not have.
    context.args = []
    if key in runners:
        await runners[key](update, context)
        return
    assert text is not None
    await reply(update, esc(text))


async def audit_command(update: Update, context: BotContext) -> None:
    session = current_scope().session
    lines = await audit.latest(session, limit=AUDIT_SHOWN)
    names = await audit.subject_names(session, lines)
    if not lines:
        await reply(update, _("The audit log is empty."))
        return
    text = _("<b>Audit log: the latest {n}</b>").format(n=len(lines))
    for line in lines:
        entry = entry_text(line, names)
        if len(text) + len(entry) + 2 > MAX_MESSAGE_CHARS:
            text += "\n\n" + _("…more with: python -m bot audit --since DATE")
            break
        text += "\n\n" + entry
    await reply(update, text)


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
