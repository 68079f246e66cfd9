"""What the report's files say: the Excel sheets' labels, the files' names, the chart's labels and the
part of every caption that says whose figures and for which period. Plain text, not markup."""

from __future__ import annotations

from collections.abc import Sequence

from compliance.reports.chart import ChartLabels
from compliance.reports.citizens import CitizensExtras, ReportStars
from compliance.reports.citizens_excel import CitizensLabels
from compliance.reports.emulation_excel import stars_header
from compliance.reports.files import ReportLabels
from compliance.reports.period import Period
from compliance.reports.rollup import Report, report_year
from compliance.reports.satisfaction_report import ReportSatisfaction, SatisfactionSheet, SheetUnit
from compliance.text import ascii_slug
from handlers.i18n import _, current_locale, fmt_percent, ngettext
from handlers.views.report import day_text, lapse_names
from handlers.views.satisfaction import level_name, trips_name
from handlers.views.stars import excel_labels

WEEKS = 8


def activity_columns() -> list[str]:
    """A person's activity as both the emulation review and the report's people sheet show it."""
    return [
        _("Signed on"),
        _("On time"),
        _("Late"),
        _("Missed"),
        _("Weekly quizzes"),
        _("Quiz average"),
        _("Reminders read %"),
    ]


def review_header() -> list[str]:
    """The emulation review's columns (the CLI's export and the admin button share them)."""
    return [
        _("Name"),
        _("Title"),
        _("Unit"),
        *activity_columns(),
        _("Score"),
    ]


def labels(period: Period, extras: CitizensExtras | None = None) -> ReportLabels:
    """`extras`: the report's letters and stars, whose sheets then get their labels (the stars' columns
    name the rubric's measures)."""
    return ReportLabels(
        units_sheet=_("Units"),
        people_sheet=_("People"),
        unit_columns=[
            _("Unit"),
            _("Code"),
            _("On the list"),
            _("Joined"),
            _("Joined %"),
            _("Signed"),
            _("Signed %"),
            _("Self-checks done"),
            _("Self-checks due"),
            _("Done %"),
            _("On time"),
            _("Late"),
            _("Missed"),
            _("Quizzes taken"),
            _("Quiz taken %"),
            _("Quiz average"),
            _("Reminders read %"),
            _("Signed in {year}").format(year=report_year(period)),
        ],
        people_columns=[
            _("Name"),
            _("Title"),
            _("Unit"),
            _("Joined the bot"),
            *activity_columns(),
            _("Lapses"),
        ],
        lapse_names=lapse_names(),
        states={
            "joined": _("joined"),
            "not_joined": _("not joined"),
            "unreachable": _("unreachable"),
            "not_signed": _("not signed"),
            "no_pledge": _("no pledge yet"),
        },
        period=_("Period: {start} – {end}").format(start=day_text(period.start), end=day_text(period.end)),
        total=_("Total"),
        satisfaction_sheet=_("Satisfaction"),
        satisfaction_columns=satisfaction_columns(),
        citizens=citizens_labels(extras.stars) if extras is not None else None,
    )


def letters_columns() -> list[str]:
    """The letters sheet's columns (compliance.reports.citizens_excel.letters_row)."""
    return [
        _("Unit"),
        _("Code"),
        _("Apology letters"),
        _("Sent before the promised day"),
        _("Sent on or after the promised day"),
        _("Thank-you letters"),
    ]


def citizens_labels(stars: ReportStars | None) -> CitizensLabels:
    stars_labels = excel_labels(stars.period, stars.rubric) if stars is not None else None
    return CitizensLabels(
        letters_sheet=_("Letters to citizens"),
        letters_columns=letters_columns(),
        stars_sheet=_("Star rating"),
        stars_columns=stars_header(stars.rubric, stars_labels, current_locale())
        if stars is not None and stars_labels is not None
        else [],
        stars=stars_labels,
    )


def satisfaction_sheet(lines: Sequence[SheetUnit], satisfaction: ReportSatisfaction) -> SatisfactionSheet:
    """The emulation review's satisfaction sheet, labelled as the report's."""
    return SatisfactionSheet(satisfaction, lines, _("Satisfaction"), satisfaction_columns(), _("Total"))


def satisfaction_columns() -> list[str]:
    """The "Hài lòng" sheet's columns (compliance.reports.satisfaction_report.satisfaction_row)."""
    return [
        _("Unit"),
        _("Code"),
        _("Ratings"),
        _("Satisfied or very satisfied"),
        _("Satisfaction index %"),
        _("Index, period before %"),
        *(level_name(level) for level in (5, 4, 3, 2, 1)),
        _("Attitude: satisfied %"),
        trips_name(1),
        trips_name(2),
        trips_name(3),
        _("Asked beyond the rules"),
        _("Flagged"),
        _("Followed up"),
        _("Resolved"),
    ]


def file_name(report: Report) -> str:
    """The files' name in the reader's language, readable as it stands: the unit's name without marks
    (file names travel through mail and USB sticks), the days as the reader writes them."""
    unit = ascii_slug(report.root.name, max_length=60) if report.root else _("whole-office")
    day_format = _("%Y-%m-%d")
    return _("report-{unit}-{start}-to-{end}").format(
        unit=unit, start=report.period.start.strftime(day_format), end=report.period.end.strftime(day_format)
    )


def unit_name(report: Report) -> str:
    return report.root.name if report.root else whole_office()


def whole_office() -> str:
    return _("the whole office")


def period_text(period: Period, period_name: str) -> str:
    """ "This week, 16/11/2026 – 22/11/2026": the period by its name and its first and last day."""
    return _("{period}, {start} – {end}").format(
        period=period_name, start=day_text(period.start), end=day_text(period.end)
    )


def file_subject(unit: str, period: Period, period_name: str) -> str:
    """The unit and the period, the part of a report file's caption that says whose and when."""
    return _("{unit}, {period}").format(unit=unit, period=period_text(period, period_name.lower()))


def chart_labels(unit: str, period: Period, period_name: str, *, weeks: int = WEEKS) -> ChartLabels:
    """`weeks`: how many weeks the line shows (fewer than eight in the programme's first weeks)."""
    return ChartLabels(
        title=_("Report of {unit}").format(unit=unit),
        subtitle=period_text(period, period_name),
        basis=_("Shares of the staff list:"),
        series=[_("Joined the bot"), _("Signed the pledge"), _("Self-checks done")],
        trend_title=ngettext(
            "Self-checks on time, the last week", "Self-checks on time, last {n} weeks", weeks or WEEKS
        ).format(n=weeks or WEEKS),
        no_weeks=_("No self-check week yet."),
        more_units=_("{n} more units are in the Excel file."),
        whole_office=_("The whole office"),
        percent=fmt_percent,
    )
