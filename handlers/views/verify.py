"""/verify CODE: what the signature ledger says about a paper receipt.

The texts serve `python -m bot ledger verify [--code CODE]` as well, so the chat and the command line say
the same thing.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from compliance.pledge import ledger
from compliance.pledge import signing as pledges
from handlers.i18n import _, fmt_datetime
from handlers.messages import OutMessage, esc

EXAMPLE_CODE = "3F9A2-C71B0"


def field_label(field: str | None) -> str:
    """The ledger names columns; a reader is told what they hold."""
    labels = {"typed_name": _("name typed when signing")}
    return labels.get(field or "", field or "")


def reason_text(reason: str | None, field: str | None) -> str:
    reasons = {
        "content_changed": _("its content was changed"),
        "name_changed": _("the stored {field} does not match its hash").format(field=field_label(field)),
        "row_missing": _("the row before it is missing"),
        "order_broken": _("rows are out of order"),
    }
    return reasons.get(reason or "", reason or "")


def broken_text(result: ledger.Verification) -> str:
    return _("BROKEN at signature {row}: {reason} ({n} rows before it are intact).").format(
        row=result.bad_row, reason=reason_text(result.reason, result.field), n=result.count
    )


async def code_report(
    session: AsyncSession, code: str, *, escape: Callable[[str], str] = str
) -> tuple[list[str], int]:
    """What the ledger says about a receipt's code, and an exit status: 0 the signature and the chain
    hold, 1 they do not (or no signature has this code), 2 this is not a code. It reads the ledger itself
    because the command line, which has no handler, says the same."""
    check = await ledger.check_code(session, code)
    if check is None:
        return [
            _("{code} is not a verification code: it has 10 letters and digits, such as {example}.").format(
                code=escape(code), example=EXAMPLE_CODE
            )
        ], 2
    row = check.signature
    if row is None:
        if check.matches == 0:
            return [_("No signature has the code {code}.").format(code=escape(code))], 1
        return [_("Several signatures start with {code}: type more of it.").format(code=escape(code))], 1
    facts = await pledges.receipt_facts(session, row)
    lines = [
        _("Code {code}: signature {row} of {name} ({unit}), {pledge}, signed {when}.").format(
            code=ledger.verification_code(row.row_hash),
            row=row.id,
            name=escape(facts.full_name),
            unit=escape(facts.unit_name or "—"),
            pledge=facts.version.label,
            when=fmt_datetime(row.signed_at),
        )
    ]
    if check.row_problem is None:
        lines.append(_("✔ The signature matches its hashes."))
    else:
        lines.append(
            _("✖ The signature does not match the ledger: {reason}.").format(
                reason=reason_text(*check.row_problem)
            )
        )
    assert check.chain is not None
    if check.chain.ok:
        lines.append(_("✔ The chain of {n} signatures is intact.").format(n=check.chain.count))
    else:
        lines.append("✖ " + broken_text(check.chain))
    return lines, 0 if check.row_problem is None and check.chain.ok else 1


def usage(command: str = "/verify") -> OutMessage:
    """How to ask; `command` is the chat's way of saying it (/verify on Telegram, XAC MINH on Zalo)."""
    return OutMessage(
        _("Send {command} with the code printed on the receipt, for example {command} {example}.").format(
            command=command, example=EXAMPLE_CODE
        )
    )


async def verification(session: AsyncSession, code: str) -> OutMessage:
    lines, _status = await code_report(session, code, escape=esc)
    return OutMessage("\n".join(lines))
