"""A plan update's figures per channel: each person gets one copy, on the channel they used last; the
figures (recipients, delivered, failed, confirmed) per channel add up to the broadcast's, and are shown on
the web status page and in the chat's detail and progress message when the copies went out on more than
one channel."""

from __future__ import annotations

import re

from sqlalchemy import select

from compliance.broadcasts import followup
from compliance.broadcasts.status import ChannelFigures, ProgressView, progress_of
from compliance.office.accounts import ChannelUser, link
from compliance.office.officials import actor_of
from handlers.i18n import use_locale
from handlers.views import broadcast_status as views
from storage.engine import Database
from storage.models import Channel, Official, OutboxMessage
from tests.test_web_broadcasts import admin
from tests.test_web_broadcasts_status import deliver, sent_by
from tests.web_client import sign_in, web_client

ON_ZALO = {"Lê Thị Hoa": "a1b2c3d4e5f60001", "Phạm Minh Châu": "a1b2c3d4e5f60002"}


async def move_to_zalo(database: Database) -> None:
    """Hoa and Châu joined on Telegram, then on Zalo, which they used last."""
    async with database.unit_of_work() as session:
        for name, zalo_id in ON_ZALO.items():
            official = (await session.scalars(select(Official).where(Official.full_name == name))).one()
            await link(session, official, ChannelUser(Channel.ZALO, zalo_id))


async def test_one_copy_each_on_the_channel_used_last_and_the_figures_per_channel(office: Database) -> None:
    admin_id = await admin(office)
    await move_to_zalo(office)
    broadcast_id = await sent_by(office, admin_id)
    async with office.unit_of_work() as session:
        copies = (
            await session.execute(
                select(Official.full_name, OutboxMessage.channel, OutboxMessage.address)
                .join(Official, Official.id == OutboxMessage.official_id)
                .where(OutboxMessage.broadcast_id == broadcast_id)
            )
        ).all()
    by_name = {name: (channel, address) for name, channel, address in copies}
    assert len(copies) == len(by_name) == 4  # one copy per person
    assert {n: a for n, (c, a) in by_name.items() if c == Channel.ZALO} == ON_ZALO
    assert {n for n, (c, _a) in by_name.items() if c == Channel.TELEGRAM} == {
        "Nguyễn Thị Lan",
        "Đỗ Quang Huy",
    }

    await deliver(
        office,
        broadcast_id,
        sent=["Lê Thị Hoa", "Phạm Minh Châu", "Nguyễn Thị Lan"],
        failed=["Đỗ Quang Huy"],
        acked=["Lê Thị Hoa"],
    )
    async with office.unit_of_work() as session:
        progress = (await progress_of(session, [broadcast_id]))[broadcast_id]
    assert progress.by_channel == (
        ChannelFigures(Channel.TELEGRAM, total=2, sent=1, failed=1, acknowledged=0),
        ChannelFigures(Channel.ZALO, total=2, sent=2, failed=0, acknowledged=1),
    )
    assert (progress.total, progress.sent, progress.failed, progress.acknowledged) == (4, 3, 1, 1)
    for field in ("total", "sent", "failed", "acknowledged"):
        assert sum(getattr(f, field) for f in progress.by_channel) == getattr(progress, field)


async def test_the_chat_shows_channel_lines_only_when_two_channels_carry_it(office: Database) -> None:
    admin_id = await admin(office)
    telegram_only = await sent_by(office, admin_id, text="Kế hoạch số 14")
    await move_to_zalo(office)
    both = await sent_by(office, admin_id, text="Kế hoạch số 15")
    await deliver(office, both, sent=["Lê Thị Hoa", "Nguyễn Thị Lan"], failed=[], acked=["Nguyễn Thị Lan"])
    async with office.unit_of_work() as session:
        actor = actor_of(await session.get_one(Official, admin_id))
        one = await followup.detail(session, actor=actor, broadcast_id=telegram_only)
        two = await followup.detail(session, actor=actor, broadcast_id=both)
        figures = await progress_of(session, [telegram_only, both])
    assert one is not None and two is not None
    assert [f.channel for f in figures[telegram_only].by_channel] == [Channel.TELEGRAM]
    with use_locale("en"):
        single = views.detail(one).text
        double = views.detail(two).text
        progress = views.progress_text(ProgressView(both, 1, 2, "sending", figures[both], "en"))
        single_progress = views.progress_text(
            ProgressView(telegram_only, 1, 3, "sending", figures[telegram_only], "en")
        )
    assert "Zalo:" not in single and "Telegram:" not in single
    assert "Telegram: delivered 1/2, failed 0, confirmed 1" in double
    assert "Zalo: delivered 1/2, failed 0, confirmed 0" in double
    assert "Telegram: delivered 1/2, failed 0" in progress and "Zalo: delivered 1/2, failed 0" in progress
    assert "confirmed" not in progress
    assert "Telegram:" not in single_progress


def channel_rows(page: str) -> dict[str, list[int]]:
    table = page.split('id="bc-channels"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr data-channel="(\w+)">(.*?)</tr>', table, re.S)
    return {
        channel: [
            int(n.replace(".", "").replace(",", "")) for n in re.findall(r'class="num">([\d.,]+)<', cells)
        ]
        for channel, cells in rows
    }


async def test_the_web_status_page_has_a_table_per_channel(office: Database) -> None:
    admin_id = await admin(office)
    telegram_only = await sent_by(office, admin_id, text="Kế hoạch số 14")
    await move_to_zalo(office)
    both = await sent_by(office, admin_id)
    await deliver(
        office,
        both,
        sent=["Lê Thị Hoa", "Phạm Minh Châu", "Nguyễn Thị Lan"],
        failed=["Đỗ Quang Huy"],
        acked=["Phạm Minh Châu", "Nguyễn Thị Lan"],
    )
    async with web_client(office) as client:
        await sign_in(client, office, admin_id)
        page = await client.get(f"/broadcasts/{both}")
        assert page.status_code == 200
        # recipients, delivered, failed, confirmed
        assert channel_rows(page.text) == {"telegram": [2, 1, 1, 1], "zalo": [2, 2, 0, 1]}
        single = await client.get(f"/broadcasts/{telegram_only}")
        assert single.status_code == 200
        assert 'id="bc-channels"' not in single.text and 'id="bc-units"' in single.text
