"""Sending on Zalo: the outbox's Zalo dispatcher (the pace and the sender live in handlers.zalo.pace and
are re-exported here), which claims Channel.ZALO rows, renders them with the same views as Telegram's
(handlers.views.outbox) and records what Zalo answered.

Answers: 429 → the row again later (Zalo's retry_after, or the backoff) and the whole sender slowed;
401 → Zalo sending paused (an ERROR line, without the token) until the bot is restarted with a good token;
the user blocked the bot → that account unreachable; another 4xx → the row failed; no answer or 5xx →
again later.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from compliance.delivery import claims as delivery
from compliance.delivery.claims import Claimed
from handlers.i18n import use_locale
from handlers.messages import OutMessage
from handlers.outbox_leases import OutboxLeases
from handlers.outbox_outcomes import OutcomeRecorder, SendOutcome
from handlers.views.outbox import LOCAL_SITE, build
from handlers.zalo.client import ZaloBlocked, ZaloError, ZaloRateLimited, ZaloUnauthorized
from handlers.zalo.links import AttachmentLinks
from handlers.zalo.outbox_choices import as_keywords
from handlers.zalo.pace import ZaloPace as ZaloPace
from handlers.zalo.pace import ZaloSender as ZaloSender
from handlers.zalo.render import AttachmentUrl, render
from storage.engine import Database
from storage.models import Channel

log = logging.getLogger(__name__)
GROUP_WEEKLY = "group_weekly"
GROUPS_OFF = "ZALO_GROUPS is off: a group's post is not sent"


class ZaloDispatcher:
    """Drains the outbox's Zalo rows until stopped. What Zalo answers is recorded in batches as it arrives
    (handlers.outbox_outcomes): with one transaction per row, queued on SQLite's write lock, a kill found
    nearly every row Zalo had accepted still marked as being sent."""

    def __init__(
        self,
        sender: ZaloSender,
        database: Database,
        *,
        wakeup: asyncio.Event,
        default_locale: str,
        links: AttachmentLinks | None = None,
        idle_seconds: float = 1.0,
        lease: timedelta = delivery.DEFAULT_LEASE,
        max_in_flight: int | None = None,
        groups: bool = True,
        public_url: str = LOCAL_SITE,
    ) -> None:
        self.sender = sender
        # PUBLIC_URL: the messages that link a web page (a flagged rating's follow-up) are built on it.
        self.public_url = public_url
        # ZALO_GROUPS: off, a group's weekly row is not posted (the planning, in the domain, knows no channel
        # settings and keeps planning them for groups linked while it was on).
        self.groups = groups
        self.database = database
        self.wakeup = wakeup
        self.default_locale = default_locale
        # Pictures and documents as /f/ links (None: a document is only named, a picture as bytes not sent).
        self.links = links
        self.idle_seconds = idle_seconds
        self.lease = lease
        # About two seconds of sends claimed at once: a claimed row waits for its slot well within its lease.
        per_second = 1.0 / sender.pace.interval
        self.max_in_flight = max_in_flight or max(4, int(per_second * 2))
        # Rows claimed here whose outcome is not recorded yet: their leases are renewed while they last.
        self.leases = OutboxLeases(database, channel=Channel.ZALO, lease=lease)
        self.outcomes = OutcomeRecorder(database, self.leases)
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        renewer = asyncio.create_task(self.leases.renew_forever(), name="zalo-outbox-lease-renewal")
        recorder = asyncio.create_task(self.outcomes.run(), name="zalo-outbox-recorder")
        in_flight: set[asyncio.Task[None]] = set()
        try:
            while not self._stopping.is_set():
                claimed: list[Claimed] = []
                room = self.max_in_flight - len(in_flight)
                # Claimed a second's worth at a time, not after each send: a claim is the costliest query
                # here, and one per send took most of the CPU the dispatcher spent at 50/s.
                # While answers wait to be recorded (the database is away), claim nothing: this process
                # could take back its own rows once their leases end and send them twice.
                wanted = room >= self.max_in_flight // 2 or not in_flight
                if room > 0 and wanted and not self.sender.paused and not self.outcomes.failing:
                    try:
                        claimed = await self._claim(room)
                    except Exception:
                        log.exception("claiming Zalo rows from the outbox failed; retrying")
                for row in claimed:
                    in_flight.add(asyncio.create_task(self._send(row), name=f"zalo-outbox-{row.id}"))
                if in_flight:
                    _, in_flight = await asyncio.wait(
                        in_flight, timeout=0.2, return_when=asyncio.FIRST_COMPLETED
                    )
                elif not claimed:
                    await self._idle()
            if in_flight:  # what was handed to Zalo is recorded before stopping
                await asyncio.wait(in_flight)
        finally:
            renewer.cancel()
            self.outcomes.close()
            await recorder
            await self.outcomes.flush()

    async def drain_once(self) -> int:
        """One claim and its sends, awaited: for tests that step the dispatcher by hand."""
        if self.sender.paused:
            return 0
        claimed = await self._claim(self.max_in_flight)
        await asyncio.gather(*(self._send(row) for row in claimed))
        await self.outcomes.flush()
        return len(claimed)

    async def _idle(self) -> None:
        self.wakeup.clear()
        waiters = [asyncio.ensure_future(self.wakeup.wait()), asyncio.ensure_future(self._stopping.wait())]
        await asyncio.wait(waiters, timeout=self.idle_seconds, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()

    async def _claim(self, limit: int) -> list[Claimed]:
        return await self.leases.claim(limit)

    async def _send(self, row: Claimed) -> None:
        self.outcomes.add(row, await self._attempt(row))

    async def _attempt(self, row: Claimed) -> SendOutcome:
        if row.kind == GROUP_WEEKLY and not self.groups:
            return SendOutcome("failed", error=GROUPS_OFF)
        locale = row.locale or row.payload.get("locale") or self.default_locale
        try:
            with use_locale(locale):
                # No question is open for an outbox message: its buttons become keywords, not numbers.
                message = as_keywords(build(row.kind, row.payload, public_url=self.public_url))
        except KeyError as exc:
            return SendOutcome("failed", error=f"unknown kind or payload field {exc}")
        try:
            hook = await self._links(row, message)
        except Exception:
            log.exception("making the link of outbox row %d's attachment failed; trying again later", row.id)
            return SendOutcome("retry", error="the attachment's link could not be made")
        with use_locale(locale):
            sends = render(message, attachment_url=hook)
        if not sends:
            return SendOutcome("sent")
        try:
            message_id = await self.sender.send(row.address, sends)
        except ZaloRateLimited as exc:
            delay = timedelta(seconds=exc.retry_after) if exc.retry_after else None
            return SendOutcome("retry", error=f"429 {exc.description}", delay=delay)
        except ZaloUnauthorized as exc:
            return SendOutcome("paused", error=f"401 {exc.description}")
        except ZaloBlocked as exc:
            return SendOutcome("unreachable", error=f"{exc.error_code} {exc.description}")
        except ZaloError as exc:
            if exc.retryable or exc.http_status == 0:
                return SendOutcome("retry", error=f"{exc.error_code} {exc.description}")
            return SendOutcome("failed", error=f"{exc.error_code} {exc.description}")
        return SendOutcome("sent", message_id=message_id)

    async def _links(self, row: Claimed, message: OutMessage) -> AttachmentUrl | None:
        """The recipient's link to the row's attachment, committed before the send (Zalo fetches a picture
        while sendPhoto answers). A broadcast's copy ("b" with its content) links the stored upload."""
        if self.links is None or message.attachment is None:
            return None
        broadcast = row.payload.get("b") if "content" in row.payload else None
        return await self.links.hook(
            [message], official_id=row.official_id, broadcast_id=int(broadcast) if broadcast else None
        )
