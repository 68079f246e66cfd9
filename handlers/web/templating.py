"""The Jinja2 environment of the pages: autoescaped, with the chat's catalogs and date formats."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from handlers import i18n
from handlers.messages import plain_text

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _message(text: str) -> Markup:
    """A text built by the shared views: their markup is <b>, <i> and <a> around values they escaped
    themselves (handlers.messages.esc), so it is shown as markup; newlines become line breaks."""
    return Markup(text.replace("\n", "<br>\n"))  # noqa: S704 - the views escape every value they insert


def build_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.globals.update(
        _=i18n._,
        ngettext=i18n.ngettext,
        pgettext=i18n.pgettext,
        fmt_date=i18n.fmt_date,
        fmt_datetime=i18n.fmt_datetime,
        fmt_number=i18n.fmt_number,
        fmt_percent=i18n.fmt_percent,
        message=_message,
        plain_text=plain_text,
    )
    return env
