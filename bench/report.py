"""The weekly compliance report at a province's scale: time and peak memory of each step.

Seeds a fresh database with a units tree, officials, one office-wide pledge, signatures and --weeks weeks
of activity ending last week (self-checks and their answers, daily reminders, weekly quizzes) and an
admin's reform and initiatives points for every unit in the quarter ended before the report, then times the
office-wide roll-up of last week, its letters and stars (the stars rank the whole office: timed first after
start, then kept in the process, and as every /report ranked before the ranking was kept), its citizens'
satisfaction figures and the summary's text with them (each timed apart, outside the totals), its Excel file
and chart, and a head's /report (without and with the letters and stars). Prints figures and checks
nothing.

    .venv/bin/python -m bench.report                                   # SQLite, 50 000 officials
    .venv/bin/python -m bench.report --database postgresql             # a fresh ckb_bench_… database
    .venv/bin/python -m bench.report --officials 2000 --units 100 --weeks 4   # a quick run

The seeding (bench/report_seed.py) runs in a child process, so the peak RSS printed is the measuring
process's own: what the bot would hold while building the report, not what generating millions of rows took.
To measure the same data again (several runs on a shared machine, or under a profiler):

    .venv/bin/python -m bench.report --database postgresql --keep      # prints the kept database's URL
    .venv/bin/python -m bench.report --url URL                         # measures it again, no seeding
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from bench.dispatch import fresh_database
from bench.report_floor import measure_floor
from bench.report_seed import peak_rss_mb, seed_apart
from bench.stars import seed_star_scores
from compliance.feedback.rubric import load_rubric
from compliance.feedback.stars import rank_units
from compliance.pledge.signing import current_version
from compliance.reports.chart import chart_groups, chart_pngs, weekly_on_time
from compliance.reports.citizens import report_extras, report_letters, stars_period
from compliance.reports.files import excel_report
from compliance.reports.period import PeriodKind, period_of
from compliance.reports.rollup import build_report
from compliance.reports.satisfaction_report import report_satisfaction
from handlers.i18n import load_catalogs, use_locale
from handlers.views.report import period_names, report_text
from handlers.views.report_files import chart_labels, labels, unit_name
from storage.clock import local_today
from storage.engine import Database
from storage.migrate import upgrade
from storage.models import Unit
from storage.models_practice import SelfCheck

TARGET_SECONDS = 5.0
nan = float("nan")
TARGET_RSS_MB = 300.0


def current_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Steps:
    """Each step's wall-clock seconds and this process's CPU seconds (user + system: SQLite's work is in
    it, PostgreSQL's is the server's). On a machine shared with other work the wall-clock time also holds
    the time spent waiting for a core; the CPU time does not."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float, float, float]] = []
        self.floor = float("nan")
        self.start()

    def start(self) -> None:
        self.started, self.cpu_started = time.perf_counter(), time.process_time()

    def record(self, step: str) -> None:
        seconds, cpu = time.perf_counter() - self.started, time.process_time() - self.cpu_started
        self.rows.append((step, seconds, cpu, peak_rss_mb(), current_rss_mb()))
        print(f"  {step}: {seconds:.2f} s (CPU {cpu:.2f} s), peak RSS {peak_rss_mb():.0f} MB", flush=True)
        self.start()


