"""What is said after a plan update is confirmed: the "Received" toasts, /broadcasts and each one's
detail, reminders, stopping, the recipients' Excel file and the sender's progress message."""

from __future__ import annotations

from datetime import datetime

from compliance.broadcasts.followup import BroadcastLine, Detail, RemindOutcome
from compliance.broadcasts.sending import StopOutcome
from compliance.broadcasts.status import ChannelFigures, Progress, ProgressView
from handlers.i18n import _, fmt_datetime, fmt_number
from handlers.messages import Attachment, AttachmentKind, Choice, OutMessage, esc, row
from storage.models import Channel

EXCERPT = 60


def not_your_copy() -> str:
    return _("This copy was not sent to you: nothing was recorded.")


def already_confirmed(acked_at: datetime) -> str:
    return _("Already confirmed on {time}.").format(time=fmt_datetime(acked_at))


def thanks() -> str:
    return _("Thank you, recorded.")


def status_name(status: str) -> str:
    names = {
        "scheduled": _("scheduled"),
        "sending": _("sending"),
        "done": _("delivered"),
        "stopped": _("stopped"),
        "cancelled": _("cancelled"),
    }
    return names.get(status, status)


def _figures_line(progress: Progress, requires_ack: bool) -> str:
    line = _("delivered {sent}/{total}, failed {failed}").format(
        sent=fmt_number(progress.sent), total=fmt_number(progress.total), failed=fmt_number(progress.failed)
    )
    if progress.cancelled:
        line += _(", not sent (stopped) {n}").format(n=fmt_number(progress.cancelled))
    if requires_ack:
        line += _(", confirmed {n}").format(n=fmt_number(progress.acknowledged))
    return line


def channel_name(channel: Channel) -> str:
    names = {Channel.TELEGRAM: "Telegram", Channel.ZALO: "Zalo", Channel.WEB: _("Web pages")}
    return names.get(channel, str(channel))


def channel_line(figures: ChannelFigures, requires_ack: bool) -> str:
    """One channel's figures of a plan update, e.g. "Zalo: delivered 40/42, failed 1, confirmed 30"."""
    line = _("{channel}: delivered {sent}/{total}, failed {failed}").format(
        channel=channel_name(figures.channel),
        sent=fmt_number(figures.sent),
        total=fmt_number(figures.total),
        failed=fmt_number(figures.failed),
    )
    if requires_ack:
        line += _(", confirmed {n}").format(n=fmt_number(figures.acknowledged))
    return line


def _channel_lines(progress: Progress, requires_ack: bool) -> list[str]:
    """Per channel, only when the copies went out on more than one (one channel's line would repeat the
    totals)."""
    if len(progress.by_channel) < 2:
        return []
    return ["• " + channel_line(figures, requires_ack) for figures in progress.by_channel]


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT else text[:EXCERPT] + "…"


def recent(lines: list[BroadcastLine]) -> OutMessage:
    """/broadcasts: the recent plan updates with their figures, a button each for its detail."""
    if not lines:
        return OutMessage(_("No plan updates yet. /broadcast composes one."))
    text = [_("<b>Recent plan updates</b>")]
    for line in lines:
        text.append(
            _("<b>No. {id}</b> ({when}, {status}): {excerpt}\n{figures}").format(
                id=line.id,
                when=fmt_datetime(line.send_at),
                status=status_name(line.status),
                excerpt=esc(_excerpt(line.text)),
                figures=_figures_line(line.progress, line.requires_ack),
            )
        )
    choices = tuple(
        row(Choice(_("No. {id}: details").format(id=line.id), f"bc:d:{line.id}")) for line in lines
    )
    return OutMessage("\n\n".join(text), choices=choices)


def reminded(outcome: RemindOutcome, planned: int) -> str:
    messages = {
        RemindOutcome.PLANNED: _("Reminder sent to {n} people."),
        RemindOutcome.NOTHING_TO_DO: _("Nobody to remind: all confirmed, or they were reminded today."),
        RemindOutcome.NO_ACK: _("This plan update asks for no confirmation."),
    }
    return messages[outcome].format(n=fmt_number(planned))


