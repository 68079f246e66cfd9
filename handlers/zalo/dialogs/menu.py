"""The keywords a member types instead of pressing buttons, the numbered menu and the help that lists them.

A keyword is matched on the folded text (handlers.zalo.dialogs.base.fold): "Tự đánh giá", "TU DANH GIA"
and "tu danh gia" are one keyword. The Telegram commands a shared text may mention ("/cancel", "/pledge")
are accepted too, so no text the bot sends on Zalo points at something that does not work there.
"""

from __future__ import annotations

from dataclasses import dataclass

from compliance.office.officials import Actor
from handlers.i18n import _
from handlers.messages import Choice, OutMessage, esc, row
from handlers.zalo.dialogs import quiz, selfcheck
from handlers.zalo.dialogs.base import Turn

MENU, SIGN, SELF_CHECK, QUIZ, RECEIVED = "menu", "ky", "tu danh gia", "trac nghiem", "da nhan"
ME, HELP, LANGUAGE, CANCEL, WEB, REPORT = "toi", "tro giup", "ngon ngu", "huy", "web", "bao cao"
READ, PENDING, INVITE = "da doc", "cho duyet", "moi"
# Said by their own modules (dialogs.consent, handlers.zalo.groups), listed here for the help.
WITHDRAW, GROUP_LINK = "rut dong y", "lien ket nhom"
# Followed by a join request's number ("duyet 12"): handlers.zalo.dialogs.approvals reads them.
APPROVE, REJECT = "duyet", "tu choi"

# Folded spellings → the keyword they mean (the keyword itself included).
ALIASES: dict[str, str] = {
    MENU: MENU,
    "/start": MENU,
    "/menu": MENU,
    "bat dau": MENU,
    SIGN: SIGN,
    "ky cam ket": SIGN,
    "/pledge": SIGN,
    "sign": SIGN,
    SELF_CHECK: SELF_CHECK,
    "tudanhgia": SELF_CHECK,
    "/checkin": SELF_CHECK,
    QUIZ: QUIZ,
    "/quiz": QUIZ,
    "quiz": QUIZ,
    RECEIVED: RECEIVED,
    "danhan": RECEIVED,
    ME: ME,
    "/me": ME,
    HELP: HELP,
    "/help": HELP,
    "help": HELP,
    LANGUAGE: LANGUAGE,
    "/lang": LANGUAGE,
    "language": LANGUAGE,
    CANCEL: CANCEL,
    "/cancel": CANCEL,
    "cancel": CANCEL,
    WEB: WEB,
    "/web": WEB,
    REPORT: REPORT,
    "/report": REPORT,
    "report": REPORT,
    READ: READ,
    "dadoc": READ,
    "read": READ,
    PENDING: PENDING,
    "yeu cau": PENDING,
    "/pending": PENDING,
    INVITE: INVITE,
    "ma moi": INVITE,
    "/invite": INVITE,
    APPROVE: PENDING,  # without a number: which requests there are to approve
    REJECT: PENDING,
}


def keyword_of(folded: str) -> str | None:
    return ALIASES.get(folded)


@dataclass(frozen=True)
class Entry:
    keyword: str
    label: str  # what the line says; the keyword in capitals follows it


def entries(actor: Actor) -> list[Entry]:
    """The menu's lines for this person, in the order they are numbered."""
    shown = [
        Entry(SIGN, _("Sign the pledge")),
        Entry(SELF_CHECK, _("Weekly self-check")),
        Entry(QUIZ, _("Quiz")),
        Entry(RECEIVED, _("Confirm a plan update as received")),
        Entry(ME, _("My details")),
        Entry(WEB, _("My web page (a one-time link)")),
        Entry(LANGUAGE, _("Language")),
    ]
    if actor.is_head or actor.is_admin:
        shown.append(Entry(REPORT, _("Report of my unit")))
        shown.append(Entry(PENDING, _("Join requests waiting for approval")))
        shown.append(Entry(INVITE, _("An invite code for my unit")))
    return shown


def _line(entry: Entry) -> str:
    return _("{label} (type {keyword})").format(label=entry.label, keyword=entry.keyword.upper())


async def show_menu(turn: Turn, *, intro: str | None = None) -> OutMessage:
    """The numbered menu; a bare number then answers it."""
    shown = entries(turn.me)
    await turn.ask(MENU, "choose", keys=[entry.keyword for entry in shown])
    text = _("<b>Menu</b>: reply with a number, or type a keyword.")
    if intro:
        text = f"{intro}\n\n{text}"
    return OutMessage(text, choices=tuple(row(Choice(_line(entry), entry.keyword)) for entry in shown))


def help_message(actor: Actor, *, groups: bool = False) -> OutMessage:
    """Every keyword, what it does, and how numbered questions work; group linking where groups are on."""
    lines = [_("<b>What you can type</b> (with or without accents):")]
    lines += [f"• {esc(entry.keyword.upper())}: {entry.label}" for entry in entries(actor)]
    if actor.is_head or actor.is_admin:
        lines.append("• XAC MINH …: " + _("check a pledge receipt by its verification code"))
    if groups and (actor.is_head or actor.is_admin):
        lines.append(f"• {GROUP_LINK.upper()}: " + _("a one-time code to link your unit's Zalo group"))
    lines += [
        f"• {READ.upper()}: " + _("mark today's pledge item as read"),
        f"• {WITHDRAW.upper()}: " + _("withdraw your consent to the processing of your data"),
        f"• {MENU.upper()}: " + _("the numbered menu"),
        f"• {HELP.upper()}: " + _("this help"),
        f"• {CANCEL.upper()}: " + _("stop what you are doing"),
        "",
        _(
            "When I ask a question with numbered answers, reply with the number only. A question waits "
            "30 minutes for its answer."
        ),
    ]
    return OutMessage("\n".join(lines))


def no_open_question() -> str:
    return _("There is no question waiting for that answer (it may have expired).")


def not_text() -> OutMessage:
    return OutMessage(_("I can read text messages only. Type MENU to see what you can do."))


def cancelled(dialog: str | None) -> OutMessage:
    """Said after HUY: a pledge is only recorded at ĐỒNG Ý; a self-check's or a quiz's answers were saved
    one by one and stay."""
    if dialog is None or dialog == MENU:
        return OutMessage(_("There is nothing to cancel."))
    if dialog in (selfcheck.DIALOG, quiz.DIALOG):
        return OutMessage(
            _("Stopped. The answers you already gave are kept; type the keyword again to go on.")
        )
    return OutMessage(_("Cancelled. Nothing was recorded."))
