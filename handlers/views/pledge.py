"""What /pledge says: the sections to read, the quiz before signing, the name to type, the confirmation."""

from __future__ import annotations

from datetime import datetime

from compliance.pledge.templates import PledgeTemplate, section_text
from handlers.i18n import _, current_locale, fmt_datetime
from handlers.messages import Choice, OutMessage, esc, row
from handlers.views.sources import source_line


def title_of(template: PledgeTemplate) -> str:
    return esc(template.title.get(current_locale()))


def no_pledge() -> OutMessage:
    return OutMessage(_("No pledge has been published for your unit yet."))


def already_signed(template: PledgeTemplate, signed_at: datetime) -> OutMessage:
    return OutMessage(
        _("You signed <b>{title}</b> on {date}. Type /mypledge to get your receipt again.").format(
            title=title_of(template), date=fmt_datetime(signed_at)
        )
    )


def choose_who(template: PledgeTemplate) -> OutMessage:
    return OutMessage(
        _("Do you sign <b>{title}</b> for yourself or on behalf of your unit?").format(
            title=title_of(template)
        ),
        choices=(
            row(Choice(_("For myself"), "pl:who:me")),
            row(Choice(_("On behalf of my unit"), "pl:who:unit")),
        ),
    )


def half_signed_note(template: PledgeTemplate, *, signed_at: datetime, for_unit: bool) -> str:
    """A head half-way (one of the two signatures made) is told which one this is, and that the other
    stands."""
    note = (
        _("You signed <b>{title}</b> on behalf of your unit on {date}. Now you sign it for yourself.")
        if for_unit
        else _("You signed <b>{title}</b> for yourself on {date}. Now you sign it on behalf of your unit.")
    )
    return note.format(title=title_of(template), date=fmt_datetime(signed_at))


def section(template: PledgeTemplate, index: int, *, note: str | None = None) -> OutMessage:
    locale = current_locale()
    part = template.sections[index]
    first_number = 1 + sum(len(s.items) for s in template.sections[:index])
    body = esc(section_text(template, part, locale, first_number))
    lines = body.split("\n", 1)
    text = f"<b>{lines[0]}</b>\n{lines[1]}" if len(lines) == 2 else body
    if index == 0:
        header = f"<b>{esc(template.title.get(locale))}</b>"
        if (source := source_line(template.source)) is not None:
            header += f"\n{esc(source)}"
        header += f"\n<i>{esc(template.introduction.get(locale))}</i>"
        text = f"{header}\n\n{text}"
    if note:
        text = f"{note}\n\n{text}"
    text += "\n\n" + _("Part {n} of {total}").format(n=index + 1, total=len(template.sections))
    return OutMessage(text, choices=(row(Choice(_("Next ▶"), f"pl:next:{index}")),))


def question(template: PledgeTemplate, index: int, *, prefix: str = "") -> OutMessage:
    locale = current_locale()
    asked = template.quiz[index]
    text = prefix + _("<b>Question {n} of {total}</b>\n{question}").format(
        n=index + 1, total=len(template.quiz), question=esc(asked.question.get(locale))
    )
    choices = tuple(
        row(Choice(option.get(locale), f"pl:q:{index}:{n}")) for n, option in enumerate(asked.options)
    )
    return OutMessage(text, choices=choices)


def verdict(template: PledgeTemplate, index: int, *, correct: bool) -> str:
    """Put before the next question (or sent alone after the last one)."""
    explanation = esc(template.quiz[index].explanation.get(current_locale()))
    if correct:
        return _("✅ Correct. {explanation}").format(explanation=explanation) + "\n\n"
    return _("✖ Not quite. {explanation}\nPlease try again.").format(explanation=explanation) + "\n\n"


def ask_name() -> OutMessage:
    return OutMessage(
        _("To sign, type your full name exactly as it stands in the staff list. Send /cancel to stop.")
    )


def name_mismatch(full_name: str) -> OutMessage:
    return OutMessage(
        _(
            "This name does not match the staff list. Type your full name with its diacritics, family "
            "name first, as the staff list writes it ({words} words). Send /cancel to stop."
        ).format(words=len(full_name.split()))
    )


def confirm(template: PledgeTemplate, *, full_name: str, unit_name: str | None, for_unit: bool) -> OutMessage:
    title = title_of(template)
    if for_unit:
        text = _(
            "<b>{name}</b>, by pressing the button below you pledge, on behalf of <b>{unit}</b>, to carry "
            "out {title}."
        ).format(name=esc(full_name), unit=esc(unit_name), title=title)
    else:
        text = _("<b>{name}</b>, by pressing the button below you pledge to carry out {title}.").format(
            name=esc(full_name), title=title
        )
    return OutMessage(text, choices=(row(Choice(_("I pledge to carry this out"), "pl:ok")),))


def cannot_record() -> str:
    return _("This signature cannot be recorded. Start again with /pledge.")


def signed(signed_at: datetime) -> OutMessage:
    return OutMessage(
        _("✅ Signed on {date}. Your receipt follows.").format(date=fmt_datetime(signed_at)), edit=True
    )


def changed() -> OutMessage:
    return OutMessage(_("The pledge has changed while you were reading. Please start again with /pledge."))


def cancelled() -> OutMessage:
    return OutMessage(_("Cancelled. Nothing was recorded."))
