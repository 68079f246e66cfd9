"""The Zalo dialogs through respond(): keywords without accents or case, the numbered menu, joining by
activation code, signing the pledge by text, the language, the web link, hostile and NFD input, and an
open question that survives a restart. Both engines."""

from __future__ import annotations

import itertools
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select

from compliance.office import activation
from compliance.office.accounts import ChannelUser, find_with_account, link
from compliance.office.staff_import import import_staff
from compliance.pledge import ledger
from compliance.pledge import signing as pledges
from handlers.messages import OutMessage, plain_text
from handlers.zalo.conversation import respond
from handlers.zalo.dialogs.base import fold, numbers
from handlers.zalo.dialogs.pledge import pledge_chunks
from handlers.zalo.inbound import STICKER, TEXT, ZaloIncoming, ZaloServices
from storage.clock import utcnow
from storage.engine import Database
from storage.models import Channel, Official, OfficialStatus, Role
from storage.models_pledge import ConversationState, Signature
from tests.consents import agree
from tests.pledge_files import template
from tests.staff_files import OFFICE, xlsx_bytes

PUBLIC = "https://bot.example.vn"
LAN, HOA, HUY = "a1b2c3d4e5f60001", "a1b2c3d4e5f60002", "a1b2c3d4e5f60003"
_ids = itertools.count(1)


@dataclass(frozen=True)
class Office:
    official: int  # Nguyễn Thị Lan, on Zalo as LAN
    head: int  # Lê Thị Hoa, head of Văn phòng, on Zalo as HOA
    newcomer: int  # Đỗ Quang Huy, on the list, no account
    version_id: int


async def office(database: Database, *, quiz: bool = False) -> Office:
    async with database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))
        published = await pledges.publish(
            session, template=template(quiz=quiz), unit=None, material=False, publisher_id=None
        )
        assert published.version is not None
        people = {p.full_name: p for p in (await session.scalars(select(Official))).all()}
        for name, zalo_id in (("Nguyễn Thị Lan", LAN), ("Lê Thị Hoa", HOA)):
            people[name].status = OfficialStatus.ACTIVE
            await link(session, people[name], ChannelUser(Channel.ZALO, zalo_id))
            await agree(session, people[name].id, "zalo")
        assert people["Lê Thị Hoa"].role is Role.HEAD
        return Office(
            people["Nguyễn Thị Lan"].id,
            people["Lê Thị Hoa"].id,
            people["Đỗ Quang Huy"].id,
            published.version.id,
        )


def services(database: Database, locale: str = "en") -> ZaloServices:
    return ZaloServices(database=database, default_locale=locale, public_url=PUBLIC)


def incoming(user: str, text: str | None, *, event: str = TEXT, name: str = "Zalo user") -> ZaloIncoming:
    return ZaloIncoming(
        event=event,
        message_id=f"m{next(_ids):x}",
        user_id=user,
        chat_id=user,
        display_name=name,
        text=text,
        chat_type="PRIVATE",
        sent_at=utcnow(),
    )


async def say(database: Database, user: str, text: str | None, **kwargs: str) -> list[OutMessage]:
    return await respond(incoming(user, text, **kwargs), services(database))


def texts(replies: list[OutMessage]) -> str:
    return "\n".join(plain_text(reply.text) for reply in replies)


def labels(reply: OutMessage) -> list[str]:
    return [choice.label for line in reply.choices for choice in line]


def test_folding_and_numbers() -> None:
    assert fold("Tự đánh giá") == fold("TU DANH GIA") == fold("  tu   danh giá ") == "tu danh gia"
    assert fold(unicodedata.normalize("NFD", "ĐỒNG Ý!")) == "dong y"
    assert fold("Ký") == fold(unicodedata.normalize("NFD", "ký")) == "ky"
    assert numbers("1 1 2, 3") == [1, 1, 2, 3] and numbers("2") == [2]
    assert numbers("1 a") is None and numbers("") is None and numbers("٣") is None


