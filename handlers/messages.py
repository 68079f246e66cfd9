"""What the bot says, whatever the channel: one neutral message, built once, rendered by each channel.

Text is written in a small markup, the subset of HTML that Telegram accepts and a web page can show: <b>,
<i> and <a href="…">, with every user string escaped once by `esc` on the way in. Telegram takes it as it
is; a text-only channel (Zalo) reads `plain_text`; the web marks it safe. Choices are (label, action)
pairs: the action is short and never trusted, so the domain re-checks it against the database on every
channel. An attachment is a file by its bytes, its URL or a reference the channel already holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from html import escape, unescape

ECHO_LIMIT = 60
ALLOWED_TAGS = frozenset({"b", "i", "a"})
_TAG = re.compile(r"</?([a-zA-Z]+)(?:\s[^>]*)?>")
_LINK = re.compile(r'<a\s+href="([^"]*)"\s*>(.*?)</a>', re.DOTALL)


def esc(value: object) -> str:
    """Every user- or admin-supplied string goes through this before it enters a message's text."""
    return escape(str(value), quote=False)


def echo(value: object) -> str:
    """What someone typed, shown back to them ("Unit not found: …"): escaped, and cut short, so that a
    10 000-character argument cannot make the answer longer than a channel accepts."""
    text = str(value)
    return esc(text if len(text) <= ECHO_LIMIT else text[: ECHO_LIMIT - 1] + "…")


def markup_tags(text: str) -> set[str]:
    """The tags a text uses: anything beyond ALLOWED_TAGS would be refused by Telegram, so tests check it."""
    return {match.group(1).lower() for match in _TAG.finditer(text)}


def plain_text(text: str) -> str:
    """The text for a channel without markup: tags dropped, a link written as "label (address)"."""

    def link(match: re.Match[str]) -> str:
        address, label = unescape(match.group(1)), match.group(2)
        return label if address in {label, unescape(label)} else f"{label} ({address})"

    return unescape(_TAG.sub("", _LINK.sub(link, text)))


@dataclass(frozen=True, slots=True)
class Choice:
    """A button on Telegram, a numbered reply on Zalo, a form button on the web. `url` makes it a link."""

    label: str
    action: str = ""
    url: str | None = None
    # With url: open it inside the messenger as an app (Telegram's Mini App); channels without one skip it.
    in_app: bool = False


class AttachmentKind(StrEnum):
    DOCUMENT = "document"
    PHOTO = "photo"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with the message (its text is the caption). Exactly one of data, url and file_ref."""

    kind: AttachmentKind
    file_name: str = ""
    data: bytes | None = None
    url: str | None = None
    # A file the channel already holds (a Telegram file_id): a broadcast uploads its document once.
    file_ref: str | None = None

    def __post_init__(self) -> None:
        if sum(source is not None for source in (self.data, self.url, self.file_ref)) != 1:
            raise ValueError("an attachment needs exactly one of data, url and file_ref")


@dataclass(frozen=True, slots=True)
class CommandMenu:
    """A person's command menu, per language (None: the channel's fallback); no commands removes that
    language's menu, so the default one applies again. Nothing appears in the chat."""

    by_language: tuple[tuple[str | None, tuple[tuple[str, str], ...]], ...]


class Keyboard(StrEnum):
    """What happens to a channel's reply keyboard, for the one flow that needs it (sharing a phone number)."""

    KEEP = "keep"
    ASK_PHONE = "ask_phone"
    REMOVE = "remove"


@dataclass(frozen=True, slots=True)
class OutMessage:
    """One thing the bot says. `edit` asks to replace the message whose choice was pressed, where the
    channel can edit (elsewhere it is sent as a new message). `link_preview` False asks the channel not to
    fetch a preview of a link in the text (a one-time sign-in link, say)."""

    text: str = ""
    choices: tuple[tuple[Choice, ...], ...] = ()
    attachment: Attachment | None = None
    menu: CommandMenu | None = None
    edit: bool = False
    keyboard: Keyboard = Keyboard.KEEP
    link_preview: bool = True


def row(*choices: Choice) -> tuple[Choice, ...]:
    return tuple(choices)
