"""The self-check scenario of bench/web.py: its window opened for the users, its form read off the page."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.clock import utcnow
from storage.models_practice import SelfCheck

FORM = re.compile(r"<form(?P<attrs>[^>]*)>(?P<body>.*?)</form>", re.S | re.I)
INPUT = re.compile(r"<input(?P<attrs>[^>]*)>", re.I)
ATTR = re.compile(r'(?P<name>[a-z-]+)="(?P<value>[^"]*)"', re.I)


async def open_self_check_now(session: AsyncSession, official_ids: list[int]) -> None:
    """The seeded office's last week is over; the users' newest self-check is given a deadline ahead, as if
    this week's had just opened (answers change until the deadline: each submit is a change)."""
    newest = select(func.max(SelfCheck.week)).scalar_subquery()
    await session.execute(
        update(SelfCheck)
        .where(SelfCheck.official_id.in_(official_ids), SelfCheck.week == newest)
        .values(deadline_at=utcnow() + timedelta(days=2))
    )


async def self_check_form(client: httpx.AsyncClient) -> tuple[str, dict[str, str]]:
    """The form of /selfcheck as a browser would send it: hidden fields and the first choice of each item."""
    page = await client.get("/selfcheck")
    for form in FORM.finditer(page.text):
        form_attrs = {m.group("name").lower(): m.group("value") for m in ATTR.finditer(form.group("attrs"))}
        if form_attrs.get("method", "get").lower() != "post":
            continue
        fields: dict[str, str] = {}
        for tag in INPUT.finditer(form.group("body")):
            attrs = {
                m.group("name").lower(): unescape(m.group("value")) for m in ATTR.finditer(tag.group("attrs"))
            }
            name = attrs.get("name")
            if not name:
                continue
            kind = attrs.get("type", "text").lower()
            if kind == "hidden" or (kind == "radio" and name not in fields):
                fields[name] = attrs.get("value", "")
        if any(key != "csrf" for key in fields):
            return form_attrs.get("action") or "/selfcheck", fields
    raise SystemExit(f"no self-check form on /selfcheck ({page.status_code}): {page.text[:300]}")
