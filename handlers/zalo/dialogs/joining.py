"""Someone without a linked account: an activation code links them (compliance.office.activation, helper
Z2's), with a precise refusal otherwise; any other text is told how to join. Zalo has no phone sharing and
no start payload, so the code is the way in."""

from __future__ import annotations

from compliance.office.accounts import ChannelUser
from compliance.office.officials import load_actor
from compliance.privacy import consent
from handlers.i18n import _, ngettext
from handlers.messages import OutMessage
from handlers.views import consent as consent_views
from handlers.views import joining as joining_views
from handlers.zalo.dialogs import consent as consent_dialog
from handlers.zalo.dialogs import invite, menu
from handlers.zalo.dialogs.base import Replies, Turn
from storage.models import Channel


async def stranger(turn: Turn) -> Replies:
    # Imported here: the activation module is the joining helper's, and only strangers need it.
    from compliance.office import activation

    is_code = activation.normalise(turn.text) is not None
    # A unit's invite code, the full name after it, or a word about a join request already sent.
    answered = await invite.handle(turn, is_activation_code=is_code)
    if answered is not None:
        return answered
    if not is_code:
        return [how_to_join()]
    user = ChannelUser(Channel.ZALO, turn.incoming.user_id)
    redeemed = await activation.redeem(
        turn.session, code_text=turn.text, user=user, display_name=turn.incoming.display_name, now=turn.now
    )
    outcome = redeemed.outcome
    if outcome in (activation.Outcome.LINKED, activation.Outcome.ALREADY_LINKED):
        actor = await load_actor(
            turn.session,
            user=user,
            display_name=turn.incoming.display_name,
            language_code=None,
            admin_ids=frozenset(),
            default_locale=turn.services.default_locale,
        )
        if actor is None:
            return [how_to_join()]
        turn.actor = actor
        if not await consent.has_current(turn.session, actor.id):
            # Linked, and nothing else yet: the privacy notice comes before anything is processed.
            return [OutMessage(consent_views.linked_text()), *await consent_dialog.show(turn)]
        return [await menu.show_menu(turn, intro=joining_views.welcome_text(actor))]
    if outcome is activation.Outcome.WRONG:
        left = redeemed.attempts_left or 0
        return [
            OutMessage(
                ngettext(
                    "This code is not valid. Check it and send it again ({n} try left this hour).",
                    "This code is not valid. Check it and send it again ({n} tries left this hour).",
                    left,
                ).format(n=left)
            )
        ]
    if outcome is activation.Outcome.WAIT:
        return [invite.too_many_wrong(redeemed.retry_at)]
    if outcome is activation.Outcome.EXPIRED:
        return [OutMessage(_("This code is no longer valid. Ask your office for a new one."))]
    return [
        OutMessage(
            _(
                "This code has already been used. If it was not you who used it, tell your office at once "
                "and ask for a new code."
            )
        )
    ]


def how_to_join() -> OutMessage:
    return OutMessage(
        _(
            "Hello! This is the pledge bot of your office.\n\n"
            "To join, send me the activation code your office gave you (for example HK7M-4QXT), or your "
            "unit's invite code: then I ask your full name and your unit head approves. If you have neither, "
            "ask your office or your unit head."
        )
    )
