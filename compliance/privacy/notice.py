"""The privacy notice a person consents to: versioned content files (content/privacy/notice-N.yaml).

The newest version is the one asked for; a consent given to an older one is no longer current, so a
changed notice is asked again at the person's next message. Each part fits one Zalo message.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from compliance.content import ContentError, Reader, Text

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content" / "privacy"
# Zalo takes 2 000 characters a message: the title or the question added to a part must still fit.
PART_LIMIT = 1800
_NAME = re.compile(r"^notice-(\d+)\.yaml$")


@dataclass(frozen=True)
class Notice:
    version: int
    title: Text
    source: Text
    parts: tuple[Text, ...]

    def text(self, locale: str) -> str:
        """The whole notice as one text (Telegram, the web), parts separated by a blank line."""
        return "\n\n".join(part.get(locale) for part in self.parts)


def load_notice(path: Path) -> Notice:
    reader = Reader(path.name)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ContentError(path.name, "file", "not a mapping")
    version = raw.get("version")
    matched = _NAME.match(path.name)
    if not isinstance(version, int) or matched is None or int(matched.group(1)) != version:
        raise ContentError(path.name, "version", "the version must be an integer equal to the file's number")
    parts = raw.get("parts")
    if not isinstance(parts, list) or not parts:
        raise ContentError(path.name, "parts", "at least one part is needed")
    texts = tuple(reader.text(part, f"parts[{i}]", limit=PART_LIMIT) for i, part in enumerate(parts))
    return Notice(
        version=version,
        title=reader.text(raw.get("title"), "title"),
        source=reader.text(raw.get("source"), "source"),
        parts=texts,
    )


@functools.cache
def current_notice() -> Notice:
    """The newest notice shipped (read once per process)."""
    found = sorted(
        (int(m.group(1)), path)
        for path in CONTENT_DIR.glob("notice-*.yaml")
        if (m := _NAME.match(path.name)) is not None
    )
    if not found:
        raise ContentError(str(CONTENT_DIR), "file", "no privacy notice is shipped")
    return load_notice(found[-1][1])
