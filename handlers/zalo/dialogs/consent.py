"""Consent on Zalo: the privacy notice, a part per message, then an open question answered by number
("1" I agree, "2" I do not) or by the words DONG Y / KHONG DONG Y; and RUT DONG Y, which withdraws after
a numbered confirmation.

Until a person holds a current consent, every message they send shows the notice again and nothing else
runs. The answer is only read against this dialog's own open question: "ĐỒNG Ý" is also the last word of
the pledge dialog, which cannot be open for someone who has not consented.
"""

from __future__ import annotations

from compliance.privacy import consent
from compliance.privacy.consent import Outcome
from compliance.privacy.notice import current_notice
from handlers.i18n import _
from handlers.messages import Choice, OutMessage, row
from handlers.views import consent as views
from handlers.zalo.dialogs import menu
from handlers.zalo.dialogs.base import Replies, Turn, fold, numbers

DIALOG = "consent"
WITHDRAW_DIALOG = "withdraw"
CHANNEL = "zalo"
WITHDRAW = menu.WITHDRAW
WITHDRAW_WORDS = frozenset({WITHDRAW, "rut lai dong y", "rutdongy", "/withdraw", "withdraw"})
AGREE_WORDS = frozenset({"dong y", "toi dong y", "i agree", "agree"})
DECLINE_WORDS = frozenset({"khong dong y", "toi khong dong y", "i do not agree", "disagree"})


async def before_anything(turn: Turn) -> Replies | None:
    """What a member's message means first: the notice while there is no current consent, or the
    withdrawal. None: the rest of the dialogs take the message."""
    if not await consent.has_current(turn.session, turn.me.id):
        return await _notice_answered(turn)
    folded = fold(turn.text) if turn.text else ""
    if folded in WITHDRAW_WORDS:
        await turn.close()
        await turn.ask(WITHDRAW_DIALOG, "confirm")
        return [_confirm_withdraw()]
    opened = await turn.load_open()
    if opened is not None and opened.dialog == WITHDRAW_DIALOG and menu.keyword_of(folded) is None:
        return await _withdraw_answered(turn)
    return None


async def show(turn: Turn) -> Replies:
    """The notice, a part per message (each within Zalo's 2 000 characters), the question on the last."""
    notice = current_notice()
    await turn.ask(DIALOG, "answer", version=notice.version)
    parts = views.notice_parts(notice)
    question = "\n\n".join(
        [parts[-1], f"<b>{views.question()}</b>", _("You can also type DONG Y or KHONG DONG Y.")]
    )
    choices = (row(Choice(views.agree_label(), "yes")), row(Choice(views.decline_label(), "no")))
    return [OutMessage(part) for part in parts[:-1]] + [OutMessage(question, choices=choices)]


async def _notice_answered(turn: Turn) -> Replies:
    opened = await turn.load_open()
    if opened is None or opened.dialog != DIALOG or not turn.text:
        return await show(turn)
    folded, given = fold(turn.text), numbers(turn.text)
    version = int(opened.data.get("version") or 0)
    if given == [1] or folded in AGREE_WORDS:
        return await _agreed(turn, version)
    if given == [2] or folded in DECLINE_WORDS:
        await consent.decline(turn.session, actor=turn.me, version=version, channel=CHANNEL)
        await turn.close()
        return [_plain(views.declined())]
    return await show(turn)


async def _agreed(turn: Turn, version: int) -> Replies:
    outcome = await consent.give(turn.session, actor=turn.me, version=version, channel=CHANNEL)
    if outcome is Outcome.STALE:
        return [OutMessage(views.stale()), *await show(turn)]
    await turn.close()
    thanks = views.given(version, withdraw_with=WITHDRAW.upper())
    return [OutMessage(thanks), await menu.show_menu(turn)]


def _confirm_withdraw() -> OutMessage:
    asked = views.confirm_withdraw()
    # The same two answers, numbered: 1 withdraws, 2 keeps the consent.
    return OutMessage(
        asked.text,
        choices=(row(Choice(_("Withdraw my consent"), "yes")), row(Choice(_("✖ Cancel"), "no"))),
    )


async def _withdraw_answered(turn: Turn) -> Replies:
    given = numbers(turn.text)
    if given == [2]:
        await turn.close()
        return [_plain(views.withdraw_cancelled())]
    if given != [1]:
        return [_confirm_withdraw()]
    await turn.close()
    stopped = await consent.withdraw(turn.session, actor=turn.me, channel=CHANNEL)
    if stopped.outcome is Outcome.NOTHING:
        return [_plain(views.nothing_to_withdraw())]
    return [_plain(views.withdrawn())]


def _plain(message: OutMessage) -> OutMessage:
    # Zalo cannot edit a message: the answer is a new one.
    return OutMessage(message.text)
