"""One Vietnamese voice through the real bot: /mute and the self-check note say what is wrong, /schedule
takes Vietnamese field names and weekdays, /audit reads in words, /mypledge knows a head's unit signature."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from handlers.i18n import _, fmt_datetime, fmt_number, use_locale
from handlers.messages import esc
from storage.models_pledge import Signature
from storage.models_practice import CalendarOverride, ReminderMute, Schedule, SelfCheck
from tests.e2e.test_practice import MONDAY, answered_self_check, at, joined_office
from tests.e2e.test_signing import HOA, LAN, setup_office, tap
from tests.factories import buttons, press
from tests.harness import BotHarness
from tests.pledge_files import template

ADMIN = BotHarness.ADMIN
NEVER_SHOWN = ("thg", "Asia/Ho_Chi_Minh")


def everything_sent(harness: BotHarness, chat: int) -> str:
    return "\n".join(str(m.get("text") or m.get("caption") or "") for m in harness.server.messages_to(chat))


async def test_mute_says_what_is_wrong_with_the_day(harness: BotHarness) -> None:
    await joined_office(harness)
    harness.clock.move_to(at(MONDAY, 9))
    answers = {
        text: await harness.say(LAN, f"/mute {text}") for text in ("abc", "31/02", "15/12/2027", "20/11")
    }
    async with harness.database.unit_of_work() as session:
        assert (await session.scalars(select(ReminderMute))).all() == []
    with use_locale("vi"):
        usage = _(
            "Usage: /mute 15/12 mutes the daily reminder until that day (at most 180 days); "
            "/mute off turns it back on. Self-checks and quizzes stay on."
        )
        assert answers["abc"]["text"] == (
            "“abc” không phải là ngày: hãy viết ngày và tháng, ví dụ 15/12 hoặc 15/12/2026.\n" + usage
        )
        assert answers["31/02"]["text"] == "Không có ngày “31/02” trên lịch.\n" + usage
        assert answers["15/12/2027"]["text"] == (
            "Ngày 15/12/2027 cách hôm nay hơn 180 ngày: chỉ tạm dừng lời nhắc được đến ngày 22/05/2027 là "
            "muộn nhất.\n" + usage
        )
    early = await harness.say(LAN, "/checkin")
    assert (
        early["text"]
        == "Hiện chưa có bài tự đánh giá nào được mở cho bạn. Bài tự đánh giá được mở vào Thứ Sáu lúc 14:00."
    )
    # 20/11 has passed this year, so it means next year's: more than 180 days ahead as well.
    assert "20/11/2027" in answers["20/11"]["text"]
    assert not any(word in everything_sent(harness, LAN.id) for word in NEVER_SHOWN)


async def test_a_note_over_the_limit_is_refused_whole_and_a_shorter_one_kept(harness: BotHarness) -> None:
    await joined_office(harness)
    sheet = await answered_self_check(harness, ("y", "y", "p"))
    add_note = next(b for b in buttons(sheet) if b["callback_data"].endswith(":note"))
    before = len(harness.server.messages_to(LAN.id))
    await harness.server.inject(press(LAN, sheet, add_note["callback_data"]))
    await harness.server.wait_for(lambda: len(harness.server.messages_to(LAN.id)) > before)
    long_note = "Tôi đã thực hiện đầy đủ. " * 200
    refused = await harness.say(LAN, long_note)
    with use_locale("vi"):
        assert refused["text"] == (
            f"Ghi chú của bạn có {fmt_number(len(long_note.strip()))} ký tự; "
            "ghi chú chỉ được tối đa 500 ký tự. "
            "Chưa có gì được lưu: hãy gửi ghi chú ngắn hơn, hoặc gõ /cancel để dừng."
        )
        assert fmt_number(4999) == "4.999"
    async with harness.database.unit_of_work() as session:
        assert (await session.scalar(select(SelfCheck.note).where(SelfCheck.status == "done"))) is None
    saved = await harness.say(LAN, "Tuần này tôi nộp hồ sơ đúng hạn.")
    with use_locale("vi"):
        assert saved["text"] == _("Note saved.")
    async with harness.database.unit_of_work() as session:
        note = await session.scalar(select(SelfCheck.note).where(SelfCheck.status == "done"))
    assert note == "Tuần này tôi nộp hồ sơ đúng hạn."


async def test_schedule_in_vietnamese_and_the_audit_log_in_words(harness: BotHarness) -> None:
    await joined_office(harness)
    harness.clock.move_to(at(date(2026, 11, 30), 15, 40))
    saved = await harness.say(ADMIN, "/schedule set giờ-nhắc 8h10")
    await harness.say(ADMIN, "/schedule set ngay-trac-nghiem T5")
    await harness.say(ADMIN, "/schedule đặt ngày-tổng-hợp CN van-phong")
    weekday_as_number = await harness.say(ADMIN, "/schedule set ngày-trắc-nghiệm 3")
    unknown = await harness.say(ADMIN, "/schedule set giờ 08:00")
    async with harness.database.unit_of_work() as session:
        rows = {r.unit_id is None: r for r in (await session.scalars(select(Schedule))).all()}
    assert (rows[True].reminder_time, rows[True].quiz_weekday, rows[False].summary_weekday) == ("08:10", 3, 6)
    with use_locale("vi"):
        assert saved["text"].startswith(_("Saved; it applies from the next minute."))
        assert (
            "• Ngày trắc nghiệm hằng tuần: <b>Thứ Tư (T4)</b> (<code>ngày-trắc-nghiệm</code>)"
            in saved["text"]
        )
        assert weekday_as_number["text"].startswith(
            "“3” không phải là thứ trong tuần: hãy viết T2, T3, T4, T5, T6, T7 hoặc CN."
        )
        assert unknown["text"].startswith("Không có mục “giờ”. Các mục gồm: giờ-nhắc, ")
    await harness.say(ADMIN, "/renameunit van-phong Văn phòng Sở")
    listing = await harness.say(ADMIN, "/audit")
    assert "30/11/2026 15:40" in listing["text"]
    assert "đổi tên đơn vị · đơn vị Văn phòng Sở\n    tên: Văn phòng → Văn phòng Sở" in listing["text"]
    assert "đặt lịch · lịch chung của toàn cơ quan" in listing["text"]
    assert "ngày trắc nghiệm hằng tuần: Thứ Tư (T4) → Thứ Năm (T5)" in listing["text"]
    assert "ngày gửi báo cáo tổng hợp hằng tuần cho thủ trưởng đơn vị: — → Chủ Nhật (CN)" in listing["text"]
    for code in ("schedule.set", "quiz_weekday", "schedule:office", "T08:", "+00:00"):
        assert code not in listing["text"]
    assert not any(word in everything_sent(harness, ADMIN.id) for word in NEVER_SHOWN)


async def test_mypledge_tells_a_head_they_signed_for_their_unit(harness: BotHarness) -> None:
    await setup_office(harness)
    ask = await harness.say(HOA, "/pledge")
    section = await tap(harness, HOA, ask, "pl:who:unit")
    section = await tap(harness, HOA, section, "pl:next:0")
    name_prompt = await tap(harness, HOA, section, "pl:next:1")
    assert name_prompt["text"]
    confirm = await harness.say(HOA, "Lê Thị Hoa")
    before = len(harness.server.sent[HOA.id])
    await harness.server.inject(press(HOA, confirm, "pl:ok"))
    await harness.server.wait_for(lambda: any("document" in m for m in harness.server.sent[HOA.id][before:]))
    async with harness.database.unit_of_work() as session:
        signature = await session.scalar(select(Signature).where(Signature.on_behalf_of_unit.is_(True)))
    assert signature is not None
    before = len(harness.server.sent[HOA.id])
    told = await harness.say(HOA, "/mypledge")
    receipt = await harness.server.wait_for(
        lambda: next((m for m in harness.server.sent[HOA.id][before:] if "document" in m), None)
    )
    with use_locale("vi"):
        assert told["text"] == (
            f"Bạn đã ký thay mặt <b>Văn phòng</b> lúc {fmt_datetime(signature.signed_at)}. "
            "Bạn chưa ký với tư cách cá nhân: gõ /pledge để ký."
        )
        caption = _(
            "Receipt of your signature on behalf of the unit, signed {date} (ledger entry no. {row})."
        )
        assert receipt["caption"] == caption.format(date=fmt_datetime(signature.signed_at), row=signature.id)
    assert f"(số thứ tự trong sổ ký: {signature.id})" in receipt["caption"]
    again = await harness.say(HOA, "/pledge")  # the personal signature is still to make: it says so first
    title, when = esc(template().title.vi), fmt_datetime(signature.signed_at)
    assert again["text"].startswith(
        f"Bạn đã ký <b>{title}</b> thay mặt đơn vị lúc {when}. Bây giờ bạn ký với tư cách cá nhân.\n\n"
    )


async def test_a_calendar_note_over_the_limit_is_refused_whole(harness: BotHarness) -> None:
    harness.clock.move_to(at(date(2026, 11, 30), 9))
    refused = await harness.say(ADMIN, "/calendar off 24/12/2026 " + "Hội nghị tổng kết " * 15)
    async with harness.database.unit_of_work() as session:
        assert (await session.scalars(select(CalendarOverride))).all() == []
    assert refused["text"] == (
        "Ghi chú có 269 ký tự; ghi chú của một ngày chỉ được tối đa 200 ký tự. Chưa có gì được lưu."
    )
