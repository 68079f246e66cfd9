"""What the fake Bot API checks the way Telegram does: HTML it can parse, parameters as PTB encodes
them (form fields, JSON-encoded values, multipart uploads), errors in Telegram's shape."""

from __future__ import annotations

import contextlib
import json
from html.parser import HTMLParser
from typing import Any

from aiohttp import BodyPartReader, web

JSON_FIELDS = {
    "reply_markup",
    "entities",
    "caption_entities",
    "commands",
    "scope",
    "allowed_updates",
    "media",
    "link_preview_options",
    "reply_parameters",
}
INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "user_id", "cache_time"}
ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "span",
    "blockquote",
    "tg-emoji",
}


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


class _EntityChecker(HTMLParser):
    """Telegram refuses a message whose HTML it cannot parse: unknown or unbalanced tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.error = self.error or f'Unsupported start tag "{tag}"'
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.error = self.error or f'Unexpected end tag "{tag}"'


def check_html(text: str) -> None:
    checker = _EntityChecker()
    checker.feed(text)
    checker.close()
    if checker.error is None and checker.stack:
        checker.error = f'Can\'t find end tag corresponding to start tag "{checker.stack[-1]}"'
    if checker.error:
        raise ApiError(400, f"Bad Request: can't parse entities: {checker.error}")


def echoed_markup(params: dict[str, Any]) -> dict[str, Any]:
    """Telegram echoes only inline keyboards in a Message; reply keyboards are kept aside for tests."""
    markup = params.get("reply_markup")
    if not markup:
        return {}
    if "inline_keyboard" in markup:
        return {"reply_markup": markup}
    return {"_reply_keyboard": markup}


def chat_of(update: dict[str, Any]) -> int | None:
    for key in ("message", "edited_message", "channel_post", "my_chat_member"):
        if key in update:
            return int(update[key]["chat"]["id"])
    if "callback_query" in update and "message" in update["callback_query"]:
        return int(update["callback_query"]["message"]["chat"]["id"])
    return None


def error_response(exc: ApiError) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": exc.code, "description": exc.description}
    if exc.retry_after is not None:
        body["parameters"] = {"retry_after": exc.retry_after}
    return web.json_response(body, status=exc.code)


async def read_params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        params.update(await request.json())
        return params
    if request.content_type.startswith("multipart/"):
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            assert isinstance(part, BodyPartReader) and part.name is not None
            if part.filename:
                params[part.name] = (part.filename, bytes(await part.read()))
            else:
                params[part.name] = await part.text()
    else:
        params.update(await request.post())
    for key, value in list(params.items()):
        if isinstance(value, str) and (key in JSON_FIELDS or key in INT_FIELDS):
            with contextlib.suppress(json.JSONDecodeError):
                params[key] = json.loads(value)
        elif isinstance(value, str) and value.startswith("attach://"):
            params[key] = params.get(value[len("attach://") :], value)
    return params
