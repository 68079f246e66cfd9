"""The question the Zalo bot has open for a person is personal data (a pledge's last step holds the name
they typed): /mydata's export lists it under the Zalo account and the summary counts it; erasure removes
it, and only that person's. Both engines."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from compliance.privacy import erasure, personal_data
from compliance.privacy.zalo_conversation import KIND, conversation_key
from handlers.i18n import use_locale
from handlers.views.personal_data import summary_text
from storage.engine import Database
from storage.models_pledge import ConversationState
from tests.test_zalo_dialogs import HOA, LAN, office, say


def test_a_long_zalo_id_is_hashed_not_cut() -> None:
    assert conversation_key(LAN) == LAN
    long_a, long_b = "a" * 150 + "1", "a" * 150 + "2"
    assert len(conversation_key(long_a)) == 64 and conversation_key(long_a) != conversation_key(long_b)


async def test_the_open_question_is_exported_then_erased(database: Database) -> None:
    people = await office(database)
    await say(database, LAN, "ký")
    await say(database, LAN, "Nguyễn Thị Lan")  # the confirmation step now holds the typed name
    await say(database, HOA, "menu")  # someone else's question: kept
    async with database.unit_of_work() as session:
        data = await personal_data.collect(session, official_id=people.official)
    assert data is not None
    [question] = data.data["zalo_conversations"]
    assert question["zalo_account"] == LAN and question["question"]["dialog"] == "pledge"
    assert question["question"]["data"]["name"] == "Nguyễn Thị Lan"
    json.dumps(data.data)  # the export is a JSON file: every value plain
    with use_locale("en"):
        text = summary_text(data)
    assert f"Zalo account: {LAN}" in text and "waiting for you to answer: 1" in text

    async with database.unit_of_work() as session:
        erased = await erasure.erase(session, official_id=people.official, actor=None)
    assert erased.outcome is erasure.EraseOutcome.ERASED
    async with database.unit_of_work() as session:
        keys = (
            await session.scalars(select(ConversationState.key).where(ConversationState.kind == KIND))
        ).all()
        assert keys == [HOA]
        data = await personal_data.collect(session, official_id=people.official)
        assert data is not None and data.data["zalo_conversations"] == []
        assert await session.scalar(select(func.count()).select_from(ConversationState)) == 1
