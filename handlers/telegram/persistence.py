"""PTB persistence in the database: a conversation's step and its draft survive a restart.

Only conversations and user_data are kept (drafts of the person's own flow); the application flushes
after every update, so at most the update being handled when the process died is lost, and that one is
redelivered by Telegram because its offset was not confirmed.
"""

from __future__ import annotations

import json
from copy import deepcopy
from typing import Any

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

    async def get_conversations(self, name: str) -> ConversationDict:
        async with self.database.unit_of_work() as session:
            stored = await conversations.load_all(session, f"conv:{name}")
        return {tuple(json.loads(key)): state for key, state in stored.items()}

    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        async with self.database.unit_of_work() as session:
            await conversations.save(session, f"conv:{name}", json.dumps(list(key)), new_state)

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        async with self.database.unit_of_work() as session:
            stored = await conversations.load_all(session, USER_DATA)
        return {int(key): value for key, value in stored.items()}

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        async with self.database.unit_of_work() as session:
            await conversations.save(session, USER_DATA, str(user_id), deepcopy(data) or None)

    async def drop_user_data(self, user_id: int) -> None:
        async with self.database.unit_of_work() as session:
            await conversations.remove(session, USER_DATA, str(user_id))

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
