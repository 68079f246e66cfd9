"""The security review of the web layer: each test pins one fix (bodies capped as they arrive, ids and
numbers read as ASCII digits only, download names that stay Latin-1)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

from sqlalchemy import func, select

from storage.engine import Database
from storage.models_broadcast import BroadcastFile
from storage.models_web import WebSession
from tests.web_admin_office import populate, signed_in_as
from tests.web_client import CSRF, csrf_of, link_token, web_client

PDF = b"%PDF-1.4\n" + b"0" * 20_000
BOUNDARY = "camket-test-boundary"


def multipart(fields: list[tuple[str, str]], file: tuple[str, bytes]) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields
    ]
    name, content = file
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


async def chunks(body: bytes, size: int = 1024) -> AsyncIterator[bytes]:
    """A body sent without Content-Length (chunked), as a client that wants to hide its size sends it."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


async def stored_files(database: Database) -> int:
    async with database.unit_of_work() as session:
        return int(await session.scalar(select(func.count()).select_from(BroadcastFile)) or 0)


async def test_a_chunked_upload_past_the_limit_is_refused_while_it_arrives(database: Database) -> None:
    people = await populate(database)
    async with signed_in_as(database, people, "admin", upload_limit=4096) as client:
        form = await client.get("/broadcasts/new")
        body = multipart(
            [("csrf", csrf_of(form)), ("text", "Kế hoạch"), ("target", "all"), ("when", "now")],
            ("ke-hoach.pdf", PDF),
        )
        answer = await client.post(
            "/broadcasts/preview",
            content=chunks(body),
            headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"},
        )
        assert "content-length" not in answer.request.headers
        assert answer.status_code == 413
        assert await stored_files(database) == 0
        # Within the limit, the same form goes through: the cap counts bytes, it does not refuse streams.
        small = multipart(
            [("csrf", csrf_of(form)), ("text", "Kế hoạch"), ("target", "all"), ("when", "now")],
            ("ke-hoach.pdf", PDF[:1000]),
        )
        fine = await client.post(
            "/broadcasts/preview",
            content=chunks(small),
            headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"},
        )
        # Read in full (nobody on this list has joined, so the composer answers "nobody would receive it"
        # with the typed text shown again), not refused for its size.
        assert fine.status_code == 400 and "Kế hoạch</textarea>" in fine.text


async def test_a_stranger_cannot_post_a_large_body(database: Database) -> None:
    async with web_client(database) as client:
        huge = b"lang=en&next=/&padding=" + b"x" * 100_000
        form_type = {"content-type": "application/x-www-form-urlencoded"}
        declared = await client.post("/language", content=huge, headers=form_type)
        assert declared.status_code == 413
        streamed = await client.post("/language", content=chunks(huge, 8192), headers=form_type)
        assert streamed.status_code == 413
        # The language form itself still works for a stranger.
        chosen = await client.post("/language", data={"lang": "en", "next": "/signin"})
        assert chosen.status_code == 303 and chosen.headers["location"] == "/signin"


async def test_digits_of_other_scripts_are_a_page_not_found_not_a_server_error(database: Database) -> None:
    people = await populate(database)
    async with signed_in_as(database, people, "admin") as client:
        # "²" and "٣" pass str.isdigit() but int() refuses the first: that used to be a 500.
        for path in ("/quiz/²", "/quiz/٣", "/broadcasts/²", "/updates/²/file"):
            answer = await client.get(path)
            assert answer.status_code == 404, path
        units = await client.get("/admin/units", params={"page": "²"})
        assert units.status_code == 200
        audit = await client.get("/admin/audit", params={"page": "²"})
        assert audit.status_code == 200
        listed = await client.get("/dashboard/people", params={"status": "not_signed", "page": "²"})
        assert listed.status_code == 200
        nudged = await client.get("/dashboard", params={"nudge": "sent", "n": "²"})
        assert nudged.status_code == 200


async def test_an_export_period_in_other_digits_is_refused_not_put_in_a_header(database: Database) -> None:
    people = await populate(database)
    async with signed_in_as(database, people, "admin") as client:
        # Arabic-Indic 2027: the period's pattern (\d) took it, and the file name broke the Latin-1 header.
        answer = await client.get("/admin/export/download", params={"period": "٢٠٢٧"})
        assert answer.status_code == 400
        assert "content-disposition" not in answer.headers


async def test_a_new_link_signs_in_over_an_older_session(database: Database) -> None:
    """The sign-in form carried no CSRF token, so a browser with a session refused every new link (403,
    "the form has expired", on every reload) until its person signed out."""
    people = await populate(database)
    async with signed_in_as(database, people, "official") as client:
        token = await link_token(database, people["Vũ Thị Quản"])
        assert (await client.get(f"/signin/{token}")).status_code == 303
        page = await client.get("/signin")
        # What the browser sends is the sign-in form's own fields, not the footer forms' tokens.
        form = re.search(r'<form method="post" action="/signin".*?</form>', page.text, re.DOTALL)
        assert form is not None
        token_field = CSRF.search(form.group(0))
        posted = await client.post("/signin", data={"csrf": token_field.group(1)} if token_field else {})
        assert posted.status_code == 303
        async with database.unit_of_work() as session:
            open_rows = await session.scalar(
                select(func.count()).select_from(WebSession).where(WebSession.revoked_at.is_(None))
            )
        assert open_rows == 1  # the older session was closed, not left open without its cookie
        admin_page = await client.get("/admin")
        assert admin_page.status_code == 200
        # Without the page's token a cross-site post still cannot swap the session of someone signed in.
        other = await link_token(database, people["Nguyễn Thị Lan"])
        await client.get(f"/signin/{other}")
        assert (await client.post("/signin")).status_code == 403
