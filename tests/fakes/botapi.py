"""A fake Telegram Bot API server on 127.0.0.1, answering like Telegram does.

It keeps what the bot sent per chat, lets a test inject updates as a user would, serves getUpdates with
long polling and offsets, serves files, and answers errors as Telegram does: 429 with retry_after, 403
for a user who blocked the bot, 400 for a bad request (unknown chat, empty or too long text, HTML that
Telegram could not parse). Run it in-process (tests) or as `python -m tests.fakes.botapi` (benchmarks,
subprocess tests), where /_test/* endpoints drive it over HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.fakes.botapi_control import add_control_routes
from tests.fakes.telegram_rules import (
    ApiError,
    chat_of,
    check_html,
    echoed_markup,
    error_response,
    read_params,
)

if TYPE_CHECKING:
    from tests.fakes.outages import Outage

BOT_USER = {
    "id": 700000001,
    "is_bot": True,
    "first_name": "Cam Kết",
    "username": "camket_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
MAX_TEXT = 4096


def _photo_size(meta: dict[str, Any], content: bytes) -> dict[str, Any]:
    """A PhotoSize as Telegram returns it: no file name, but width and height (read from a PNG header)."""
    width, height = 1280, 720
    if content[:8] == b"\x89PNG\r\n\x1a\n" and len(content) >= 24:
        width, height = int.from_bytes(content[16:20], "big"), int.from_bytes(content[20:24], "big")
    size = {k: v for k, v in meta.items() if k != "file_name"}
    return {**size, "width": width, "height": height}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    result: Any = None


@dataclass
class FakeBotApi:
    token: str = "123456789:TEST-token-for-the-fake-bot-api-server"
    host: str = "127.0.0.1"
    port: int = 0
    calls: list[Call] = field(default_factory=list)
    sent: dict[int, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    blocked: set[int] = field(default_factory=set)
    known_chats: set[int] = field(default_factory=set)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # (method, chat_id or None) -> queued errors to answer instead of the real result
    failures: dict[tuple[str, int | None], deque[ApiError]] = field(
        default_factory=lambda: defaultdict(deque)
    )
    latencies_ms: list[float] = field(default_factory=list)
    # Telegram's limits, enforced when set: messages per second overall, seconds between two messages to
    # one private chat, messages per minute to one group. Exceeding one answers 429 with retry_after.
    rate_limit: float | None = None
    per_chat_gap: float | None = None
    group_per_minute: int | None = None
    too_many_requests: int = 0
    # Telegram having trouble (tests/fakes/outages.py): answers every API call instead of the server.
    outage: Outage | None = None

    def __post_init__(self) -> None:
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._file_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._injected_at: dict[int, deque[float]] = defaultdict(deque)
        self._runner: web.AppRunner | None = None
        self._closing = False
        self._recent_sends: deque[float] = deque()
        self._last_to_chat: dict[int, float] = {}
        self._group_sends: dict[int, deque[float]] = defaultdict(deque)

    # ---- lifecycle -------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        add_control_routes(app.router, self)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def release_pollers(self) -> None:
        """Answer pending long polls now, so a bot that is stopping does not wait out their timeout."""
        async with self._changed:
            self._closing = True
            self._changed.notify_all()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def reopen(self) -> None:
        """Serve long polls again after release_pollers(), for a server started again after stop()."""
        self._closing = False

    @property
    def changed(self) -> asyncio.Condition:
        """Notified on every call the server answers: what wait_for() waits on."""
        return self._changed

    # ---- what a test does ------------------------------------------------------------------------
    async def inject(self, update: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        update = {"update_id": update_id, **update}
        chat = chat_of(update)
        if chat is not None:
            self.known_chats.add(chat)
            self._injected_at[chat].append(time.perf_counter())
        async with self._changed:
            self._updates.append(update)
            self._changed.notify_all()
        return update_id

    def add_file(self, file_name: str, content: bytes) -> dict[str, Any]:
        file_id = f"file-{next(self._file_ids)}"
        self.files[file_id] = (file_name, content)
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": file_name,
            "file_size": len(content),
        }

    def fail_next(self, method: str, error: ApiError, chat_id: int | None = None) -> None:
        self.failures[(method, chat_id)].append(error)

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Wait until the bot has done what the predicate looks for: no sleeping, just the event."""
        async with self._changed:
            result = predicate()
            deadline = time.monotonic() + timeout
            while not result:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("the bot did not do what the test waited for")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), remaining)
                result = predicate()
            return result

    def messages_to(self, chat_id: int) -> list[dict[str, Any]]:
        """What arrived as new messages, leaving out the edits of earlier ones."""
        return [m for m in self.sent.get(chat_id, []) if not str(m.get("_method", "")).startswith("edit")]

    def texts_to(self, chat_id: int) -> list[str]:
        return [m.get("text") or m.get("caption") or "" for m in self.sent.get(chat_id, [])]

    # ---- the API ---------------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return error_response(ApiError(401, "Unauthorized"))
        method = request.match_info["method"]
        if self.outage is not None:
            return await self.outage.answer(method)
        params = await read_params(request)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return error_response(ApiError(404, "Not Found"))
        try:
            queued = self.failures.get((method, params.get("chat_id"))) or self.failures.get((method, None))
            if queued:
                raise queued.popleft()
            result = await handler(params)
        except ApiError as exc:
            return error_response(exc)
        async with self._changed:
            self.calls.append(Call(method, params, time.perf_counter(), result))
            self._changed.notify_all()
        return web.json_response({"ok": True, "result": result})

    async def _file(self, request: web.Request) -> web.Response:
        file_id = request.match_info["path"].split("/")[-1]
        if request.match_info["token"] != self.token or file_id not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[file_id][1])

    async def _m_getMe(self, params: dict[str, Any]) -> Any:
        return BOT_USER

    async def _m_getUpdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        async with self._changed:
            if offset:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: bool(self._updates) or self._closing), timeout
                )
            return self._updates[:limit]

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_setWebhook(self, params: dict[str, Any]) -> Any:
        return True

    def _menu_key(self, params: dict[str, Any]) -> str:
        """Menus are kept per scope and language, as Telegram keeps them: "<scope as JSON>|<language>"."""
        scope = params.get("scope") or {"type": "default"}
        if isinstance(scope, str):
            scope = json.loads(scope)
        if scope.get("type") in ("chat", "chat_administrators", "chat_member"):
            self._check_chat(scope.get("chat_id"))
        language = params.get("language_code") or ""
        if language and not (len(language) == 2 and language.isalpha()):
            raise ApiError(400, "Bad Request: invalid language code specified")
        return f"{json.dumps(scope, sort_keys=True)}|{language}"

    async def _m_setMyCommands(self, params: dict[str, Any]) -> Any:
        key = self._menu_key(params)
        commands = params["commands"]
        if isinstance(commands, str):
            commands = json.loads(commands)
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands specified")
        for command in commands:
            name, description = str(command.get("command", "")), str(command.get("description", ""))
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise ApiError(400, "Bad Request: command description is empty or too long")
        self.commands[key] = commands
        return True

    async def _m_getMyCommands(self, params: dict[str, Any]) -> Any:
        return self.commands.get(self._menu_key(params), [])

    async def _m_deleteMyCommands(self, params: dict[str, Any]) -> Any:
        self.commands.pop(self._menu_key(params), None)
        return True

    def menu(self, scope: dict[str, Any], language: str | None = None) -> list[str] | None:
        """The command names registered for a scope and language (None: no menu of its own there)."""
        commands = self.commands.get(f"{json.dumps(scope, sort_keys=True)}|{language or ''}")
        return None if commands is None else [c["command"] for c in commands]

    def chat_menu(self, chat_id: int, language: str | None = None) -> list[str] | None:
        return self.menu({"type": "chat", "chat_id": chat_id}, language)

    def _check_chat(self, chat_id: Any) -> int:
        if not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat_id is empty")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id not in self.known_chats:
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    def _enforce_limits(self, chat_id: int) -> None:
        now = time.monotonic()
        while self._recent_sends and now - self._recent_sends[0] >= 1.0:
            self._recent_sends.popleft()
        retry: float | None = None
        if self.rate_limit is not None and len(self._recent_sends) >= self.rate_limit:
            retry = 1.0
        last = self._last_to_chat.get(chat_id)
        if (
            chat_id > 0
            and self.per_chat_gap is not None
            and last is not None
            and now - last < self.per_chat_gap
        ):
            retry = self.per_chat_gap
        group = self._group_sends[chat_id] if chat_id < 0 else None
        if group is not None and self.group_per_minute is not None:
            while group and now - group[0] >= 60:
                group.popleft()
            if len(group) >= self.group_per_minute:
                retry = 60 - (now - group[0])
        if retry is not None:
            self.too_many_requests += 1
            seconds = max(1, round(retry))
            raise ApiError(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)
        self._recent_sends.append(now)
        self._last_to_chat[chat_id] = now
        if group is not None:
            group.append(now)

    def _record(self, chat_id: int, message: dict[str, Any], method: str) -> dict[str, Any]:
        message = {
            "message_id": next(self._message_ids[chat_id]),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": BOT_USER,
            **message,
        }
        self.sent[chat_id].append({**message, "_method": method})
        queue = self._injected_at.get(chat_id)
        if queue:
            self.latencies_ms.append((time.perf_counter() - queue.popleft()) * 1000)
        return {k: v for k, v in message.items() if not k.startswith("_")}

    async def _m_sendMessage(self, params: dict[str, Any]) -> Any:
        chat_id = self._check_chat(params.get("chat_id"))
        text = params.get("text") or ""
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        self._enforce_limits(chat_id)
        if len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        if params.get("parse_mode") == "HTML":
            check_html(text)
        # How the text was sent (kept aside like "_method"), so a test can tell what a person sees.
        message: dict[str, Any] = {
            "text": text,
            "_parse_mode": params.get("parse_mode"),
            **echoed_markup(params),
        }
        return self._record(chat_id, message, "sendMessage")

    async def _send_file(self, params: dict[str, Any], kind: str) -> Any:
        chat_id = self._check_chat(params.get("chat_id"))
        self._enforce_limits(chat_id)
        value = params.get(kind)
        if isinstance(value, tuple):
            name, content = value
            meta = self.add_file(name, content)
        elif isinstance(value, str) and value in self.files:
            meta = {
                "file_id": value,
                "file_unique_id": f"u{value}",
                "file_name": self.files[value][0],
                "file_size": len(self.files[value][1]),
            }
        else:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        if params.get("parse_mode") == "HTML" and params.get("caption"):
            check_html(params["caption"])
        message: dict[str, Any] = {
            kind: meta if kind == "document" else [_photo_size(meta, self.files[meta["file_id"]][1])],
            "caption": params.get("caption"),
            "_parse_mode": params.get("parse_mode"),
            **echoed_markup(params),
        }
        return self._record(chat_id, message, f"send{kind.title()}")

    async def _m_sendDocument(self, params: dict[str, Any]) -> Any:
        return await self._send_file(params, "document")

    async def _m_sendPhoto(self, params: dict[str, Any]) -> Any:
        return await self._send_file(params, "photo")

    async def _m_sendMediaGroup(self, params: dict[str, Any]) -> Any:
        """An album: one message per photo, the album's caption on the first (Telegram takes 2–10)."""
        media = params.get("media")
        if isinstance(media, str):
            media = json.loads(media)
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise ApiError(400, "Bad Request: wrong number of media in the album")
        sent = []
        for item in media:
            reference = str(item.get("media", ""))
            if reference.startswith("attach://"):
                reference = params.get(reference[len("attach://") :], reference)
            sent.append(
                await self._send_file(
                    {
                        "chat_id": params.get("chat_id"),
                        "photo": reference,
                        "caption": item.get("caption"),
                        "parse_mode": item.get("parse_mode"),
                    },
                    "photo",
                )
            )
        return sent

    async def _m_editMessageText(self, params: dict[str, Any]) -> Any:
        chat_id = self._check_chat(params.get("chat_id"))
        text = params.get("text") or ""
        if params.get("parse_mode") == "HTML":
            check_html(text)
        original = next(
            (m for m in reversed(self.sent[chat_id]) if m.get("message_id") == params.get("message_id")), None
        )
        if original is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        edit = {k: v for k, v in original.items() if k != "reply_markup"}
        edit.update(
            {
                "text": text,
                "edit_date": int(time.time()),
                "_method": "editMessageText",
                "_parse_mode": params.get("parse_mode"),
            }
        )
        edit.update(echoed_markup(params))
        self.sent[chat_id].append(edit)
        return {k: v for k, v in edit.items() if not k.startswith("_")}

    async def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        chat_id = self._check_chat(params.get("chat_id"))
        original = next(
            (m for m in reversed(self.sent[chat_id]) if m.get("message_id") == params.get("message_id")), None
        )
        if original is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        edit = {k: v for k, v in original.items() if k != "reply_markup"}
        edit.update(
            {"edit_date": int(time.time()), "_method": "editMessageReplyMarkup", **echoed_markup(params)}
        )
        self.sent[chat_id].append(edit)
        return {k: v for k, v in edit.items() if not k.startswith("_")}

    async def _m_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_deleteMessage(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_getFile(self, params: dict[str, Any]) -> Any:
        file_id = params.get("file_id")
        if file_id not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(self.files[file_id][1]),
            "file_path": f"documents/{file_id}",
        }


if __name__ == "__main__":
    from tests.fakes.botapi_control import main

    main()
