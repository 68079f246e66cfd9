"""/mydata: everything stored about the person, as a JSON file and a readable summary; and /erase for
admins: a person who left loses their personal data, after a confirmation re-checked in the database."""

from __future__ import annotations

import json

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ParseMode

from compliance.privacy import erasure, personal_data
from compliance.privacy.erasure import EraseOutcome, ErasureTarget
from handlers.i18n import _, fmt_datetime, fmt_number
from handlers.messages import esc
from handlers.scope import current_scope
from handlers.telegram.context import BotContext, reply
from handlers.telegram.profile import LANGUAGE_NAMES, role_name
from storage.clock import utcnow
from storage.models import Role


def _value(value: object) -> str:
    return esc(value) if value not in (None, "") else "—"


def _telegram_id(accounts: list[dict[str, object]]) -> object:
    return next((a["external_id"] for a in accounts if a["channel"] == "telegram"), None)


def summary_text(data: personal_data.PersonalData) -> str:
    person = data.data["official"]
    unit = data.data.get("unit") or {}
    lines = [
        _("<b>Your data stored by Cam Kết Bot</b>"),
        _("Name: {name}").format(name=_value(person["full_name"])),
        _("Title: {title}").format(title=_value(person["title"])),
        _("Unit: {unit}").format(unit=_value(unit.get("name"))),
        _("Phone: {phone}").format(phone=_value(person["phone"])),
        _("Email: {email}").format(email=_value(person["email"])),
        _("Role: {role}").format(role=role_name(Role(person["role"]))),
        _("Language: {language}").format(language=LANGUAGE_NAMES.get(person["locale"] or "", "—")),
        _("Telegram account: {id}").format(id=_value(_telegram_id(data.data["accounts"]))),
        "",
        _("Pledge signatures: {n}").format(n=fmt_number(data.count("signatures"))),
        _("Weekly self-checks: {n}").format(n=fmt_number(data.count("self_checks"))),
        _("Quiz rounds: {n}").format(n=fmt_number(data.count("quiz_attempts"))),
        _("Daily reminders: {n}, read: {read}").format(
            n=fmt_number(data.count("daily_reminders")),
            read=fmt_number(sum(1 for r in data.data["daily_reminders"] if r["read_at"])),
        ),
        _("Join requests: {n}").format(n=fmt_number(data.count("join_requests"))),
        _("Messages from the bot: {n}").format(n=fmt_number(data.count("messages"))),
        _("Broadcasts acknowledged: {n}").format(n=fmt_number(data.count("broadcast_acks"))),
        _("Actions as head or administrator: {n}").format(
            n=fmt_number(
                data.count("invites_created")
                + data.count("ceremonies_started")
                + data.count("staff_uploads")
                + data.count("actions_logged")
            )
        ),
        "",
        _(
            "The attached JSON file holds every field (times in UTC). Signatures keep their ledger hashes. "
            "When you leave the office, an administrator can erase your personal data."
        ),
    ]
    return "\n".join(lines)


async def my_data(update: Update, context: BotContext) -> None:
    scope = current_scope()
    chat = update.effective_chat
    assert scope.actor is not None and chat is not None
    data = await personal_data.collect(scope.session, official_id=scope.actor.id)
    if data is None:  # the row went away between the gate and here
        await reply(update, _("You are not a member of Cam Kết Bot."))
        return
    await scope.release()  # reading only: no connection is held while Telegram is called
    await reply(update, summary_text(data))
    content = json.dumps(data.data, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    await chat.send_document(
        InputFile(content, filename=f"du-lieu-ca-nhan-{scope.actor.id}.json"),
        # a plain-text caption: the names as they are, not escaped for HTML
        caption=_("Everything Cam Kết Bot stores about {name} ({unit}), as of {date}: JSON file.").format(
            name=data.data["official"]["full_name"] or "—",
            unit=(data.data.get("unit") or {}).get("name") or "—",
            date=fmt_datetime(utcnow()),
        ),
    )


def _refusal(target: ErasureTarget) -> str:
    return {
        EraseOutcome.BAD_PHONE: _("Usage: /erase PHONE (the phone number on the staff list)."),
        EraseOutcome.NOT_FOUND: _("Nobody on the staff list has this phone number."),
        EraseOutcome.ADMIN: _("An administrator cannot be erased."),
        EraseOutcome.SELF: _("You cannot erase yourself."),
        EraseOutcome.ALREADY: _("This person's data has already been erased."),
    }.get(target.outcome, _("You are not allowed to do this."))


async def erase_command(update: Update, context: BotContext) -> None:
    scope = current_scope()
    args = context.args or []
    target = await erasure.find_target(scope.session, phone=" ".join(args), actor=scope.actor)
    if target.outcome is not EraseOutcome.FOUND:
        await reply(update, _refusal(target))
        return
    assert target.official_id is not None
    text = _(
        "Erase the personal data of <b>{name}</b> ({unit})?\n\n"
        "Their name, phone, email, title, Telegram account and language are cleared and they are marked "
        "as having left. Their {n} signatures stay in the ledger, which keeps only hashes. This cannot "
        "be undone."
    ).format(name=esc(target.full_name), unit=_value(target.unit_name), n=fmt_number(target.signatures))
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(_("🗑 Erase"), callback_data=f"er:ok:{target.official_id}"),
                InlineKeyboardButton(_("✖ Cancel"), callback_data=f"er:no:{target.official_id}"),
            ]
        ]
    )
    await reply(update, text, reply_markup=markup)


async def erase_decision(update: Update, context: BotContext) -> None:
    scope = current_scope()
    query = update.callback_query
    assert query is not None
    parts = (query.data or "").split(":")
    if len(parts) != 3 or parts[1] not in ("ok", "no") or not parts[2].isdigit():
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    if parts[1] == "no":
        await query.answer()
        await query.edit_message_text(_("Cancelled. Nothing was changed."))
        return
    result = await erasure.erase(scope.session, official_id=int(parts[2]), actor=scope.actor)
    if result.outcome is not EraseOutcome.ERASED:
        await query.answer(_refusal(result)[:200], show_alert=True)
        return
    await scope.commit()
    await query.answer()
    await query.edit_message_text(
        _(
            "Erased: official #{id} ({unit}) is marked as having left and their personal data is cleared. "
            "Their signatures stay in the ledger."
        ).format(id=result.official_id, unit=_value(result.unit_name)),
        parse_mode=ParseMode.HTML,
    )
