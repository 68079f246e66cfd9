"""An admin sends a pledge template (.yaml) to the bot: a preview, then publish as material or wording."""

from __future__ import annotations

from telegram import Update

from compliance.content import ContentError
from compliance.pledge import signing as pledges
from compliance.pledge.templates import PledgeTemplate, load_template_bytes
from handlers.messages import OutMessage
from handlers.scope import current_scope
from handlers.telegram import render
from handlers.telegram.context import BotContext
from handlers.views import pledge_admin as views
from handlers.views.content_errors import content_error_text

MAX_TEMPLATE_BYTES = 256 * 1024
DRAFT_KEY = "pledge_upload"


def _parse(name: str, text: str) -> PledgeTemplate:
    return load_template_bytes(text.encode("utf-8"), name, expected_name=name.rsplit(".", 1)[0])


async def yaml_received(update: Update, context: BotContext) -> None:
    scope = current_scope()
    message = update.effective_message
    assert message is not None and message.document is not None and context.user_data is not None
    if scope.actor is None or not scope.actor.is_admin:
        await render.answer(update, views.admins_only())
        return
    document = message.document
    name = document.file_name or "pledge.yaml"
    if (document.file_size or 0) > MAX_TEMPLATE_BYTES:
        await render.answer(update, views.too_large())
        return
    content = bytes(await (await document.get_file()).download_as_bytearray())
    try:
        text = content.decode("utf-8-sig")
        template = _parse(name, text)
    except (UnicodeDecodeError, ContentError) as exc:
        problem = content_error_text(exc) if isinstance(exc, ContentError) else views.not_utf8()
        await render.answer(update, views.unusable(problem))
        return
    previous = await pledges.current_version(scope.session, None)
    context.user_data[DRAFT_KEY] = {"name": name, "text": text, "first": previous is None}
    await render.answer(
        update, views.preview(template, first=previous is None, material=_material(previous, template))
    )


def _material(previous: pledges.Version | None, template: PledgeTemplate) -> bool:
    return pledges.is_material_change(previous.template if previous else None, template)


async def publish_decision(update: Update, context: BotContext) -> None:
    scope = current_scope()
    query = update.callback_query
    assert query is not None and scope.actor is not None
    user_data = context.user_data if context.user_data is not None else {}
    draft = user_data.get(DRAFT_KEY)
    if draft is None:
        await query.answer(views.no_longer_waiting(), show_alert=True)
        return
    await query.answer()
    if query.data == "pv:x":
        user_data.pop(DRAFT_KEY, None)
        await render.answer(update, views.cancelled())
        return
    template = _parse(draft["name"], draft["text"])
    if query.data == "pv:s":
        draft["sample_confirmed"] = True
        choices = views.publish_choices(first=bool(draft.get("first")))
        await query.edit_message_reply_markup(render.inline_keyboard(OutMessage(choices=choices)))
        return
    if template.sample and not draft.get("sample_confirmed"):
        # The button is never trusted: the sample warning must have been confirmed in this very draft.
        await render.answer(update, views.sample_not_confirmed())
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
        await render.answer(update, views.already_published())
        return
    scope.outbox_planned = True
    await scope.commit()
    done = views.published(
        first=result.first, material=query.data == "pv:m", resign_requests=result.resign_requests
    )
    await render.answer(update, done)
