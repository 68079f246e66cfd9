"""The consent notice and its answers, once for every channel: Telegram shows the choices as buttons,
Zalo as numbered replies, the web as a form. The notice's own text is content (content/privacy), in the
reader's language; what is said around it goes through the catalogs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from compliance.privacy.consent import ConsentRecord
from compliance.privacy.notice import Notice, current_notice
from handlers.i18n import _, current_locale, fmt_datetime
from handlers.messages import Choice, OutMessage, esc, row

CHANNEL_NAMES = {"telegram": "Telegram", "zalo": "Zalo", "web": "web"}


def linked_text() -> str:
    """Said when an account is linked and the privacy notice follows."""
    return _("Your account is linked to your office's staff list. Please read the notice below.")


def agree_label() -> str:
    return _("✅ I agree")


def decline_label() -> str:
    return _("✖ I do not agree")


def heading(notice: Notice) -> str:
    return f"<b>{esc(notice.title.get(current_locale()))}</b> ({version_label(notice.version)})"


def version_label(version: int) -> str:
    return _("version {n}").format(n=version)


def notice_parts(notice: Notice) -> list[str]:
    """The notice as a person reads it, a part per message where messages are short (Zalo)."""
    locale = current_locale()
    parts = [esc(part.get(locale)) for part in notice.parts]
    parts[0] = f"{heading(notice)}\n\n{parts[0]}"
    return parts


def question() -> str:
    return _("Do you agree to your data being processed as described above?")


def notice(*, notice: Notice | None = None) -> OutMessage:
    """The whole notice with its two buttons, neither chosen: silence is no consent."""
    shown = notice or current_notice()
    text = "\n\n".join([*notice_parts(shown), f"<b>{question()}</b>"])
    choices = (
        row(
            Choice(agree_label(), f"cs:yes:{shown.version}"),
            Choice(decline_label(), f"cs:no:{shown.version}"),
        ),
    )
    return OutMessage(text, choices=choices, link_preview=False)


def given(version: int, *, withdraw_with: str = "/withdraw") -> str:
    """`withdraw_with`: how this channel withdraws (a command, a keyword)."""
    return _(
        "Thank you. Your consent is recorded (notice {version}). You can withdraw it at any time: {withdraw}."
    ).format(version=version_label(version), withdraw=esc(withdraw_with))


def declined() -> OutMessage:
    return OutMessage(
        _(
            "You did not agree, so the bot will not process your data and your account is unlinked. You "
            "stay on your office's staff list. To keep the pledge another way, or if you change your mind, "
            "contact your office's administrators (văn phòng)."
        ),
        edit=True,
    )


def stale() -> str:
    return _("The notice has changed since it was shown to you. Please read the new version.")


def needed_in_group() -> OutMessage:
    return OutMessage(
        _(
            "Before using the bot, please read and answer the privacy notice in your private chat with the "
            "bot."
        )
    )


def confirm_withdraw() -> OutMessage:
    return OutMessage(
        _(
            "<b>Withdraw your consent?</b>\n\n"
            "Reminders and all processing of your data stop, and your accounts on every channel are "
            "unlinked (you stay on the staff list). The signature ledger keeps the hashes of the signatures "
            "you made, as evidence. To use the bot again, you would join again and agree."
        ),
        choices=(row(Choice(_("Withdraw my consent"), "wd:ok"), Choice(_("✖ Cancel"), "wd:no")),),
    )


def withdrawn() -> OutMessage:
    return OutMessage(
        _(
            "Your consent is withdrawn. Reminders and processing have stopped and your accounts are "
            "unlinked. The signature ledger keeps the hashes of your signatures as evidence. To join again, "
            "contact your office."
        ),
        edit=True,
    )


def withdraw_cancelled() -> OutMessage:
    return OutMessage(_("Cancelled. Your consent stays as it was."), edit=True)


def nothing_to_withdraw() -> OutMessage:
    return OutMessage(_("You have no consent to withdraw."), edit=True)


def record_line(record: ConsentRecord | dict[str, Any]) -> str:
    """One consent in /mydata: the notice, when and where it was given, and its withdrawal."""
    row = record.as_json() if isinstance(record, ConsentRecord) else record
    line = _("Notice {version}: agreed on {channel}, {date}").format(
        version=version_label(int(row["notice_version"])),
        channel=CHANNEL_NAMES.get(str(row["channel"]), str(row["channel"])),
        date=fmt_datetime(datetime.fromisoformat(str(row["given_at"]))),
    )
    if row.get("withdrawn_at"):
        withdrawn = datetime.fromisoformat(str(row["withdrawn_at"]))
        line += "; " + _("withdrawn {date}").format(date=fmt_datetime(withdrawn))
    return line


def records_text(records: list[ConsentRecord] | list[dict[str, Any]]) -> str:
    """The consents as /mydata lists them (records, or their JSON from the export)."""
    lines = [_("<b>Consents</b> (Luật 91/2025/QH15):")]
    lines += [f"• {record_line(record)}" for record in records] or ["—"]
    return "\n".join(lines)
