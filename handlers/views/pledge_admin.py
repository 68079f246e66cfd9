"""An admin's pledge upload: the preview of the template, the publish choices and their outcome."""

from __future__ import annotations

from compliance.pledge.templates import PledgeTemplate
from handlers.i18n import _, current_locale, fmt_date, fmt_number
from handlers.messages import Choice, OutMessage, esc, row


def admins_only() -> OutMessage:
    return OutMessage(_("Only administrators can publish pledge templates."))


def too_large() -> OutMessage:
    return OutMessage(_("A pledge template cannot be larger than 256 KB."))


def not_utf8() -> str:
    return _("the file is not UTF-8 text")


def unusable(problem: str) -> OutMessage:
    return OutMessage(_("This template cannot be used: {problem}").format(problem=esc(problem)))


def preview_text(template: PledgeTemplate, *, first: bool, material: bool) -> str:
    if first:
        comparison = _(
            "No pledge has been published yet: this will be the office's first, and every official "
            "will be asked to sign it."
        )
    elif material:
        comparison = _(
            "Compared with the current version, this looks like a <b>material change</b> (everyone re-signs)."
        )
    else:
        comparison = _(
            "Compared with the current version, this looks like a <b>wording fix</b> (no re-signing)."
        )
    lines = [
        _("<b>Pledge preview</b>: {title} ({label})").format(
            title=esc(template.title.get(current_locale())), label=esc(f"{template.code}-{template.version}")
        ),
        _("{sections} sections, {items} items; effective {date}.").format(
            sections=fmt_number(len(template.sections)),
            items=fmt_number(len(template.items)),
            date=fmt_date(template.effective),
        ),
        comparison,
        _("It will apply to the whole office."),
    ]
    return "\n".join(lines)


def publish_choices(*, first: bool) -> tuple[tuple[Choice, ...], ...]:
    if first:
        # A first version has no earlier wording to fix: everyone signs it.
        rows = [row(Choice(_("Publish: everyone is asked to sign"), "pv:m"))]
    else:
        rows = [
            row(Choice(_("Publish: everyone re-signs"), "pv:m")),
            row(Choice(_("Publish: wording fix only"), "pv:w")),
        ]
    rows.append(row(Choice(_("✖ Cancel"), "pv:x")))
    return tuple(rows)


def preview(template: PledgeTemplate, *, first: bool, material: bool) -> OutMessage:
    header = preview_text(template, first=first, material=material)
    if template.sample:
        # A sample is published only once the admin has read that it is one: until then no publish button.
        warning = _(
            "⚠️ <b>This is a sample template</b>, to be adapted to your office (its name, its items, the "
            "decision it implements) before officials sign it. Publish it as it is only for a trial."
        )
        choices = (
            row(Choice(_("I understand: publish the sample anyway"), "pv:s")),
            row(Choice(_("✖ Cancel"), "pv:x")),
        )
        return OutMessage(f"{header}\n\n{warning}", choices=choices)
    return OutMessage(header, choices=publish_choices(first=first))


def no_longer_waiting() -> str:
    return _("This preview is no longer waiting for a decision.")


def cancelled() -> OutMessage:
    return OutMessage(_("Cancelled. Nothing was published."), edit=True)


def sample_not_confirmed() -> OutMessage:
    return OutMessage(_("This template is a sample: send it again and confirm the warning."), edit=True)


def already_published() -> OutMessage:
    return OutMessage(_("This version is already published; nothing changed."), edit=True)


def published(*, first: bool, material: bool, resign_requests: int) -> OutMessage:
    if first and material:
        done = _("Published. {n} officials will be asked to sign it.")
    elif material:
        done = _("Published. {n} officials will be asked to sign it again.")
    else:
        done = _("Published as a wording fix: nobody is asked to sign again.")
    return OutMessage(done.format(n=fmt_number(resign_requests)), edit=True)
