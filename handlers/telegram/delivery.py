"""Sending the outbox on Telegram: each row built in its reader's language (handlers.views.outbox) and sent
through the rate limiter."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram import Bot, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter

from compliance.delivery import claims as delivery
from compliance.delivery.claims import Claimed
from handlers.i18n import use_locale
from handlers.messages import OutMessage
from handlers.outbox_leases import OutboxLeases
from handlers.outbox_outcomes import OutcomeRecorder, SendOutcome
from handlers.scope import maybe_scope
from handlers.telegram.render import send
from handlers.views.outbox import LOCAL_SITE, build
from storage.engine import Database
from storage.models import Channel

log = logging.getLogger(__name__)


class ReleasingRateLimiter(AIORateLimiter):
    """PTB's rate limiter, which first ends the current update's transaction: waiting for a sending slot
    must not keep a pooled database connection idle in a transaction (a burst would exhaust the pool)."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        scope = maybe_scope()
        if scope is not None:
            await scope.release()
        return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)


def steady_rate_limiter(per_second: int, *, headroom: float = 0.985) -> AIORateLimiter:
    """PTB's rate limiter, set to drip messages evenly instead of in bursts.

    Its leaky bucket holds as many messages as the rate: after a pause it lets a whole second's worth go
    at once, and a strict one-second window (Telegram's) then answers 429. A bucket of one at a slightly
    lower rate keeps every one-second window under the limit. Groups keep PTB's 20 a minute.
    """
    return ReleasingRateLimiter(
        overall_max_rate=1, overall_time_period=1 / (per_second * headroom), max_retries=3
    )


class Dispatcher:
    """Drains the outbox until stopped, keeping up to `max_in_flight` sends going at once.

    Pacing is not done here: python-telegram-bot's AIORateLimiter holds each send to Telegram's overall
    and per-group limits; the claim query keeps one message per private chat in flight, and none within a
    second of the last. What Telegram answers is recorded in batches (handlers.outbox_outcomes).
    """

    def __init__(
        self,
        bot: Bot,
        database: Database,
        *,
        wakeup: asyncio.Event,
        default_locale: str,
        batch: int = 100,
        # Below the HTTP connection pool (PTB's default 256): more would only wait for a connection and
        # time out into retries.
        max_in_flight: int = 100,
        idle_seconds: float = 1.0,
        lease: timedelta = delivery.DEFAULT_LEASE,
        public_url: str = LOCAL_SITE,
    ) -> None:
        self.bot = bot
        # PUBLIC_URL: the messages that link a web page (a flagged rating's follow-up) are built on it.
        self.public_url = public_url
        self.database = database
        self.wakeup = wakeup
        self.default_locale = default_locale
        self.batch = batch
        self.max_in_flight = max_in_flight
        self.idle_seconds = idle_seconds
        self.lease = lease
        # Rows claimed here whose outcome is not recorded yet: their leases are renewed while they last.
        self.leases = OutboxLeases(database, channel=Channel.TELEGRAM, lease=lease)
        self.outcomes = OutcomeRecorder(database, self.leases)
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        recorder = asyncio.create_task(self.outcomes.run(), name="outbox-recorder")
        renewer = asyncio.create_task(self.leases.renew_forever(), name="outbox-lease-renewal")
        try:
            await self._send_loop()
        finally:
            renewer.cancel()
            self.outcomes.close()
            await recorder
            await self.outcomes.flush()

    async def _send_loop(self) -> None:
        in_flight: set[asyncio.Task[None]] = set()
        while not self._stopping.is_set():
            claimed: list[Claimed] = []
            room = self.max_in_flight - len(in_flight)
            # While answers wait to be recorded (the database is away), claim nothing: this process
            # could take back its own rows once their leases end and send them twice.
            if not self.outcomes.failing and (
                room >= min(self.batch, self.max_in_flight // 2) or not in_flight
            ):
                try:
                    claimed = await self._claim(min(room, self.batch))
                except Exception:
                    log.exception("claiming from the outbox failed; retrying")
            for row in claimed:
                in_flight.add(asyncio.create_task(self._send(row), name=f"outbox-{row.id}"))
            if in_flight:
                # Come back soon to fill freed slots, or at once when a send finishes.
                _, in_flight = await asyncio.wait(in_flight, timeout=0.2, return_when=asyncio.FIRST_COMPLETED)
            elif not claimed:
                await self._idle()
        if in_flight:  # let what was handed to Telegram be recorded before stopping
            await asyncio.wait(in_flight)

    async def _idle(self) -> None:
        self.wakeup.clear()
        waiters = [asyncio.ensure_future(self.wakeup.wait()), asyncio.ensure_future(self._stopping.wait())]
        await asyncio.wait(waiters, timeout=self.idle_seconds, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()

    def stop(self) -> None:
        self._stopping.set()

    async def _claim(self, limit: int) -> list[Claimed]:
        return await self.leases.claim(limit)

    async def drain_once(self) -> int:
        """One claim and its sends, awaited: for tests that step the dispatcher by hand."""
        claimed = await self._claim(self.batch)
        if claimed:
            await asyncio.gather(*(self._send(row) for row in claimed))
            await self.outcomes.flush()
        return len(claimed)

    async def _send(self, row: Claimed) -> None:
        locale = row.locale or row.payload.get("locale") or self.default_locale
        self.outcomes.add(row, await self._attempt(row, locale))

    async def _attempt(self, row: Claimed, locale: str) -> SendOutcome:
        try:
            with use_locale(locale):
                outgoing = build(row.kind, row.payload, public_url=self.public_url)
            message = await send(self.bot, int(row.address), outgoing)
        except RetryAfter as exc:
            return SendOutcome(
                "retry", error=f"429 retry after {exc.retry_after}", delay=_seconds(exc.retry_after)
            )
        except Forbidden as exc:
            return SendOutcome("unreachable", error=f"403 {exc.message}")
        except BadRequest as exc:
            return SendOutcome("failed", error=f"400 {exc.message}")
        except (NetworkError, TelegramError) as exc:
            return SendOutcome("retry", error=f"{type(exc).__name__}: {exc.message}")
        except KeyError as exc:
            return SendOutcome("failed", error=f"unknown kind or payload field {exc}")
        return SendOutcome(
            "sent",
            message_id=str(message.message_id) if message is not None else None,
            file_ref=_uploaded_file(outgoing, message),
        )


def _uploaded_file(outgoing: OutMessage, message: Message | None) -> str | None:
    """Telegram's id of a file this send uploaded (a broadcast's document uploaded on the web): the next
    copies refer to it instead of uploading the bytes again."""
    if outgoing.attachment is None or outgoing.attachment.data is None or message is None:
        return None
    if message.document is not None:
        return message.document.file_id
    return message.photo[-1].file_id if message.photo else None


def _seconds(value: int | timedelta) -> timedelta:
    return value if isinstance(value, timedelta) else timedelta(seconds=value)
