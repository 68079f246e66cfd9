"""Unit group chats: the bot added to a group says how to link it; /linkgroup, /unlinkgroup, /groupreport; the
link dropped when the bot is removed (the unit's weekly aggregate for the group is handlers.views.weekly's).

Nothing said in a group names a person: groups see unit names, counts and percentages only.
"""

from __future__ import annotations

from typing import Any

from telegram import ChatMember, ChatMemberUpdated, Update
from telegram.constants import ChatType, ParseMode

from compliance.office import groups
from compliance.office.groups import GroupOutcome, LinkOutcome
from compliance.office.units import get_unit_by_code
from handlers.i18n import _, use_locale
from handlers.messages import esc
from handlers.scope import current_scope
from handlers.telegram.context import BotContext, reply
from storage.models import Unit

GROUP_TYPES = (ChatType.GROUP, ChatType.SUPERGROUP)
PRESENT = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER)


def _present(member: Any) -> bool:
    # A restricted bot is still in the group when Telegram says it is a member.
    return member.status in PRESENT or (member.status == ChatMember.RESTRICTED and member.is_member)


def how_to_link() -> str:
    return _(
        "Hello! I am the office's pledge bot.\n\n"
        "To link this group to its unit, the unit's head sends /linkgroup here "
        "(an administrator sends /linkgroup UNIT_CODE). A linked group can receive plan updates, and the "
        "head may turn on the unit's weekly figures with /groupreport on.\n\n"
        "In this group I answer only commands addressed to me and never post anyone's personal data."
    )


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
            text = how_to_link()
        await context.bot.send_message(change.chat.id, text, parse_mode=ParseMode.HTML)


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
    await reply(
        update, _("This command works in the unit's group chat: add me to the group and send it there.")
    )
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
            await reply(update, _("Unit not found: {code}.").format(code=esc(args[0][:40])))
            return
    else:
        unit = await scope.session.get(Unit, actor.unit_id) if actor.unit_id else None
        if unit is None:
            await reply(update, _("Give the unit's code: /linkgroup UNIT_CODE"))
            return
    result = await groups.link(scope.session, actor=actor, chat_id=chat.id, title=chat.title or "", unit=unit)
    if result.outcome is LinkOutcome.NOT_ALLOWED or result.link is None:
        await reply(update, _("Only the unit's head or an administrator can link this group to that unit."))
        return
    await scope.commit()
    name = esc(result.link.unit_name)
    if result.outcome is LinkOutcome.ALREADY:
        text = _("This group is already linked to <b>{unit}</b>.").format(unit=name)
    elif result.outcome is LinkOutcome.MOVED:
        text = _("This group is now linked to <b>{unit}</b> instead of {previous}.").format(
            unit=name, previous=esc(result.previous_unit_name or "")
        )
    else:
        text = _(
            "This group is now linked to <b>{unit}</b> ({code}). Plan updates for the unit can reach it "
            "here; the head may turn on the unit's weekly figures with /groupreport on."
        ).format(unit=name, code=esc(result.link.unit_code))
    await reply(update, text)


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
        await reply(
            update, _("This group is no longer linked to <b>{unit}</b>.").format(unit=esc(linked.unit_name))
        )
    else:
        await reply(update, _refusal(outcome))


def _refusal(outcome: GroupOutcome) -> str:
    if outcome is GroupOutcome.NOT_LINKED:
        return _("This group is not linked to a unit yet. The unit's head can link it with /linkgroup.")
    return _("Only the head of the linked unit or an administrator can do this.")


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
            await reply(update, _refusal(GroupOutcome.NOT_LINKED))
            return
        if linked.weekly_summary:
            text = _("The unit's weekly figures are posted in this group. Usage: /groupreport on|off")
        else:
            text = _("The unit's weekly figures are not posted in this group. Usage: /groupreport on|off")
        await reply(update, text)
        return
    on = args[0] == "on"
    outcome = await groups.set_weekly_summary(scope.session, actor=actor, chat_id=chat.id, on=on)
    if outcome in (GroupOutcome.NOT_LINKED, GroupOutcome.NOT_ALLOWED):
        await reply(update, _refusal(outcome))
        return
    await scope.commit()
    if on:
        text = _(
            "Every week the unit's figures (counts and percentages, never names) will be posted here. "
            "Turn it off with /groupreport off."
        )
    else:
        text = _("The unit's weekly figures will no longer be posted here.")
    await reply(update, text)
