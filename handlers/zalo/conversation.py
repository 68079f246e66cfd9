"""The Zalo dialogs' entry point: one inbound message in, the messages to answer with out.

One unit of work per message: the person through their Zalo account, their language, then a stranger's
activation code, a member's keyword, or the answer to the chat's open question (kept in the database,
handlers.zalo.dialogs.base). The unit of work commits before this returns, so whatever a reply says was
saved is saved before it is sent, and no transaction is open while the caller talks to Zalo.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from compliance.office.accounts import ChannelUser
from compliance.office.officials import load_actor
from handlers.i18n import use_locale
from handlers.messages import OutMessage
from handlers.zalo import groups
from handlers.zalo.dialogs import (
    account,
    approvals,
    consent,
    joining,
    menu,
    pledge,
    quiz,
    reminder,
    report,
    selfcheck,
    verify,
)
from handlers.zalo.dialogs.base import Open, Replies, Turn, fold, numbers
from handlers.zalo.inbound import TEXT, ZaloIncoming, ZaloServices
from storage.clock import utcnow
from storage.models import Channel

Start = Callable[[Turn], Awaitable[Replies]]
Answer = Callable[[Turn, Open], Awaitable[Replies]]


async def _menu(turn: Turn) -> Replies:
    return [await menu.show_menu(turn)]


async def _help(turn: Turn) -> Replies:
    return [menu.help_message(turn.me, groups=turn.services.zalo_groups), await menu.show_menu(turn)]


async def _cancel(turn: Turn) -> Replies:
    # Answers already given (a self-check item, a quiz question) were saved one by one and stay; what is
    # dropped is the step in progress, and a pledge is only recorded at ĐỒNG Ý.
    dialog = turn.open.dialog if turn.open is not None else None
    await turn.close()
    return [menu.cancelled(dialog)]


# What each keyword starts (reports check the role themselves: an official gets their own card).
STARTS: dict[str, Start] = {
    menu.MENU: _menu,
    menu.HELP: _help,
    menu.CANCEL: _cancel,
    menu.SIGN: pledge.start,
    menu.SELF_CHECK: selfcheck.start,
    menu.QUIZ: quiz.start,
    menu.RECEIVED: account.acknowledge,
    menu.ME: account.me,
    menu.LANGUAGE: account.language,
    menu.WEB: account.web,
    menu.REPORT: report.report,
    menu.READ: reminder.read,
    menu.PENDING: approvals.pending,
    menu.INVITE: approvals.invite,
}


async def _menu_choice(turn: Turn, opened: Open) -> Replies:
    keys = [str(key) for key in opened.data.get("keys", [])]
    given = numbers(turn.text)
    if given is None or len(given) != 1 or not 1 <= given[0] <= len(keys) or keys[given[0] - 1] not in STARTS:
        return [await menu.show_menu(turn, intro=menu.no_open_question())]
    await turn.close()
    return await STARTS[keys[given[0] - 1]](turn)


# Who answers the open question of each dialog.
ANSWERS: dict[str, Answer] = {
    menu.MENU: _menu_choice,
    pledge.DIALOG: pledge.answer,
    selfcheck.DIALOG: selfcheck.answer,
    quiz.DIALOG: quiz.answer,
    account.DIALOG: account.language_chosen,
}


async def respond(incoming: ZaloIncoming, services: ZaloServices) -> list[OutMessage]:
    """One unit of work per message (opened here); the answers are sent by the caller afterwards, with no
    transaction open."""
    if not incoming.private:
        # Groups are a test on Zalo's side (issue 15, Groups): answered only with ZALO_GROUPS on.
        return await groups.respond(incoming, services) if services.zalo_groups else []
    async with services.database.unit_of_work() as session:
        actor = await load_actor(
            session,
            user=ChannelUser(Channel.ZALO, incoming.user_id),
            display_name=incoming.display_name,
            language_code=None,
            admin_ids=frozenset(),  # ADMIN_IDS are Telegram ids
            default_locale=services.default_locale,
        )
        text = incoming.text if incoming.event == TEXT and incoming.text else ""
        turn = Turn(session, incoming, services, actor, utcnow(), text=text)
        with use_locale(actor.locale if actor is not None and actor.locale else services.default_locale):
            if actor is None:
                return [joining.how_to_join()] if not text else await joining.stranger(turn)
            # Consent first (the notice until answered; RUT DONG Y): handlers.zalo.dialogs.consent.
            first = await consent.before_anything(turn)
            return first if first is not None else await _member(turn)


async def _member(turn: Turn) -> Replies:
    opened = await turn.load_open()
    if not turn.text:
        return [menu.not_text()]  # a picture or a sticker: the open question still waits
    folded = fold(turn.text)
    decision = approvals.decision_of(folded)  # "DUYET 12": a keyword carrying a join request's number
    if decision is not None:
        await turn.close()
        return await approvals.decide(turn, *decision)
    if verify.asks_to_verify(folded):  # "XAC MINH <code>": the code as typed, not folded
        await turn.close()
        return await verify.verify(turn, folded)
    if turn.services.zalo_groups and groups.asks_for_code(folded):  # "LIEN KET NHOM [unit code]"
        await turn.close()
        return await groups.link_code(turn)
    keyword = menu.keyword_of(folded)
    if keyword is not None:
        if keyword != menu.CANCEL:
            await turn.close()  # a keyword starts afresh: the question before it is no longer asked
        return await STARTS[keyword](turn)
    if opened is not None and opened.dialog in ANSWERS:
        return await ANSWERS[opened.dialog](turn, opened)
    intro = menu.no_open_question() if numbers(turn.text) is not None else None
    return [await menu.show_menu(turn, intro=intro)]