async def measure(url: str, last_monday: date) -> Steps:
    load_catalogs()
    period = period_of(PeriodKind.LAST_WEEK, last_monday + timedelta(days=7))
    day = period.end + timedelta(days=1)  # the /report's day: the Monday after the week
    star_period = stars_period(day)
    database = Database(url)
    steps = Steps()
    try:
        async with database.unit_of_work() as session:
            scored = await seed_star_scores(session, star_period)
        print(f"admin scores for {star_period.key}: {scored} units seeded now", flush=True)
        async with database.unit_of_work() as session:  # connect, so the baseline includes the driver
            await session.execute(text("SELECT 1"))
        print(
            f"baseline before measuring (imports, catalogs, a connection): peak RSS {peak_rss_mb():.0f} MB",
            flush=True,
        )
        async with database.unit_of_work() as session:
            steps.start()
            report = await build_report(session, root=None, period=period)
            steps.record("(a) build_report, whole office")
            total = report.total
            print(
                f"      {len(report.units)} units, {total.on_list} on the list, {total.joined} joined, "
                f"signed {total.signed_rate:.1%}, "
                f"self-checks {total.checks_on_time}/{total.checks_late}/{total.checks_missed}, "
                f"quiz {total.quiz_rate:.1%}, read {total.read_rate:.1%}, {len(report.lapses)} lapses"
                if total.signed_rate is not None
                and total.quiz_rate is not None
                and total.read_rate is not None
                else "      (empty report)",
                flush=True,
            )
            steps.start()
            await rank_units(session, rubric=load_rubric(), period=star_period)
            steps.record("(g) rank_units: each /report before")
            steps.start()
            await report_extras(session, report, day=day)
            steps.record("(h) letters + stars, first (ranks)")
            steps.start()
            extras = await report_extras(session, report, day=day)
            steps.record("(i) letters + stars, ranking kept")
            print(
                f"      stars of {star_period.key}: {len(extras.stars.units) if extras.stars else 0} units",
                flush=True,
            )
            steps.start()
            satisfaction = await report_satisfaction(session, report)
            steps.record("(s) satisfaction figures (not in (e))")
            steps.start()
            with use_locale("vi"):
                summary = report_text(report, PeriodKind.LAST_WEEK, {}, satisfaction, extras)
            steps.record("(m) summary text + satisfaction, stars")
            print(
                f"      {satisfaction.total.ratings} ratings, {extras.letters.total}; "
                f"summary {len(summary)} characters",
                flush=True,
            )
            steps.start()
            with use_locale("vi"):
                workbook = excel_report(report, labels(period, extras), None, extras)
            steps.record("(b) excel_report (+ letters, stars)")
            print(
                f"      {len(workbook) / 1024:,.0f} KiB: a sheet of {len(report.units)} units, "
                f"a sheet of {len(report.people):,} people",
                flush=True,
            )
            steps.start()
            started = time.perf_counter()
            rates = await weekly_on_time(session, root=None, last_monday=period.start)
            weekly = [(monday.strftime("%d/%m"), rate) for monday, rate in rates]
            query_seconds = time.perf_counter() - started
            with use_locale("vi"):
                chart_texts = chart_labels(unit_name(report), period, period_names()[PeriodKind.LAST_WEEK])
                groups, hidden = chart_groups(
                    report.root, report.units, report.total, whole_office=chart_texts.whole_office
                )
                chart = b"".join(chart_pngs(groups, weekly, chart_texts, hidden=hidden))
            steps.record("(c) weekly_on_time + chart_pngs")
            print(
                f"      {len(chart) / 1024:,.0f} KiB PNG; weekly_on_time alone {query_seconds:.2f} s",
                flush=True,
            )
            steps.start()
            floor, per_table = await measure_floor(session, period)
            steps.record("(f) floor: one aggregate per table")
            print("      " + ", ".join(f"{table} {seconds:.3f}" for table, seconds in per_table), flush=True)
            steps.floor = floor
        # The office's /report is over: what it made goes, as it does in the bot when its handler returns.
        del report, workbook, chart, groups, summary, satisfaction
        async with database.unit_of_work() as session:
            steps.start()
            unit = await session.get(Unit, 2)  # a Sở: one of the second-level units
            assert unit is not None
            head_report = await build_report(session, root=unit, period=period)
            version = await current_version(session, unit)
            with use_locale("vi"):
                items = {item.id: item.text.get("vi") for item in (version.template.items if version else [])}
                message = report_text(head_report, PeriodKind.LAST_WEEK, items)
            steps.record("(d) a head's /report (build + render)")
            print(
                f"      {unit.name}: {len(head_report.units)} units, {head_report.total.on_list} listed, "
                f"{len(head_report.lapses)} lapses, message {len(message)} characters",
                flush=True,
            )
            steps.start()
            head_report = await build_report(session, root=unit, period=period)
            extras = await report_extras(session, head_report, day=day)
            with use_locale("vi"):
                message = report_text(head_report, PeriodKind.LAST_WEEK, items, None, extras)
            steps.record("(j) head's /report + stars, kept")
            steps.start()
            head_report = await build_report(session, root=unit, period=period)
            letters = await report_letters(session, head_report)
            await rank_units(session, rubric=load_rubric(), period=star_period, root=unit)
            with use_locale("vi"):
                message = report_text(head_report, PeriodKind.LAST_WEEK, items, None, extras)
            steps.record("(k) head's /report + stars, before")
            print(f"      message {len(message)} characters; {letters.total}", flush=True)
    finally:
        await database.dispose()
    return steps


