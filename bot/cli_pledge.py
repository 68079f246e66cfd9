"""python -m bot pledge … and ledger …: publishing versions and checking the signature ledger."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.settings import Settings
from compliance.content import ContentError
from compliance.office.units import get_unit_by_code
from compliance.pledge import ledger
from compliance.pledge import signing as pledges
from compliance.pledge.templates import canonical_text, load_template_bytes
from handlers.i18n import _, fmt_datetime
from handlers.views.content_errors import content_error_text
from handlers.views.verify import broken_text, code_report
from storage.engine import Database
from storage.migrate import upgrade


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    pledge = commands.add_parser("pledge", help="publish, list and show pledge versions")
    actions = pledge.add_subparsers(dest="action", required=True, metavar="ACTION")
    publish = actions.add_parser("publish", help="publish a template file for the office or a unit subtree")
    publish.add_argument("file", type=Path)
    publish.add_argument("--unit", help="unit code (default: the whole office)")
    change = publish.add_mutually_exclusive_group()
    change.add_argument("--material", action="store_true", help="a change of substance: everyone re-signs")
    change.add_argument("--wording", action="store_true", help="a wording fix: nobody is asked to re-sign")
    publish.add_argument(
        "--yes-sample",
        action="store_true",
        help="publish a template marked sample: true as it is (asked otherwise, refused without a terminal)",
    )
    actions.add_parser("list", help="every published version")
    show = actions.add_parser("show", help="a version's text, or its diff against another")
    show.add_argument("label", help="code-version, e.g. 6b5k3th-1")
    show.add_argument("--diff", metavar="OTHER", help="show what changed from OTHER to LABEL")
    show.add_argument("--lang", choices=["vi", "en"], default="vi")
    ledger_parser = commands.add_parser("ledger", help="verify or export the signature ledger")
    ledger_actions = ledger_parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    verify = ledger_actions.add_parser(
        "verify", help="recompute the hash chain; exit 1 at the first broken row"
    )
    verify.add_argument("--code", help="a receipt's verification code: check the signature it names")
    export = ledger_actions.add_parser("export", help="write every signature with its hashes as CSV")
    export.add_argument("file", type=Path)


async def run_pledge(settings: Settings, args: argparse.Namespace) -> int:
    await upgrade(settings.database_url)
    database = Database(settings.database_url)
    try:
        if args.action == "publish":
            return await _publish(database, args)
        async with database.unit_of_work() as session:
            versions = await pledges.list_versions(session)
            counts = await pledges.signature_counts(session)
        if args.action == "list":
            if not versions:
                print(
                    _("No pledge version published yet. Publish one with: python -m bot pledge publish FILE")
                )
            for version in versions:
                scope = _("unit {id}").format(id=version.unit_id) if version.unit_id else _("whole office")
                kind = _("material") if version.material else _("wording")
                print(
                    f"{version.label}\t{scope}\t{kind}\t{fmt_datetime(version.published_at)}\t"
                    + _("{n} signatures").format(n=counts.get(version.id, 0))
                )
            return 0
        by_label = {v.label: v for v in versions}
        wanted = by_label.get(args.label)
        if wanted is None or (args.diff and args.diff not in by_label):
            print(_("No published version {label}.").format(label=args.diff or args.label), file=sys.stderr)
            return 1
        if args.diff:
            print("\n".join(pledges.diff_versions(by_label[args.diff], wanted, args.lang)))
        else:
            print(canonical_text(wanted.template, args.lang))
        return 0
    finally:
        await database.dispose()


async def _publish(database: Database, args: argparse.Namespace) -> int:
    path: Path = args.file
    try:
        template = load_template_bytes(path.read_bytes(), path.name, expected_name=path.stem)  # noqa: ASYNC240
    except ContentError as exc:
        print(content_error_text(exc, with_source=True), file=sys.stderr)
        return 1
    except OSError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    if template.sample and not args.yes_sample and not _sample_confirmed(path):
        return 2
    async with database.unit_of_work() as session:
        unit = None
        if args.unit:
            unit = await get_unit_by_code(session, args.unit)
            if unit is None:
                print(_("Unit not found: {code}").format(code=args.unit), file=sys.stderr)
                return 1
        previous = await pledges.current_version(session, unit)
        material = args.material or (
            not args.wording and pledges.is_material_change(previous.template if previous else None, template)
        )
        result = await pledges.publish(
            session, template=template, unit=unit, material=material, publisher_id=None
        )
    if result.outcome is pledges.PublishOutcome.ALREADY_PUBLISHED:
        print(_("This version is already published; nothing changed."))
        return 0
    if result.first:
        print(
            _("Published {label}, the first version; {n} officials asked to sign it.").format(
                label=f"{template.code}-{template.version}", n=result.resign_requests
            )
        )
        return 0
    print(
        _("Published {label} ({kind}); {n} officials asked to re-sign.").format(
            label=f"{template.code}-{template.version}",
            kind=_("material") if material else _("wording"),
            n=result.resign_requests,
        )
    )
    return 0


def _sample_confirmed(path: Path) -> bool:
    """A sample is meant to be adapted first: publishing it as it is needs a yes, typed or --yes-sample."""
    warning = _(
        "{file} is a sample template (sample: true): adapt its name and items to your office before "
        "officials sign it."
    ).format(file=path.name)
    print(warning, file=sys.stderr)
    if not sys.stdin.isatty():
        print(_("Nothing published. To publish the sample as it is, add --yes-sample."), file=sys.stderr)
        return False
    answer = input(_("Publish the sample as it is? [y/N] "))
    if answer.strip().lower() in ("y", "yes", "c", "có", "co"):
        return True
    print(_("Nothing published."), file=sys.stderr)
    return False


async def run_ledger(settings: Settings, args: argparse.Namespace) -> int:
    await upgrade(settings.database_url)
    database = Database(settings.database_url)
    try:
        async with database.unit_of_work() as session:
            if args.action == "export":
                args.file.write_text(await ledger.export_csv(session), encoding="utf-8")
                print(_("Ledger written to {file}.").format(file=args.file))
                return 0
            if args.code is not None:
                return await _verify_code(session, args.code)
            result = await ledger.verify(session)
        if result.ok:
            print(_("OK: {n} signatures, the chain is intact.").format(n=result.count))
            return 0
        print(broken_text(result))
        return 1
    finally:
        await database.dispose()


async def _verify_code(session: AsyncSession, code: str) -> int:
    lines, status = await code_report(session, code)
    print("\n".join(lines))
    return status
