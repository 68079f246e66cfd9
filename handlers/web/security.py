"""Headers every page carries, CSRF tokens for every form, and the sign-in attempt limit."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections import deque

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Telegram opens Mini Apps in web.telegram.org's frame as well as in its apps' web views.
TELEGRAM_FRAMES = "https://web.telegram.org https://*.telegram.org"
SELF_ONLY_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'"
)
MINI_APP_CSP = SELF_ONLY_CSP.replace("frame-ancestors 'none'", f"frame-ancestors {TELEGRAM_FRAMES}")
# Set by a page served inside Telegram's Mini App (on request.state) to relax frame-ancestors for it alone.
MINI_APP_SCOPE_KEY = "camket.mini_app"


class SecurityHeaders:
    """A pure ASGI middleware (no buffering of bodies): adds the headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                mini_app = bool(scope.get("state", {}).get(MINI_APP_SCOPE_KEY))
                csp = MINI_APP_CSP if mini_app else SELF_ONLY_CSP
                for name, value in (
                    (b"content-security-policy", csp.encode()),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                ):
                    if not any(h[0].lower() == name for h in headers):
                        headers.append((name, value))
                if not mini_app and not any(h[0].lower() == b"x-frame-options" for h in headers):
                    headers.append((b"x-frame-options", b"DENY"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ServerTiming:
    """`Server-Timing: app;dur=<ms>` on every answer: the time the process spent until the headers went out
    (the browser's developer tools show it; bench/web.py reads it as the server's time)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def send_with_timing(message: Message) -> None:
            if message["type"] == "http.response.start":
                took = (time.perf_counter() - started) * 1000
                headers = [*message.get("headers", []), (b"server-timing", f"app;dur={took:.1f}".encode())]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_timing)


def csrf_token(session_token: str) -> str:
    """Bound to the session: derived from its secret cookie, which a page of another site cannot read."""
    return hmac.new(session_token.encode(), b"camket-csrf", hashlib.sha256).hexdigest()


def csrf_ok(session_token: str, presented: object) -> bool:
    return isinstance(presented, str) and hmac.compare_digest(csrf_token(session_token), presented)


class AttemptLimiter:
    """At most `limit` attempts per key (a client address) in a sliding window.

    Kept in the process: it slows a guesser down on each replica and loses nothing anyone relies on when
    the process restarts (the tokens themselves have 256 bits).
    """

    def __init__(self, limit: int, window_seconds: float) -> None:
        self.limit = limit
        self.window = window_seconds
        self._seen: dict[str, deque[float]] = {}

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        times = self._seen.setdefault(key, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        if len(times) >= self.limit:
            return False
        times.append(now)
        if len(self._seen) > 10_000:  # forget idle addresses rather than grow without end
            for stale in [k for k, v in self._seen.items() if not v or now - v[-1] > self.window]:
                del self._seen[stale]
        return True
