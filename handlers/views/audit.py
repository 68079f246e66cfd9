"""The audit log as an official reads it: actions, objects and fields named in the reader's language,
times in Viet Nam's, values in words ("có", "Thứ Sáu (T6)", "30/11/2026 15:40") rather than JSON.

Used by /audit in the chat and by `python -m bot audit`; the stored entries keep their codes and JSON.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime

from compliance.privacy import audit
from compliance.privacy.audit import AuditLine
from handlers.i18n import _, fmt_date, fmt_datetime
from handlers.messages import OutMessage, esc
from handlers.views.schedule import field_labels, value_text

# Telegram's limit is 4096 characters; entries beyond this are left for the command line.
MAX_MESSAGE_CHARS = 4000
MAX_CHANGE_CHARS = 200
# Actions whose "before" is what they took away; elsewhere a value only in "before" is context.
REMOVALS = frozenset({"calendar.remove", "group.unlink", "group.bot_removed"})
MAX_VALUE_CHARS = 60
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def action_label(action: str) -> str:
    """The localized name of an audited action; one this list does not know is still said in words."""
    labels = {
        "unit.add": _("unit added"),
        "unit.rename": _("unit renamed"),
        "unit.move": _("unit moved"),
        "unit.set_head": _("unit head set"),
        "unit.kind": _("kind of unit set"),
        "unit.merge": _("unit merged into another"),
        "staff.import": _("staff list imported"),
        "pledge.publish": _("pledge published"),
        "calendar.add": _("calendar day changed"),
        "calendar.remove": _("calendar change removed"),
        "schedule.set": _("schedule set"),
        "schedule.clear": _("schedule cleared"),
        "join.approve": _("join approved"),
        "join.reject": _("join rejected"),
        "invite.create": _("invite created"),
        "ceremony.open": _("ceremony opened"),
        "ceremony.close": _("ceremony closed"),
        "report.nudge": _("reminder to those with lapses"),
        "broadcast.create": _("plan update sent"),
        "broadcast.cancel": _("plan update cancelled"),
        "broadcast.stop": _("plan update stopped"),
        "broadcast.remind": _("plan update reminder"),
        "official.erase": _("personal data erased"),
        "group.link": _("group chat linked"),
        "group.unlink": _("group chat unlinked"),
        "group.weekly_summary": _("weekly summary in the group turned on or off"),
        "group.bot_removed": _("bot removed from a group chat"),
        "group.migrated": _("group chat upgraded by Telegram"),
        "group.link_code": _("group link code issued (Zalo)"),
    }
    return labels.get(action) or _("other action ({code})").format(code=action)


def key_label(key: str) -> str:
    labels = {
        "name": _("name"),
        "code": _("code"),
        "parent": _("parent unit"),
        "path": _("place in the tree"),
        "heads": _("heads"),
        "official": _("official"),
        "official_id": _("official no."),
        "role": _("role"),
        "status": _("status"),
        "kind": _("kind of day"),
        "unit_kind": _("kind of unit"),
        "into": _("merged into"),
        "moved": _("moved"),
        "officials": _("officials"),
        "units": _("sub-units"),
        "groups": _("group chats"),
        "invites": _("invites"),
        "join_requests": _("join requests"),
        "heads_demoted": _("heads who became officials"),
        "note": _("note"),
        "version": _("version"),
        "unit": _("unit"),
        "unit_id": _("unit no."),
        "material": _("everyone re-signs"),
        "resign_requests": _("asked to re-sign"),
        "days": _("valid for (days)"),
        "max_uses": _("uses at most"),
        "expires_at": _("valid until"),
        "target": _("recipients chosen"),
        "recipients": _("number of recipients"),
        "send_at": _("sent at"),
        "requires_ack": _("asks for confirmation"),
        "attachment": _("attachment"),
        "reminded": _("reminded"),
        "day": _("day"),
        "lapses": _("people with lapses"),
        "planned": _("messages planned"),
        "pledge_version_id": _("pledge version no."),
        "chat_id": _("chat no."),
        "open": _("open"),
        "signed": _("signed"),
        "total": _("total"),
        "file": _("file"),
        "rows": _("rows"),
        "created": _("added"),
        "updated": _("updated"),
        "cleared": _("data cleared"),
        "signatures_kept": _("signatures kept"),
        "title": _("title"),
        "weekly_summary": _("weekly summary in the group"),
        "removed_by_telegram_id": _("removed by Telegram user"),
        "unsent": _("left unsent"),
        "id": _("no."),
    }
    return labels.get(key) or field_labels().get(key) or key


def _status_words() -> dict[str, str]:
    return {
        "pending": _("waiting"),
        "approved": _("approved"),
        "rejected": _("rejected"),
        "cancelled": _("cancelled"),
        "active": _("active"),
        "left": _("left the office"),
        "invited": _("invited"),
        "unreachable": _("unreachable"),
        "scheduled": _("scheduled"),
        "sending": _("sending"),
        "sent": _("sent"),
        "stopped": _("stopped"),
        "off": _("day off"),
        "workday": _("working day"),
        "official": _("official"),
        "head": _("unit head"),
        "admin": _("administrator"),
    }


def _personal_fields() -> dict[str, str]:
    """The fields an erasure clears (compliance.privacy.erasure.PERSONAL_FIELDS), as a person calls them."""
    return {
        "full_name": _("full name"),
        "name_key": _("name for search"),
        "phone": _("phone number"),
        "email": _("email"),
        "title": _("job title"),
        "telegram_user_id": _("Telegram account"),
        "locale": _("language"),
    }


def value_words(key: str, value: object) -> str:
    """One value in words: yes/no, dates in the reader's format, names of people, codes of states."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key.endswith("_weekday") or key.endswith("_time"):
        return value_text(key, value)
    if isinstance(value, str):
        if _ISO_MOMENT.match(value):
            try:
                return fmt_datetime(datetime.fromisoformat(value))
            except ValueError:
                return value
        if _ISO_DATE.match(value):
            return fmt_date(date.fromisoformat(value))
        if key in ("status", "kind", "role"):
            return _status_words().get(value, value)
        return value
    if isinstance(value, list) and all(isinstance(v, dict) and "name" in v for v in value):
        return ", ".join(str(v["name"]) for v in value) or "—"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        fields = _personal_fields()
        return ", ".join(fields.get(str(v), str(v)) for v in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{key_label(k)} {value_words(k, v)}" for k, v in value.items())
    return audit.as_json(value)


def subject_text(subject: str, names: Mapping[str, str] | None = None) -> str:
    """ "unit:12" -> "đơn vị Văn phòng" (with `names` from audit.subject_names; "đơn vị số 12" without),
    "schedule:office" -> "lịch chung của toàn cơ quan" …"""
    kind, _sep, ref = subject.partition(":")
    name = (names or {}).get(subject)
    if name is not None and kind == "unit":
        return _("unit {name}").format(name=name)
    if name is not None and kind == "pledge_version":
        return _("pledge version {label}").format(label=name)
    if kind == "office":
        return _("the whole office")
    if kind == "schedule":
        return (
            _("schedule of the whole office")
            if ref == "office"
            else _("schedule of unit {code}").format(code=ref)
        )
    if kind == "calendar" and _ISO_DATE.match(ref):
        return _("calendar, {day}").format(day=fmt_date(date.fromisoformat(ref)))
    if kind == "staff_file":
        return _("staff list file {name}").format(name=ref)
    names = {
        "unit": _("unit no. {ref}"),
        "pledge_version": _("pledge version no. {ref}"),
        "broadcast": _("plan update no. {ref}"),
        "invite": _("invite no. {ref}"),
        "join_request": _("join request no. {ref}"),
        "ceremony": _("ceremony no. {ref}"),
        "official": _("official no. {ref}"),
        "group": _("group chat {ref}"),
    }
    return names[kind].format(ref=ref) if kind in names else subject


def _cut(text: str, limit: int | None) -> str:
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def change_text(line: AuditLine, *, whole: bool = False) -> str:
    """ "tên: A → B; thủ trưởng đơn vị: … → …", cut to a line for the chat (`whole` for the command line,
    which has room); plain text, escape it before HTML."""
    value_limit, line_limit = (None, None) if whole else (MAX_VALUE_CHARS, MAX_CHANGE_CHARS)
    parts = []
    for change in audit.changes(line.before, line.after):
        label = key_label(change.key)
        old, new = (
            _cut(value_words(change.key, change.before), value_limit),
            _cut(value_words(change.key, change.after), value_limit),
        )
        if change.had_before and change.has_after:
            parts.append(f"{label}: {old} → {new}")
        elif change.has_after:
            parts.append(f"{label}: {new}")
        elif line.action in REMOVALS:
            parts.append(f"{label}: {old} → ∅")
        else:  # what the entry recorded about the object as it was (a join request's name): no change
            parts.append(f"{label}: {old}")
    return _cut("; ".join(parts), line_limit)


def actor_text(actor: str) -> str:
    return {"cli": _("command line"), "telegram": _("Telegram")}.get(actor, actor)


def entry_text(line: AuditLine, names: Mapping[str, str] | None = None) -> str:
    """One entry for the chat (HTML): when, who, what, on what; the change on the next line."""
    parts = [actor_text(line.actor), action_label(line.action), subject_text(line.subject, names)]
    head = f"<b>{esc(fmt_datetime(line.at))}</b> · " + " · ".join(esc(p) for p in parts)
    change = change_text(line)
    return f"{head}\n    {esc(change)}" if change else head


def entry_fields(line: AuditLine, names: Mapping[str, str] | None = None) -> list[str]:
    """One entry for the command line's tab-separated output, in the same words as the chat."""
    return [
        fmt_datetime(line.at),
        actor_text(line.actor),
        action_label(line.action),
        subject_text(line.subject, names),
        change_text(line, whole=True),
    ]


def audit_log(lines: list[AuditLine], names: Mapping[str, str]) -> OutMessage:
    """/audit: the latest entries, as many as one message holds."""
    if not lines:
        return OutMessage(_("The audit log is empty."))
    text = _("<b>Audit log: the latest {n}</b>").format(n=len(lines))
    for line in lines:
        entry = entry_text(line, names)
        if len(text) + len(entry) + 2 > MAX_MESSAGE_CHARS:
            text += "\n\n" + _("…more with: python -m bot audit --since DATE")
            break
        text += "\n\n" + entry
    return OutMessage(text)
