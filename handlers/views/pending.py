"""/pending: the join requests a head or an admin may decide, newest first, with approve and reject choices.

The choices are the join request's own ("jr:a:<id>", "jr:r:<id>"); a last "jr:l" one marks the message as
this list, which is then redrawn after each decision instead of being replaced by its result.
"""

from __future__ import annotations

from collections.abc import Sequence

from compliance.office.join_requests import PendingRequest
from handlers.i18n import _, fmt_datetime
from handlers.messages import Choice, OutMessage, esc, row

LIST_MARK = "jr:l"
# Long names and unit names are cut so that twenty requests always fit one message (4 096 characters).
MAX_FIELD = 60
MAX_BUTTON_NAME = 24
MAX_TEXT = 3800


def _cut(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _line(n: int, request: PendingRequest) -> str:
    return _("{n}. <b>{name}</b>, {unit} (Telegram: {telegram_name}), {when}").format(
        n=n,
        name=esc(_cut(request.full_name, MAX_FIELD)),
        unit=esc(_cut(request.unit_name, MAX_FIELD)),
        telegram_name=esc(_cut(request.display_name, MAX_FIELD)),
        when=fmt_datetime(request.created_at),
    )


def pending_list(
    requests: Sequence[PendingRequest], total: int, *, headline: str | None = None, edit: bool = False
) -> OutMessage:
    parts = [headline, ""] if headline else []
    if not requests:
        parts.append(_("No join requests are waiting for your approval."))
        return OutMessage("\n".join(parts), edit=edit)
    parts.append(_("<b>Join requests waiting for approval</b>: {total}").format(total=total))
    rows: list[tuple[Choice, ...]] = []
    for n, request in enumerate(requests, start=1):
        line = _line(n, request)
        if len("\n".join([*parts, line])) > MAX_TEXT:
            break
        parts.append(line)
        rows.append(
            row(
                Choice(f"✅ {n}. {_cut(request.full_name, MAX_BUTTON_NAME)}", f"jr:a:{request.id}"),
                Choice(_("✖ Reject no. {n}").format(n=n), f"jr:r:{request.id}"),
            )
        )
    if total > len(rows):
        parts.append(_("The newest {shown} of {total} are shown.").format(shown=len(rows), total=total))
    rows.append(row(Choice(_("🔄 Refresh"), LIST_MARK)))
    return OutMessage("\n".join(parts), choices=tuple(rows), edit=edit)
