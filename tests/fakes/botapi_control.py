"""The /_test/* endpoints of the fake Bot API server, and its command line: they drive a server that runs in
another process (benchmarks, subprocess tests) over HTTP."""

from __future__ import annotations

import argparse
import asyncio
from functools import partial
from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from tests.fakes.botapi import FakeBotApi


async def _control_inject(server: FakeBotApi, request: web.Request) -> web.Response:
    body = await request.json()
    updates = body if isinstance(body, list) else [body]
    ids = [await server.inject(u) for u in updates]
    return web.json_response({"update_ids": ids})


async def _control_sent(server: FakeBotApi, request: web.Request) -> web.Response:
    return web.json_response({str(k): v for k, v in server.sent.items()})


async def _control_stats(server: FakeBotApi, request: web.Request) -> web.Response:
    sends = [c for c in server.calls if c.method.startswith("send")]
    return web.json_response(
        {
            "sends": len(sends),
            "latencies_ms": server.latencies_ms,
            "first_send": sends[0].at if sends else None,
            "last_send": sends[-1].at if sends else None,
            "too_many_requests": server.too_many_requests,
            "per_chat": {str(k): len(server.messages_to(k)) for k in server.sent},
        }
    )


async def _control_send_times(server: FakeBotApi, request: web.Request) -> web.Response:
    """[chat id, perf_counter()] of every message sent, in order: for a client that delivered the
    updates itself (webhook mode) and pairs each with its reply."""
    return web.json_response(
        [[c.params.get("chat_id"), c.at] for c in server.calls if c.method.startswith("send")]
    )


async def _control_reset(server: FakeBotApi, request: web.Request) -> web.Response:
    server.too_many_requests = 0
    server.calls.clear()
    server.latencies_ms.clear()
    server.sent.clear()
    return web.json_response({"ok": True})


def add_control_routes(router: web.UrlDispatcher, server: FakeBotApi) -> None:
    router.add_post("/_test/updates", partial(_control_inject, server))
    router.add_get("/_test/sent", partial(_control_sent, server))
    router.add_get("/_test/stats", partial(_control_stats, server))
    router.add_get("/_test/send_times", partial(_control_send_times, server))
    router.add_post("/_test/reset_stats", partial(_control_reset, server))


async def _serve(port: int, token: str, rate: float | None, gap: float | None, known: list[int]) -> None:
    from tests.fakes.botapi import FakeBotApi

    server = FakeBotApi(token=token, port=port, rate_limit=rate, per_chat_gap=gap)
    server.known_chats.update(known)
    await server.start()
    print(f"fake Bot API on {server.url}", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    from tests.fakes.botapi import FakeBotApi

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=FakeBotApi.token)
    parser.add_argument("--rate", type=float, default=None, help="messages per second overall (429 beyond)")
    parser.add_argument(
        "--per-chat-gap", type=float, default=None, help="seconds between two sends to a chat"
    )
    parser.add_argument("--known-chats", default="", help="chat id ranges that exist, e.g. 1-10000")
    args = parser.parse_args()
    known: list[int] = []
    for part in filter(None, args.known_chats.split(",")):
        first, _, last = part.partition("-")
        known.extend(range(int(first), int(last or first) + 1))
    asyncio.run(_serve(args.port, args.token, args.rate, args.per_chat_gap, known))
