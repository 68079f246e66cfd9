"""The unit of work of one update: one session, the official writing, the locale, what handled it.

The application opens a scope around each update and closes it afterwards: commit if no handler
failed, roll back otherwise. Before any request to Telegram the transaction ends (see release()), so a
reply waiting for the rate limiter never holds a database connection, and nothing the bot tells a person
it saved can be lost afterwards.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office.officials import Actor
from storage.engine import Database


@dataclass
class UpdateScope:
    database: Database
    actor: Actor | None = None
    failed: bool = False
    handlers: list[str] = field(default_factory=list)
    outbox_planned: bool = False
    _session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            self._session = self.database.sessions()
        return self._session

    async def commit(self) -> None:
        if self._session is not None:
            await self._session.commit()

    async def release(self) -> None:
        """End the transaction and hand the connection back before a slow wait (a Telegram request
        queued behind the rate limiter): what the update did so far is kept, or dropped if it failed."""
        if self._session is None:
            return
        if self.failed:
            await self._session.rollback()
        else:
            await self._session.commit()

    async def finish(self) -> None:
        if self._session is None:
            return
        try:
            if self.failed:
                await self._session.rollback()
            else:
                await self._session.commit()
        finally:
            await self._session.close()
            self._session = None


_current: ContextVar[UpdateScope | None] = ContextVar("update_scope", default=None)


def open_scope(database: Database) -> tuple[UpdateScope, object]:
    scope = UpdateScope(database)
    return scope, _current.set(scope)


def close_scope(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


def current_scope() -> UpdateScope:
    scope = _current.get()
    if scope is None:
        raise RuntimeError("no update scope: handlers run only inside Application.process_update")
    return scope


def maybe_scope() -> UpdateScope | None:
    return _current.get()
