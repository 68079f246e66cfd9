"""The one way out to Zalo for this process (replies and the outbox) and its pace: ZALO_RATE_LIMIT overall,
at most one message a second per chat; a 429 slows every send down, a 401 pauses Zalo sending."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from handlers.zalo.client import ZaloClient, ZaloRateLimited, ZaloUnauthorized, message_id_of
from handlers.zalo.render import ZaloPhoto, ZaloSend, ZaloText

log = logging.getLogger(__name__)
PER_CHAT_SECONDS = 1.0
FORGET_CHATS_OVER = 10_000


class ZaloPace:
    """When each send may start: `per_second` overall (ZALO_RATE_LIMIT) and one a second per chat.

    Zalo counts a send when it arrives, which is between our start and its answer. So each send holds one
    of `per_second` places from when it is let go until a second after it was answered, and a chat's send
    starts a second after that chat's previous answer: no one-second window at Zalo's end can then hold
    more than the limit, whatever the network or a busy event loop add, and no headroom is needed (a pace
    of start times alone had 5 %, reached 92-95 % of the limit and still met 429s). The cost is one round
    trip per place per second. A send that hangs holds one place, not the sends behind it. A fractional
    limit above one counts as its whole part (2.5 → 2 in any second); below one, one send every 1/limit
    seconds.

    A send waits for its chat first, then for a place: one busy chat does not hold up the others.
    """

    def __init__(self, per_second: float, *, per_chat_seconds: float = PER_CHAT_SECONDS) -> None:
        self.interval = 1.0 / per_second
        # Sends are spread, at least half an interval apart, but not held to the interval itself: after a
        # slow answer they may catch up (a schedule of exact intervals never gives a delay back; 3 % of
        # the limit with the round trips measured at 50/s).
        self.spacing = self.interval / 2
        self.per_window = max(1, int(per_second))
        self.window = max(1.0, self.per_window / per_second)
        self.per_chat_seconds = per_chat_seconds
        self._next = 0.0
        # When the sends holding a place, and each chat's last send, were answered: futures, because a
        # send waits behind one that is still on its way.
        self._places: list[asyncio.Future[float]] = []
        self._chats: dict[str, asyncio.Future[float]] = {}
        self._turn = asyncio.Lock()  # places are given in the order sends ask

    @asynccontextmanager
    async def slot(self, chat_id: str) -> AsyncIterator[None]:
        """Waits for the send's turn; the send is made inside and counts as answered when it leaves (also
        on an error or a cancellation: the request may have arrived)."""
        answered: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        chat_before = self._chats.get(chat_id)
        self._chats[chat_id] = answered  # reserved before any await: the chat's next send queues behind
        try:
            if chat_before is not None and self.per_chat_seconds > 0:
                await _until(await asyncio.shield(chat_before) + self.per_chat_seconds)
            async with self._turn:
                await self._free_place()
                self._places.append(answered)
                even = max(time.monotonic(), self._next)
                self._next = even + self.spacing
                await _until(even)
            yield
        finally:
            if not answered.done():
                answered.set_result(time.monotonic())
            if len(self._chats) > FORGET_CHATS_OVER:
                self._forget_chats()

    async def _free_place(self) -> None:
        while True:
            now = time.monotonic()
            self._places = [f for f in self._places if not f.done() or f.result() + self.window > now]
            if len(self._places) < self.per_window:
                return
            on_the_way = [f for f in self._places if not f.done()]
            ends = [f.result() + self.window for f in self._places if f.done()]
            if on_the_way:  # asyncio.wait leaves the futures alone when it times out or is cancelled
                timeout = min(ends) - now if ends else None
                await asyncio.wait(on_the_way, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            else:
                await asyncio.sleep(min(ends) - now)

    def slow_down(self, seconds: float) -> None:
        """Zalo said 429 (its quota is lower than ZALO_RATE_LIMIT): no send at all for a while."""
        self._next = max(self._next, time.monotonic() + seconds)

    def _forget_chats(self) -> None:
        """Chats whose last send was answered longer than the per-chat gap ago hold no one up."""
        horizon = time.monotonic() - self.per_chat_seconds
        self._chats = {c: f for c, f in self._chats.items() if not f.done() or f.result() > horizon}


async def _until(moment: float) -> None:
    wait = moment - time.monotonic()
    if wait > 0:
        await asyncio.sleep(wait)


class ZaloSender:
    """The one way out to Zalo for this process (replies and the outbox), sharing the pace and the pause."""

    def __init__(self, client: ZaloClient, pace: ZaloPace) -> None:
        self.client = client
        self.pace = pace
        self.paused = False

    def pause(self, reason: str) -> None:
        if not self.paused:
            log.error(
                "ZALO SENDING PAUSED: %s. Set a valid ZALO_BOT_TOKEN (Zalo Bot Manager) and restart the bot; "
                "messages planned meanwhile wait in the outbox.",
                reason,
            )
        self.paused = True

    async def send(self, chat_id: str, sends: Sequence[ZaloSend]) -> str | None:
        """Send in order, each in its slot; the id of the first message Zalo accepted."""
        first: str | None = None
        for item in sends:
            if self.paused:
                raise ZaloUnauthorized(401, "sending paused", 401)
            try:
                async with self.pace.slot(chat_id):
                    if isinstance(item, ZaloText):
                        result = await self.client.send_message(chat_id, item.text)
                    else:
                        assert isinstance(item, ZaloPhoto)
                        result = await self.client.send_photo(chat_id, item.url, item.caption)
            except ZaloRateLimited as exc:
                self.pace.slow_down(exc.retry_after or 1.0)
                raise
            except ZaloUnauthorized:
                self.pause("Zalo refused the bot token (401)")
                raise
            first = first or message_id_of(result)
        return first
