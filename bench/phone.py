"""A phone on the rating form, as lean as a load generator on the server's own two cores must be: one TCP
connection per request (a person takes longer to fill the form than any keep-alive lasts), HTTP spoken by
h11 (the protocol library under httpx), the phone's cookies kept as a browser keeps them.

httpx per phone cost ~6 ms of CPU a request here, more than the server under test spent answering it,
so the phones, not the server, set the pace of bench/feedback_form.py.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import h11


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str


@dataclass
class Phone:
    port: int
    address: str  # the phone's own address, as the proxy in front of the server tells it
    keeps_cookies: bool = True
    cookies: dict[str, str] = field(default_factory=dict)

    async def get(self, path: str) -> Reply:
        return await self._exchange("GET", path, b"", [])

    async def post(self, path: str, fields: dict[str, str]) -> Reply:
        body = urlencode(fields).encode()
        return await self._exchange(
            "POST", path, body, [("content-type", "application/x-www-form-urlencoded")]
        )

    async def _exchange(self, method: str, path: str, body: bytes, extra: list[tuple[str, str]]) -> Reply:
        headers = [
            ("host", f"127.0.0.1:{self.port}"),
            ("connection", "close"),
            ("x-forwarded-for", self.address),
            ("content-length", str(len(body))),
            *extra,
        ]
        if self.cookies:
            headers.append(("cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items())))
        async with asyncio.timeout(30):
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            try:
                protocol = h11.Connection(h11.CLIENT)
                request = protocol.send(h11.Request(method=method, target=path, headers=headers))
                data = protocol.send(h11.Data(data=body)) if body else b""
                writer.write(request + data + protocol.send(h11.EndOfMessage()))
                return await self._reply(protocol, reader)
            finally:
                writer.close()

    async def _reply(self, protocol: h11.Connection, reader: asyncio.StreamReader) -> Reply:
        status, headers, chunks = 0, {}, []
        while True:
            event = protocol.next_event()
            if event is h11.NEED_DATA:
                protocol.receive_data(await reader.read(65536))
            elif isinstance(event, h11.Response):
                status = event.status_code
                for name, value in event.headers:
                    if name == b"set-cookie" and self.keeps_cookies:
                        for morsel in SimpleCookie(value.decode("latin-1")).values():
                            self.cookies[morsel.key] = morsel.value
                    headers[name.decode("latin-1")] = value.decode("latin-1")
            elif isinstance(event, h11.Data):
                chunks.append(bytes(event.data))
            elif isinstance(event, (h11.EndOfMessage, h11.ConnectionClosed)):
                return Reply(status, headers, b"".join(chunks).decode("utf-8", "replace"))
