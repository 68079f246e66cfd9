"""The web pages alone, in a process of their own, for bench/web.py: its peak RSS is the server's.

python -m bench.web_server DATABASE_URL PORT
"""

from __future__ import annotations

import sys

import uvicorn

from handlers.i18n import load_catalogs
from handlers.web.app import create_app
from handlers.web.config import WebConfig
from storage.engine import Database


def main() -> None:
    url, port = sys.argv[1], int(sys.argv[2])
    load_catalogs()
    # The pool a replica would have: 20 users wait for connections rather than open one each.
    database = Database(url, pool_size=10)
    config = WebConfig(
        database=database,
        public_url=f"http://127.0.0.1:{port}",
        # 20 users sign in from one address in a second: the guesser's limit would stop them.
        signin_attempts_per_minute=10_000,
    )
    uvicorn.run(
        create_app(config),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
    )


if __name__ == "__main__":
    main()
