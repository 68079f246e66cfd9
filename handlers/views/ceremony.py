"""A signing ceremony's message: the count as signatures come in, and the totals per unit once closed."""

from __future__ import annotations

from collections.abc import Iterable

from compliance.pledge.ceremonies import CeremonyView, UnitTotal
from handlers.i18n import _, current_locale
from handlers.messages import Choice, OutMessage, esc, row


def _count(view: CeremonyView) -> str:
    title = view.title_en if current_locale() == "en" else view.title_vi
    return _("<b>Signing ceremony</b>: {title}\n{unit}: <b>{signed}/{total}</b> have signed.").format(
        title=esc(title), unit=esc(view.unit_name), signed=view.signed, total=view.total
    )


def ceremony(view: CeremonyView, bot_username: str) -> OutMessage:
    return OutMessage(
        _count(view),
        choices=(
            row(Choice(_("✍️ Sign the pledge"), url=f"https://t.me/{bot_username}?start=sign")),
            row(Choice(_("Close the ceremony"), f"cer:end:{view.id}")),
        ),
    )


def closed(view: CeremonyView, totals: Iterable[UnitTotal]) -> OutMessage:
    lines = [_count(view), "", _("<b>Ceremony closed.</b> Signatures per unit:")]
    lines += [f"• {esc(t.unit_name)}: {t.signed}/{t.total}" for t in totals]
    return OutMessage("\n".join(lines), edit=True)


def cannot_start() -> OutMessage:
    return OutMessage(_("A ceremony needs a published pledge and a unit that you head."))
