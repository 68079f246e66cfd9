"""DA DOC: today's pledge item marked as read, as the chat's "Read" button does
(compliance.practice.self_checks.mark_reminder_read). Zalo has no buttons, so the reminder the outbox sends
there ends with "(type DA DOC)" (handlers.zalo.outbox_choices) and the keyword names no day: it is today's,
in the office's time zone, the only reminder a person is asked to read."""

from __future__ import annotations

from sqlalchemy import select

from compliance.practice.self_checks import mark_reminder_read
from handlers.i18n import LOCAL_TZ, _
from handlers.messages import OutMessage
from handlers.views.practice import marked_read
from handlers.zalo.dialogs.base import Replies, Turn
from storage.models_practice import DailyReminder


async def read(turn: Turn) -> Replies:
    today = turn.now.astimezone(LOCAL_TZ).date()
    first_time = await mark_reminder_read(turn.session, official_id=turn.me.id, day=today, now=turn.now)
    if first_time:
        return [OutMessage(marked_read(True))]
    sent = await turn.session.scalar(
        select(DailyReminder.id).where(DailyReminder.official_id == turn.me.id, DailyReminder.day == today)
    )
    if sent is None:
        return [OutMessage(_("There is no pledge item for you to read today."))]
    return [OutMessage(marked_read(False))]
