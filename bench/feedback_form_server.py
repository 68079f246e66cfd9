"""The rating form alone, in a process of its own, for bench/feedback_form.py.

python -m bench.feedback_form_server DATABASE_URL PORT

The default limits (10 a minute per address, 120 per point, 5 s to fill) are kept: the bench's devices
come from their own addresses (X-Forwarded-For, which uvicorn trusts from 127.0.0.1 as behind a proxy).
"""

from __future__ import annotations

import sys

import uvicorn

from bot.server import settle_heap
from handlers.i18n import load_catalogs
from handlers.web.app import create_app
from handlers.web.config import WebConfig
from storage.engine import Database


def main() -> None:
    url, port = sys.argv[1], int(sys.argv[2])
    load_catalogs()
    database = Database(url, pool_size=10)
    config = WebConfig(database=database, public_url=f"http://127.0.0.1:{port}")
    app = create_app(config)
    settle_heap()  # as the bot's own server does
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        loop="asyncio",  # the bot's loop: uvloop is not among its dependencies
        server_header=False,
    )


if __name__ == "__main__":
    main()
