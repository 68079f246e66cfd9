"""An admin sends a pledge template (.yaml) to the bot: a preview, then publish as material or wording."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from compliance.content import ContentError
from compliance.pledge import signing as pledges
from compliance.pledge.templates import PledgeTemplate, load_template_bytes
from handlers.i18n import _, current_locale, fmt_date, fmt_number
from handlers.messages import esc
from handlers.scope import current_scope
from handlers.views.content_errors import content_error_text
from handlers.telegram.context import BotContext, reply

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
    context.user_data[DRAFT_KEY] = {"name": name, "text": text, "first": previous is None}
    header = preview_text(template, first=previous is None, material=_material(previous, template))
    if template.sample:
        # A sample is published only once the admin has read that it is one: until then no publish button.
        warning = _(
            "⚠️ <b>This is a sample template</b>, to be adapted to your office (its name, its items, the "
            "decision it implements) before officials sign it. Publish it as it is only for a trial."
        )
        markup = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(_("I understand: publish the sample anyway"), callback_data="pv:s")],
                [InlineKeyboardButton(_("✖ Cancel"), callback_data="pv:x")],
            ]
        )
        await reply(update, f"{header}\n\n{warning}", reply_markup=markup)
        return
    await reply(update, header, reply_markup=publish_markup(first=previous is None))


def _material(previous: pledges.Version | None, template: PledgeTemplate) -> bool:
    return pledges.is_material_change(previous.template if previous else None, template)


def preview_text(template: PledgeTemplate, *, first: bool, material: bool) -> str:
    if first:
        comparison = _(
            "No pledge has been published yet: this will be the office's first, and every official "
            "will be asked to sign it."
        )
    elif material:
        comparison = _(
            "Compared with the current version, this looks like a <b>material change</b> (everyone re-signs)."
        )
    else:
        comparison = _(
            "Compared with the current version, this looks like a <b>wording fix</b> (no re-signing)."
        )
    lines = [
        _("<b>Pledge preview</b>: {title} ({label})").format(
            title=esc(template.title.get(current_locale())), label=esc(f"{template.code}-{template.version}")
        ),
        _("{sections} sections, {items} items; effective {date}.").format(
            sections=fmt_number(len(template.sections)),
            items=fmt_number(len(template.items)),
            date=fmt_date(template.effective),
        ),
        comparison,
        _("It will apply to the whole office."),
    ]
    return "\n".join(lines)


def publish_markup(*, first: bool) -> InlineKeyboardMarkup:
    if first:
        # A first version has no earlier wording to fix: everyone signs it.
        rows = [[InlineKeyboardButton(_("Publish: everyone is asked to sign"), callback_data="pv:m")]]
    else:
        rows = [
            [InlineKeyboardButton(_("Publish: everyone re-signs"), callback_data="pv:m")],
            [InlineKeyboardButton(_("Publish: wording fix only"), callback_data="pv:w")],
        ]
    rows.append([InlineKeyboardButton(_("✖ Cancel"), callback_data="pv:x")])
    return InlineKeyboardMarkup(rows)


async def publish_decision(update: Update, context: BotContext) -> None:
    scope = current_scope()
    query = update.callback_query
    assert query is not None and scope.actor is not None
    user_data = context.user_data if context.user_data is not None else {}
    draft = user_data.get(DRAFT_KEY)
    if draft is None:
        await query.answer(_("This preview is no longer waiting for a decision."), show_alert=True)
        return
    await query.answer()
    if query.data == "pv:x":
        user_data.pop(DRAFT_KEY, None)
        await query.edit_message_text(_("Cancelled. Nothing was published."))
        return
    template = _parse(draft["name"], draft["text"])
    if query.data == "pv:s":
        draft["sample_confirmed"] = True
        await query.edit_message_reply_markup(publish_markup(first=bool(draft.get("first"))))
        return
    if template.sample and not draft.get("sample_confirmed"):
        # The button is never trusted: the sample warning must have been confirmed in this very draft.
        await query.edit_message_text(_("This template is a sample: send it again and confirm the warning."))
        user_data.pop(DRAFT_KEY, None)
        return
    user_data.pop(DRAFT_KEY, None)
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
    if result.first and query.data == "pv:m":
        done = _("Published. {n} officials will be asked to sign it.")
    elif query.data == "pv:m":
        done = _("Published. {n} officials will be asked to sign it again.")
    else:
        done = _("Published as a wording fix: nobody is asked to sign again.")
    await query.edit_message_text(done.format(n=fmt_number(result.resign_requests)))
