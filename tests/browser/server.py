"""The web pages on a real uvicorn, inside the test's event loop, on a socket bound beforehand (its port is
known at once, and connections wait in its backlog until the server accepts them: nothing to poll)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import uvicorn

from compliance.office.web_access import issue_link
from handlers.web.app import create_app
from handlers.web.config import WebConfig
from storage.engine import Database
from tests.consents import agree
from tests.web_client import TELEGRAM_TOKEN


@dataclass
class WebServer:
    database: Database
    url: str

    async def link_for(self, official_id: int, next_path: str = "/", *, consented: bool = True) -> str:
        """The one-time link the bot would send this official, who answered the privacy notice already
        unless `consented` is False (the notice's own test)."""
        async with self.database.unit_of_work() as session:
            if consented:
                await agree(session, official_id, "web")
            token = await issue_link(session, official_id=official_id, issued_by="test", next_path=next_path)
        return f"{self.url}/signin/{token}"


@asynccontextmanager
async def serve(database: Database, listener: socket.socket) -> AsyncIterator[WebServer]:
    host, port = listener.getsockname()
    url = f"http://{host}:{port}"
    app = create_app(WebConfig(database=database, public_url=url, telegram_token=TELEGRAM_TOKEN))
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, lifespan="off", access_log=False))
    listener.listen(128)
    task = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        yield WebServer(database, url)
    finally:
        server.should_exit = True
        await task
        listener.close()
