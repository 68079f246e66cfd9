"""The public rating form behind a desk's poster: open without signing in and without a session cookie,
Vietnamese first with an English link, the survey's questions in order, the desk's staff by name in
Vietnamese order; a rating stored with exactly what was answered (NFC, a keyed address hash, the flag for
the head); wrong answers shown again with their errors and nothing stored; closed and unknown points."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from sqlalchemy import func, select

from compliance.feedback.points import set_active
from storage.engine import Database
from storage.models_campaign import OfficeSetting
from storage.models_feedback import CitizenRating, ReceptionPoint
from tests.feedback_desk import aged_token, answers, office_with_points, phone, send, stored

RADIO = re.compile(r'type="radio" name="([a-z_]+)" value="([^"]*)"')
STAFF = re.compile(r'<option value="(\d+)"[^>]*>([^<]+)</option>')


async def test_the_form_opens_for_anyone_in_vietnamese_with_the_survey_in_order(database: Database) -> None:
    _, codes = await office_with_points(database)
    async with phone(database) as client:
        page = await client.get(f"/r/{codes['desk']}")
        assert page.status_code == 200
        assert "camket_session" not in page.headers.get("set-cookie", "")
        assert '<html lang="vi">' in page.text
        assert "Văn phòng" in page.text and "Quầy số 3 – Đất đai" in page.text
        assert f'href="/r/{codes["desk"]}?lang=en"' in page.text
        radios = RADIO.findall(page.text)
        questions = list(dict.fromkeys(name for name, _ in radios))
        assert questions == [
            "overall", "trips", "attitude", "papers_posted", "progress_lookup", "asked_beyond_rules"
        ]  # fmt: skip
        values = {name: [v for n, v in radios if n == name] for name in questions}
        assert values["overall"] == values["attitude"] == ["5", "4", "3", "2", "1"]
        assert values["trips"] == ["1", "2", "3"]
        assert values["asked_beyond_rules"] == ["yes", "no"]
        assert "checked" not in page.text.split('name="contact_consent"')[1].split(">")[0]
        # Văn phòng's staff, by given name as Vietnamese lists sort: Châu, Hoa, Quản; nobody from elsewhere.
        assert [name for _, name in STAFF.findall(page.text)] == [
            "Phạm Minh Châu",
            "Lê Thị Hoa",
            "Vũ Thị Quản",
        ]
        english = await client.get(f"/r/{codes['desk']}?lang=en")
        assert '<html lang="en">' in english.text and "Very satisfied" in english.text
        assert "camket_lang=en" in english.headers["set-cookie"]


async def test_a_rating_is_stored_as_answered_with_a_keyed_address_hash(database: Database) -> None:
    people, codes = await office_with_points(database)
    comment = unicodedata.normalize("NFD", "Cán bộ  hướng dẫn tận tình.\r\n\r\n\r\nCảm ơn!")
    async with phone(database) as client:
        sent = await send(
            client,
            database,
            codes["office"],
            overall="2",
            attitude="4",
            trips="3",
            papers_posted="",
            comment=comment,
            dossier_number=" 000.00.12.H40-261130-0007 ",
            official_id=str(people["Lê Thị Hoa"]),
            contact="0912 345 678",
            contact_consent="1",
        )
        assert sent.status_code == 303 and sent.headers["location"] == f"/r/{codes['office']}/thanks"
        assert "camket_rated=" in sent.headers["set-cookie"]
        thanks = await client.get(sent.headers["location"])
        assert (thanks.status_code == 200 and "Thank" in thanks.text) or "Cảm ơn" in thanks.text
    (rating,) = await stored(database)
    async with database.unit_of_work() as session:
        point = await session.scalar(select(ReceptionPoint).where(ReceptionPoint.code == codes["office"]))
        key = await session.scalar(
            select(OfficeSetting.value).where(OfficeSetting.name == "feedback_address_key")
        )
    assert point is not None and key is not None and len(key) == 64
    assert (rating.point_id, rating.unit_id) == (point.id, point.unit_id)
    assert (rating.overall, rating.attitude, rating.trips) == (2, 4, 3)
    assert (rating.papers_posted, rating.progress_lookup, rating.asked_beyond_rules) == (None, False, False)
    assert rating.comment == unicodedata.normalize("NFC", "Cán bộ hướng dẫn tận tình.\n\nCảm ơn!")
    assert rating.dossier_number == "000.00.12.H40-261130-0007"
    assert rating.official_id == people["Lê Thị Hoa"]
    assert (rating.contact, rating.contact_consent) == ("0912 345 678", True)
    assert rating.locale == "vi" and rating.flagged  # an overall 2 reaches the head
    expected = hmac.new(bytes.fromhex(key), b"address:203.0.113.7", hashlib.sha256).hexdigest()
    assert rating.address_hash == expected
    assert rating.address_hash != hashlib.sha256(b"203.0.113.7").hexdigest()
    assert rating.set_aside_at is None


async def test_a_yes_to_being_asked_beyond_the_rules_is_flagged_and_a_good_rating_is_not(
    database: Database,
) -> None:
    _, codes = await office_with_points(database)
    async with phone(database, "198.51.100.1") as first, phone(database, "198.51.100.2") as second:
        assert (await send(first, database, codes["office"], asked_beyond_rules="yes")).status_code == 303
        assert (await send(second, database, codes["office"], overall="5")).status_code == 303
    assert [(r.asked_beyond_rules, r.flagged) for r in await stored(database)] == [
        (True, True),
        (False, False),
    ]


async def test_wrong_answers_come_back_with_their_errors_and_nothing_is_stored(database: Database) -> None:
    people, codes = await office_with_points(database)
    hostile = "<script>alert(1)</script> rất tệ"
    async with phone(database, default_locale="en") as client:
        answer = await send(
            client,
            database,
            codes["office"],
            overall="",
            trips="7",
            asked_beyond_rules="",
            comment=hostile,
            contact="0912 345 678",
            official_id=str(people["Nguyễn Thị Lan"]),  # Phòng Quản lý vận tải's, not Văn phòng's
        )
        assert answer.status_code == 400
        for field in ("overall", "trips", "asked_beyond_rules", "contact", "official_id"):
            assert f'id="{field}-error"' in answer.text, field
        assert "tick the line agreeing" in answer.text
        assert "<script>alert(1)</script>" not in answer.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt; rất tệ" in answer.text  # kept, escaped
        assert 'value="0912 345 678"' in answer.text
        assert re.search(r'name="attitude" value="5" checked', answer.text)
        long = await send(client, database, codes["office"], comment="x" * 1001, dossier_number="9" * 41)
        assert long.status_code == 400
        assert 'id="comment-error"' in long.text and 'id="dossier_number-error"' in long.text
        assert "camket_rated" not in long.headers.get("set-cookie", "")
    assert await stored(database) == []


async def test_a_closed_point_and_an_unknown_code_take_no_rating(database: Database) -> None:
    _, codes = await office_with_points(database)
    async with database.unit_of_work() as session:
        point = await session.scalar(select(ReceptionPoint).where(ReceptionPoint.code == codes["desk"]))
        assert point is not None
        await set_active(session, point=point, active=False, actor=None)
    async with phone(database, default_locale="en") as client:
        closed = await client.get(f"/r/{codes['desk']}")
        assert closed.status_code == 404 and "no longer takes ratings" in closed.text
        assert f'href="/r/{codes["desk"]}"' not in closed.text  # no way back to a form that is gone
        posted = await client.post(
            f"/r/{codes['desk']}", data=answers(form_token=await aged_token(database, codes["desk"]))
        )
        assert posted.status_code == 404
        for code in ("ZZZZZZ", "x" * 300, "%F0%9F%98%80", codes["office"].lower() + "Q"):
            assert (await client.get(f"/r/{code}")).status_code == 404, code
        # Typed by hand: lower case and a dash still find the point.
        typed = codes["office"].lower()
        assert (await client.get(f"/r/{typed[:3]}-{typed[3:]}")).status_code == 200
    async with database.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(CitizenRating)) == 0
