"""A TCP proxy on 127.0.0.1 in front of a server (PostgreSQL), to take it away and bring it back.

stop() cuts every open connection and stops listening, as a database restart does to its clients;
start() listens again on the same port. The shared PostgreSQL server itself is never touched.
"""

from __future__ import annotations

import asyncio
import contextlib

from sqlalchemy.engine import make_url


class TcpProxy:
    def __init__(self, target_host: str, target_port: int, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.target = (target_host, target_port)
        self.host, self.port = host, port
        self.accepted = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._pumps: set[asyncio.Task[None]] = set()

    @classmethod
    def in_front_of(cls, database_url: str) -> TcpProxy:
        url = make_url(database_url)
        return cls(url.host or "127.0.0.1", url.port or 5432)

    def url_for(self, database_url: str) -> str:
        """The same database, reached through the proxy."""
        url = make_url(database_url).set(host=self.host, port=self.port)
        return url.render_as_string(hide_password=False)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, self.host, self.port, reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()  # a reset, as when the server's process goes away
        pumps = list(self._pumps)
        for pump in pumps:
            pump.cancel()
        await asyncio.gather(*pumps, return_exceptions=True)

    async def _accept(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.transport.abort()
            return
        self._writers.update((client_writer, server_writer))
        pumps = [
            asyncio.create_task(self._pump(client_reader, server_writer)),
            asyncio.create_task(self._pump(server_reader, client_writer)),
        ]
        self._pumps.update(pumps)
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pump in pumps:
                pump.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
            self._pumps.difference_update(pumps)
            for writer in (client_writer, server_writer):
                self._writers.discard(writer)
                writer.transport.abort()

    @staticmethod
    async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
