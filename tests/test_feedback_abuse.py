"""Every abuse rule of the public rating form refuses politely and stores nothing: the hidden field, a form
sent too fast, a token forged, for another point, or too old, the second rating of a device at a point the
same day, the limits per address and per point, an oversized body. A refusal never sets the device cookie.
"""

from __future__ import annotations

import time

import pytest

from compliance.feedback import abuse
from storage.engine import Database
from tests.feedback_desk import aged_token, answers, device, office_with_points, phone, send, stored
from tests.web_client import web_app


async def test_the_hidden_field_filled_is_a_robot(database: Database) -> None:
    _, codes = await office_with_points(database)
    async with phone(database, default_locale="en") as client:
        answer = await send(client, database, codes["office"], website="http://spam.example")
        assert answer.status_code == 400 and "could not be accepted" in answer.text
        assert "camket_rated" not in answer.headers.get("set-cookie", "")
    assert await stored(database) == []


async def test_a_form_sent_before_the_minimum_time_is_refused(database: Database) -> None:
    _, codes = await office_with_points(database)
    async with phone(database, default_locale="en") as client:
        code = codes["office"]
        await client.get(f"/r/{code}")
        for seconds in (0, 4):
            data = answers(form_token=await aged_token(database, code, seconds))
            answer = await client.post(f"/r/{code}", data=data)
            assert answer.status_code == 400 and "too quickly" in answer.text, seconds
        data = answers(form_token=await aged_token(database, code, 6))
        assert (await client.post(f"/r/{code}", data=data)).status_code == 303
    assert len(await stored(database)) == 1


@pytest.mark.parametrize("kind", ["missing", "forged", "other point", "too old", "from the future"])
async def test_a_token_not_given_out_for_this_form_is_refused(database: Database, kind: str) -> None:
    _, codes = await office_with_points(database)
    code = codes["office"]
    now = time.time()
    token = {
        "missing": "",
        "forged": abuse.form_token(b"\x00" * 32, code, now - 60),
        "other point": await aged_token(database, codes["desk"]),
        "too old": await aged_token(database, code, abuse.FORM_LONGEST_SECONDS + 60),
        "from the future": await aged_token(database, code, -600),
    }[kind]
    async with phone(database, default_locale="en") as client:
        answer = await client.post(f"/r/{code}", data=answers(form_token=token))
        assert answer.status_code == 400 and "expired" in answer.text
    assert await stored(database) == []


async def test_one_rating_per_device_point_and_day(database: Database) -> None:
    _, codes = await office_with_points(database)
    async with phone(database, default_locale="en") as client:
        assert (await send(client, database, codes["office"])).status_code == 303
        again = await client.get(f"/r/{codes['office']}")
        assert again.status_code == 200 and "already rated this desk today" in again.text
        assert 'name="form_token"' not in again.text
        data = answers(form_token=await aged_token(database, codes["office"]))
        second = await client.post(f"/r/{codes['office']}", data=data)
        assert second.status_code == 429 and "again tomorrow" in second.text
        # Another desk of the same unit is another point: rated the same day from the same phone.
        assert (await send(client, database, codes["desk"])).status_code == 303
        # Yesterday's list does not count today.
        client.cookies.set(abuse.RATED_COOKIE, f"20000101:{codes['transport']}")
        assert (await send(client, database, codes["transport"])).status_code == 303
    assert len(await stored(database)) == 3


async def test_the_limit_per_address(database: Database) -> None:
    _, codes = await office_with_points(database)
    app = web_app(database, ratings_per_address_per_minute=2, default_locale="en")
    # Three phones on one connection (a café's wifi): each device may rate, the address only twice a minute.
    for number, code in enumerate((codes["office"], codes["desk"], codes["transport"])):
        async with device(app, "192.0.2.50") as client:
            answer = await send(client, database, code)
            if number < 2:
                assert answer.status_code == 303
            else:
                assert answer.status_code == 429 and "from this connection" in answer.text
                assert "camket_rated" not in answer.headers.get("set-cookie", "")
    async with device(app, "192.0.2.51") as client:
        assert (await send(client, database, codes["transport"])).status_code == 303
    assert len(await stored(database)) == 3


async def test_the_limit_per_point(database: Database) -> None:
    _, codes = await office_with_points(database)
    app = web_app(database, ratings_per_point_per_minute=2, default_locale="en")
    for number in range(3):
        async with device(app, f"192.0.2.{number + 1}") as client:
            answer = await send(client, database, codes["office"])
            expected = 303 if number < 2 else 429
            assert answer.status_code == expected, number
            if expected == 429:
                assert "many ratings right now" in answer.text
    async with device(app, "192.0.2.9") as client:
        assert (await send(client, database, codes["desk"])).status_code == 303  # other points are open
    assert len(await stored(database)) == 3


async def test_an_oversized_body_is_refused_before_it_is_read(database: Database) -> None:
    _, codes = await office_with_points(database)
    async with phone(database, default_locale="en") as client:
        data = answers(form_token=await aged_token(database, codes["office"]), comment="x" * 200_000)
        answer = await client.post(f"/r/{codes['office']}", data=data)
        assert answer.status_code == 413
    assert await stored(database) == []
