"""PTB persistence in the database: a conversation's step and its draft survive a restart.

Only conversations and user_data are kept (drafts of the person's own flow); the application flushes
after every update, so at most the update being handled when the process died is lost, and that one is
redelivered by Telegram because its offset was not confirmed.
"""

from __future__ import annotations

import asyncio
import json
from copy import deepcopy
from typing import Any
from weakref import WeakValueDictionary

from telegram.ext import BasePersistence, PersistenceInput

from storage import conversations
from storage.engine import Database

USER_DATA = "user_data"
ConversationKey = tuple[int | str, ...]
ConversationDict = dict[ConversationKey, object]
CDCData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]


class DatabasePersistence(BasePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    def __init__(self, database: Database) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=True, callback_data=False),
            update_interval=3600,  # the application flushes after each update; this is only a backstop
        )
        self.database = database
        # PTB hands back every person's user_data after each of their updates, nearly always empty: the keys
        # that may have a row (per kind, known once the kind was read at start) let an empty value for a
        # key with no row skip the database. Rows appear only through this class's writes (erasure only
        # deletes them); a replica's rows are its own, as the user_data PTB holds in its memory.
        self._stored: dict[str, set[str]] = {}
        # Writes of one key, in the order PTB hands them over, so the newest wins and _stored stays true.
        self._writing: WeakValueDictionary[tuple[str, str], asyncio.Lock] = WeakValueDictionary()

    async def _load(self, kind: str) -> dict[str, Any]:
        async with self.database.unit_of_work() as session:
            stored = await conversations.load_all(session, kind)
        self._stored[kind] = set(stored)
        return stored

    def _nothing_to_write(self, kind: str, key: str, value: object | None) -> bool:
        known = self._stored.get(kind)
        return value is None and known is not None and key not in known

    async def _save(self, kind: str, key: str, value: object | None) -> None:
        """Store a value (None removes the row)."""
        lock = self._writing.get((kind, key))
        if lock is None:
            if self._nothing_to_write(kind, key, value):
                return
            lock = self._writing[(kind, key)] = asyncio.Lock()
        async with lock:
            if self._nothing_to_write(kind, key, value):
                return
            known = self._stored.get(kind)
            if known is not None and value is not None:
                known.add(key)  # before the write: should it fail halfway, the row may be there
            async with self.database.unit_of_work() as session:
                if value is None:
                    await conversations.remove(session, kind, key)
                else:
                    await conversations.save(session, kind, key, value)
            if known is not None and value is None:
                known.discard(key)

    async def get_conversations(self, name: str) -> ConversationDict:
        stored = await self._load(f"conv:{name}")
        return {tuple(json.loads(key)): state for key, state in stored.items()}

    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        await self._save(f"conv:{name}", json.dumps(list(key)), new_state)

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        stored = await self._load(USER_DATA)
        return {int(key): value for key, value in stored.items()}

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        await self._save(USER_DATA, str(user_id), deepcopy(data) or None)

    async def drop_user_data(self, user_id: int) -> None:
        await self._save(USER_DATA, str(user_id), None)

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        return None

    # Chat data, bot data and callback data are not used: everything else lives in proper tables.
    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_bot_data(self) -> dict[Any, Any]:
        return {}

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        return None

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        return None

    async def update_callback_data(self, data: CDCData) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        return None

    async def flush(self) -> None:
        return None
