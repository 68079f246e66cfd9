"""KY: read the pledge in messages split between items, (answer its questions,) type the full name, then
ĐỒNG Ý: the same signing as the chat's /pledge and the web page (compliance.pledge.signing.sign), which
checks everything again whatever the stored step says; the receipt as text with its verification code and
a one-time link to the receipt page, and the receipt drawn as a picture (Zalo carries no PDF)."""

from __future__ import annotations

import asyncio
from datetime import datetime

from compliance.office.web_access import issue_link
from compliance.pledge import signing as pledges
from compliance.pledge.ledger import verification_code
from compliance.pledge.receipt_image import receipt_png
from compliance.pledge.receipts import issuer_names
from compliance.pledge.signing import SignOutcome, Version
from compliance.pledge.templates import PledgeTemplate
from handlers.i18n import _, current_locale, fmt_datetime
from handlers.messages import OutMessage, esc
from handlers.views import pledge as views
from handlers.views.receipt_card import receipt_card, receipt_picture
from handlers.views.sources import source_line
from handlers.zalo.dialogs.base import Open, Replies, Turn, fold, numbers
from storage.models import Unit
from storage.models_pledge import Signature

DIALOG = "pledge"
LIMIT = 1900  # Zalo takes 2 000 characters a message; the markup counted too leaves a margin
AGREE = "dong y"
RECEIPT_PATH = "/pledge/receipt"


async def _current(turn: Turn) -> Version | None:
    unit = await turn.session.get(Unit, turn.me.unit_id) if turn.me.unit_id else None
    return await pledges.current_version(turn.session, unit)


async def _receipt_link(turn: Turn) -> str:
    token = await issue_link(turn.session, official_id=turn.me.id, issued_by="zalo", next_path=RECEIPT_PATH)
    return turn.link(token)


async def start(turn: Turn) -> Replies:
    actor = turn.me
    version = await _current(turn)
    if version is None:
        return [views.no_pledge()]
    personal = await pledges.existing_signature(
        turn.session, official_id=actor.id, version_id=version.id, on_behalf_of_unit=False
    )
    may_for_unit = actor.is_head and actor.unit_id is not None
    unit_signed = (
        await pledges.existing_signature(
            turn.session, official_id=actor.id, version_id=version.id, on_behalf_of_unit=True
        )
        if may_for_unit
        else None
    )
    if personal is not None and (not may_for_unit or unit_signed is not None):
        return [already_signed(version.template, personal.signed_at, await _receipt_link(turn))]
    if may_for_unit and personal is None and unit_signed is None:
        await turn.ask(DIALOG, "who", version=version.id)
        return [views.choose_who(version.template)]
    half = unit_signed or personal
    note = (
        views.half_signed_note(version.template, signed_at=half.signed_at, for_unit=unit_signed is not None)
        if half is not None
        else None
    )
    return await _read(turn, version, for_unit=personal is not None, note=note)


async def _read(turn: Turn, version: Version, *, for_unit: bool, note: str | None = None) -> Replies:
    """The whole text, then the first question (if the template asks them) or the name."""
    replies = [OutMessage(chunk) for chunk in pledge_chunks(version.template, note=note)]
    template = version.template
    if template.require_quiz and template.quiz:
        await turn.ask(DIALOG, "quiz", version=version.id, unit=for_unit, index=0)
        return [*replies, views.question(template, 0)]
    await turn.ask(DIALOG, "name", version=version.id, unit=for_unit)
    return [*replies, ask_name()]


def pledge_chunks(template: PledgeTemplate, *, note: str | None = None, limit: int = LIMIT) -> list[str]:
    """The pledge as the chat shows it (title, introduction, sections with items numbered through), cut
    into messages of at most `limit` characters, only between items (an item longer than a message,
    which no real pledge has, is cut between words)."""
    locale = current_locale()
    lines = [f"<b>{esc(template.title.get(locale))}</b>"]
    if (source := source_line(template.source)) is not None:
        lines.append(esc(source))
    lines.append(f"<i>{esc(template.introduction.get(locale))}</i>")
    if note:
        lines = [note, "", *lines]
    number = 1
    for section in template.sections:
        lines += ["", f"<b>{esc(section.title.get(locale))}</b>"]
        for item in section.items:
            lines.append(f"{number}. {esc(item.text.get(locale))}")
            number += 1
    chunks: list[str] = []
    current = ""
    for line in (piece for whole in lines for piece in _cut(whole, limit)):
        joined = f"{current}\n{line}" if current else line
        if len(joined) <= limit:
            current = joined
            continue
        chunks.append(current.strip("\n"))
        current = line
    if current.strip():
        chunks.append(current.strip("\n"))
    return chunks


def _cut(line: str, limit: int) -> list[str]:
    pieces: list[str] = []
    while len(line) > limit:
        cut = line.rfind(" ", 0, limit)
        cut = cut if cut > 0 else limit
        pieces.append(line[:cut])
        line = line[cut:].lstrip()
    return [*pieces, line]


async def answer(turn: Turn, opened: Open) -> Replies:
    version = await _current(turn)
    if version is None or version.id != opened.data.get("version"):
        await turn.close()
        return [views.changed()]
    for_unit = bool(opened.data.get("unit"))
    if opened.step == "who":
        chosen = numbers(turn.text)
        if chosen not in ([1], [2]):
            return [OutMessage(_("Reply 1 or 2.")), views.choose_who(version.template)]
        return await _read(turn, version, for_unit=chosen == [2])
    if opened.step == "quiz":
        return await _quiz_answer(turn, opened, version, for_unit)
    if opened.step == "name":
        return await _name(turn, version, for_unit)
    if opened.step == "confirm":
        return await _confirm(turn, opened, version, for_unit)
    await turn.close()
    return []


