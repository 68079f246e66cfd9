"""Pledge templates: versioned bilingual data (content/pledges/<code>-<version>.yaml), never code.

Provinces word the pledge differently ("6 biết, 5 không, 3 thể hiện", "4 xin, 4 luôn", …), so a template
has any number of sections and items. The text a person signs is rendered canonically from it, so the
same template gives the same bytes, and the same SHA-256, every time.

A template names the document its wording comes from (`source:`, see compliance/sources.py); a
sample instead says what it is modelled on. The source is shown under the title and printed on the
receipt, but it is not part of the hashed text: it attributes the promise, it is not promised.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from compliance.content import ContentError, Question, Reader, Text
from compliance.sources import Source, parse_source

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content" / "pledges"


@dataclass(frozen=True)
class PledgeItem:
    id: str
    text: Text


@dataclass(frozen=True)
class PledgeSection:
    id: str
    title: Text
    items: tuple[PledgeItem, ...]


@dataclass(frozen=True)
class PledgeTemplate:
    code: str
    version: int
    effective: date
    sample: bool
    require_quiz: bool
    title: Text
    introduction: Text
    sections: tuple[PledgeSection, ...]
    quiz: tuple[Question, ...]
    source: Source | None = None

    @property
    def items(self) -> list[PledgeItem]:
        return [item for section in self.sections for item in section.items]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["effective"] = self.effective.isoformat()
        # Versions published before sources existed keep their stored content and its hash.
        if self.source is None:
            del data["source"]
        else:
            data["source"] = self.source.to_json()
        for question in data["quiz"]:
            del question["source"]  # a pledge's quiz comes from the pledge itself
        plain: dict[str, Any] = json.loads(json.dumps(data))  # tuples become lists, as in the stored copy
        return plain


def parse_template(
    document: Any, source: str, *, expected_name: str | None = None, stored: bool = False
) -> PledgeTemplate:
    """`stored`: a copy from the database, published perhaps before templates named their source."""
    read = Reader(source)
    data = read.mapping(document, "file")
    code, version = read.code_and_version(data, expected_name=expected_name)
    effective = read.field(data, "effective", "file")
    if isinstance(effective, str):
        try:
            effective = date.fromisoformat(effective)
        except ValueError:
            raise read.fail(
                "effective", "must be a date like 2026-12-01", "bad_date", example="2026-12-01"
            ) from None
    if not isinstance(effective, date):
        raise read.fail("effective", "must be a date like 2026-12-01", "bad_date", example="2026-12-01")
    seen: set[str] = set()
    sections = []
    for index, raw_section in enumerate(read.list_of(read.field(data, "sections", "file"), "sections")):
        section = read.mapping(raw_section, f"section {index + 1}")
        sid = read.ident(read.field(section, "id", f"section {index + 1}"), f"section {index + 1}", seen)
        items = []
        for number, raw_item in enumerate(
            read.list_of(read.field(section, "items", f"section {sid}"), f"section {sid} items")
        ):
            where = f"section {sid} item {number + 1}"
            item = read.mapping(raw_item, where)
            iid = read.ident(read.field(item, "id", where), where, seen)
            items.append(PledgeItem(iid, read.text(read.field(item, "text", where), f"item {iid}")))
        sections.append(
            PledgeSection(
                sid,
                read.text(read.field(section, "title", f"section {sid}"), f"section {sid} title"),
                tuple(items),
            )
        )
    quiz_seen: set[str] = set()
    quiz = tuple(
        read.question(raw, f"quiz question {n + 1}", quiz_seen)
        for n, raw in enumerate(read.list_of(data.get("quiz") or [], "quiz", minimum=0, maximum=10))
    )
    require_quiz = bool(data.get("require_quiz", False))
    if require_quiz and len(quiz) < 3:
        raise read.fail("quiz", "require_quiz needs at least 3 questions", "quiz_too_short", minimum=3)
    sample = bool(data.get("sample", False))
    raw_source = data.get("source")
    if raw_source is None and not (sample or stored):
        raise read.fail("source", "missing 'source' (the document the wording comes from)", "no_source")
    return PledgeTemplate(
        code=code,
        version=version,
        effective=effective,
        sample=sample,
        require_quiz=require_quiz,
        title=read.text(read.field(data, "title", "file"), "title"),
        introduction=read.text(read.field(data, "introduction", "file"), "introduction"),
        sections=tuple(sections),
        quiz=quiz,
        source=None if raw_source is None else parse_source(read, raw_source, sample=sample),
    )


def load_template_bytes(content: bytes, source: str, *, expected_name: str | None = None) -> PledgeTemplate:
    try:
        document = yaml.safe_load(content.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ContentError(source, "file", "not UTF-8 text", code="not_utf8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = {"line": mark.line + 1, "column": mark.column + 1} if mark is not None else {}
        detail = str(exc).splitlines()[0]
        raise ContentError(
            source, "file", f"not valid YAML: {detail}", code="bad_yaml", params=where
        ) from None
    return parse_template(document, source, expected_name=expected_name)


def load_template_file(path: Path) -> PledgeTemplate:
    return load_template_bytes(path.read_bytes(), path.name, expected_name=path.stem)


def template_from_json(data: dict[str, Any]) -> PledgeTemplate:
    """The stored copy of a published version back into a template (the database is the source of truth)."""
    return parse_template(data, f"{data['code']}-{data['version']}", stored=True)


def section_text(template: PledgeTemplate, section: PledgeSection, locale: str, first_number: int) -> str:
    lines = [section.title.get(locale)]
    lines += [f"{first_number + n}. {item.text.get(locale)}" for n, item in enumerate(section.items)]
    return "\n".join(lines)


def canonical_text(template: PledgeTemplate, locale: str) -> str:
    """Exactly what the signer is shown, in their language: title, introduction, numbered items."""
    parts = [
        f"{template.title.get(locale)} ({template.code}-{template.version})",
        template.introduction.get(locale),
    ]
    number = 1
    for section in template.sections:
        parts.append(section_text(template, section, locale, number))
        number += len(section.items)
    return "\n\n".join(parts) + "\n"


def text_sha256(template: PledgeTemplate, locale: str) -> str:
    return hashlib.sha256(canonical_text(template, locale).encode("utf-8")).hexdigest()


def content_hash(template: PledgeTemplate) -> str:
    """Identifies a version's content in both languages, for telling a real change from a re-publish."""
    return hashlib.sha256(
        json.dumps(template.to_json(), sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def shipped_templates() -> list[PledgeTemplate]:
    return [load_template_file(path) for path in sorted(CONTENT_DIR.glob("*.yaml"))]
