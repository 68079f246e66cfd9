"""Unit group chats: the bot added to a group says how to link it; /linkgroup, /unlinkgroup, /groupreport; the
link dropped when the bot is removed (the unit's weekly aggregate for the group is handlers.views.weekly's).

Nothing said in a group names a person: groups see unit names, counts and percentages only.
"""

from __future__ import annotations

from typing import Any

from telegram import ChatMember, ChatMemberUpdated, Update
from telegram.constants import ChatType

from compliance.office import groups
from compliance.office.groups import GroupOutcome, LinkOutcome
from compliance.office.units import get_unit_by_code
from handlers.i18n import use_locale
from handlers.scope import current_scope
from handlers.telegram.context import BotContext
from handlers.telegram.render import answer, send
from handlers.views import groups as views
from storage.models import Unit

GROUP_TYPES = (ChatType.GROUP, ChatType.SUPERGROUP)
PRESENT = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER)


def _present(member: Any) -> bool:
    # A restricted bot is still in the group when Telegram says it is a member.
    return member.status in PRESENT or (member.status == ChatMember.RESTRICTED and member.is_member)


async def bot_membership(update: Update, context: BotContext) -> None:
    """my_chat_member: the bot joined a group (say how to link it) or left it (drop the link)."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None or change.chat.type not in GROUP_TYPES:
        return
    was_in, is_in = _present(change.old_chat_member), _present(change.new_chat_member)
    scope = current_scope()
    if was_in and not is_in:
        await groups.drop_on_removal(
            scope.session, chat_id=change.chat.id, actor=scope.actor, removed_by=change.from_user.id
        )
        return
    if is_in and not was_in:
        # For everyone in the group, so in the office's language rather than the adder's.
        with use_locale(context.services.default_locale):
            greeting = views.greeting()
        await send(context.bot, change.chat.id, greeting)


async def group_migrated(update: Update, context: BotContext) -> None:
    """A group that became a supergroup has a new chat id; its link follows."""
    message = update.message
    if message is None or message.migrate_to_chat_id is None:
        return
    await groups.move_chat(
        current_scope().session, old_chat_id=message.chat.id, new_chat_id=message.migrate_to_chat_id
    )


async def _in_group(update: Update) -> bool:
    chat = update.effective_chat
    if chat is not None and chat.type in GROUP_TYPES:
        return True
    await answer(update, views.only_in_groups())
    return False


async def link_group(update: Update, context: BotContext) -> None:
    scope = current_scope()
    actor, chat = scope.actor, update.effective_chat
    assert actor is not None and chat is not None
    if not await _in_group(update):
        return
    args = list(context.args or [])
    unit: Unit | None
    if args:
        unit = await get_unit_by_code(scope.session, args[0])
        if unit is None:
            await answer(update, views.unit_not_found(args[0]))
            return
    else:
        unit = await scope.session.get(Unit, actor.unit_id) if actor.unit_id else None
        if unit is None:
            await answer(update, views.which_unit())
            return
    result = await groups.link(scope.session, actor=actor, chat_id=chat.id, title=chat.title or "", unit=unit)
    if result.outcome is LinkOutcome.NOT_ALLOWED or result.link is None:
        await answer(update, views.link_not_allowed())
        return
    await scope.commit()
    link = result.link
    await answer(
        update, views.linked(result.outcome, link.unit_name, link.unit_code, result.previous_unit_name)
    )


async def unlink_group(update: Update, context: BotContext) -> None:
    scope = current_scope()
    actor, chat = scope.actor, update.effective_chat
    assert actor is not None and chat is not None
    if not await _in_group(update):
        return
    linked = await groups.group_of(scope.session, chat.id)
    outcome = await groups.unlink(scope.session, actor=actor, chat_id=chat.id)
    if outcome is GroupOutcome.DONE and linked is not None:
        await scope.commit()
        await answer(update, views.unlinked(linked.unit_name))
    else:
        await answer(update, views.refusal(outcome))


async def group_report(update: Update, context: BotContext) -> None:
    scope = current_scope()
    actor, chat = scope.actor, update.effective_chat
    assert actor is not None and chat is not None
    if not await _in_group(update):
        return
    args = [a.lower() for a in context.args or []]
    if len(args) != 1 or args[0] not in ("on", "off"):
        linked = await groups.group_of(scope.session, chat.id)
        if linked is None:
            await answer(update, views.refusal(GroupOutcome.NOT_LINKED))
            return
        await answer(update, views.weekly_setting(linked.weekly_summary))
        return
    on = args[0] == "on"
    outcome = await groups.set_weekly_summary(scope.session, actor=actor, chat_id=chat.id, on=on)
    if outcome in (GroupOutcome.NOT_LINKED, GroupOutcome.NOT_ALLOWED):
        await answer(update, views.refusal(outcome))
        return
    await scope.commit()
    await answer(update, views.weekly_changed(on))