async def _quiz_answer(turn: Turn, opened: Open, version: Version, for_unit: bool) -> Replies:
    template = version.template
    index = int(opened.data.get("index", 0))
    if not 0 <= index < len(template.quiz):
        await turn.close()
        return [views.changed()]
    options = len(template.quiz[index].options)
    chosen = numbers(turn.text)
    if chosen is None or len(chosen) != 1 or not 1 <= chosen[0] <= options:
        hint = _("Reply with the number of your answer (1 to {n}).").format(n=options)
        return [OutMessage(hint), views.question(template, index)]
    correct = chosen[0] - 1 == template.quiz[index].answer
    prefix = views.verdict(template, index, correct=correct)
    if not correct:
        return [views.question(template, index, prefix=prefix)]
    if index + 1 < len(template.quiz):
        await turn.ask(DIALOG, "quiz", version=version.id, unit=for_unit, index=index + 1)
        return [views.question(template, index + 1, prefix=prefix)]
    await turn.ask(DIALOG, "name", version=version.id, unit=for_unit)
    return [OutMessage(prefix.strip()), ask_name()]


async def _name(turn: Turn, version: Version, for_unit: bool) -> Replies:
    typed = turn.text
    if not pledges.name_matches(typed, turn.me.full_name):
        return [name_mismatch(turn.me.full_name)]
    await turn.ask(DIALOG, "confirm", version=version.id, unit=for_unit, name=typed)
    return [
        confirm(version.template, full_name=turn.me.full_name, unit_name=turn.me.unit_name, for_unit=for_unit)
    ]


async def _confirm(turn: Turn, opened: Open, version: Version, for_unit: bool) -> Replies:
    if fold(turn.text) != AGREE:
        return [OutMessage(_("To sign, type ĐỒNG Ý. To stop, type HUY."))]
    result = await pledges.sign(
        turn.session,
        actor=turn.me,
        version_id=version.id,
        typed_name=str(opened.data.get("name", "")),
        locale=current_locale(),
        chat_id=pledges.ZALO_CHAT_ID,
        message_id=pledges.ZALO_MESSAGE_ID,
        on_behalf_of_unit=for_unit,
        now=turn.now,
    )
    await turn.close()
    if result.outcome is SignOutcome.NOT_CURRENT:
        return [views.changed()]
    if result.outcome is SignOutcome.ALREADY_SIGNED and result.signature is not None:
        return [already_signed(version.template, result.signature.signed_at, await _receipt_link(turn))]
    if result.outcome is not SignOutcome.SIGNED or result.signature is None:
        return [OutMessage(views.cannot_record())]
    signature = result.signature
    # The unit of work commits before respond() returns, so the row is in the ledger before this is sent.
    return [
        signed(
            signature.signed_at,
            verification_code(signature.row_hash),
            signature.id,
            await _receipt_link(turn),
        ),
        await _receipt_picture(turn, signature),
    ]


async def _receipt_picture(turn: Turn, signature: Signature) -> OutMessage:
    """The receipt drawn as a picture: Zalo carries no PDF, and a picture stays in the chat."""
    facts = await pledges.receipt_facts(turn.session, signature)
    office, _unit = await issuer_names(turn.session, signature.unit_id)
    card = receipt_card(signature, facts, office)
    # Drawing takes a tenth of a second of CPU: off the event loop.
    return receipt_picture(signature, await asyncio.to_thread(receipt_png, card))


def ask_name() -> OutMessage:
    return OutMessage(
        _("To sign, type your full name exactly as it stands in the staff list. To stop, type HUY.")
    )


def name_mismatch(full_name: str) -> OutMessage:
    return OutMessage(
        _(
            "This name does not match the staff list. Type your full name with its diacritics, family "
            "name first, as the staff list writes it ({words} words). To stop, type HUY."
        ).format(words=len(full_name.split()))
    )


def confirm(template: PledgeTemplate, *, full_name: str, unit_name: str | None, for_unit: bool) -> OutMessage:
    title = views.title_of(template)
    if for_unit:
        text = _(
            "<b>{name}</b>, by typing ĐỒNG Ý you pledge, on behalf of <b>{unit}</b>, to carry out {title}. "
            "To stop, type HUY."
        ).format(name=esc(full_name), unit=esc(unit_name), title=title)
    else:
        text = _(
            "<b>{name}</b>, by typing ĐỒNG Ý you pledge to carry out {title}. To stop, type HUY."
        ).format(name=esc(full_name), title=title)
    return OutMessage(text)


def signed(signed_at: datetime, code: str, row: int, link: str) -> OutMessage:
    return OutMessage(
        _(
            "✅ Signed on {date} (ledger entry no. {row}). Verification code: <b>{code}</b>\n"
            "Your receipt and its PDF: {link} (the link works once, for 10 minutes; type KY for a new one)"
        ).format(date=fmt_datetime(signed_at), row=row, code=esc(code), link=esc(link)),
        link_preview=False,
    )


def already_signed(template: PledgeTemplate, signed_at: datetime, link: str) -> OutMessage:
    return OutMessage(
        _("You signed <b>{title}</b> on {date}. Your receipt: {link} (works once, for 10 minutes)").format(
            title=views.title_of(template), date=fmt_datetime(signed_at), link=esc(link)
        ),
        link_preview=False,
    )
