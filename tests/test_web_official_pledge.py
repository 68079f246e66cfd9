"""/pledge on the web: the same version, name check, ledger and receipt as the chat's /pledge."""

from __future__ import annotations

from sqlalchemy import func, select

from compliance.office.officials import actor_of
from compliance.pledge import ledger
from compliance.pledge import signing as pledges
from storage.engine import Database
from storage.models import Official
from storage.models_pledge import Signature
from tests.web_client import csrf_of, sign_in, web_client
from tests.web_official_office import HOSTILE_NAME, HOSTILE_UNIT, populate


async def _signatures(database: Database) -> list[Signature]:
    async with database.unit_of_work() as session:
        return list((await session.scalars(select(Signature).order_by(Signature.id))).all())


async def test_an_official_reads_signs_and_downloads_the_receipt(database: Database) -> None:
    people = await populate(database)
    async with web_client(database) as client:
        await sign_in(client, database, people.official)
        page = await client.get("/pledge")
        assert page.status_code == 200
        assert "Biết lắng nghe số 1." in page.text and "Không hách dịch." in page.text  # every section
        assert "1/QĐ-TEST" in page.text  # the template's source, under the title
        assert 'name="name"' in page.text and f'name="version" value="{people.version_id}"' in page.text
        wrong = await client.post(
            "/pledge", data={"csrf": csrf_of(page), "version": str(people.version_id), "name": "Nguyễn Lan"}
        )
        assert wrong.status_code == 400 and 'value="Nguyễn Lan"' in wrong.text
        assert await _signatures(database) == []  # a name that does not match stores nothing
        signed = await client.post(
            "/pledge",
            data={"csrf": csrf_of(page), "version": str(people.version_id), "name": "nguyễn  thị lan"},
        )
        assert signed.status_code == 303 and signed.headers["location"].startswith("/pledge/receipt")
        rows = await _signatures(database)
        assert [(r.official_id, r.pledge_version_id, r.on_behalf_of_unit) for r in rows] == [
            (people.official, people.version_id, False)
        ]
        assert rows[0].chat_id == pledges.WEB_CHAT_ID and rows[0].locale == "vi"
        receipt = await client.get(signed.headers["location"])
        assert receipt.status_code == 200 and ledger.verification_code(rows[0].row_hash) in receipt.text
        pdf = await client.get("/pledge/receipt.pdf")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF") and "attachment" in pdf.headers["content-disposition"]
        again_page = await client.get("/pledge")
        assert "/pledge/receipt" in again_page.text and 'name="name"' not in again_page.text
        again = await client.post(
            "/pledge",
            data={"csrf": csrf_of(again_page), "version": str(people.version_id), "name": "Nguyễn Thị Lan"},
        )
        assert again.status_code == 409
    assert len(await _signatures(database)) == 1
    async with database.unit_of_work() as session:
        verification = await ledger.verify(session)
        assert verification.ok and verification.count == 1


async def test_web_and_chat_signatures_share_one_ledger(database: Database) -> None:
    people = await populate(database)
    async with database.unit_of_work() as session:
        official = await session.get(Official, people.admin)
        assert official is not None
        chat = await pledges.sign(
            session,
            actor=actor_of(official),
            version_id=people.version_id,
            typed_name="Trần Văn Bình",
            locale="vi",
            chat_id=302,
            message_id=9,
        )
        assert chat.outcome is pledges.SignOutcome.SIGNED
    async with web_client(database) as client:
        page = await sign_in(client, database, people.official)
        await client.post(
            "/pledge",
            data={"csrf": csrf_of(page), "version": str(people.version_id), "name": "Nguyễn Thị Lan"},
        )
        admin_client_page = await client.get("/pledge")
        assert admin_client_page.status_code == 200
    rows = await _signatures(database)
    assert len(rows) == 2 and rows[1].prev_hash == rows[0].row_hash
    async with database.unit_of_work() as session:
        assert (await ledger.verify(session)).ok
    # Signed in the chat already: the page says so and offers the receipt, no form.
    async with web_client(database) as client:
        await sign_in(client, database, people.admin)
        page = await client.get("/pledge")
        assert 'name="name"' not in page.text and "/pledge/receipt" in page.text
        receipt = await client.get("/pledge/receipt.pdf")
        assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")


