"""Zalo group chats (ZALO_GROUPS on): a head links the unit's group with a one-time code, and the group then
gets the unit's weekly aggregate through the outbox (compliance.reports.weekly). The domain is
compliance.office.zalo_groups.

Zalo delivers to the bot only the group messages that mention it or reply to it (groups are a test on
Zalo's side). Of those, the bot answers a link code, "HUY LIEN KET" and "LIEN KET NHOM"; in a group not yet
linked, any mention gets how to link it. In a linked group anything else gets no answer: what people say
there is mostly to each other (a reply to the weekly post), an answer to each would be noise in the unit's
chat, and whatever a person might want from the bot is personal and belongs in their private chat.

Nothing said in a group names a person, and everything is said in the office's language (the group's
members read it, not only the sender).
"""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office import zalo_groups
from compliance.office.accounts import ChannelUser
from compliance.office.officials import Actor, load_actor
from compliance.office.units import get_unit_by_code
from compliance.office.zalo_groups import LinkOutcome, LinkResult, UnlinkOutcome
from handlers.i18n import _, use_locale
from handlers.messages import OutMessage, esc
from handlers.zalo.dialogs.base import Replies, Turn, fold
from handlers.zalo.dialogs.menu import GROUP_LINK
from handlers.zalo.inbound import TEXT, ZaloIncoming, ZaloServices
from storage.clock import LOCAL_TZ, utcnow
from storage.models import Channel, Unit

# Folded keywords (handlers.zalo.dialogs.base.fold): accents and case do not matter.
LINK = GROUP_LINK
UNLINK = "huy lien ket"
_UNIT_CODE = re.compile(r"^[\w.\-]{1,40}$")


def asks_for_code(folded: str) -> bool:
    """A private message "LIEN KET NHOM" or "LIEN KET NHOM <unit code>"."""
    return folded == LINK or folded.startswith(LINK + " ")


def _has(folded: str, keyword: str) -> bool:
    # In a group the keyword comes with the mention of the bot ("@Cam Kết Bot huy liên kết").
    return f" {keyword} " in f" {folded} "


# ---- a head's private chat: the code ------------------------------------------------------------------


