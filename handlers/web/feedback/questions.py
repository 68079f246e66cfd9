"""The rating form's answers as the survey words them, and its errors as sentences."""

from __future__ import annotations

from compliance.feedback import ratings
from handlers.i18n import _


def levels() -> list[tuple[int, str]]:
    """The five levels of the satisfaction surveys, from the best, as the official forms list them."""
    return [
        (5, _("Very satisfied")),
        (4, _("Satisfied")),
        (3, _("Neither satisfied nor dissatisfied")),
        (2, _("Dissatisfied")),
        (1, _("Very dissatisfied")),
    ]


def yes_no_unknown() -> list[tuple[str, str]]:
    return [("yes", _("Yes")), ("no", _("No")), ("", _("I do not know"))]


def answer_errors(fields: dict[str, str]) -> dict[str, str]:
    """What the citizen reads at each refused field."""
    texts: dict[str, str] = {}
    for name, reason in fields.items():
        if reason == ratings.TOO_LONG:
            longest = {
                "comment": ratings.COMMENT_LONGEST,
                "dossier_number": ratings.DOSSIER_LONGEST,
                "contact": ratings.CONTACT_LONGEST,
            }.get(name, 0)
            texts[name] = _("Too long: at most {n} characters.").format(n=longest)
        elif reason == ratings.NEEDS_CONSENT:
            texts[name] = _("To leave a contact, tick the line agreeing that we keep it for a reply.")
        elif reason == ratings.NOT_ON_STAFF:
            texts[name] = _("Choose a name from the list, or leave it empty.")
        else:
            texts[name] = _("Choose one of the answers.")
    return texts