def print_table(steps: Steps) -> None:
    counted = [row for row in steps.rows if row[0][:3] in ("(a)", "(b)", "(c)", "(i)")]
    total, cpu = sum(row[1] for row in counted), sum(row[2] for row in counted)
    took = {row[0][:3]: row[1] for row in steps.rows}
    # The process's peak once the office's report, Excel and chart are made ((c) is the last of (e)'s
    # steps): what the target is about. The head's steps after it run in the same process and are
    # printed with their own peaks.
    office_peak = next(row[3] for row in steps.rows if row[0].startswith("(c)"))
    rows = [
        *steps.rows,
        ("(e) total of (a)+(b)+(c)+(i)", total, cpu, office_peak, current_rss_mb()),
        ("(e') the same, first after start: +(h)", total - took["(i)"] + took["(h)"], *(nan,) * 3),
        ('(e") the same, before: +(g)', total - took["(i)"] + took["(g)"], *(nan,) * 3),
    ]
    print()
    print(f"{'step':<40} {'seconds':>8} {'CPU s':>6} {'peak RSS MB':>12} {'RSS now MB':>11}")
    for step, seconds, cpu_seconds, peak, now in rows:
        print(f"{step:<40} {seconds:>8.2f} {cpu_seconds:>6.2f} {peak:>12.0f} {now:>11.0f}")
    print()
    rollup = next(row[1] for row in steps.rows if row[0].startswith("(a)"))
    print(
        f"floor {steps.floor:.2f} s; roll-up / floor {rollup / steps.floor:.1f}, "
        f"(a)+(b)+(c)+(i) / floor {total / steps.floor:.1f}"
    )
    print(
        f"targets: whole weekly roll-up with Excel and chart < {TARGET_SECONDS:.0f} s "
        f"(here {total:.2f} s: {'met' if total < TARGET_SECONDS else 'NOT met'}), "
        f"peak RSS < {TARGET_RSS_MB:.0f} MB "
        f"(here {office_peak:.0f} MB: {'met' if office_peak < TARGET_RSS_MB else 'NOT met'}; "
        f"after the head's steps too {peak_rss_mb():.0f} MB); "
        f"load average of the machine {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )


async def seeded_week(url: str) -> date:
    """The last seeded week of an existing database: its Monday."""
    database = Database(url)
    try:
        async with database.unit_of_work() as session:
            last: date | None = await session.scalar(select(func.max(SelfCheck.week)))
    finally:
        await database.dispose()
    if last is None:
        raise SystemExit(f"{url} holds no self-checks: seed it first (--keep)")
    return last


async def run(args: argparse.Namespace) -> None:
    if args.url:  # measure a database seeded by an earlier --keep run
        steps = await measure(args.url, await seeded_week(args.url))
        print_table(steps)
        return
    today = local_today()
    last_monday = period_of(PeriodKind.LAST_WEEK, today).start
    url, drop = await fresh_database(args.database)
    try:
        await upgrade(url)
        took = await seed_apart(url, args.officials, args.units, args.weeks, last_monday)
        print(f"seeded in {took:.1f} s (child process included)", flush=True)
        steps = await measure(url, last_monday)
        print_table(steps)
    finally:
        if args.keep:
            print(f"kept: measure again with --url {url}", flush=True)
        elif drop is not None:
            await drop()
        else:
            database_file = make_url(url).database
            assert database_file is not None
            directory = Path(database_file).parent
            if directory.name.startswith("bench-dispatch-") and directory.parent == Path(
                tempfile.gettempdir()
            ):
                shutil.rmtree(directory)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--officials", type=int, default=50_000)
    parser.add_argument("--units", type=int, default=2_000)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--keep", action="store_true", help="keep the seeded database and print its URL")
    parser.add_argument("--url", help="measure this already seeded database (from --keep); no seeding")
    args = parser.parse_args()
    if args.units < 2 or args.officials < args.units or args.weeks < 2:
        parser.error("need --units >= 2, --officials >= --units (a head each) and --weeks >= 2")
    print(
        f"bench.report: {args.url}"
        if args.url
        else f"bench.report: {args.officials:,} officials in {args.units:,} units, {args.weeks} weeks of "
        f"activity ending last week, {args.database}",
        flush=True,
    )
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
