"""The fake Zalo Bot API server for bench.dispatch, run as its own process (the dispatcher under test must
not share its event loop with the server it is measured against): tests/fakes/zalo.py enforcing Zalo's
quota as a sliding one-second window (429 beyond), plus a stats endpoint with what the bench checks.

    python -m bench.zalo_api --port P --token T --rate R
prints one JSON line {"url": …, "stats": …} once it listens. GET <stats> answers {sends,
too_many_requests, per_chat: {chat: count}, too_fast: sends less than a second after the same chat's
previous one, min_gap: the smallest such gap in seconds, min_spacing: the closest two sends overall, first,
last: monotonic times of the first and last accepted send}.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
from typing import Any

from aiohttp import web

from tests.fakes.zalo import FakeZalo


class BenchZalo(FakeZalo):
    async def _stats(self, request: web.Request) -> web.Response:
        per_chat: dict[str, int] = {}
        too_fast = 0
        min_gap: float | None = None
        times: list[float] = []
        for chat, messages in self.sent.items():
            per_chat[chat] = len(messages)
            stamps = [float(m["at"]) for m in messages]
            times.extend(stamps)
            for before, after in itertools.pairwise(stamps):
                gap = after - before
                too_fast += gap < 1.0
                min_gap = gap if min_gap is None else min(min_gap, gap)
        body: dict[str, Any] = {
            "sends": len(times),
            "too_many_requests": self.too_many_requests,
            "per_chat": per_chat,
            "too_fast": too_fast,
            "min_gap": min_gap,
            # The closest two accepted sends: below the pace's interval means they were bunched on the way.
            "min_spacing": min((b - a for a, b in itertools.pairwise(sorted(times))), default=None),
            "first": min(times, default=None),
            "last": max(times, default=None),
        }
        return web.json_response(body)

    async def start_stats(self) -> str:
        """On a port of its own: the fake's Bot API routes stay exactly as the tests know them."""
        app = web.Application()
        app.router.add_get("/stats", self._stats)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, 0)
        await site.start()
        return f"http://{self.host}:{site._server.sockets[0].getsockname()[1]}/stats"  # type: ignore[union-attr]


async def serve(port: int, token: str, rate: float) -> None:
    server = BenchZalo(token=token, port=port, rate_limit=rate)
    await server.start()
    stats = await server.start_stats()
    print(json.dumps({"url": server.url, "stats": stats}), flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--rate", type=float, required=True, help="messages per second overall (429 beyond)")
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.token, args.rate))


if __name__ == "__main__":
    main()
