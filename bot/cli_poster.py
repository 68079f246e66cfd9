"""python -m bot poster UNIT [--desk NAME] [--out FILE]: the A4 poster of a unit's (or a desk's) reception
point, with the QR code of its public rating page; the point is made (and audited) when it does not exist."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot.settings import Settings
from compliance.feedback.points import DESK_LONGEST, PointRefused, point_of_desk
from compliance.feedback.poster import poster_facts, poster_pdf
from compliance.office.units import get_unit_by_code
from compliance.text import ascii_slug
from handlers.i18n import _
from handlers.views.poster import poster_labels
from storage.engine import Database
from storage.migrate import upgrade


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    poster = commands.add_parser(
        "poster", help="the A4 poster (PDF) of a reception point: its QR code opens the citizens' rating form"
    )
    poster.add_argument("unit", help="the unit's code (as on the staff list)")
    poster.add_argument("--desk", help="a desk of the unit, e.g. 'Quầy số 3 – Đất đai' (default: the unit)")
    poster.add_argument("--out", type=Path, help="the PDF to write (default: poster-UNIT-CODE.pdf here)")


async def run_poster(settings: Settings, args: argparse.Namespace) -> int:
    await upgrade(settings.database_url)
    database = Database(settings.database_url)
    try:
        async with database.unit_of_work() as session:
            unit = await get_unit_by_code(session, args.unit)
            if unit is None or unit.merged_into_id is not None:
                print(_("No unit has the code {code}.").format(code=args.unit), file=sys.stderr)
                return 1
            try:
                point, made = await point_of_desk(session, unit=unit, desk=args.desk, actor=None)
            except PointRefused:
                print(
                    _("The desk's name is too long (at most {n} characters).").format(n=DESK_LONGEST),
                    file=sys.stderr,
                )
                return 1
            facts = await poster_facts(session, point, public_url=settings.public_url)
    finally:
        await database.dispose()
    # fpdf2's font subsetting logs every table it prunes at INFO: noise on a person's terminal.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    content = await asyncio.to_thread(poster_pdf, facts, poster_labels())
    out: Path = args.out or Path(f"poster-{ascii_slug(unit.code, max_length=40)}-{point.code}.pdf")
    try:
        await asyncio.to_thread(out.write_bytes, content)
    except OSError as exc:
        print(_("Could not write {path}: {error}").format(path=out, error=exc.strerror), file=sys.stderr)
        return 1
    if made:
        print(_("New reception point {code} for {unit}.").format(code=point.code, unit=facts.unit))
    print(_("Poster written to {path}; its QR code opens {url}").format(path=out, url=facts.url))
    return 0
