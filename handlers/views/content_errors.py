"""What is wrong with an uploaded pledge template, in the administrator's language.

The domain raises ContentError with an English `where` ("section s1 item 2") and a problem `code` with
its `params`; the YAML keys themselves ("effective", "sections") stay as written, since that is what the
administrator looks for in the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from compliance.content import ContentError
from handlers.i18n import _

TOP_LEVEL_KEYS = (
    "code",
    "version",
    "effective",
    "title",
    "introduction",
    "sections",
    "quiz",
    "source",
    "country",
    "year",
    "revision",
    "sources",
    "days",
)

# The places compliance.pledge.templates and compliance.content name, from the most specific.
PLACES: tuple[tuple[re.Pattern[str], Callable[[], str]], ...] = (
    (
        re.compile(r"^section (?P<section>\S+) item (?P<item>\d+)$"),
        lambda: _("item {item} of section {section}"),
    ),
    (re.compile(r"^section (?P<section>\S+) items$"), lambda: _("the items of section {section}")),
    (re.compile(r"^section (?P<section>\S+) title$"), lambda: _("the title of section {section}")),
    (re.compile(r"^section (?P<section>\S+)$"), lambda: _("section {section}")),
    (re.compile(r"^item (?P<item>\S+)$"), lambda: _("item {item}")),
    (re.compile(r"^quiz question (?P<n>\d+)$"), lambda: _("quiz question {n}")),
    (re.compile(r"^question (?P<id>\S+) option (?P<n>\d+)$"), lambda: _("option {n} of question {id}")),
    (re.compile(r"^question (?P<id>\S+) explanation$"), lambda: _("the explanation of question {id}")),
    (re.compile(r"^question (?P<id>\S+)$"), lambda: _("question {id}")),
    (re.compile(r"^day (?P<day>\S+)$"), lambda: _("the day {day}")),
)


def place_text(where: str) -> str:
    if where == "file":
        return _("the file")
    if where in TOP_LEVEL_KEYS:
        return _("the key “{key}”").format(key=where)
    for pattern, text in PLACES:
        if match := pattern.match(where):
            return text().format(**match.groupdict())
    return where


def _problems() -> dict[str, str]:
    return {
        "not_mapping": _("must be a set of keys and values"),
        "missing": _("the key “{key}” is missing"),
        "list_size": _("must be a list of {minimum} to {maximum} entries"),
        "bad_id": _("the id must be lowercase letters, digits and dashes"),
        "duplicate_id": _("the id “{id}” is used twice"),
        "missing_text": _("the {locale} text is missing"),
        "text_too_long": _("the {locale} text is longer than {limit} characters"),
        "bad_answer": _("the answer must be the number of an option, from 0 to {last}"),
        "bad_code": _("must be letters, digits and dashes"),
        "bad_version": _("must be a whole number from 1"),
        "wrong_name": _("the file must be named {name}"),
        "bad_date": _("must be a date written like {example}"),
        "quiz_too_short": _("require_quiz needs at least {minimum} questions"),
        "not_utf8": _("is not UTF-8 text"),
        "bad_yaml": _("is not valid YAML (line {line}, column {column})"),
        "bad_yaml_nowhere": _("is not valid YAML"),
        "no_source": _("the key “source” is missing: name the document the wording comes from"),
        "bad_number": _("must be a document number written like 1847/QĐ-TTg"),
        "bad_url": _("must be a web address starting with https://"),
        "bad_number_range": _("must be a whole number from {low} to {high}"),
        "bad_country": _("only VN (Viet Nam) is known"),
        "not_in_year": _("is not in {year}"),
        "duplicate_day": _("is listed twice"),
        "bad_kind": _("the kind must be off or workday"),
        "weekend_off": _("is a Saturday or Sunday, a day off anyway: check the date"),
        "weekday_workday": _("a make-up working day is a Saturday or Sunday: check the date"),
        "unknown_source": _("there is no source “{key}” under sources"),
    }


def content_error_text(error: ContentError, *, with_source: bool = False) -> str:
    """ "the key “effective”: must be a date written like 2026-12-01" — plain text, escape before HTML.

    `with_source` names the file first, for the command line, where several files may be at hand."""
    problems = _problems()
    params = dict(error.params)
    if "locale" in params:
        params["locale"] = {"vi": _("Vietnamese"), "en": _("English")}.get(params["locale"], params["locale"])
    code = error.code
    if code == "bad_yaml" and "line" not in params:
        code = "bad_yaml_nowhere"
    problem = problems[code].format(**params) if code in problems else error.problem
    if not with_source:
        return f"{place_text(error.where)}: {problem}"
    if error.where == "file":
        return f"{error.source}: {problem}"
    return f"{error.source}, {place_text(error.where)}: {problem}"
