"""An office on Zalo and Telegram through the real process (`python -m bot run` with both tokens, both fake
servers, the web pages at PUBLIC_URL): three officials join on Zalo by activation code (a wrong code, a
code used twice), sign on Zalo by text and on the web by the link WEB gives, get reminders and the weekly
quiz, do the self-check and the quiz on Zalo; a plan update with a PDF composed on the web console reaches
all five (Telegram the document, Zalo the text), acknowledged from Zalo, Telegram and the web once each; a
head's report on Zalo; hostile and NFD text. The Zalo conversation goes to test-artifacts/."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

import httpx
from sqlalchemy import func, select

from compliance.office import activation
from compliance.office.staff_import import import_staff
from compliance.pledge import signing as pledges
from compliance.practice import planner
from compliance.practice.calendar import LOCAL_TZ, WorkCalendar
from compliance.privacy.notice import current_notice
from handlers.i18n import _, ngettext, use_locale
from handlers.messages import plain_text
from storage.clock import utcnow
from storage.engine import Database
from storage.models import Channel, Official, OfficialStatus, OutboxMessage, Role, Unit
from storage.models_broadcast import Broadcast, BroadcastAck
from storage.models_consent import Consent
from storage.models_pledge import PledgeVersion, Signature
from storage.models_practice import QuizAttempt, SelfCheck
from storage.models_zalo import ActivationAttempt
from tests.consents import agree
from tests.e2e.zalo_office import ARTIFACTS, ZaloOffice
from tests.factories import FakeUser, buttons, link_telegram, press
from tests.pledge_files import template
from tests.staff_files import OFFICE, xlsx_bytes
from tests.test_web_broadcasts import PDF, as_form, draft_of, fields, preview
from tests.waiting import eventually
from tests.web_client import csrf_of, link_token

LAN, HUY, HOA = "a1b2c3d4e5f60001", "a1b2c3d4e5f60002", "a1b2c3d4e5f60003"
STRANGER = "eeee00000000beef"
BINH, CHAU = FakeUser(401, "Bình", "Trần"), FakeUser(402, "Châu", "Phạm")
SIGN_IN = re.compile(r"http://127\.0\.0\.1:\d+(/signin/[A-Za-z0-9_\-]+)")
PDF_NAME = "ke-hoach-15-KH.pdf"
PLAN = "Kế hoạch số 15/KH: họp giao ban sáng thứ Hai"


def vi(text: str) -> str:
    """What the Vietnamese catalog says for an English msgid, as Zalo shows it (plain text)."""
    with use_locale("vi"):
        return plain_text(_(text))


async def seed(database: Database) -> dict[str, int]:
    """The staff list, a published pledge, an admin with no chat account, Bình and Châu on Telegram."""
    async with database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))
        await pledges.publish(
            session,
            template=template(items=3),
            unit=None,
            material=False,
            publisher_id=None,
            now=utcnow() - timedelta(days=1),
        )
        people = {p.full_name: p for p in (await session.scalars(select(Official))).all()}
        for name, user in (("Trần Văn Bình", BINH), ("Phạm Minh Châu", CHAU)):
            people[name].status = OfficialStatus.ACTIVE
            await link_telegram(session, people[name], user.id)
        admin = Official(
            full_name="Quản trị viên", name_key="quản trị viên", role=Role.ADMIN, status=OfficialStatus.ACTIVE
        )
        session.add(admin)
        await session.flush()
        await agree(session, admin.id, "web")  # the admin works on the web and answered the notice there
        ids = {name: p.id for name, p in people.items()}
        ids["admin"] = admin.id
        return ids


async def codes(database: Database, ids: dict[str, int]) -> dict[str, str]:
    """A unit's sheet (Lan and Huy) and one code for Hoa, as the office hands them out."""
    async with database.unit_of_work() as session:
        unit = await session.scalar(select(Unit.id).where(Unit.name == "Phòng Quản lý vận tải"))
        assert unit is not None
        sheet = await activation.issue_for_unit(
            session, unit_id=unit, issued_by_id=ids["admin"], include_subunits=False, now=utcnow()
        )
        found = {c.full_name: c.code for c in sheet}
        found["Lê Thị Hoa"] = await activation.issue(
            session, official_id=ids["Lê Thị Hoa"], issued_by_id=ids["admin"], now=utcnow()
        )
    return found


async def a_full_week(database: Database) -> date:
    """The Monday of the first coming week whose five days are all working days."""
    today = utcnow().astimezone(LOCAL_TZ).date()
    monday = today + timedelta(days=7 - today.weekday())
    async with database.unit_of_work() as session:
        calendar = await WorkCalendar.load(session, start=monday, end=monday + timedelta(days=60))
    while not all(calendar.is_working_day(monday + timedelta(days=n)) for n in range(5)):
        monday += timedelta(days=7)
    return monday


