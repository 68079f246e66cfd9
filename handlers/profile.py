"""/me, /lang, /help and /cancel: what every person can do, whatever their role."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardRemove, Update

from compliance import joining, officials
from compliance.officials import SUPPORTED_LOCALES
from compliance.staff_uploads import discard_uploads
from handlers.context import BotContext, esc, reply
from handlers.i18n import _, set_locale
from handlers.scope import current_scope
from storage.models import Role

LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


def role_name(role: Role) -> str:
    return {
        Role.OFFICIAL: _("official"),
        Role.HEAD: _("unit head"),
        Role.ADMIN: _("administrator"),
    }[role]


async def me(update: Update, context: BotContext) -> None:
    actor = current_scope().actor
    assert actor is not None
    lines = [
        _("<b>Your details</b>"),
        _("Name: {name}").format(name=esc(actor.full_name)),
        _("Title: {title}").format(title=esc(actor.title) if actor.title else "—"),
        _("Unit: {unit}").format(unit=esc(actor.unit_name) if actor.unit_name else "—"),
        _("Role: {role}").format(role=role_name(actor.role)),
        _("Language: {language}").format(language=LANGUAGE_NAMES.get(actor.locale or "", "—")),
    ]
    await reply(update, "\n".join(lines))


async def lang(update: Update, context: BotContext) -> None:
    buttons = [
        [InlineKeyboardButton(LANGUAGE_NAMES[code], callback_data=f"lang:{code}")]
        for code in SUPPORTED_LOCALES
    ]
    await reply(update, _("Choose your language:"), reply_markup=InlineKeyboardMarkup(buttons))


async def lang_chosen(update: Update, context: BotContext) -> None:
    scope = current_scope()
    query = update.callback_query
    assert query is not None and scope.actor is not None
    code = (query.data or "").split(":", 1)[-1]
    if code not in SUPPORTED_LOCALES:
        await query.answer(_("Unknown language."), show_alert=True)
        return
    await officials.set_locale(scope.session, official_id=scope.actor.id, locale=code)
    await scope.commit()
    set_locale(code)
    await query.answer()
    await query.edit_message_text(_("Language set to {language}.").format(language=LANGUAGE_NAMES[code]))


def help_text(role: Role | None) -> str:
    if role is None:
        return _(
            "<b>Cam Kết Bot</b>\n/start: join by sharing your phone number\n/help: this help\n"
            "/cancel: stop what you are doing"
        )
    lines = [
        _("<b>What you can do</b>"),
        _("/pledge: read and sign the pledge"),
        _("/mypledge: your signed pledge receipt"),
        _("/checkin: this week's self-check"),
        _("/report: your card; for heads and admins, their units' compliance with Excel and chart"),
        _("/mute 15/12: pause the daily reminder until a date (leave); /mute off"),
        _("/quiz: a practice round of questions"),
        _("/me: your details"),
        _("/mydata: everything stored about you (JSON)"),
        _("/lang: change language"),
        _("/cancel: stop what you are doing"),
    ]
    if role in (Role.HEAD, Role.ADMIN):
        lines.append(_("/invite [unit code] [days] [uses]: an invite link for people not on the staff list"))
        lines.append(_("/ceremony: open a signing ceremony for your unit (here or in its group)"))
        lines.append(_("/pending: join requests waiting for your approval"))
        lines.append(_("/units: your units with their officials (admins: the whole tree, and change it)"))
        lines.append(
            _("/linkgroup in your unit's group: link the group to the unit (also /groupreport on|off)")
        )
    if role is Role.ADMIN:
        lines.append(_("/admin: every administrator action, with buttons"))
        lines.append(_("/import: import the staff list (send the .xlsx or .csv file)"))
        lines.append(_("Send a pledge template (.yaml) to preview and publish it"))
        lines.append(_("/calendar: working days, days off and make-up days"))
        lines.append(_("/schedule: reminder, self-check and quiz times, for the office or a unit"))
        lines.append(_("/erase PHONE: erase the personal data of a person who left"))
        lines.append(_("/audit: the latest entries of the audit log (who changed what, when)"))
    return "\n".join(lines)


async def help_command(update: Update, context: BotContext) -> None:
    actor = current_scope().actor
    await reply(update, help_text(actor.role if actor else None))


async def cancel(update: Update, context: BotContext) -> None:
    """Leaves whatever is in progress: an open join request, a staff list waiting for confirmation."""
    scope = current_scope()
    user = update.effective_user
    assert user is not None
    cancelled = await joining.cancel_pending(scope.session, telegram_user_id=user.id)
    if scope.actor is not None:
        cancelled = await discard_uploads(scope.session, uploaded_by_id=scope.actor.id) or cancelled
    text = _("Cancelled. Nothing was recorded.") if cancelled else _("There is nothing to cancel.")
    await reply(update, text, reply_markup=ReplyKeyboardRemove())
