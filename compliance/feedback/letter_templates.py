"""Letter templates: versioned bilingual content (content/letters/<code>-<version>.yaml), never code.

A template words one kind of letter (an apology slip after Mẫu 04, a thank-you letter); the fields a person
fills are the kind's, fixed here, so an office that publishes its own wording (a new version, or its own
code) rewords the letter without changing the form. Letters are printed in Vietnamese, the citizens'
language; the English text is for an official reading the template in English.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import yaml

from compliance.content import ContentError, Reader, Text
from compliance.sources import Source, parse_source

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content" / "letters"

APOLOGY: Final = "apology"
THANKS: Final = "thanks"
# Each kind's fields, in the form's order; "office" (the issuing unit's name) is filled in, not typed.
KIND_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    APOLOGY: ("citizen", "dossier_type", "receipt_number", "received_on", "due_on", "reason", "new_date"),
    THANKS: ("citizen", "thanks_for", "dossier_type", "receipt_number"),
}
MAX_BODY = 4000


@dataclass(frozen=True)
class LetterTemplate:
    code: str
    version: int
    kind: str
    number_suffix: str  # "PXL": the letter's number reads "Số: 12/PXL"
    title: Text
    body: Text  # one paragraph a line, with {placeholders}
    signature_note: Text
    source: Source

    def render(self, values: dict[str, str], locale: str = "vi") -> str:
        """The body with the values put in. Values are not formatted again, so braces a person types stay
        as typed."""
        return self.body.get(locale).format_map(values)


def _placeholders(text: str) -> set[str]:
    names = set()
    for _literal, name, spec, conversion in string.Formatter().parse(text):
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise ValueError(name)
        names.add(name)
    return names


def parse_template(document: Any, source: str, *, expected_name: str | None = None) -> LetterTemplate:
    read = Reader(source)
    data = read.mapping(document, "file")
    code, version = read.code_and_version(data, expected_name=expected_name, max_code=40)
    kind = read.field(data, "kind", "file")
    if kind not in KIND_FIELDS:
        raise read.fail("kind", f"must be one of {', '.join(KIND_FIELDS)}", "other")
    suffix = read.field(data, "number_suffix", "file")
    if not isinstance(suffix, str) or not 0 < len(suffix) <= 12 or not suffix.replace("-", "").isalnum():
        raise read.fail("number_suffix", "must be a short abbreviation like PXL", "other")
    body = read.text(read.field(data, "body", "file"), "body", limit=MAX_BODY)
    allowed = {"office", *KIND_FIELDS[kind]}
    for locale in ("vi", "en"):
        try:
            unknown = _placeholders(body.get(locale)) - allowed
        except ValueError:
            raise read.fail("body", "has a malformed {placeholder}", "other") from None
        if unknown:
            raise read.fail(
                "body", f"unknown placeholder {{{sorted(unknown)[0]}}} in the {locale} text", "other"
            )
    sample = bool(data.get("sample", False))
    return LetterTemplate(
        code=code,
        version=version,
        kind=kind,
        number_suffix=suffix,
        title=read.text(read.field(data, "title", "file"), "title", limit=200),
        body=body,
        signature_note=read.text(read.field(data, "signature_note", "file"), "signature_note", limit=100),
        source=parse_source(read, read.field(data, "source", "file"), sample=sample),
    )


def load_template_bytes(content: bytes, source: str, *, expected_name: str | None = None) -> LetterTemplate:
    try:
        document = yaml.safe_load(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ContentError(
            source, "file", f"not UTF-8 YAML: {str(exc).splitlines()[0]}", code="bad_yaml"
        ) from None
    return parse_template(document, source, expected_name=expected_name)


def shipped_templates(directory: Path | None = None) -> list[LetterTemplate]:
    """Every version in the content directory (an office's own files included), by code and version."""
    found = [
        load_template_bytes(path.read_bytes(), path.name, expected_name=path.stem)
        for path in sorted((directory or CONTENT_DIR).glob("*.yaml"))
    ]
    return sorted(found, key=lambda template: (template.kind, template.code, template.version))


def current_templates(directory: Path | None = None) -> list[LetterTemplate]:
    """The newest version of each code: what new letters use (older versions stay for the record)."""
    newest: dict[str, LetterTemplate] = {}
    for template in shipped_templates(directory):
        newest[template.code] = template
    return list(newest.values())


def find_template(
    code: str, version: int | None = None, directory: Path | None = None
) -> LetterTemplate | None:
    """A code's newest version (`version` None) or that version, or None."""
    chosen = [t for t in shipped_templates(directory) if t.code == code and version in (None, t.version)]
    return chosen[-1] if chosen else None
