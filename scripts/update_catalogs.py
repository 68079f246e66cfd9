"""Developer step after changing user-visible strings: re-extract messages.pot and merge it into vi and en.

The English catalog is the identity (msgids are English), filled here so it is complete; Vietnamese is
translated by hand in locales/vi/LC_MESSAGES/messages.po. Compiling (.mo) is done by the setup and test
scripts, never committed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
POT = LOCALES / "messages.pot"


def pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)  # noqa: S603


def main() -> None:
    pybabel(
        "extract",
        "-F",
        "babel.cfg",
        "-o",
        str(POT),
        "--no-location",
        "--no-wrap",
        "--sort-output",
        "--project",
        "camket-bot",
        "--copyright-holder",
        "Cam Kết Bot",
        "--msgid-bugs-address",
        "",
        ".",
    )
    for locale in ("vi", "en"):
        po = LOCALES / locale / "LC_MESSAGES" / "messages.po"
        if po.exists():
            pybabel(
                "update",
                "-i",
                str(POT),
                "-d",
                str(LOCALES),
                "-D",
                "messages",
                "-l",
                locale,
                "--no-fuzzy-matching",
                "--ignore-obsolete",
                "--no-wrap",
            )
        else:
            pybabel("init", "-i", str(POT), "-d", str(LOCALES), "-D", "messages", "-l", locale, "--no-wrap")
    en = LOCALES / "en" / "LC_MESSAGES" / "messages.po"
    with en.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    for message in catalog:
        if message.id and not message.string:
            message.string = message.id
    with en.open("wb") as handle:
        write_po(handle, catalog, omit_header=False, sort_output=True, width=10_000)


if __name__ == "__main__":
    main()
