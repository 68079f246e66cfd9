"""An admin sends the staff list to the bot: a dry-run summary, then a confirm button, with progress (the
replies are handlers.views.staff)."""

from __future__ import annotations

import time

from telegram import Message, Update

from compliance.office.staff_file import MAX_FILE_BYTES, StaffFileError
from compliance.office.staff_import import ImportRefused
from compliance.office.staff_uploads import confirm_upload, discard_uploads, pending_upload, preview_upload
from handlers.messages import OutMessage
from handlers.scope import current_scope
from handlers.telegram.context import BotContext
from handlers.telegram.render import answer, edit
from handlers.views import staff as views

PROGRESS_EVERY_SECONDS = 2.0


async def import_help(update: Update, context: BotContext) -> None:
    await answer(update, views.import_help())


async def document_received(update: Update, context: BotContext) -> None:
    scope = current_scope()
    message = update.effective_message
    assert message is not None and message.document is not None and scope.actor is not None
    if not scope.actor.is_admin:
        await answer(update, views.admins_only())
        return
    document = message.document
    if document.file_size and document.file_size > MAX_FILE_BYTES:
        await answer(
            update, views.file_refused(StaffFileError("too_large", str(MAX_FILE_BYTES // (1024 * 1024))))
        )
        return
    status = await answer(update, views.checking())
    telegram_file = await document.get_file()
    content = bytes(await telegram_file.download_as_bytearray())
    try:
        upload, plan = await preview_upload(
            scope.session, admin=scope.actor, file_name=document.file_name or "staff", content=content
        )
    except StaffFileError as error:
        await _edit(status, views.file_refused(error))
        return
    await scope.commit()
    await _edit(status, views.checked(plan, upload.id))


async def _edit(status: Message | None, message: OutMessage) -> None:
    # The "checking" message is the bot's own, not a pressed button's: it is edited here.
    if status is not None:
        await edit(status.get_bot(), status.chat_id, status.message_id, message)


async def import_decision(update: Update, context: BotContext) -> None:
    scope = current_scope()
    query = update.callback_query
    assert query is not None and scope.actor is not None
    parts = (query.data or "").split(":")
    upload_id = int(parts[2]) if len(parts) == 3 and parts[2].isdigit() else -1
    upload = await pending_upload(scope.session, upload_id=upload_id, admin=scope.actor)
    if upload is None:
        await query.answer(views.no_longer_waiting(), show_alert=True)
        return
    await query.answer()
    if parts[1] != "ok":
        await discard_uploads(scope.session, uploaded_by_id=scope.actor.id)
        await scope.commit()
        await answer(update, views.cancelled())
        return
    last_shown = 0.0

    async def progress(done: int, total: int) -> None:
        nonlocal last_shown
        if time.monotonic() - last_shown >= PROGRESS_EVERY_SECONDS:
            last_shown = time.monotonic()
            await answer(update, views.importing(done, total))

    try:
        created, updated = await confirm_upload(
            scope.session, upload=upload, progress=progress, actor=scope.actor
        )
    except (ImportRefused, StaffFileError):
        await answer(update, views.changed_meaning())
        return
    await scope.commit()
    await answer(update, views.imported(created, updated))