async def test_a_head_signs_for_themselves_and_for_the_unit(database: Database) -> None:
    people = await populate(database)
    async with web_client(database) as client:
        page = await sign_in(client, database, people.head)
        page = await client.get("/pledge")
        assert 'name="for" value="unit"' in page.text
        for chosen in ("unit", "me"):
            page = await client.get("/pledge")
            answer = await client.post(
                "/pledge",
                data={
                    "csrf": csrf_of(page),
                    "version": str(people.version_id),
                    "name": "Lê Thị Hoa",
                    "for": chosen,
                },
            )
            assert answer.status_code == 303
        receipt = await client.get("/pledge/receipt")
        assert receipt.text.count("/pledge/receipt.pdf") == 2
        assert (await client.get("/pledge/receipt.pdf?for=unit")).status_code == 200
    rows = await _signatures(database)
    assert sorted(r.on_behalf_of_unit for r in rows) == [False, True]


async def test_an_official_cannot_sign_for_a_unit(database: Database) -> None:
    people = await populate(database)
    async with web_client(database) as client:
        page = await sign_in(client, database, people.official)
        answer = await client.post(
            "/pledge",
            data={
                "csrf": csrf_of(page),
                "version": str(people.version_id),
                "name": "Nguyễn Thị Lan",
                "for": "unit",
            },
        )
        assert answer.status_code == 409
    assert await _signatures(database) == []


async def test_a_stale_version_and_a_missing_token_change_nothing(database: Database) -> None:
    people = await populate(database)
    async with web_client(database) as client:
        page = await sign_in(client, database, people.official)
        stale = await client.post(
            "/pledge", data={"csrf": csrf_of(page), "version": "999", "name": "Nguyễn Thị Lan"}
        )
        assert stale.status_code == 409
        forged = await client.post(
            "/pledge", data={"version": str(people.version_id), "name": "Nguyễn Thị Lan"}
        )
        assert forged.status_code == 403
        assert (await client.get("/pledge/receipt.pdf")).status_code == 404
    assert await _signatures(database) == []


async def test_a_pledge_with_a_quiz_asks_it_first(database: Database) -> None:
    people = await populate(database, quiz=True)
    async with web_client(database) as client:
        page = await sign_in(client, database, people.official)
        page = await client.get("/pledge")
        assert 'name="q2"' in page.text
        base = {"csrf": csrf_of(page), "version": str(people.version_id), "name": "Nguyễn Thị Lan"}
        wrong = await client.post("/pledge", data={**base, "q0": "1", "q1": "0", "q2": "1"})
        assert wrong.status_code == 400 and "Vì đúng." in wrong.text  # the explanation of the wrong one
        assert await _signatures(database) == []
        right = await client.post("/pledge", data={**base, "q0": "1", "q1": "1", "q2": "1"})
        assert right.status_code == 303
    assert len(await _signatures(database)) == 1


async def test_no_pledge_published_says_so(database: Database) -> None:
    from tests.factories import telegram_official

    async with database.unit_of_work() as session:
        official = await telegram_official(session, 901, full_name="Vũ Văn An", name_key="vu van an")
        official_id = official.id
    async with web_client(database) as client:
        await sign_in(client, database, official_id)
        page = await client.get("/pledge")
        assert page.status_code == 200 and 'name="name"' not in page.text
        receipt = await client.get("/pledge/receipt")
        assert receipt.status_code == 200 and "/pledge/receipt.pdf" not in receipt.text


async def test_hostile_names_are_escaped_on_the_receipt(database: Database) -> None:
    people = await populate(database)
    async with web_client(database) as client:
        page = await sign_in(client, database, people.hostile)
        signed = await client.post(
            "/pledge", data={"csrf": csrf_of(page), "version": str(people.version_id), "name": HOSTILE_NAME}
        )
        assert signed.status_code == 303
        for path in ("/pledge", "/pledge/receipt"):
            text = (await client.get(path)).text
            assert HOSTILE_NAME not in text and HOSTILE_UNIT not in text
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    async with database.unit_of_work() as session:
        count = await session.scalar(select(func.count()).select_from(Signature))
        assert count == 1
