"""Normalising what people type: Vietnamese arrives as NFC or NFD, with stray invisible characters."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import TypeAlias

_SPACES = re.compile(r"\s+")


def clean_text(value: str) -> str:
    """NFC, without control or format characters (zero-width, RTL marks), single-spaced and stripped."""
    value = unicodedata.normalize("NFC", value)
    kept = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in value)
    # Format characters (Cf) such as zero-width joiners are removed rather than turned into spaces.
    kept = "".join(ch for ch in kept if unicodedata.category(ch) != "Cf")
    return _SPACES.sub(" ", kept).strip()


def name_key(value: str) -> str:
    """The form two names are compared in: case-, space- and normalisation-insensitive."""
    return unicodedata.normalize("NFC", clean_text(value).casefold())


def ascii_slug(value: str, *, max_length: int = 24) -> str:
    """A Latin code for a Vietnamese name ("Phòng Tư pháp" -> "phong-tu-phap"), for unit codes."""
    value = clean_text(value).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", value)
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).encode("ascii", "ignore")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_only.decode().lower()).strip("-")
    return slug[:max_length].strip("-") or "unit"


# The Vietnamese alphabet's order: ă and â after a, đ after d, ê after e, ô and ơ after o, ư after u.
# Latin letters outside it (f, j, w, z: foreign names) keep their Latin places.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET)}
# Marks that make a letter of its own (breve, circumflex, horn), and the tones, which only break ties
# between words equal letter for letter, in the dictionaries' order: ngang, huyền, hỏi, ngã, sắc, nặng.
_LETTER_MARKS = frozenset("\u0306\u0302\u031b")
_TONE_RANK = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_DIGITS = re.compile(r"\d+")

# (primary: letters, numbers and separators; secondary: tones; last: the text itself, for a total order)
TextKey: TypeAlias = tuple[tuple[tuple[int, int], ...], tuple[int, ...], str]


@functools.lru_cache(maxsize=65536)
def vietnamese_key(value: str) -> TextKey:
    """Sort key of a text the way a Vietnamese reader orders it: "Dương" before "Đào", "An" before "Ân"
    before "Ấn", and "Tổ 2" before "Tổ 10"; case and Unicode normalisation do not matter."""
    text = clean_text(value)
    decomposed = unicodedata.normalize("NFD", text.casefold())
    primary: list[tuple[int, int]] = []
    tones: list[int] = []
    position = 0
    while position < len(decomposed):
        char = decomposed[position]
        digits = _DIGITS.match(decomposed, position) if char.isdigit() else None
        if digits is not None:  # a number counts as one, by its value
            primary.append((2, int(digits.group())))
            tones.append(0)
            position = digits.end()
            continue
        position += 1
        marks, tone = "", 0
        while position < len(decomposed) and unicodedata.combining(decomposed[position]):
            mark = decomposed[position]
            if mark in _LETTER_MARKS:
                marks += mark
            tone = _TONE_RANK.get(mark, tone)
            position += 1
        letter = unicodedata.normalize("NFC", char + marks)
        if letter in _LETTER_RANK:
            primary.append((3, _LETTER_RANK[letter]))
        elif char.isspace():
            primary.append((0, 0))  # a shorter word first: "An Bình" before "Anh"
        elif char.isalpha():
            primary.append((4, ord(letter)))
        else:
            primary.append((1, ord(char)))
        tones.append(tone)
    return tuple(primary), tuple(tones), text


NameKey: TypeAlias = tuple[TextKey, TextKey, TextKey, TextKey]


def vietnamese_name_key(full_name: str) -> NameKey:
    """Sort key of a Vietnamese full name as lists of people are read: by the given name (the last word),
    then the family name (the first), then the middle names: "Nguyễn Văn An" before "Trần Thị Bình"."""
    words = clean_text(full_name).split(" ")
    given = words[-1]
    family = words[0] if len(words) > 1 else ""
    middle = " ".join(words[1:-1])
    return vietnamese_key(given), vietnamese_key(family), vietnamese_key(middle), vietnamese_key(full_name)
