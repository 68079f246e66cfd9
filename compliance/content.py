"""Validating bilingual content files (pledges, quiz banks): errors name the file and the item."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from compliance.sources import Source

LOCALES = ("vi", "en")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
MAX_TEXT = 1000
MAX_OPTION = 100


class ContentError(ValueError):
    """A content file that cannot be used, with where and what.

    `where` and `problem` are English, for logs and developers; `code` and `params` say the same as data,
    so that the chat and the command line tell an administrator in their own language (handlers
    translate them). `code` "other" has no translation: its English `problem` is shown.
    """

    def __init__(
        self,
        source: str,
        where: str,
        problem: str,
        *,
        code: str = "other",
        params: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{source}: {where}: {problem}")
        self.source, self.where, self.problem = source, where, problem
        self.code, self.params = code, params or {}


@dataclass(frozen=True)
class Text:
    """One text in every locale the bot speaks."""

    vi: str
    en: str

    def get(self, locale: str) -> str:
        return self.en if locale == "en" else self.vi


@dataclass(frozen=True)
class Question:
    id: str
    question: Text
    options: tuple[Text, ...]
    answer: int
    explanation: Text
    topic: str = ""
    source: Source | None = None  # the document the question comes from (quiz banks name one)


class Reader:
    """Walks a parsed YAML document, turning every mistake into a ContentError that says where."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str, code: str = "other", **params: Any) -> ContentError:
        return ContentError(self.source, where, problem, code=code, params=params)

    def mapping(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "must be a mapping", "not_mapping")
        return value

    def field(self, data: dict[str, Any], key: str, where: str) -> Any:
        if key not in data or data[key] is None:
            raise self.fail(where, f"missing '{key}'", "missing", key=key)
        return data[key]

    def list_of(self, value: Any, where: str, *, minimum: int = 1, maximum: int = 1000) -> list[Any]:
        if not isinstance(value, list) or not (minimum <= len(value) <= maximum):
            raise self.fail(
                where,
                f"must be a list of {minimum} to {maximum} entries",
                "list_size",
                minimum=minimum,
                maximum=maximum,
            )
        return value

    def code_and_version(
        self, data: dict[str, Any], *, expected_name: str | None, max_code: int | None = None
    ) -> tuple[str, int]:
        """A versioned file's `code` and `version`, and its name `<code>-<version>.yaml` when it is known."""
        code = self.field(data, "code", "file")
        version = self.field(data, "version", "file")
        if not isinstance(code, str) or not code.replace("-", "").isalnum():
            raise self.fail("code", "must be letters, digits and dashes", "bad_code")
        if max_code is not None and len(code) > max_code:
            raise self.fail("code", "must be letters, digits and dashes", "bad_code")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise self.fail("version", "must be a whole number from 1", "bad_version")
        if expected_name is not None and expected_name != f"{code}-{version}":
            raise self.fail(
                "file",
                f"the file must be named {code}-{version}.yaml",
                "wrong_name",
                name=f"{code}-{version}.yaml",
            )
        return code, version

    def ident(self, value: Any, where: str, seen: set[str]) -> str:
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            raise self.fail(where, "id must be lowercase letters, digits and dashes", "bad_id")
        if value in seen:
            raise self.fail(where, f"duplicate id '{value}'", "duplicate_id", id=value)
        seen.add(value)
        return value

    def text(self, value: Any, where: str, *, limit: int = MAX_TEXT) -> Text:
        data = self.mapping(value, where)
        found: dict[str, str] = {}
        for locale in LOCALES:
            raw = data.get(locale)
            if not isinstance(raw, str) or not raw.strip():
                raise self.fail(where, f"missing the {locale} text", "missing_text", locale=locale)
            text = unicodedata.normalize("NFC", raw.strip())
            if len(text) > limit:
                raise self.fail(
                    where,
                    f"the {locale} text is longer than {limit} characters",
                    "text_too_long",
                    locale=locale,
                    limit=limit,
                )
            found[locale] = text
        return Text(vi=found["vi"], en=found["en"])

    def question(self, value: Any, where: str, seen: set[str]) -> Question:
        data = self.mapping(value, where)
        qid = self.ident(self.field(data, "id", where), where, seen)
        where = f"question {qid}"
        options = tuple(
            self.text(option, f"{where} option {n + 1}", limit=MAX_OPTION)
            for n, option in enumerate(
                self.list_of(self.field(data, "options", where), where, minimum=2, maximum=4)
            )
        )
        answer = self.field(data, "answer", where)
        if not isinstance(answer, int) or isinstance(answer, bool) or not 0 <= answer < len(options):
            raise self.fail(
                where,
                f"answer must be an option index from 0 to {len(options) - 1}",
                "bad_answer",
                last=len(options) - 1,
            )
        explanation = self.text(self.field(data, "explanation", where), f"{where} explanation")
        topic = data.get("topic", "")
        return Question(
            qid,
            self.text(self.field(data, "question", where), where),
            options,
            answer,
            explanation,
            str(topic),
        )
