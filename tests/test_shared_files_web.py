"""GET /f/<token>: no sign-in; a picture inline with its type, a document as a download under its
Vietnamese name (RFC 6266), private caching, nosniff, no referrer; unknown or expired → the 404 page."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from compliance.delivery import shared_files
from storage.clock import utcnow
from storage.engine import Database
from tests.test_shared_files import PDF, PNG, _broadcast_file, _official
from tests.web_client import web_client

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 30


async def _share(database: Database, **fields: object) -> str:
    async with database.unit_of_work() as session:
        token = await shared_files.share(session, official_id=None, **fields)  # type: ignore[arg-type]
    assert token is not None
    return token


async def test_a_photo_is_served_inline_without_a_session(database: Database) -> None:
    png = await _share(
        database, content=PNG, name="biểu đồ.png", media_type="image/png", kind="photo", now=utcnow()
    )
    jpeg = await _share(
        database, content=JPEG, name="a.jpg", media_type="image/jpeg", kind="photo", now=utcnow()
    )
    async with web_client(database) as client:
        answer = await client.get(f"/f/{png}")
        assert answer.status_code == 200
        assert answer.content == PNG
        assert answer.headers["content-type"] == "image/png"
        assert answer.headers["content-disposition"].startswith("inline;")
        assert f"filename*=UTF-8''{quote('biểu đồ.png', safe='')}" in answer.headers["content-disposition"]
        assert answer.headers["cache-control"] == "private, max-age=3600"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert "set-cookie" not in answer.headers
        other = await client.get(f"/f/{jpeg}")
        assert (other.status_code, other.headers["content-type"]) == (200, "image/jpeg")
        assert other.headers["content-disposition"].startswith("inline;")


async def test_a_document_is_a_download_under_its_name(database: Database) -> None:
    admin_id = await _official(database)
    file_id = await _broadcast_file(database, admin_id)
    token = await _share(database, broadcast_file_id=file_id, kind="document", now=utcnow())
    # A "photo" of a type browsers might render otherwise (SVG can carry script) is downloaded, not shown.
    svg = await _share(
        database, content=b"<svg/>", name="x.svg", media_type="image/svg+xml", kind="photo", now=utcnow()
    )
    async with web_client(database) as client:
        answer = await client.get(f"/f/{token}")
        assert answer.status_code == 200
        assert answer.content == PDF
        assert answer.headers["content-type"] == "application/pdf"
        disposition = answer.headers["content-disposition"]
        assert disposition.startswith('attachment; filename="Ke')
        assert f"filename*=UTF-8''{quote('Kế hoạch 15.pdf', safe='')}" in disposition
        assert answer.headers["cache-control"] == "private, max-age=3600"
        risky = await client.get(f"/f/{svg}")
        assert risky.headers["content-disposition"].startswith("attachment;")


async def test_unknown_and_expired_links_get_the_not_found_page(database: Database) -> None:
    expired = await _share(
        database,
        content=PNG,
        name="old.png",
        media_type="image/png",
        kind="photo",
        now=utcnow() - timedelta(days=15),
    )
    async with web_client(database) as client:
        for path in (f"/f/{expired}", "/f/unknown-token-000000000000000000", "/f/" + "a" * 300):
            answer = await client.get(path)
            assert answer.status_code == 404, path
            assert answer.headers["content-type"].startswith("text/html")
            assert PNG not in answer.content
