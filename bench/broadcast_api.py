"""The fake Bot API server for bench.broadcast, run as its own process: tests/fakes/botapi.py with the
signed plan already uploaded (the admin's document refers to it by file_id, as every copy then does), and
two things timed besides: when each document reached its chat, and how long after a press its button was
edited (the answer to "✅ Received" is an edit, which the base server does not time).

    python -m bench.broadcast_api --port P --token T --rate R --chats FIRST-LAST
prints one JSON line {"url": …, "counters": …, "file": {…}} once it listens. On the counters' URL,
GET /counters (add ?times=1 for every (chat, time) of documents and edits, and the edit latencies) and
GET /sent?chat=ID (what one chat was sent; the fake's /_test/sent gives every chat's).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

from aiohttp import web

from tests.fakes.botapi import FakeBotApi

FILE_NAME = "ke-hoach-15-KH-SGTVT.pdf"
# Only its file_id travels: Telegram keeps the file, the bot never uploads it again.
FILE_CONTENT = b"%PDF-1.4\n% Ke hoach so 15/KH-SGTVT\n" + b"0" * 200_000


class BroadcastApi(FakeBotApi):
    def __post_init__(self) -> None:
        super().__post_init__()
        self.documents: list[tuple[int, float]] = []
        self.edits: list[tuple[int, float]] = []
        self.edit_latencies_ms: list[float] = []

    async def _m_sendDocument(self, params: dict[str, Any]) -> Any:
        result = await super()._m_sendDocument(params)
        self.documents.append((int(params["chat_id"]), time.perf_counter()))
        return result

    async def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        result = await super()._m_editMessageReplyMarkup(params)
        now = time.perf_counter()
        chat_id = int(params["chat_id"])
        self.edits.append((chat_id, now))
        queue = self._injected_at.get(chat_id)
        if queue:
            self.edit_latencies_ms.append((now - queue.popleft()) * 1000)
        return result

    async def _counters(self, request: web.Request) -> web.Response:
        body: dict[str, Any] = {
            "documents": len(self.documents),
            "edits": len(self.edits),
            "edit_latencies": len(self.edit_latencies_ms),
            "too_many_requests": self.too_many_requests,
        }
        if "times" in request.query:
            body.update(
                document_times=self.documents, edit_times=self.edits, edit_latencies_ms=self.edit_latencies_ms
            )
        return web.json_response(body)

    async def _sent_to(self, request: web.Request) -> web.Response:
        return web.json_response(self.sent.get(int(request.query["chat"]), []))

    async def start_counters(self) -> str:
        """The bench's own endpoints, on a port of their own: the fake's /_test/* stay as they are."""
        app = web.Application()
        app.router.add_get("/counters", self._counters)
        app.router.add_get("/sent", self._sent_to)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, 0)
        await site.start()
        return f"http://{self.host}:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]


async def serve(port: int, token: str, rate: float, chats: range) -> None:
    server = BroadcastApi(token=token, port=port, rate_limit=rate)
    server.known_chats.update(chats)  # every recipient has opened the bot before
    meta = server.add_file(FILE_NAME, FILE_CONTENT)
    await server.start()
    counters = await server.start_counters()
    print(json.dumps({"url": server.url, "counters": counters, "file": meta}), flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--rate", type=float, required=True, help="messages per second overall (429 beyond)")
    parser.add_argument("--chats", required=True, help="FIRST-LAST: the chat ids that exist")
    args = parser.parse_args()
    first, _, last = args.chats.partition("-")
    asyncio.run(serve(args.port, args.token, args.rate, range(int(first), int(last) + 1)))


if __name__ == "__main__":
    main()
