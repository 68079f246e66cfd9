"""An admin sends a pledge template (.yaml) to the bot: a preview, then publish as material or wording."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from compliance import pledges
from compliance.content import ContentError
from compliance.pledge_templates import PledgeTemplate, load_template_bytes
from handlers.content_errors import content_error_text
from handlers.context import BotContext, esc, reply
from handlers.i18n import _, current_locale, fmt_date, fmt_number
from handlers.scope import current_scope

MAX_TEMPLATE_BYTES = 256 * 1024
DRAFT_KEY = "pledge_upload"


def _parse(name: str, text: str) -> PledgeTemplate:
    return load_template_bytes(text.encode("utf-8"), name, expected_name=name.rsplit(".", 1)[0])


async def yaml_received(update: Update, context: BotContext) -> None:
    scope = current_scope()
    message = update.effective_message
    assert message is not None and message.document is not None and context.user_data is not None
    if scope.actor is None or not scope.actor.is_admin:
        await reply(update, _("Only administrators can publish pledge templates."))
        return
    document = message.document
    name = document.file_name or "pledge.yaml"
    if (document.file_size or 0) > MAX_TEMPLATE_BYTES:
        await reply(update, _("A pledge template cannot be larger than 256 KB."))
        return
    content = bytes(await (await document.get_file()).download_as_bytearray())
    try:
        text = content.decode("utf-8-sig")
        template = _parse(name, text)
    except (UnicodeDecodeError, ContentError) as exc:
        unreadable = _("the file is not UTF-8 text")
        problem = content_error_text(exc) if isinstance(exc, ContentError) else unreadable
        await reply(update, _("This template cannot be used: {problem}").format(problem=esc(problem)))
        return
    previous = await pledges.current_version(scope.session, None)
    material = pledges.is_material_change(previous.template if previous else None, template)
    context.user_data[DRAFT_KEY] = {"name": name, "text": text}
    lines = [
        _("<b>Pledge preview</b>: {title} ({label})").format(
            title=esc(template.title.get(current_locale())), label=esc(f"{template.code}-{template.version}")
        ),
        _("{sections} sections, {items} items; effective {date}.").format(
            sections=fmt_number(len(template.sections)),
            items=fmt_number(len(template.items)),
            date=fmt_date(template.effective),
        ),
        _("Compared with the current version, this looks like a <b>material change</b> (everyone re-signs).")
        if material
        else _("Compared with the current version, this looks like a <b>wording fix</b> (no re-signing)."),
        _("It will apply to the whole office."),
    ]
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("Publish: everyone re-signs"), callback_data="pv:m")],
            [InlineKeyboardButton(_("Publish: wording fix only"), callback_data="pv:w")],
            [InlineKeyboardButton(_("✖ Cancel"), callback_data="pv:x")],
        ]
    )
    await reply(update, "\n".join(lines), reply_markup=markup)


async def publish_decision(update: Update, context: BotContext) -> None:
    scope = current_scope()
    query = update.callback_query
    assert query is not None and scope.actor is not None
    draft = (context.user_data or {}).pop(DRAFT_KEY, None)
    if draft is None:
        await query.answer(_("This preview is no longer waiting for a decision."), show_alert=True)
        return
    await query.answer()
    if query.data == "pv:x":
        await query.edit_message_text(_("Cancelled. Nothing was published."))
        return
    template = _parse(draft["name"], draft["text"])
    result = await pledges.publish(
        scope.session,
        template=template,
        unit=None,
        material=query.data == "pv:m",
        publisher_id=scope.actor.id,
        actor=scope.actor,
    )
    if result.outcome is pledges.PublishOutcome.ALREADY_PUBLISHED:
        await query.edit_message_text(_("This version is already published; nothing changed."))
        return
    scope.outbox_planned = True
    await scope.commit()
    await query.edit_message_text(
        _("Published. {n} officials will be asked to sign it again.").format(
            n=fmt_number(result.resign_requests)
        )
    )