async def tick_at(office: ZaloOffice, database: Database, moment: datetime) -> dict[str, int]:
    """The schedule's tick as it runs at `moment` (the reminders, the quiz, the self-check are due then);
    what it plans the running process sends, its own clock still at today's time."""
    async with database.unit_of_work() as session:
        report = await planner.tick(session, now=moment)
    return dict(report.planned)


async def count(database: Database, statement: object) -> int:
    async with database.unit_of_work() as session:
        return int(await session.scalar(statement) or 0)  # type: ignore[call-overload]


async def copies_recorded(database: Database, broadcast_id: int) -> bool:
    """Every copy of the plan update has its channel's answer recorded (none is still being sent)."""
    async with database.unit_of_work() as session:
        statuses = await session.scalars(
            select(OutboxMessage.status).where(OutboxMessage.broadcast_id == broadcast_id)
        )
        return set(statuses.all()) == {"sent"}


def first_document(office: ZaloOffice, chat: int) -> dict[str, Any] | None:
    return next((m for m in office.telegram.messages_to(chat) if "document" in m), None)


def got_plan(office: ZaloOffice, user: str) -> bool:
    return any(PLAN in text for text in office.zalo.texts(user))


def answered(office: ZaloOffice, query: str) -> bool:
    """Telegram's button press has been answered (the acknowledgement recorded or refused)."""
    return any(
        c.method == "answerCallbackQuery" and str(c.params.get("callback_query_id")) == query
        for c in office.telegram.calls
    )


async def web_session(client: httpx.AsyncClient, path: str) -> None:
    """Follow a sign-in link as a browser does: the link, the button, the page it leads to."""
    opened = await client.get(path)
    assert opened.status_code == 303, opened.text
    posted = await client.post("/signin")
    assert posted.status_code == 303, posted.text