def stopped(outcome: StopOutcome, broadcast_id: int, unsent: int) -> OutMessage:
    texts = {
        StopOutcome.STOPPED: _("Plan update no. {id} stopped: {n} messages were left unsent."),
        StopOutcome.CANCELLED: _("Plan update no. {id} cancelled before it started: nothing was sent."),
        StopOutcome.ALREADY_OVER: _("Plan update no. {id} has already finished."),
    }
    return OutMessage(texts[outcome].format(id=broadcast_id, n=fmt_number(unsent)))


def detail(found: Detail) -> OutMessage:
    """One plan update: its figures, who has not confirmed by unit, and what can be done with it."""
    line = found.line
    text = [
        _("<b>Plan update no. {id}</b> ({status}), sent {when}:").format(
            id=line.id, status=status_name(line.status), when=fmt_datetime(line.send_at)
        ),
        esc(_excerpt(line.text)),
        _figures_line(line.progress, line.requires_ack),
        *_channel_lines(line.progress, line.requires_ack),
    ]
    if line.requires_ack:
        text.append(_("<b>Not confirmed yet: {n}</b>").format(n=fmt_number(found.not_acknowledged)))
        for group in found.pending_by_unit:
            names = ", ".join(esc(n) for n in group.names)
            more = group.count - len(group.names)
            suffix = _(" and {n} more").format(n=fmt_number(more)) if more else ""
            text.append(f"• <b>{esc(group.unit_name)}</b> ({fmt_number(group.count)}): {names}{suffix}")
    choices = [row(Choice(_("Excel of recipients"), f"bc:x:{line.id}"))]
    if line.requires_ack and found.not_acknowledged:
        choices.append(row(Choice(_("Remind those not confirmed"), f"bc:r:{line.id}")))
    if line.status in ("scheduled", "sending"):
        label = _("Cancel it") if line.status == "scheduled" else _("Stop sending")
        choices.append(row(Choice(label, f"bc:s:{line.id}")))
    return OutMessage("\n".join(text), choices=tuple(choices))


def recipient_states() -> dict[str, str]:
    return {
        "sent": _("delivered"),
        "failed": _("failed"),
        "pending": _("waiting"),
        "sending": _("sending"),
        "cancelled": _("not sent (stopped)"),
        "unreachable": _("blocked the bot"),
    }


def recipients_sheet() -> tuple[str, list[str]]:
    """The recipients' Excel sheet: its title and its columns."""
    return _("Recipients"), [_("Name"), _("Unit"), _("Delivery"), _("Sent at"), _("Confirmed at")]


def recipients_document(content: bytes, broadcast_id: int, send_at: datetime, count: int) -> OutMessage:
    caption = _(
        "Recipients of plan update no. {id} of {date}: {n} people, with delivery and confirmation (Excel)"
    ).format(id=broadcast_id, date=fmt_datetime(send_at), n=fmt_number(count))
    return OutMessage(
        caption,
        attachment=Attachment(
            AttachmentKind.DOCUMENT, f"thong-bao-{broadcast_id}-nguoi-nhan.xlsx", data=content
        ),
    )


def progress_text(view: ProgressView) -> str:
    """The sender's progress message, edited as the figures change."""
    progress = view.progress
    if view.status == "scheduled":
        return _("Plan update no. {id} is scheduled: {n} recipients.").format(
            id=view.broadcast_id, n=fmt_number(progress.total)
        )
    head = (
        _("Plan update no. {id}: sending…")
        if view.status == "sending"
        else _("Plan update no. {id}: finished ({status}).").format(
            id=view.broadcast_id, status=status_name(view.status)
        )
    )
    body = _("Sent {sent} / {total}, failed {failed}.").format(
        sent=fmt_number(progress.sent), total=fmt_number(progress.total), failed=fmt_number(progress.failed)
    )
    if progress.cancelled:
        body += " " + _("Left unsent: {n}.").format(n=fmt_number(progress.cancelled))
    # The sender's own figures need no confirmation column here: /broadcasts has it.
    lines = [
        head.format(id=view.broadcast_id),
        body,
        *_channel_lines(progress, False),
        _("Details: /broadcasts"),
    ]
    return "\n".join(lines)
