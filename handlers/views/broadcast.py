"""What /broadcast says while a plan update is composed: each step's question, its refusals, the summary
before confirming and the outcome. The copy recipients get is handlers.views.broadcasts'."""

from __future__ import annotations

from datetime import datetime

from handlers.i18n import _, fmt_datetime, fmt_number
from handlers.messages import Choice, OutMessage, esc, row

EXAMPLE_TIME = "25/12/2026 08:00"


def not_allowed() -> OutMessage:
    return OutMessage(_("Only administrators and unit heads can send plan updates."))


def ask_text(limit: int, caption_limit: int) -> OutMessage:
    return OutMessage(
        _(
            "<b>New plan update</b>\nWrite the text recipients will read (at most {limit} characters; "
            "{caption} if you attach a file). /cancel stops at any step."
        ).format(limit=fmt_number(limit), caption=fmt_number(caption_limit))
    )


def empty_text() -> OutMessage:
    return OutMessage(_("The text is empty. Write the plan update, or /cancel."))


def text_too_long(length: int, limit: int) -> OutMessage:
    return OutMessage(
        _("The text is too long: {length} characters, at most {limit}. Shorten it and send it again.").format(
            length=fmt_number(length), limit=fmt_number(limit)
        )
    )


def _no_attachment() -> tuple[tuple[Choice, ...], ...]:
    return (row(Choice(_("No attachment"), "bc:skip")),)


def ask_attachment() -> OutMessage:
    return OutMessage(
        _(
            "Send a document (for example the signed plan as PDF) or a photo to attach, "
            "or press “No attachment”."
        ),
        choices=_no_attachment(),
    )


def caption_too_long(length: int, limit: int) -> OutMessage:
    return OutMessage(
        _(
            "With a file the text can have at most {limit} characters (a caption), "
            "and yours has {length}. Press “No attachment”, "
            "or /broadcast to start again with a shorter text."
        ).format(length=fmt_number(length), limit=fmt_number(limit)),
        choices=_no_attachment(),
    )


def not_a_file() -> OutMessage:
    return OutMessage(_("Send a document or a photo, or press “No attachment”."))


def ask_target(*, admin: bool) -> OutMessage:
    everyone = _("Everyone") if admin else _("Everyone in my unit")
    return OutMessage(
        _("Who should receive it?"),
        choices=(
            row(Choice(everyone, "bc:t:all"), Choice(_("Chosen units"), "bc:t:units")),
            row(Choice(_("Unit heads only"), "bc:t:heads"), Choice(_("Linked unit groups"), "bc:t:groups")),
        ),
    )


def units_refused(unknown: list[str], outside: list[str]) -> OutMessage:
    problems = []
    if unknown:
        problems.append(_("Unknown unit codes: {codes}.").format(codes=esc(", ".join(unknown))))
    if outside:
        problems.append(
            _("Outside the units you may send to: {codes}.").format(codes=esc(", ".join(outside)))
        )
    problems.append(_("Type the unit codes again, or /cancel."))
    return OutMessage("\n".join(problems))


def ask_when() -> OutMessage:
    return OutMessage(
        _(
            "When? Press “Send now”, or type a date and time in Viet Nam's time, for example {example}."
        ).format(example=EXAMPLE_TIME),
        choices=(row(Choice(_("Send now"), "bc:w:now")),),
    )


def not_a_time() -> OutMessage:
    return OutMessage(
        _(
            "That is not a date and time in the future (within a year). Example: {example}. Or /cancel."
        ).format(example=EXAMPLE_TIME)
    )


def ask_ack() -> OutMessage:
    return OutMessage(
        _("Should recipients confirm they received it (a “Received” button)?"),
        choices=(row(Choice(_("Yes, ask for confirmation"), "bc:a:1"), Choice(_("No"), "bc:a:0")),),
    )


def incomplete() -> str:
    return _("This draft is incomplete. Start again with /broadcast.")


def preview_heading() -> OutMessage:
    return OutMessage(_("<b>Preview</b>: recipients will see exactly the next message."))


def summary(recipients: int, send_at: datetime | None, requires_ack: bool, not_joined: int) -> OutMessage:
    """What confirming will do; no buttons when nobody would receive it (the draft is dropped)."""
    when = fmt_datetime(send_at) if send_at is not None else _("now")
    text = _("Recipients: <b>{n}</b>. Sending: {when}. Confirmation asked: {ack}.").format(
        n=fmt_number(recipients), when=when, ack=_("yes") if requires_ack else _("no")
    )
    if not_joined:
        text += "\n" + _(
            "{n} of the people it is meant for have not joined the bot and will not receive it."
        ).format(n=fmt_number(not_joined))
    if recipients == 0:
        return OutMessage(
            text + "\n" + _("Nobody would receive it: choose other recipients with /broadcast.")
        )
    return OutMessage(
        text, choices=(row(Choice(_("✅ Confirm and send"), "bc:ok"), Choice(_("✖ Cancel"), "bc:no")),)
    )


def created(broadcast_id: int, total: int, send_at: datetime, *, scheduled: bool) -> OutMessage:
    if scheduled:
        text = _(
            "Plan update no. {id} is scheduled for {when}, to {n} recipients. "
            "/broadcasts to follow or cancel it."
        )
    else:
        text = _("Plan update no. {id}: sending to {n} recipients…")
    return OutMessage(text.format(id=broadcast_id, when=fmt_datetime(send_at), n=fmt_number(total)))


def cancelled() -> OutMessage:
    return OutMessage(_("Cancelled. Nothing was sent."))
