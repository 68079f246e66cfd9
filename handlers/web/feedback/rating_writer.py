"""The rating form's posts, stored together: one writer per process takes every post waiting and stores
them in one transaction (compliance.feedback.ratings.record_many), then answers each.

At a hundred ratings a second, a transaction per post made the posts queue for SQLite's one write lock
(each sleeping in its busy handler, in steps up to 100 ms), and every step of a transaction waits its turn
on the busy event loop while the lock is held. Stored together, the lock is taken once per batch, and a
batch grows by itself when posts arrive faster than one is stored. A post is answered only after its batch
committed: a citizen is never thanked for a rating that was not stored.
"""

from __future__ import annotations

import asyncio
from typing import Final

from compliance.feedback.ratings import NewRating, RatingRefused, record_many
from storage.engine import Database

BATCH_MOST: Final = 200  # posts stored in one transaction: a second and more of the form at its busiest


class RatingWriter:
    def __init__(self, database: Database) -> None:
        self.database = database
        self._waiting: list[tuple[NewRating, asyncio.Future[None]]] = []
        self._storing: asyncio.Task[None] | None = None
        self.batches = 0  # how many transactions stored the posts (the bench prints posts per batch)

    async def record(self, rating: NewRating) -> None:
        """Store `rating` with whatever else is waiting; raises its RatingRefused (nothing of it stored),
        or the database's error when its batch could not be stored."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((rating, done))
        if self._storing is None or self._storing.done():
            self._storing = asyncio.create_task(self._store_waiting(), name="rating-writer")
        await done

    async def _store_waiting(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[:BATCH_MOST], self._waiting[BATCH_MOST:]
            try:
                outcomes = await self._store(batch)
            except Exception:
                # One post the database refuses must not cost the others theirs: each is tried alone, and
                # only those that fail alone answer with the error.
                for one in batch:
                    try:
                        self._answer([one], await self._store([one]))
                    except Exception as exc:
                        if not one[1].done():
                            one[1].set_exception(exc)
                continue
            self._answer(batch, outcomes)

    async def _store(self, batch: list[tuple[NewRating, asyncio.Future[None]]]) -> list[RatingRefused | None]:
        async with self.database.unit_of_work() as session:
            outcomes = await record_many(session, [rating for rating, _ in batch])
        self.batches += 1
        return outcomes

    @staticmethod
    def _answer(
        batch: list[tuple[NewRating, asyncio.Future[None]]], outcomes: list[RatingRefused | None]
    ) -> None:
        for (_, done), outcome in zip(batch, outcomes, strict=True):
            if done.done():  # its request was cancelled (the phone went away): stored all the same
                continue
            if isinstance(outcome, RatingRefused):
                done.set_exception(outcome)
            else:
                done.set_result(None)
