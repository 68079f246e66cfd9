"""A stranger joining through a unit's invite code (the code of the chat's invite link), as on Telegram:
the code, then the full name, then the head's approval (compliance.office.joining: redeem_invite,
submit_name, and decide on the head's side, handlers.zalo.dialogs.approvals).

Zalo has no start payload, so the person types the code, or pastes the whole invite link (the code is
read from its "start=" part). Invite codes are case-sensitive and phone keyboards capitalise a message's
first letter, so a code not found as typed is looked up without case, and taken when exactly one matches.
The step in progress is the join request's own status (awaiting the name, pending), kept by the domain:
nothing of it is stored in the chat's open question.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select

from compliance.office import activation, joining
from compliance.office.accounts import ChannelUser
from compliance.office.joining import InviteOutcome, NameOutcome
from compliance.text import clean_text
from handlers.i18n import LOCAL_TZ, _
from handlers.messages import OutMessage, esc
from handlers.views import access
from handlers.views import joining as views
from handlers.zalo.dialogs.base import Replies, Turn, fold
from storage.models import Channel, Invite, JoinRequest, JoinRequestStatus, Unit

_LINK = re.compile(r"[?&]start=([A-Za-z0-9_-]{1,32})")
_CODE = re.compile(r"[A-Za-z0-9_-]{10,32}")
_CANCEL = frozenset({"huy", "/cancel", "cancel"})


def code_in(text: str) -> str | None:
    """The invite code a message carries: a pasted invite link's, or the message itself when it looks like
    one (one word of the code's alphabet, with a digit, a dash or mixed case: "xinchaoban" is a greeting)."""
    cleaned = clean_text(text)
    if (linked := _LINK.search(cleaned)) is not None:
        return linked.group(1)
    if not _CODE.fullmatch(cleaned):
        return None
    mixed = any(c.isupper() for c in cleaned) and any(c.islower() for c in cleaned)
    return cleaned if mixed or any(c.isdigit() or c in "-_" for c in cleaned) else None


async def _invite(turn: Turn, code: str) -> Invite | None:
    exact = await turn.session.scalar(select(Invite).where(Invite.code == code))
    if exact is not None:
        return exact
    folded = (await turn.session.scalars(select(Invite).where(func.lower(Invite.code) == code.lower()))).all()
    return folded[0] if len(folded) == 1 else None


def _ask_name(unit_name: str | None) -> OutMessage:
    return OutMessage(
        _(
            "You were invited to join <b>{unit}</b>. Please type your full name as it appears in your "
            "office's records (for example: Nguyễn Thị Lan). Type HUY to stop."
        ).format(unit=esc(unit_name or ""))
    )


def too_many_wrong(retry_at: datetime | None) -> OutMessage:
    """Wrong activation and invite codes share one limit per Zalo account (compliance.office.activation)."""
    at = retry_at.astimezone(LOCAL_TZ).strftime("%H:%M") if retry_at is not None else "—"
    return OutMessage(_("Too many wrong codes. Please try again after {time}.").format(time=at))


def _unknown_code() -> OutMessage:
    return OutMessage(
        _(
            "This invite code is not valid. Check it, capital letters included, or ask your unit head for "
            "a new one. If your office gave you an activation code, send that instead."
        )
    )


async def _redeem(turn: Turn, invite: Invite) -> Replies:
    result = await joining.redeem_invite(
        turn.session,
        code=invite.code,
        user=ChannelUser(Channel.ZALO, turn.incoming.user_id),
        display_name=turn.incoming.display_name,
        locale=turn.services.default_locale,
        now=turn.now,
    )
    if result.outcome is InviteOutcome.ASK_NAME:
        return [_ask_name(result.unit_name)]
    return [views.invite_outcome(result.outcome, result.unit_name)]


async def handle(turn: Turn, *, is_activation_code: bool) -> Replies | None:
    """A stranger's message as part of joining by invite; None when it is not (an activation code, or text
    that is neither a code nor an answer to a join request in progress)."""
    user = ChannelUser(Channel.ZALO, turn.incoming.user_id)
    code = code_in(turn.text)
    if code is not None and not is_activation_code:
        wait = await activation.retry_at(turn.session, user, turn.now)
        if wait is not None:
            return [too_many_wrong(wait)]
    invite = await _invite(turn, code) if code is not None else None
    if invite is not None:
        return await _redeem(turn, invite)
    if is_activation_code:
        return None  # the staff list's own way in, whatever request is open
    if fold(turn.text) in _CANCEL:
        withdrawn = await joining.cancel_pending(turn.session, user=user)
        return [access.cancelled()] if withdrawn else None
    waiting = await joining.awaiting_name(turn.session, user)
    if waiting is not None:
        outcome = await joining.submit_name(turn.session, user=user, raw_name=turn.text)
        if outcome is NameOutcome.SUBMITTED:
            return [views.name_submitted()]
        return [views.name_invalid()]
    if code is not None:
        await activation.count_wrong(turn.session, user, turn.now)
        return [_unknown_code()]
    pending = await _pending_unit(turn, user)
    if pending is not None:
        return [views.invite_outcome(InviteOutcome.ALREADY_PENDING, pending)]
    return None


async def _pending_unit(turn: Turn, user: ChannelUser) -> str | None:
    """The unit whose head has this person's request to decide, if any."""
    return await turn.session.scalar(
        select(Unit.name)
        .join(JoinRequest, JoinRequest.unit_id == Unit.id)
        .where(
            JoinRequest.channel == user.channel,
            JoinRequest.external_id == user.external_id,
            JoinRequest.status == JoinRequestStatus.PENDING,
        )
        .order_by(JoinRequest.id.desc())
        .limit(1)
    )
