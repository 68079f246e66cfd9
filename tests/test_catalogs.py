"""Both catalogs complete, and in step with the source: a new string without a translation fails here."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{\w+\}")


def catalog(locale: str) -> dict[str, str]:
    with (ROOT / "locales" / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return {str(m.id): str(m.string) for m in read_po(handle) if m.id and not m.fuzzy}


def source_messages(tmp_path: Path) -> set[str]:
    pot = tmp_path / "messages.pot"
    subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-o",
            str(pot),
            "--no-location",
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        return {str(m.id) for m in read_po(handle) if m.id}


def test_every_source_string_is_translated_in_both_languages(tmp_path: Path) -> None:
    wanted = source_messages(tmp_path)
    assert len(wanted) > 50
    for locale in ("vi", "en"):
        translated = {k for k, v in catalog(locale).items() if v}
        assert wanted - translated == set(), locale


def test_translations_keep_their_placeholders() -> None:
    for msgid, msgstr in catalog("vi").items():
        # Sets, not lists: a plural's msgid holds both forms, Vietnamese has one form (nplurals=1).
        assert set(PLACEHOLDER.findall(msgid)) == set(PLACEHOLDER.findall(msgstr)), msgid
        assert msgid.count("<b>") == msgstr.count("<b>"), msgid
