"""The whole office's star ranking, kept per process and database, for every reader of it: the ranking
page, the chat's /report and its Excel on Telegram and Zalo, the dashboard's Excel and Monday's summaries.

Ranking a province's units is seconds of work (every unit's quarter rolled up, its ratings and
acknowledgements counted), and a head's /report shows their subtree of that same office-wide ranking: so it
is computed once and filtered per reader. The key holds what makes a new ranking due: the quarter, the
rubric, the latest admin score entry (a saved score shows on the next read) and the live units (a unit
added or merged). A quarter ended rarely changes otherwise, so it is kept an hour; a running quarter's
figures move all the time and are kept a few minutes, as the dashboard's boards are.

The cache belongs to the database's engine: the bot's web pages, chats and jobs share one engine in one
process and so one ranking; another database (a test's, a replica's process) never sees it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from weakref import WeakKeyDictionary

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.feedback.rubric import Rubric
from compliance.feedback.stars import Ranking, StarPeriod, rank_units
from compliance.office.units import is_live
from compliance.reports.cache import Kept, ReportCache
from storage.models import Unit
from storage.models_emulation import EmulationScore

ENDED_KEPT = timedelta(hours=1)
RUNNING_KEPT = timedelta(minutes=5)
# A province's ranking is a few MB: a handful of keys (two periods, a superseded score entry) is enough.
KEYS_KEPT = 4


@dataclass
class _Kept:
    ended: ReportCache = field(default_factory=lambda: ReportCache(ttl=ENDED_KEPT, size=KEYS_KEPT))
    running: ReportCache = field(default_factory=lambda: ReportCache(ttl=RUNNING_KEPT, size=KEYS_KEPT))


_BY_ENGINE: WeakKeyDictionary[Engine, _Kept] = WeakKeyDictionary()


def _kept_of(session: AsyncSession) -> _Kept:
    bind = session.bind
    engine = bind.sync_engine if bind is not None else None
    if not isinstance(engine, Engine):
        # A session bound to a connection (never the bot's): its own computation each time.
        return _Kept()
    kept = _BY_ENGINE.get(engine)
    if kept is None:
        kept = _BY_ENGINE[engine] = _Kept()
    return kept


async def _inputs_key(session: AsyncSession, rubric: Rubric, period: StarPeriod) -> tuple[object, ...]:
    latest_score = await session.scalar(select(func.max(EmulationScore.id)))
    units = select(func.count(), func.max(Unit.id)).where(is_live())
    live, newest_unit = (await session.execute(units)).one()
    return ("stars", period.key, rubric.code, latest_score, live, newest_unit)


async def office_ranking(
    session: AsyncSession, *, rubric: Rubric, period: StarPeriod, today: date, fresh: bool = False
) -> Kept[Ranking]:
    """Every live unit ranked in the whole office for `period`, as kept (or computed now); `fresh`:
    computed now whatever is kept (the page's refresh)."""
    key = await _inputs_key(session, rubric, period)
    kept = _kept_of(session)
    cache = kept.ended if period.period.end < today else kept.running

    async def compute() -> Ranking:
        return await rank_units(session, rubric=rubric, period=period)

    return await cache.get(key, compute, fresh=fresh)


def subtree(ranking: Ranking, root: Unit | None) -> Ranking:
    """`root`'s units of the office's ranking (None: all), their ranks still among the office's peers."""
    if root is None:
        return ranking
    units = [unit for unit in ranking.units if unit.path.startswith(root.path)]
    return Ranking(ranking.rubric, ranking.period, units)
