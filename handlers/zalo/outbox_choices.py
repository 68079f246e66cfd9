"""The buttons of a message the outbox sends (a plan update's "Received", a self-check's "Start", a
reminder's "Read", a head's approve and reject of a join request), said on Zalo as the keyword that does the
same thing.

A reply's numbered choices answer the question its dialog keeps open for that chat; an outbox message opens
no question, so "1. ✅ Received / Reply 1" would be answered with "no question waiting" (or, worse, taken
as the answer to a menu still open). Its choices become "✅ Received (type DA NHAN)" lines instead. A join
request's buttons name the request, so their keyword carries its number ("DUYET 12"): the head may answer
several requests in any order. A button with no Zalo keyword is left out. Links stay links.
"""

from __future__ import annotations

from dataclasses import replace

from handlers.i18n import _
from handlers.messages import OutMessage, esc, plain_text
from handlers.zalo.dialogs.menu import APPROVE, QUIZ, READ, RECEIVED, REJECT, SELF_CHECK

# The action's prefix (handlers/views) → the keyword that does the same on Zalo.
KEYWORDS: dict[str, str] = {"ack:": RECEIVED, "sc:open:": SELF_CHECK, "qz:start:": QUIZ, "rd:": READ}
# Actions naming a join request ("jr:a:<id>"): the keyword followed by the request's number.
NUMBERED: dict[str, str] = {"jr:a:": APPROVE, "jr:r:": REJECT}


def keyword_of(action: str) -> str | None:
    for prefix, keyword in NUMBERED.items():
        number = action.removeprefix(prefix)
        if action.startswith(prefix) and number.isascii() and number.isdigit():
            return f"{keyword} {int(number)}"
    return next((keyword for prefix, keyword in KEYWORDS.items() if action.startswith(prefix)), None)


def as_keywords(message: OutMessage) -> OutMessage:
    """The message with its button choices written as keyword lines; only its links left as choices."""
    links = tuple(
        kept
        for line in message.choices
        if (kept := tuple(c for c in line if c.url is not None and not c.in_app))
    )
    lines = [
        _("{label} (type {keyword})").format(label=esc(plain_text(choice.label)), keyword=keyword.upper())
        for line in message.choices
        for choice in line
        if choice.url is None and not choice.in_app and (keyword := keyword_of(choice.action or ""))
    ]
    if not lines and len(links) == len(message.choices):
        return message
    text = "\n\n".join(part for part in (message.text.strip(), "\n".join(lines)) if part)
    return replace(message, text=text, choices=links)
