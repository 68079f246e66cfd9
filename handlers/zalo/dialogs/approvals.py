"""A head's (or an admin's) joining tools on Zalo: MOI gives an invite code for their unit (the code of the
chat's invite link, which a newcomer types to the bot), CHO DUYET lists the requests waiting for them, each
with its number, and "DUYET 12" / "TU CHOI 12" decide request no. 12 through the same domain function as
the chat's buttons and the dashboard (compliance.office.joining.decide: it checks who may, locks the row,
audits and tells the newcomer through the outbox).

The number is the request's own, not a position in the list: the notification the outbox sent names it
too, and a head may answer several requests, in any order, from either message, without a question being
open.
"""

from __future__ import annotations

import re

from compliance.office import joining
from compliance.office.join_requests import PendingRequest, pending_requests
from compliance.office.joining import DecisionOutcome
from handlers.i18n import _, fmt_datetime, fmt_number
from handlers.messages import OutMessage, esc
from handlers.views import access
from handlers.views import invites as invite_views
from handlers.zalo.dialogs.base import Replies, Turn
from storage.models import Unit

# Folded text (handlers.zalo.dialogs.base.fold): "Duyệt 12", "DUYET 12", "tu choi 12", "từ chối số 12".
_DECISION = re.compile(r"^(duyet|tu choi|approve|reject)(?: so| no)? (\d{1,9})$")
MAX_FIELD = 60


def decision_of(folded: str) -> tuple[bool, int] | None:
    """(approve, request id) for "duyet 12" and "tu choi 12"; None for anything else."""
    matched = _DECISION.match(folded)
    if matched is None:
        return None
    return matched.group(1) in ("duyet", "approve"), int(matched.group(2))


def _cut(value: str) -> str:
    return value if len(value) <= MAX_FIELD else value[: MAX_FIELD - 1] + "…"


def _line(request: PendingRequest) -> str:
    return (
        _("No. {id}: <b>{name}</b>, {unit} (chat name: {display_name}), {when}").format(
            id=request.id,
            name=esc(_cut(request.full_name)),
            unit=esc(_cut(request.unit_name)),
            display_name=esc(_cut(request.display_name)),
            when=fmt_datetime(request.created_at),
        )
        + "\n"
        + _("→ type DUYET {id} to approve or TU CHOI {id} to reject").format(id=request.id)
    )


async def pending(turn: Turn) -> Replies:
    """CHO DUYET: the requests this person may decide (heads: their units'; admins: all)."""
    actor = turn.me
    if not (actor.is_head or actor.is_admin):
        return [OutMessage(access.not_allowed())]
    requests, total = await pending_requests(turn.session, actor=actor)
    if not requests:
        return [OutMessage(_("No join requests are waiting for your approval."))]
    parts = [_("<b>Join requests waiting for approval</b>: {total}").format(total=total)]
    parts += [_line(request) for request in requests]
    if total > len(requests):
        parts.append(_("The newest {shown} of {total} are shown.").format(shown=len(requests), total=total))
    # Twenty requests run past one Zalo message: the renderer splits between them (blank lines).
    return [OutMessage("\n\n".join(parts))]


async def decide(turn: Turn, approve: bool, request_id: int) -> Replies:
    result = await joining.decide(turn.session, request_id=request_id, decider=turn.me, approve=approve)
    if result.outcome in (DecisionOutcome.NOT_FOUND, DecisionOutcome.NOT_ALLOWED):
        # Either way the same words: a number that is not theirs to decide says nothing about other units.
        return [OutMessage(access.not_allowed())]
    if result.outcome is DecisionOutcome.ALREADY_DECIDED:
        return [OutMessage(invite_views.already_handled())]
    text = invite_views.decided(result.full_name, approved=result.outcome is DecisionOutcome.APPROVED)
    _shown, left = await pending_requests(turn.session, actor=turn.me, limit=0)
    if left:
        more = _("{n} more requests wait for your decision: type CHO DUYET to see them.")
        text += "\n" + more.format(n=left)
    return [OutMessage(text)]


async def invite(turn: Turn) -> Replies:
    """MOI: a new invite code for the person's own unit (create_invite checks who may, and audits it)."""
    actor = turn.me
    unit = await turn.session.get(Unit, actor.unit_id) if actor.unit_id else None
    if unit is None or not actor.may_manage(unit):
        return [OutMessage(access.not_allowed())]
    created = await joining.create_invite(turn.session, unit=unit, created_by=actor, now=turn.now)
    text = _(
        "Invite code for <b>{unit}</b>: <b>{code}</b>\n"
        "Valid until {until}, for {uses} people. A newcomer sends this code to the bot on Zalo (capital "
        "letters as written), then their full name; you then approve them with DUYET and the number you get."
    ).format(
        unit=esc(unit.name),
        code=esc(created.code),
        until=fmt_datetime(created.expires_at),
        uses=fmt_number(created.max_uses),
    )
    return [OutMessage(text)]