async def test_an_office_on_zalo_and_telegram(database: Database, database_url: str) -> None:
    ids = await seed(database)
    handed_out = await codes(database, ids)
    async with database.unit_of_work() as session:
        version_id = await session.scalar(select(func.max(PledgeVersion.id)))
    office = ZaloOffice(database_url)
    office.telegram.known_chats.update({BINH.id, CHAU.id})
    bot = await office.start(ZALO_RATE_LIMIT="50")
    try:
        ready = next(line for line in bot.lines if "serving the web pages at" in line)
        assert "Zalo by long polling" in ready and "Telegram" in ready

        # ---- joining: a wrong code, the right one, the same code from another account ----------------------
        wrong = await office.say(LAN, "CCCC-CCCC")
        with use_locale("vi"):
            refusal = ngettext(
                "This code is not valid. Check it and send it again ({n} try left this hour).",
                "This code is not valid. Check it and send it again ({n} tries left this hour).",
                4,
            ).format(n=4)
        assert wrong == [refusal]
        notice_title = current_notice().title.vi
        # Linked: the privacy notice comes first, in parts; "1" (Tôi đồng ý) answers it.
        noticed = await office.say(LAN, handed_out["Nguyễn Thị Lan"].lower().replace("-", " "))
        assert any(notice_title in text for text in noticed) and all(len(text) <= 2000 for text in noticed)
        await office.say(LAN, "1")
        used = await office.say(STRANGER, handed_out["Nguyễn Thị Lan"])
        assert used == [
            vi(
                "This code has already been used. If it was not you who used it, tell your office at once "
                "and ask for a new code."
            )
        ]
        for user, name in ((HUY, "Đỗ Quang Huy"), (HOA, "Lê Thị Hoa")):
            assert any(notice_title in text for text in await office.say(user, handed_out[name]))
            await office.say(user, "1")
        async with database.unit_of_work() as session:
            attempts = (await session.scalars(select(ActivationAttempt.external_id))).all()
            zalo_people = {
                p.full_name: p.status
                for p in (
                    await session.scalars(select(Official).where(Official.id.in_(list(ids.values()))))
                ).all()
            }
        assert attempts == [LAN]  # the wrong code counted against Lan's account; "used" is not a guess
        async with database.unit_of_work() as session:
            consented = set(
                (await session.scalars(select(Consent.official_id).where(Consent.channel == "zalo"))).all()
            )
        assert consented == {ids["Nguyễn Thị Lan"], ids["Đỗ Quang Huy"], ids["Lê Thị Hoa"]}
        assert all(
            zalo_people[n] is OfficialStatus.ACTIVE for n in ("Nguyễn Thị Lan", "Đỗ Quang Huy", "Lê Thị Hoa")
        )

        # ---- signing: Lan by text on Zalo, Huy on the web by the link WEB gives -------------------------
        read = await office.say(LAN, "ky")
        assert "Cam kết thử nghiệm" in "\n".join(read)
        assert any("ĐỒNG Ý" in text for text in await office.say(LAN, "Nguyễn Thị Lan"))
        signed = await office.say(LAN, unicodedata.normalize("NFD", "Đồng ý"))
        assert f"{bot.url}/signin/" in "\n".join(signed)
        # The receipt as a picture too, by a link of the web server that Zalo fetches (twice) and gets.
        receipts = [m for m in office.zalo.sent[LAN] if "photo" in m]
        assert len(receipts) == 1 and receipts[0]["fetched"] == [200, 200], receipts

        link = SIGN_IN.search("\n".join(await office.say(HUY, "web")))
        assert link is not None
        async with httpx.AsyncClient(base_url=bot.url) as huy_browser:
            await web_session(huy_browser, link.group(1))
            page = await huy_browser.get("/pledge")
            assert page.status_code == 200 and 'name="name"' in page.text
            on_web = await huy_browser.post(
                "/pledge", data={"csrf": csrf_of(page), "version": str(version_id), "name": "đỗ quang huy"}
            )
            assert on_web.status_code == 303, on_web.text
            async with database.unit_of_work() as session:
                rows = (await session.execute(select(Signature.official_id, Signature.chat_id))).all()
            assert sorted(rows) == sorted(
                [(ids["Nguyễn Thị Lan"], pledges.ZALO_CHAT_ID), (ids["Đỗ Quang Huy"], pledges.WEB_CHAT_ID)]
            )

            # ---- the week: Wednesday's reminder and quiz, Hoa signs, Friday's self-check ----------------
            week = await a_full_week(database)
            before = {user: len(office.zalo.sent.get(user, [])) for user in (LAN, HUY, HOA)}
            planned = await tick_at(
                office, database, datetime.combine(week + timedelta(days=2), time(10, 1), LOCAL_TZ)
            )
            assert planned.get("reminder", 0) >= 5 and planned.get("quiz", 0) >= 5, planned
            for user in (LAN, HUY, HOA):  # each one's reminder and quiz invitation
                await office.received(user, before[user] + 2)
            await office.say(HOA, "ky")  # a head: for herself (1) or for the unit (2)
            await office.say(HOA, "1")
            await office.say(HOA, "Lê Thị Hoa")
            assert f"{bot.url}/signin/" in "\n".join(await office.say(HOA, "dong y"))

            quiz = await office.say(LAN, "trac nghiem")
            assert any("A. " in text for text in quiz)
            for _answer in range(20):
                async with database.unit_of_work() as session:
                    attempt = await session.scalar(
                        select(QuizAttempt).where(QuizAttempt.official_id == ids["Nguyễn Thị Lan"])
                    )
                if attempt is not None and attempt.finished_at is not None:
                    break
                await office.say(LAN, "B")
            assert attempt is not None and attempt.finished_at is not None and not attempt.practice
            assert attempt.week == week

            planned = await tick_at(
                office, database, datetime.combine(week + timedelta(days=4), time(14, 1), LOCAL_TZ)
            )
            assert planned.get("selfcheck_open", 0) >= 5, planned
            sheet = await office.say(LAN, "tu danh gia")
            assert any("1." in text for text in sheet)
            await office.say(LAN, "1 1 2 1")  # the template's four items at once
            await office.say(LAN, "bo qua")
            async with database.unit_of_work() as session:
                check = await session.scalar(
                    select(SelfCheck).where(SelfCheck.official_id == ids["Nguyễn Thị Lan"])
                )
            assert check is not None and check.status == "done"
            assert sorted(check.answers.values()) == ["partly", "yes", "yes", "yes"]

            # ---- a plan update with a PDF from the web console to all five ------------------------------
            async with httpx.AsyncClient(base_url=bot.url) as admin_browser:
                await web_session(admin_browser, f"/signin/{await link_token(database, ids['admin'])}")
                shown = await preview(
                    admin_browser, fields(text=PLAN, target="all"), (PDF_NAME, PDF, "application/pdf")
                )
                assert shown.status_code == 200, shown.text
                confirmed = await admin_browser.post("/broadcasts/confirm", data=as_form(draft_of(shown)))
                assert confirmed.status_code == 303, confirmed.text
            async with database.unit_of_work() as session:
                broadcast = (await session.scalars(select(Broadcast))).one()
            assert broadcast.total == 5
            for person in (BINH, CHAU):
                copy = await office.telegram.wait_for(partial(first_document, office, person.id), timeout=30)
                assert copy["document"]["file_name"] == PDF_NAME and PLAN in copy["caption"]
            for user in (LAN, HUY, HOA):
                await office.zalo.wait_for(partial(got_plan, office, user), timeout=30)
                copy_text = next(text for text in office.zalo.texts(user) if PLAN in text)
                assert PDF_NAME in copy_text and "(gõ DA NHAN)" in copy_text  # a keyword, not "Reply 1"

            # Acknowledgements: Lan and Hoa on Zalo (Lan twice), Châu's button (twice), Bình's, Huy's page.
            # A person answers a copy they have read; its outcome reaches the database in the dispatcher's
            # next batch, a moment after Zalo took it: wait for that moment as a reader's eyes would.
            await eventually(partial(copies_recorded, database, broadcast.id))
            with use_locale("vi"):
                recorded = _("✅ Confirmed as received: the plan update of {date}: “{text}”").split("{")[0]
                again = _("You have already confirmed every plan update sent to you.")
            assert any(recorded in text for text in await office.say(LAN, "da nhan"))
            assert again in await office.say(LAN, "ĐÃ NHẬN")
            await office.say(HOA, "Đã nhận")
            for person in (CHAU, CHAU, BINH):
                copy = next(m for m in office.telegram.messages_to(person.id) if "document" in m)
                ack = next(b for b in buttons(copy) if b["callback_data"].startswith("ack:"))
                update = press(person, copy, ack["callback_data"])
                await office.telegram.inject(update)
                query = update["callback_query"]["id"]
                await office.telegram.wait_for(partial(answered, office, query), timeout=30)
            updates_page = await huy_browser.get("/updates")
            assert updates_page.status_code == 200 and PLAN in updates_page.text
            acked = await huy_browser.post(
                f"/updates/{broadcast.id}/ack", data={"csrf": csrf_of(updates_page)}
            )
            assert acked.status_code == 303, acked.text
        async with database.unit_of_work() as session:
            acks = (await session.execute(select(BroadcastAck.official_id, BroadcastAck.broadcast_id))).all()
        assert sorted(a for a, _b in acks) == sorted(
            ids[n]
            for n in ("Nguyễn Thị Lan", "Lê Thị Hoa", "Phạm Minh Châu", "Trần Văn Bình", "Đỗ Quang Huy")
        )

        # ---- a head's report on Zalo --------------------------------------------------------------------
        before_report = len(office.zalo.sent[HOA])
        report = await office.say(HOA, "bao cao")
        assert f"{bot.url}/signin/" in "\n".join(report)
        pictures = [m for m in office.zalo.sent[HOA][before_report:] if "photo" in m]
        # The chart as a picture by a link of the web server, which Zalo fetches (twice) and gets.
        assert len(pictures) == 1 and pictures[0]["fetched"] == [200, 200], pictures
        assert pictures[0]["photo"].startswith(f"{bot.url}/f/")

        # ---- a newcomer by the unit's invite code, approved by the head on Zalo ----------------------
        invited = re.search(r": (\S{12})\n", "\n".join(await office.say(HOA, "mời")))
        assert invited is not None
        assert "Văn phòng" in "\n".join(await office.say(STRANGER, invited.group(1)))
        asked = len(office.zalo.sent[HOA])
        await office.say(STRANGER, unicodedata.normalize("NFD", "Võ Thị Ngọc Mai"))
        request = re.search(r"\(\w+ (DUYET \d+)\)", (await office.received(HOA, asked + 1))[-1]["text"])
        assert request is not None, office.zalo.sent[HOA][-1]
        told = len(office.zalo.sent.get(STRANGER, []))
        assert "Võ Thị Ngọc Mai" in "\n".join(await office.say(HOA, request.group(1).lower()))
        assert "Võ Thị Ngọc Mai" in (await office.received(STRANGER, told + 1))[-1]["text"]

        # ---- hostile and NFD text -----------------------------------------------------------------------
        for text in (
            "<script>alert(1)</script>",
            "đ" * 2500,
            unicodedata.normalize("NFD", "Tôi"),
            "<b>ký</b>\u202e\x00",
        ):
            assert await office.say(LAN, text)
        assert office.oversized() == []

        async with database.unit_of_work() as session:
            outbox = (
                await session.execute(
                    select(OutboxMessage.channel, OutboxMessage.status, func.count()).group_by(
                        OutboxMessage.channel, OutboxMessage.status
                    )
                )
            ).all()
        assert {status for _channel, status, _n in outbox} <= {"sent"}, outbox
        assert {channel for channel, _status, _n in outbox} == {Channel.ZALO, Channel.TELEGRAM}
    finally:
        code = await office.stop()
        path = office.transcript(
            {LAN: "Lan", HUY: "Huy", HOA: "Hoa", STRANGER: "người lạ"}, ARTIFACTS / "zalo-conversation.txt"
        )
        print(f"\nthe Zalo conversation: {path}")
    assert code == 0, bot.log[-3000:]
    assert "Traceback" not in bot.log, bot.log[-3000:]
    assert office.zalo.token not in bot.log
