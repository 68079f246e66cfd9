"""Translations and formatting in the reader's language.

The locale lives in a ContextVar set once per update (each update runs in its own task), so every
`_()` below it speaks the reader's language without passing the locale around.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from pathlib import Path

from babel import Locale
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations

from compliance import dates
from storage import clock

DOMAIN = "messages"
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
LOCAL_TZ = clock.LOCAL_TZ
DEFAULT_LOCALE = "vi"

_current_locale: ContextVar[str] = ContextVar("locale", default=DEFAULT_LOCALE)
_catalogs: dict[str, NullTranslations] = {}


def load_catalogs(directory: Path = LOCALES_DIR, locales: tuple[str, ...] = ("vi", "en")) -> None:
    """Load the compiled catalogs; a missing .mo is an install error, so it fails loudly."""
    for locale in locales:
        mo = directory / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
        if not mo.exists():
            raise FileNotFoundError(f"{mo} is missing: run the setup command, which compiles the catalogs")
        _catalogs[locale] = Translations.load(str(directory), [locale], DOMAIN)


def set_locale(locale: str) -> None:
    _current_locale.set(locale)


def current_locale() -> str:
    return _current_locale.get()


@contextmanager
def use_locale(locale: str) -> Iterator[None]:
    token = _current_locale.set(locale)
    try:
        yield
    finally:
        _current_locale.reset(token)


def _catalog() -> NullTranslations:
    locale = _current_locale.get()
    catalog = _catalogs.get(locale)
    if catalog is None:
        if not _catalogs:
            load_catalogs()
        catalog = _catalogs.get(locale) or NullTranslations()
    return catalog


def _(message: str) -> str:
    return _catalog().gettext(message)


def pgettext(context: str, message: str) -> str:
    return str(_catalog().pgettext(context, message))


def ngettext(singular: str, plural: str, n: int) -> str:
    return _catalog().ngettext(singular, plural, n)


def fmt_number(value: float) -> str:
    return format_decimal(value, locale=Locale.parse(current_locale()))


def fmt_percent(ratio: float) -> str:
    return format_percent(ratio, locale=Locale.parse(current_locale()))


def fmt_datetime(moment: datetime) -> str:
    """A stored UTC instant in Viet Nam's time: "30/11/2026 15:40" / "30 Nov 2026, 15:40"."""
    return dates.format_datetime(moment, current_locale())


def fmt_date(value: date | datetime) -> str:
    """A day ("30/11/2026" / "30 Nov 2026"); an instant is shown as its day in Viet Nam."""
    return dates.format_date(value, current_locale())


def fmt_weekday_date(value: date | datetime) -> str:
    """Where the weekday matters: "Thứ Hai, 30/11/2026" / "Monday, 30 Nov 2026"."""
    return dates.format_weekday_date(value, current_locale())


def fmt_weekday(weekday: int) -> str:
    """0 = Monday: "Thứ Hai" … "Chủ Nhật" / "Monday" … "Sunday"."""
    return dates.weekday_name(weekday, current_locale())


def fmt_short_weekday(weekday: int) -> str:
    """0 = Monday: "T2" … "CN" / "Mon" … "Sun"."""
    return dates.short_weekday(weekday, current_locale())
