"""An official opens the link the bot sent on a phone (390×844), reads the pledge, signs it with their
typed name, and gets the receipt: the same ledger as the chat's signatures."""

from __future__ import annotations

from sqlalchemy import select

from compliance.pledge.ledger import verify
from storage.engine import Database
from storage.models_pledge import Signature
from tests.browser.conftest import Visitors
from tests.browser.people import official_named
from tests.browser.server import WebServer


async def test_an_official_signs_the_pledge_on_a_phone(
    office: Database, web: WebServer, visitors: Visitors
) -> None:
    chau = await official_named(office, "Phạm Minh Châu")
    phone = await visitors.new("chau")
    await phone.goto(await web.link_for(chau.id), "my-page")
    page = phone.page
    assert "Phạm Minh Châu" in await page.inner_text("header")

    await page.click("nav >> a[href='/pledge']")
    await phone.shot("pledge")
    assert await page.locator("article.pledge li").count() >= 3
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390

    # A wrong name is refused and nothing is signed.
    await page.fill("#full-name", "Phạm Minh")
    await page.click("form.sign-form button[type=submit]")
    await phone.shot("wrong-name")
    assert await page.locator("#form-error").is_visible()

    await page.fill("#full-name", "Phạm Minh Châu")
    await page.click("form.sign-form button[type=submit]")
    await phone.shot("signed")
    await page.goto(f"{web.url}/pledge/receipt")
    await phone.shot("receipt")
    async with page.expect_download() as waiting:
        await page.click("a[href='/pledge/receipt.pdf']")
    download = await waiting.value
    pdf = await download.path()
    assert pdf is not None and pdf.read_bytes().startswith(b"%PDF")

    async with office.unit_of_work() as session:
        signatures = (await session.scalars(select(Signature).order_by(Signature.id))).all()
        assert [s.official_id for s in signatures].count(chau.id) == 1
        assert (await verify(session)).ok
