"""/mydata: everything stored about the person, summed up with a JSON file; and /erase for admins."""

from __future__ import annotations

from datetime import datetime

from compliance.privacy import personal_data
from compliance.privacy.erasure import EraseOutcome, ErasureTarget
from handlers.i18n import _, fmt_datetime, fmt_number
from handlers.messages import Attachment, AttachmentKind, Choice, OutMessage, esc, row
from handlers.views import consent as consent_views
from handlers.views.profile import LANGUAGE_NAMES, role_name
from storage.models import Role


def _value(value: object) -> str:
    return esc(value) if value not in (None, "") else "—"


def _telegram_id(accounts: list[dict[str, object]]) -> object:
    return _account_id(accounts, "telegram")


def _account_id(accounts: list[dict[str, object]], channel: str) -> object:
    return next((a["external_id"] for a in accounts if a["channel"] == channel), None)


def summary_text(data: personal_data.PersonalData) -> str:
    person = data.data["official"]
    unit = data.data.get("unit") or {}
    lines = [
        _("<b>Your data stored by Cam Kết Bot</b>"),
        _("Name: {name}").format(name=_value(person["full_name"])),
        _("Title: {title}").format(title=_value(person["title"])),
        _("Unit: {unit}").format(unit=_value(unit.get("name"))),
        _("Phone: {phone}").format(phone=_value(person["phone"])),
        _("Email: {email}").format(email=_value(person["email"])),
        _("Role: {role}").format(role=role_name(Role(person["role"]))),
        _("Language: {language}").format(language=LANGUAGE_NAMES.get(person["locale"] or "", "—")),
        _("Telegram account: {id}").format(id=_value(_telegram_id(data.data["accounts"]))),
        _("Zalo account: {id}").format(id=_value(_account_id(data.data["accounts"], "zalo"))),
        "",
        _("Pledge signatures: {n}").format(n=fmt_number(data.count("signatures"))),
        _("Weekly self-checks: {n}").format(n=fmt_number(data.count("self_checks"))),
        _("Quiz rounds: {n}").format(n=fmt_number(data.count("quiz_attempts"))),
        _("Daily reminders: {n}, read: {read}").format(
            n=fmt_number(data.count("daily_reminders")),
            read=fmt_number(sum(1 for r in data.data["daily_reminders"] if r["read_at"])),
        ),
        _("Join requests: {n}").format(n=fmt_number(data.count("join_requests"))),
        _("Messages from the bot: {n}").format(n=fmt_number(data.count("messages"))),
        _("Questions the Zalo bot is waiting for you to answer: {n}").format(
            n=fmt_number(data.count("zalo_conversations"))
        ),
        _("Broadcasts acknowledged: {n}").format(n=fmt_number(data.count("broadcast_acks"))),
        _("Actions as head or administrator: {n}").format(
            n=fmt_number(
                data.count("invites_created")
                + data.count("ceremonies_started")
                + data.count("staff_uploads")
                + data.count("actions_logged")
            )
        ),
        "",
        consent_views.records_text(data.data.get("consents") or []),
        "",
        _(
            "The attached JSON file holds every field (times in UTC). Signatures keep their ledger hashes. "
            "When you leave the office, an administrator can erase your personal data."
        ),
    ]
    return "\n".join(lines)


def summary(data: personal_data.PersonalData) -> OutMessage:
    return OutMessage(summary_text(data))


def data_file(
    data: personal_data.PersonalData, official_id: int, content: bytes, now: datetime
) -> OutMessage:
    caption = _("Everything Cam Kết Bot stores about {name} ({unit}), as of {date}: JSON file.").format(
        name=esc(data.data["official"]["full_name"] or "—"),
        unit=esc((data.data.get("unit") or {}).get("name") or "—"),
        date=fmt_datetime(now),
    )
    name = f"du-lieu-ca-nhan-{official_id}.json"
    return OutMessage(caption, attachment=Attachment(AttachmentKind.DOCUMENT, file_name=name, data=content))


def not_a_member() -> OutMessage:
    return OutMessage(_("You are not a member of Cam Kết Bot."))


def refusal(outcome: EraseOutcome) -> str:
    return {
        EraseOutcome.BAD_PHONE: _("Usage: /erase PHONE (the phone number on the staff list)."),
        EraseOutcome.NOT_FOUND: _("Nobody on the staff list has this phone number."),
        EraseOutcome.ADMIN: _("An administrator cannot be erased."),
        EraseOutcome.SELF: _("You cannot erase yourself."),
        EraseOutcome.ALREADY: _("This person's data has already been erased."),
    }.get(outcome, _("You are not allowed to do this."))


def confirm_erase(target: ErasureTarget) -> OutMessage:
    assert target.official_id is not None
    text = _(
        "Erase the personal data of <b>{name}</b> ({unit})?\n\n"
        "Their name, phone, email, title, Telegram account and language are cleared and they are marked "
        "as having left. Their {n} signatures stay in the ledger, which keeps only hashes. This cannot "
        "be undone."
    ).format(name=esc(target.full_name), unit=_value(target.unit_name), n=fmt_number(target.signatures))
    choices = (
        row(
            Choice(_("🗑 Erase"), f"er:ok:{target.official_id}"),
            Choice(_("✖ Cancel"), f"er:no:{target.official_id}"),
        ),
    )
    return OutMessage(text, choices=choices)


def erase_cancelled() -> OutMessage:
    return OutMessage(_("Cancelled. Nothing was changed."), edit=True)


def erased(result: ErasureTarget) -> OutMessage:
    return OutMessage(
        _(
            "Erased: official #{id} ({unit}) is marked as having left and their personal data is cleared. "
            "Their signatures stay in the ledger."
        ).format(id=result.official_id, unit=_value(result.unit_name)),
        edit=True,
    )