async def link_code(turn: Turn) -> Replies:
    """ "LIEN KET NHOM [unit code]": a one-time code for the head's own unit (or the unit named, which an
    admin must name and a head may, for a unit below theirs)."""
    me = turn.me
    if not (me.is_head or me.is_admin):
        return [OutMessage(_("Only a unit's head or an administrator can link a Zalo group to a unit."))]
    argument = fold(turn.text)[len(LINK) :].strip()
    unit: Unit | None
    if argument:
        unit = await get_unit_by_code(turn.session, argument) if _UNIT_CODE.match(argument) else None
        if unit is None:
            return [OutMessage(_("Unit not found: {code}.").format(code=esc(argument[:40])))]
    else:
        unit = await turn.session.get(Unit, me.unit_id) if me.unit_id is not None else None
        if unit is None:
            return [OutMessage(_("Give the unit's code: LIEN KET NHOM UNIT_CODE"))]
    code = await zalo_groups.issue_code(turn.session, actor=me, unit=unit, now=turn.now)
    if code is None:
        return [OutMessage(_("Only the unit's head or an administrator can link this group to that unit."))]
    minutes = int(zalo_groups.CODE_LIFETIME.total_seconds() // 60)
    return [
        OutMessage(
            _(
                "Group link code for <b>{unit}</b>: <b>{code}</b>\n\n"
                "In the unit's Zalo group, mention me (type @ and choose me) followed by the code. It works "
                "once, within {minutes} minutes, and only when sent from your Zalo account. The group will "
                "then get the unit's weekly figures: counts and percentages, never names. To undo it, "
                "mention me in the group with HUY LIEN KET."
            ).format(unit=esc(unit.name), code=code, minutes=minutes)
        )
    ]


# ---- the group ------------------------------------------------------------------------------------------


def how_to_link() -> OutMessage:
    return OutMessage(
        _(
            "Hello! I am the office's pledge bot. To link this group to its unit, the unit's head writes "
            "LIEN KET NHOM to me in a private chat, then mentions me here with the code they get. A linked "
            "group gets the unit's weekly figures: counts and percentages, never names."
        )
    )


async def respond(incoming: ZaloIncoming, services: ZaloServices) -> list[OutMessage]:
    """One group message (one unit of work, committed before the answers are sent)."""
    if incoming.event != TEXT or not incoming.text:
        return []  # a picture or a sticker mentioning the bot: nothing to do in a group
    async with services.database.unit_of_work() as session:
        actor = await load_actor(
            session,
            user=ChannelUser(Channel.ZALO, incoming.user_id),
            display_name=incoming.display_name,
            language_code=None,
            admin_ids=frozenset(),
            default_locale=services.default_locale,
        )
        with use_locale(services.default_locale):
            code = zalo_groups.find_code(incoming.text)
            folded = fold(incoming.text)
            if code is not None:
                result = await zalo_groups.link_with_code(
                    session,
                    actor=actor,
                    sender_id=incoming.user_id,
                    chat_id=incoming.chat_id,
                    code=code,
                    now=utcnow(),
                )
                return [_link_answer(result)]
            if _has(folded, UNLINK):
                return [await _unlink(session, actor, incoming.chat_id)]
            linked = await zalo_groups.group_of(session, incoming.chat_id)
            if linked is None or _has(folded, LINK):
                return [how_to_link()]
            return []


async def _unlink(session: AsyncSession, actor: Actor | None, chat_id: str) -> OutMessage:
    linked = await zalo_groups.group_of(session, chat_id)
    outcome = await zalo_groups.unlink(session, actor=actor, chat_id=chat_id)
    if outcome is UnlinkOutcome.DONE and linked is not None:
        return OutMessage(
            _("This group is no longer linked to <b>{unit}</b>.").format(unit=esc(linked.unit_name))
        )
    if outcome is UnlinkOutcome.NOT_LINKED:
        return OutMessage(_("This group is not linked to a unit."))
    return OutMessage(_("Only the head of the linked unit or an administrator can do this."))


def _link_answer(result: LinkResult) -> OutMessage:
    group = result.group
    if result.outcome is LinkOutcome.LINKED and group is not None:
        return OutMessage(
            _(
                "This group is now linked to <b>{unit}</b>. Every week it will get the unit's figures: "
                "counts and percentages, never names. The unit's head can undo this by mentioning me with "
                "HUY LIEN KET."
            ).format(unit=esc(group.unit_name))
        )
    if result.outcome is LinkOutcome.MOVED and group is not None:
        return OutMessage(
            _("This group is now linked to <b>{unit}</b> instead of {previous}.").format(
                unit=esc(group.unit_name), previous=esc(result.previous_unit_name or "")
            )
        )
    if result.outcome is LinkOutcome.ALREADY and group is not None:
        return OutMessage(
            _("This group is already linked to <b>{unit}</b>.").format(unit=esc(group.unit_name))
        )
    if result.outcome is LinkOutcome.WAIT:
        at = result.retry_at.astimezone(LOCAL_TZ).strftime("%H:%M") if result.retry_at else "—"
        return OutMessage(_("Too many wrong codes. Please try again after {time}.").format(time=at))
    if result.outcome is LinkOutcome.NOT_YOURS:
        return OutMessage(
            _("Only the person who asked for this code can use it, from their Zalo account linked to me.")
        )
    if result.outcome is LinkOutcome.TAKEN:
        return OutMessage(
            _(
                "This group is linked to another unit: only a head of that unit or an administrator can "
                "move it."
            )
        )
    if result.outcome is LinkOutcome.EXPIRED:
        return OutMessage(
            _(
                "This group link code has expired or was used already. The unit's head can get a new one "
                "by writing LIEN KET NHOM to me in a private chat."
            )
        )
    return OutMessage(
        _(
            "This is not a valid group link code. The unit's head gets one by writing LIEN KET NHOM to me "
            "in a private chat."
        )
    )
