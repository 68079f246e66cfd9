"""A neutral OutMessage as Zalo can show it: plain text, choices as numbered lines, pictures by URL.

Zalo has no markup, no buttons and no files, and takes at most 2 000 characters a message. So the markup
becomes plain text, each choice a numbered line ("1. …") followed by "Reply 1, 2 or 3" (the dialogs match
the number against `numbered_choices`, which numbers them in the same order), a link choice a line
"label: url", and a long text several messages split where a paragraph or a line ends. A picture goes by
URL (Zalo fetches it itself); a document, which Zalo cannot carry, becomes a line naming it, with a link to
the web when the caller can make one (`attachment_url`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from handlers.i18n import _
from handlers.messages import Attachment, AttachmentKind, Choice, OutMessage, plain_text

MAX_TEXT = 2000

# Turns an attachment into an address Zalo (a picture) or the reader (a document) can open: a signed URL
# of the web server that stays valid for days. None: no such link can be made.
AttachmentUrl = Callable[[Attachment], str | None]


@dataclass(frozen=True, slots=True)
class ZaloText:
    text: str


@dataclass(frozen=True, slots=True)
class ZaloPhoto:
    url: str
    caption: str = ""


ZaloSend = ZaloText | ZaloPhoto


def numbered_choices(message: OutMessage) -> list[Choice]:
    """The choices a reader answers by number, in the order they are numbered (1 first)."""
    return [c for line in message.choices for c in line if c.url is None and not c.in_app]


def _answer_prompt(count: int) -> str:
    if count == 1:
        return _("Reply 1")
    numbers = ", ".join(str(n) for n in range(1, count))
    return _("Reply {numbers} or {last}").format(numbers=numbers, last=count)


def _choice_lines(message: OutMessage) -> list[str]:
    lines: list[str] = []
    number = 0
    for choice in (c for line in message.choices for c in line):
        if choice.in_app:
            continue  # a Telegram Mini App: nothing to open on Zalo
        if choice.url is not None:
            lines.append(f"{plain_text(choice.label)}: {choice.url}")
        else:
            number += 1
            lines.append(f"{number}. {plain_text(choice.label)}")
    if number:
        lines.append(_answer_prompt(number))
    return lines


def _document_line(attachment: Attachment, url: str | None) -> str:
    name = attachment.file_name or _("document")
    if url:
        return _("Document {name}: {url}").format(name=name, url=url)
    return _("Document: {name}").format(name=name)


def render(message: OutMessage, *, attachment_url: AttachmentUrl | None = None) -> list[ZaloSend]:
    """What to send, in order: the text (split as needed), then the picture, if any."""
    parts = [plain_text(message.text).strip()] if message.text.strip() else []
    photo: ZaloPhoto | None = None
    attachment = message.attachment
    if attachment is not None:
        url = attachment.url or (attachment_url(attachment) if attachment_url is not None else None)
        if attachment.kind is AttachmentKind.PHOTO and url:
            photo = ZaloPhoto(url)
        else:
            parts.append(_document_line(attachment, url))
    choices = _choice_lines(message)
    if choices:
        parts.append("\n".join(choices))
    sends: list[ZaloSend] = [ZaloText(chunk) for chunk in split_text("\n\n".join(parts))]
    if photo is not None:
        sends.append(photo)
    return sends


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Pieces of at most `limit` characters, cut where a paragraph ends, else a line, else a space."""
    text = text.strip()
    if not text:
        return []
    pieces: list[str] = []
    current = ""
    for block in _blocks(text, limit):
        candidate = current + block
        if len(candidate) <= limit:
            current = candidate
            continue
        if current.strip():
            pieces.append(current.strip())
        current = block.lstrip()
    if current.strip():
        pieces.append(current.strip())
    return pieces


def _blocks(text: str, limit: int) -> list[str]:
    """The text cut into blocks no longer than `limit`, each keeping the separator before it, so that
    gluing blocks back together restores the text: paragraphs, or lines of a long paragraph, or words of a
    long line, or slices of a word longer than a message."""
    blocks: list[str] = []
    for p_index, paragraph in enumerate(text.split("\n\n")):
        lead = "\n\n" if p_index else ""
        if len(lead + paragraph) <= limit:
            blocks.append(lead + paragraph)
            continue
        for l_index, line in enumerate(paragraph.split("\n")):
            line_lead = lead if l_index == 0 else "\n"
            if len(line_lead + line) <= limit:
                blocks.append(line_lead + line)
                continue
            for w_index, word in enumerate(line.split(" ")):
                word_lead = line_lead if w_index == 0 else " "
                while len(word_lead + word) > limit:
                    room = limit - len(word_lead)
                    blocks.append(word_lead + word[:room])
                    word, word_lead = word[room:], ""
                blocks.append(word_lead + word)
    return blocks