async def test_the_menu_and_every_keyword_with_and_without_accents(database: Database) -> None:
    await office(database)
    menu = await say(database, LAN, "xin chào")
    assert len(menu) == 1 and len(labels(menu[0])) == 7  # an official's menu: no report
    assert any("(type KY)" in label for label in labels(menu[0]))
    head_menu = await say(database, HOA, "MENU")
    assert any("BAO CAO" in label for label in labels(head_menu[0]))
    for spelling in ("toi", "TÔI", "Tôi", unicodedata.normalize("NFD", "tôi")):
        assert "Your details" in texts(await say(database, LAN, spelling))
    for spelling in ("tro giup", "Trợ giúp", "TRỢ GIÚP"):
        assert "What you can type" in texts(await say(database, LAN, spelling))
    assert "Choose your language" in texts(await say(database, LAN, "Ngôn ngữ"))
    for spelling in ("tu danh gia", "Tự đánh giá", "TỰ ĐÁNH GIÁ"):
        assert "no self-check open" in texts(await say(database, LAN, spelling))
    assert "Practice quiz" in texts(await say(database, LAN, "Trắc nghiệm"))
    assert "no plan update" in texts(await say(database, LAN, "ĐÃ NHẬN"))
    assert "/signin/" in texts(await say(database, LAN, "Web"))
    assert "full name" in texts(await say(database, LAN, unicodedata.normalize("NFD", "Ký")))
    assert "Cancelled" in texts(await say(database, LAN, "HỦY"))
    assert "nothing to cancel" in texts(await say(database, LAN, "huy"))
    assert "Your card" in texts(await say(database, LAN, "báo cáo"))  # an official: their own card


async def test_a_bare_number_answers_the_menu_and_only_the_menu(database: Database) -> None:
    await office(database)
    alone = await say(database, LAN, "5")
    assert "no question waiting" in texts(alone) and labels(alone[-1])  # told, and shown the menu
    assert "Your details" in texts(await say(database, LAN, "5"))  # the menu's 5th line: TOI
    assert "no question waiting" in texts(await say(database, LAN, "5"))  # answered once
    await say(database, LAN, "menu")
    assert "no question waiting" in texts(await say(database, LAN, "99"))


async def test_a_picture_keeps_the_question_waiting(database: Database) -> None:
    await office(database)
    await say(database, LAN, "menu")
    assert "text messages only" in texts(await say(database, LAN, None, event=STICKER))
    assert "Your details" in texts(await say(database, LAN, "5"))


async def test_signing_by_text_end_to_end(database: Database) -> None:
    people = await office(database)
    read = await say(database, LAN, "ký")
    assert "Test pledge" in texts(read) and "1. Know how to listen 1." in texts(read)
    assert "full name" in plain_text(read[-1].text)
    wrong = await say(database, LAN, "Nguyễn Văn Lan")
    assert "does not match" in texts(wrong)
    confirm = await say(database, LAN, "nguyễn thị  lan")
    assert "ĐỒNG Ý" in texts(confirm)
    assert "To sign, type ĐỒNG Ý" in texts(await say(database, LAN, "có"))
    signed = await say(database, LAN, unicodedata.normalize("NFD", "Đồng ý"))
    async with database.unit_of_work() as session:
        row = await session.scalar(select(Signature).where(Signature.official_id == people.official))
        assert row is not None and row.chat_id == pledges.ZALO_CHAT_ID and row.locale == "en"
        assert (await ledger.verify(session)).ok
        assert ledger.verification_code(row.row_hash) in texts(signed)
        assert await session.scalar(select(func.count()).select_from(ConversationState)) == 0
    assert f"{PUBLIC}/signin/" in texts(signed)
    again = await say(database, LAN, "ky")
    assert "You signed" in texts(again)
    async with database.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(Signature)) == 1
    # The head checks Lan's receipt on Zalo with the code as printed (case kept, accents on the keyword).
    code = ledger.verification_code(row.row_hash)
    checked = texts(await say(database, HOA, f"Xác minh {code}"))
    assert code in checked and "Nguyễn Thị Lan" in checked and "intact" in checked
    assert "XAC MINH" in texts(await say(database, HOA, "xac minh"))  # how to ask
    assert "Only unit heads" in texts(await say(database, LAN, f"XAC MINH {code}"))


async def test_cancel_mid_pledge_records_nothing(database: Database) -> None:
    await office(database)
    await say(database, LAN, "ky")
    await say(database, LAN, "Nguyễn Thị Lan")
    assert "Cancelled" in texts(await say(database, LAN, "Hủy"))
    assert "no question waiting" not in texts(await say(database, LAN, "dong y"))  # just the menu
    async with database.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(Signature)) == 0


