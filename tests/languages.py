"""Which language a message the bot sent is in, judged against the catalogs line by line.

Each translated line of each catalog becomes a pattern (its placeholders match anything); a line of a
message that matches a Vietnamese pattern and no English one is Vietnamese, and the other way round. Lines
that match neither (a person's name, pledge content) or both ("Email: {email}") say nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALES = Path(__file__).resolve().parent.parent / "locales"
PLACEHOLDER = re.compile(r"\{\w*\}")
MAX_LINE = 2000  # longer lines are content (an echo of what someone typed), never a whole catalog line


@dataclass
class _Patterns:
    by_prefix: dict[str, list[re.Pattern[str]]] = field(default_factory=dict)

    def add(self, line: str) -> None:
        parts = PLACEHOLDER.split(line)
        literal = "".join(parts).strip()
        if sum(ch.isalpha() for ch in literal) < 3:
            return  # "{name}", "• {unit}: {n}": nothing of a language in it
        regex = re.compile(".*?".join(re.escape(p) for p in parts), re.DOTALL)
        self.by_prefix.setdefault(parts[0][:3], []).append(regex)

    def matches(self, line: str) -> bool:
        if len(line) > MAX_LINE:
            return False
        for prefix in {line[:3], line[:2], line[:1], ""}:
            for regex in self.by_prefix.get(prefix, []):
                if regex.fullmatch(line):
                    return True
        return False


@cache
def _patterns(locale: str) -> _Patterns:
    patterns = _Patterns()
    with (LOCALES / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        for message in read_po(handle):
            if not message.id or not message.string:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for string in strings:
                for line in str(string).split("\n"):
                    if line.strip():
                        patterns.add(line.strip())
    return patterns


def language_of(text: str) -> set[str]:
    """The languages this text shows: {"vi"}, {"en"}, both (a mix: a bug), or none (nothing to tell)."""
    found: set[str] = set()
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        vi, en = _patterns("vi").matches(line), _patterns("en").matches(line)
        if vi and not en:
            found.add("vi")
        elif en and not vi:
            found.add("en")
    return found
