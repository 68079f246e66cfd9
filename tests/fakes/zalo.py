"""A fake Zalo Bot Platform API server on 127.0.0.1, answering as Zalo's published docs and samples say.

Routes `/bot<token>/<method>` by GET (query) or POST (JSON or form); the envelope {ok, result,
description, error_code}; 401 for a wrong token, 400 for a text over 2 000 characters, 403 for a user who
blocked the bot (our guess at Zalo's answer, see handlers/zalo/client.py), 429/5xx/hangs on demand.
getUpdates long-polls and returns one update per call, 408 when none came in time, and now and then (on
demand) the same update again; it is refused while a webhook is set. With a webhook set, `inject` POSTs
the update to it with X-Bot-Api-Secret-Token, bare or wrapped in {ok, result}. Every message sent is
recorded per chat; sendPhoto fetches the picture twice, as Zalo does, and records what it got.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

MAX_TEXT = 2000
SECRET_HEADER = "X-Bot-Api-Secret-Token"
BOT_INFO = {"id": "b0b0cafe", "account_name": "bot.camket", "account_type": "BASIC", "can_join_groups": False}
# How the app shows the bot in a mention ("@Cam Kết Bot …"): our guess at a group message's text, which
# Zalo's docs do not show.
BOT_NAME = "Cam Kết Bot"


@dataclass
class Failure:
    """What to answer instead of the real result, once: an HTTP status and envelope, or a hang."""

    status: int
    error_code: int
    description: str
    retry_after: float | None = None
    hang: bool = False


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    status: int = 200


@dataclass
class FakeZalo:
    token: str = "1234567890123456789:FakeZaloTokenForTheTestServer"
    host: str = "127.0.0.1"
    port: int = 0
    calls: list[Call] = field(default_factory=list)
    sent: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    blocked: set[str] = field(default_factory=set)
    # (method, chat_id or None) -> answers to give instead of the real one, in order
    failures: dict[tuple[str, str | None], deque[Failure]] = field(default_factory=lambda: defaultdict(deque))
    # Zalo's quota, enforced when set: messages a second overall; beyond it, 429.
    rate_limit: float | None = None
    too_many_requests: int = 0
    webhook_url: str | None = None
    webhook_secret: str | None = None
    # (status, wrapped) of every webhook push
    pushes: list[tuple[int, bool]] = field(default_factory=list)
    # photo URL -> the HTTP statuses of Zalo's fetches of it
    photo_fetches: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        self._updates: deque[dict[str, Any]] = deque()
        self._ids = itertools.count(1)
        self._repeats = 0
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._closing = False
        self._recent_sends: deque[float] = deque()
        self._pushes = itertools.count()

    # ---- lifecycle -------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def release_pollers(self) -> None:
        """Answer pending long polls (408) now, so a bot that is stopping does not wait out the timeout."""
        async with self._changed:
            self._closing = True
            self._changed.notify_all()

    async def stop(self) -> None:
        await self.release_pollers()
        if self._runner is not None:
            await self._runner.cleanup()

    # ---- what a test does ------------------------------------------------------------------------
    def _next_id(self) -> str:
        return f"{next(self._ids):020x}"

    def update(
        self,
        user_id: str,
        text: str | None = None,
        *,
        event: str = "message.text.received",
        display_name: str = "Nguyễn Văn A",
        message_id: str | None = None,
        chat_id: str | None = None,
        chat_type: str = "PRIVATE",
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "from": {"id": user_id, "display_name": display_name, "is_bot": False},
            "chat": {"id": chat_id or user_id, "chat_type": chat_type},
            "message_id": message_id or self._next_id(),
            "date": int(time.time() * 1000),
        }
        if text is not None:
            message["text"] = text
        return {"event_name": event, "message": message}

    async def inject(
        self, user_id: str, text: str | None = None, *, wrapped: bool | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """A user writes to the bot: queued for getUpdates, or pushed to the webhook when one is set
        (`wrapped` picks the body's shape; by default pushes alternate bare and wrapped)."""
        update = self.update(user_id, text, **kwargs)
        await self.deliver(update, wrapped=wrapped)
        return update

    async def say_in_group(
        self,
        group_id: str,
        user_id: str,
        text: str | None = None,
        *,
        mention: bool = True,
        reply: bool = False,
        **kwargs: Any,
    ) -> dict[str, Any] | None:
        """A member writes in a group the bot is in (chat_type "GROUP", chat.id the group's, from.id the
        member's). Zalo hands the bot only a message that mentions it or replies to it; anything else never
        reaches the bot (None). A mention is the bot's name after "@" at the start of the text; a reply
        carries the text as typed (how Zalo marks a reply in the update is not published: nothing here)."""
        if not (mention or reply):
            return None
        shown = f"@{BOT_NAME} {text}" if mention and text is not None else text
        update = self.update(user_id, shown, chat_id=group_id, chat_type="GROUP", **kwargs)
        await self.deliver(update)
        return update

    async def deliver(self, update: dict[str, Any], *, wrapped: bool | None = None) -> int | None:
        """Hand an update to the bot as Zalo would; the webhook's answer status, when pushed."""
        if self.webhook_url is None:
            async with self._changed:
                self._updates.append(update)
                self._changed.notify_all()
            return None
        shape = wrapped if wrapped is not None else next(self._pushes) % 2 == 1
        body = {"ok": True, "result": update} if shape else update
        headers = {SECRET_HEADER: self.webhook_secret or ""}
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.webhook_url, json=body, headers=headers) as response,
        ):
            status = response.status
        async with self._changed:
            self.pushes.append((status, shape))
            self._changed.notify_all()
        return status

    def repeat_next(self, count: int = 1) -> None:
        """The next `count` updates taken by getUpdates are returned a second time, as Zalo may do."""
        self._repeats += count

    def fail(
        self,
        method: str,
        status: int,
        *,
        chat_id: str | None = None,
        error_code: int | None = None,
        description: str = "",
        retry_after: float | None = None,
        hang: bool = False,
        times: int = 1,
    ) -> None:
        failure = Failure(status, error_code or status, description or f"Error {status}", retry_after, hang)
        self.failures[(method, chat_id)].extend([failure] * times)

    def texts(self, chat_id: str) -> list[str]:
        return [m["text"] for m in self.sent.get(chat_id, []) if "text" in m]

    async def wait_for(self, check: Callable[[], bool], timeout: float = 10.0) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(check), timeout)

    # ---- the API -----------------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _params(request)
        call = Call(method, params, time.monotonic())
        try:
            if request.match_info["token"] != self.token:
                return self._record(call, _error(401, 401, "Unauthorized"))
            chat = str(params["chat_id"]) if "chat_id" in params else None
            failure = self._failure(method, chat)
            if failure is not None:
                if failure.hang:  # until the server stops: the client's own timeout ends the call
                    async with self._changed:
                        await self._changed.wait_for(lambda: self._closing)
                body: dict[str, Any] = {
                    "ok": False,
                    "error_code": failure.error_code,
                    "description": failure.description,
                }
                if failure.retry_after is not None:
                    body["parameters"] = {"retry_after": failure.retry_after}
                return self._record(call, web.json_response(body, status=failure.status))
            handler = getattr(self, f"_m_{method}", None)
            if handler is None:
                return self._record(call, _error(404, 404, f"Method {method} not found"))
            return self._record(call, await handler(params))
        except _ApiError as exc:
            return self._record(call, _error(exc.status, exc.status, exc.description))

    def _record(self, call: Call, response: web.Response) -> web.Response:
        call.status = response.status
        self.calls.append(call)
        return response

    def _failure(self, method: str, chat: str | None) -> Failure | None:
        for key in ((method, chat), (method, None)):
            queue = self.failures.get(key)
            if queue:
                return queue.popleft()
        return None

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _check_send(self, chat: str) -> None:
        if chat in self.blocked:
            raise _ApiError(403, "Forbidden: the user blocked the bot")
        if self.rate_limit is not None:
            now = time.monotonic()
            while self._recent_sends and now - self._recent_sends[0] >= 1.0:
                self._recent_sends.popleft()
            if len(self._recent_sends) >= self.rate_limit:
                self.too_many_requests += 1
                raise _ApiError(429, "Too Many Requests")
            self._recent_sends.append(now)

    async def _m_getMe(self, params: dict[str, Any]) -> web.Response:
        return _ok(BOT_INFO)

    async def _m_getUpdates(self, params: dict[str, Any]) -> web.Response:
        if self.webhook_url is not None:
            raise _ApiError(409, "Conflict: getUpdates is not available while a webhook is set")
        timeout = float(params.get("timeout") or 0)
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: bool(self._updates) or self._closing), timeout
                )
            if not self._updates:
                return _error(408, 408, "Request timeout")
            update = self._updates.popleft()
            if self._repeats > 0:
                self._repeats -= 1
                self._updates.appendleft(update)
            return _ok(update)

    async def _m_setWebhook(self, params: dict[str, Any]) -> web.Response:
        url, secret = str(params.get("url") or ""), str(params.get("secret_token") or "")
        if not url.startswith(("https://", "http://127.0.0.1")) or not 8 <= len(secret) <= 256:
            raise _ApiError(400, "Bad Request: url must be https and secret_token 8-256 characters")
        self.webhook_url, self.webhook_secret = url, secret
        await self._notify()
        return _ok({"url": url, "updated_at": int(time.time() * 1000)})

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> web.Response:
        self.webhook_url = self.webhook_secret = None
        return _ok({"url": "", "updated_at": int(time.time() * 1000)})

    async def _m_getWebhookInfo(self, params: dict[str, Any]) -> web.Response:
        return _ok({"url": self.webhook_url or "", "updated_at": int(time.time() * 1000)})

    async def _m_sendMessage(self, params: dict[str, Any]) -> web.Response:
        chat, text = str(params.get("chat_id") or ""), params.get("text")
        if not chat or not isinstance(text, str) or not 1 <= len(text) <= MAX_TEXT:
            raise _ApiError(400, "Bad Request: text must be 1-2000 characters")
        self._check_send(chat)
        return await self._sent(chat, {"text": text})

    async def _m_sendPhoto(self, params: dict[str, Any]) -> web.Response:
        chat, photo = str(params.get("chat_id") or ""), str(params.get("photo") or "")
        if not chat or not photo.startswith(("http://", "https://")):
            raise _ApiError(400, "Bad Request: photo must be a URL")
        self._check_send(chat)
        statuses = [await _fetch(photo) for _ in range(2)]  # Zalo fetches a picture more than once
        self.photo_fetches[photo].extend(statuses)
        return await self._sent(
            chat, {"photo": photo, "caption": params.get("caption") or "", "fetched": statuses}
        )

    async def _m_sendSticker(self, params: dict[str, Any]) -> web.Response:
        chat = str(params.get("chat_id") or "")
        self._check_send(chat)
        return await self._sent(chat, {"sticker": params.get("sticker")})

    async def _m_sendChatAction(self, params: dict[str, Any]) -> web.Response:
        return _ok(True)

    async def _sent(self, chat: str, message: dict[str, Any]) -> web.Response:
        message_id = self._next_id()
        async with self._changed:
            self.sent[chat].append({**message, "message_id": message_id, "at": time.monotonic()})
            self._changed.notify_all()
        return _ok({"message_id": message_id, "date": int(time.time() * 1000)})


class _ApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(status: int, error_code: int, description: str) -> web.Response:
    return web.json_response(
        {"ok": False, "error_code": error_code, "description": description}, status=status
    )


async def _params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            with contextlib.suppress(json.JSONDecodeError, UnicodeDecodeError):
                body = await request.json()
                if isinstance(body, dict):
                    params.update(body)
        else:
            params.update(dict(await request.post()))
    return params


async def _fetch(url: str) -> int:
    try:
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            await response.read()
            return response.status
    except aiohttp.ClientError:
        return 0
