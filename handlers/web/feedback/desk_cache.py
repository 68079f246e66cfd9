"""The public rating page's reception points, kept a few seconds in the process.

Every citizen at a desk opens the same point's page, and what the page shows of it (names, the staff to
choose from) changes a few times a year: reading it once per `ttl` seconds rather than twice per request
takes most of the database off the busiest page. A point closed or opened on this process's pages is
forgotten at once (forget()); other replicas, and a rename or staff change, catch up within `ttl`: until
then they may show the old names, or take a rating at a point just closed (it counts, like the ones it
took before). The official a citizen names is always checked against the database.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from compliance.feedback.points import normalise_code
from compliance.feedback.public_desk import PublicDesk, public_desk

_MOST = 20_000  # points kept: above any office's number; unknown codes are never kept


class DeskCache:
    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._kept: dict[str, tuple[float, PublicDesk]] = {}

    async def get(self, session: AsyncSession, text: str) -> PublicDesk | None:
        """The point whose code is `text` as typed or scanned, or None when there is none."""
        code = normalise_code(text)
        if code is None:
            return None
        now = self._clock()
        found = self._kept.get(code)
        if found is not None and now - found[0] < self.ttl:
            return found[1]
        desk = await public_desk(session, code)
        if desk is None:
            self._kept.pop(code, None)
            return None
        if len(self._kept) >= _MOST:
            self._kept.clear()
        if self.ttl > 0:
            self._kept[code] = (now, desk)
        return desk

    def forget(self, code: str) -> None:
        self._kept.pop(code, None)
