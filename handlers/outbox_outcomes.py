"""Recording what a channel answered to each outbox send, shared by every channel's dispatcher.

Sends finish many at a time; one small transaction each would queue on SQLite's single write lock, and
while they queue the channel has accepted messages the outbox still shows as being sent. So one writer
records the answers a few dozen rows per transaction, as soon as they arrive (after a ~50 ms gathering
pause). A crash loses at most the answers of that last fraction of a second and the sends in flight: those
rows are sent again when their lease ends (the documented duplicate window).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

from compliance.broadcasts.status import keep_channel_file
from compliance.delivery import claims as delivery
from compliance.delivery.claims import Claimed
from handlers.outbox_leases import OutboxLeases
from storage.clock import utcnow
from storage.engine import Database

log = logging.getLogger(__name__)
RECORD_EVERY_SECONDS = 0.05
# A channel that refuses the bot (Zalo's 401): its rows wait this long, without spending an attempt.
PAUSED_DELAY = timedelta(minutes=5)


@dataclass(frozen=True)
class SendOutcome:
    kind: str  # sent | retry | unreachable | failed | paused
    message_id: str | None = None  # the channel's id of the message, as text
    error: str = ""
    delay: timedelta | None = None
    file_ref: str | None = None  # the channel's id of a file this send uploaded


class OutcomeRecorder:
    """Answers kept in memory until written; `failing` while the database does not take them (a dispatcher
    then claims nothing: it could take back its own rows once their leases end and send them twice)."""

    def __init__(
        self, database: Database, leases: OutboxLeases, *, every_seconds: float = RECORD_EVERY_SECONDS
    ) -> None:
        self.database = database
        self.leases = leases
        self.every_seconds = every_seconds
        self.failing = False
        self._outcomes: list[tuple[Claimed, SendOutcome]] = []
        self._ready = asyncio.Event()
        self._closing = False

    def add(self, row: Claimed, outcome: SendOutcome) -> None:
        self._outcomes.append((row, outcome))
        self._ready.set()

    @property
    def waiting(self) -> int:
        return len(self._outcomes)

    def close(self) -> None:
        """run() ends after writing what it holds; the caller then flush()es once more."""
        self._closing = True
        self._ready.set()

    async def run(self) -> None:
        while not self._closing:
            await self._ready.wait()
            self._ready.clear()
            if not self._closing:
                await asyncio.sleep(self.every_seconds)  # gather the answers that arrive meanwhile
            try:
                await self.flush()
            except Exception as exc:
                # Kept in memory and recorded when the database answers again.
                self.failing = True
                log.warning("recording send outcomes failed (%s); retrying in a second", exc)
                await asyncio.sleep(1.0)
                self._ready.set()
            else:
                self.failing = False

    async def flush(self) -> None:
        """Write every answer held, in one transaction; on failure they stay held and the error is raised."""
        outcomes, self._outcomes = self._outcomes, []
        if not outcomes:
            return
        try:
            await self._write(outcomes)
        except BaseException:
            self._outcomes[:0] = outcomes
            raise
        self.leases.release(row.id for row, _ in outcomes)

    async def _write(self, outcomes: list[tuple[Claimed, SendOutcome]]) -> None:
        async with self.database.unit_of_work() as session:
            now = utcnow()
            sent = [(row.id, outcome.message_id) for row, outcome in outcomes if outcome.kind == "sent"]
            await delivery.mark_many_sent(session, sent=sent, now=now)
            for row, outcome in outcomes:
                if outcome.kind == "retry":
                    await delivery.mark_retry(
                        session,
                        row_id=row.id,
                        attempts=row.attempts,
                        error=outcome.error,
                        now=now,
                        delay=outcome.delay,
                    )
                elif outcome.kind == "paused":
                    # Not the row's fault: it waits, and this attempt does not count towards giving up.
                    await delivery.mark_retry(
                        session,
                        row_id=row.id,
                        attempts=max(row.attempts - 1, 0),
                        error=outcome.error,
                        now=now,
                        delay=PAUSED_DELAY,
                    )
                elif outcome.kind == "unreachable":
                    await delivery.mark_unreachable(
                        session, row_id=row.id, official_id=row.official_id, error=outcome.error, to=row.to
                    )
                elif outcome.kind == "failed":
                    await delivery.mark_failed(session, row_id=row.id, error=outcome.error)
                if outcome.file_ref is not None and row.kind == "broadcast" and "b" in row.payload:
                    await keep_channel_file(
                        session, broadcast_id=int(row.payload["b"]), file_ref=outcome.file_ref
                    )