async def test_a_head_chooses_by_number_and_signs_twice(database: Database) -> None:
    people = await office(database)
    who = await say(database, HOA, "ky")
    assert len(labels(who[-1])) == 2
    assert "Reply 1 or 2" in texts(await say(database, HOA, "3"))
    await say(database, HOA, "2")  # on behalf of the unit
    await say(database, HOA, "Lê Thị Hoa")
    assert "Signed on" in texts(await say(database, HOA, "dong y"))
    await say(database, HOA, "ky")  # now for herself
    await say(database, HOA, "Lê Thị Hoa")
    await say(database, HOA, "ĐỒNG Ý")
    async with database.unit_of_work() as session:
        rows = (await session.scalars(select(Signature).where(Signature.official_id == people.head))).all()
        assert sorted(r.on_behalf_of_unit for r in rows) == [False, True]


async def test_the_pledge_quiz_before_the_name(database: Database) -> None:
    await office(database, quiz=True)
    read = await say(database, LAN, "ky")
    assert "Question 1 of 3" in texts(read) and labels(read[-1]) == ["Wrong", "Right"]
    assert "Not quite" in texts(await say(database, LAN, "1"))
    assert "Reply with the number" in texts(await say(database, LAN, "x"))
    await say(database, LAN, "2")
    await say(database, LAN, "2")
    last = await say(database, LAN, "2")
    assert "full name" in texts(last)


async def test_the_open_question_survives_a_restart(database: Database, database_url: str) -> None:
    await office(database)
    await say(database, LAN, "ky")
    await say(database, LAN, "Nguyễn Thị Lan")
    restarted = Database(database_url)  # a new process: nothing of the dialog in memory
    try:
        signed = await respond(incoming(LAN, "dong y"), services(restarted))
        assert "Signed on" in texts(signed)
    finally:
        await restarted.dispose()


def test_the_pledge_is_cut_between_items() -> None:
    chunks = pledge_chunks(template(items=60), limit=300)
    assert len(chunks) > 3 and all(len(chunk) <= 300 for chunk in chunks)
    joined = "\n".join(chunks)
    for n in range(1, 61):
        assert sum(line.startswith(f"{n}. ") for line in joined.splitlines()) == 1


async def test_language_by_number_is_saved(database: Database) -> None:
    people = await office(database)
    await say(database, LAN, "ngon ngu")
    assert "Unknown language" in texts(await say(database, LAN, "7"))
    await say(database, LAN, "1")  # Tiếng Việt
    async with database.unit_of_work() as session:
        official = await session.get(Official, people.official)
        assert official is not None and official.locale == "vi"


async def test_a_stranger_is_told_how_to_join(database: Database) -> None:
    await office(database)
    for text in ("xin chào", "<b>hi</b>", "ky", "1"):
        replies = await say(database, "ffff0000", text, name="<script>alert(1)</script>")
        assert "activation code" in texts(replies)
    assert "activation code" in texts(await say(database, "ffff0000", None, event=STICKER))


async def test_a_stranger_joins_with_a_code(database: Database) -> None:
    people = await office(database)
    async with database.unit_of_work() as session:
        code = await activation.issue(session, official_id=people.newcomer, issued_by_id=None, now=utcnow())
    assert "not valid" in texts(await say(database, HUY, "CCCC-CCCC"))
    linked = await say(database, HUY, code.lower().replace("-", " "), name="<b>Huy</b>")
    assert "privacy notice" in texts(linked).lower() or "notice" in texts(linked)  # consent comes first
    joined = await say(database, HUY, "1")  # "I agree"
    assert "consent is recorded" in texts(joined) and labels(joined[-1])
    async with database.unit_of_work() as session:
        found = await find_with_account(session, ChannelUser(Channel.ZALO, HUY))
        assert found is not None and found[0].id == people.newcomer
    assert "Your details" in texts(await say(database, HUY, "5"))  # the welcome's menu answers
    assert "already been used" in texts(await say(database, "eeee0001", code))


async def test_hostile_text_changes_nothing(database: Database) -> None:
    await office(database)
    hostile = "<a href='x'>&amp;</a>\u202e\x00" + "đ" * 3000
    assert labels((await say(database, LAN, hostile, name="<i>x</i>"))[-1])  # the menu
    await say(database, LAN, "ky")
    mismatch = await say(database, LAN, hostile)
    assert "does not match" in texts(mismatch) and "<a href" not in mismatch[0].text


async def test_too_many_wrong_codes_say_when_to_try_again(database: Database) -> None:
    await office(database)
    for _attempt in range(activation.WRONG_LIMIT):
        assert "not valid" in texts(await say(database, HUY, "CCCC-CCCC"))
    waiting = texts(await say(database, HUY, "CCCC-CCCC"))
    assert "try again after" in waiting and ":" in waiting.rsplit("after", 1)[1]
