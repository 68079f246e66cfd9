"""Every pledge template names its source (or, a sample, what it is modelled on); signers see it under the
title on every channel; quiz questions name theirs after the explanation."""

from __future__ import annotations

from typing import Any

import pytest

from compliance.content import ContentError
from compliance.pledge.templates import (
    canonical_text,
    content_hash,
    parse_template,
    shipped_templates,
    template_from_json,
)
from compliance.practice import quizzes
from handlers.i18n import use_locale
from handlers.views import pledge as views
from handlers.views import quiz as quiz_views
from handlers.views.content_errors import content_error_text
from handlers.views.sources import source_line
from handlers.zalo.dialogs.pledge import pledge_chunks
from tests.pledge_files import template, template_document


def by_code() -> dict[str, Any]:
    return {t.code: t for t in shipped_templates()}


def test_the_shipped_templates_cite_their_documents() -> None:
    shipped = by_code()
    xin = shipped["4xin4luon"]
    assert xin.version == 2 and xin.source is not None
    assert (xin.source.number, xin.source.issued) == ("1847/QĐ-TTg", "2018-12-27")
    assert [i.text.vi for i in xin.items] == [
        "Xin chào",
        "Xin lỗi",
        "Xin cảm ơn",
        "Xin phép",
        "Luôn mỉm cười",
        "Luôn nhẹ nhàng",
        "Luôn lắng nghe",
        "Luôn giúp đỡ",
    ]
    khong = shipped["5khong"]
    assert khong.source is not None and khong.source.number == "5354/UBND-NC"
    assert khong.source.issuer is not None and khong.source.issuer.vi == "UBND thành phố Hà Nội"
    assert [i.text.vi.split(",")[0] for i in khong.items] == [
        "Không cửa quyền",
        "Không quan liêu",
        "Không tham nhũng",
        "Không xu nịnh",
        "Không lợi dụng chức vụ",
    ]
    sample = shipped["6b5k3th"]
    assert sample.sample and sample.source is not None and sample.source.note is not None
    for locale in ("vi", "en"):
        text = canonical_text(sample, locale) + sample.source.note.get(locale)
        assert not any(word in text.lower() for word in ("huyện", "district", "thị trấn"))
    assert "MẪU" in sample.title.vi and "SAMPLE" in sample.title.en


def test_the_source_line_in_each_language() -> None:
    shipped = by_code()
    with use_locale("en"):
        assert source_line(shipped["4xin4luon"].source) == (
            "Source: Decision No. 1847/QĐ-TTg of 27 Dec 2018 by the Prime Minister, approving the "
            "Public-Service Culture Scheme"
        )
        assert source_line(shipped["5khong"].source) == (
            "Source: Official letter No. 5354/UBND-NC of Dec 2019 by the People's Committee of Hà Nội"
        )
        line = source_line(shipped["6b5k3th"].source)
        assert line is not None and line.startswith("Sample: not an issued document.")
    with use_locale("vi"):
        line = source_line(shipped["4xin4luon"].source)
        assert line is not None and "1847/QĐ-TTg" in line and "27/12/2018" in line


def test_the_first_part_shows_the_source_under_the_title() -> None:
    xin = by_code()["4xin4luon"]
    with use_locale("en"):
        first = views.section(xin, 0).text
        later = views.section(xin, 1).text
    title_at = first.index("The “4 courtesies")
    source_at = first.index("Source: Decision No. 1847/QĐ-TTg of 27 Dec 2018")
    assert title_at < source_at < first.index("Public-Service Culture Scheme approved")
    assert "Source:" not in later


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda d: d.pop("source"), "no_source"),
        (lambda d: d["source"].pop("number"), "missing"),
        (lambda d: d["source"].update(number=""), "bad_number"),
        (lambda d: d["source"].update(url="javascript:alert(1)"), "bad_url"),
        (lambda d: d["source"].update(date="27/12/2018"), "bad_date"),
        (lambda d: d["source"].update(date="2019-13"), "bad_date"),
    ],
)
def test_a_template_without_a_proper_source_is_refused(change: Any, code: str) -> None:
    document = template_document()
    change(document)
    with pytest.raises(ContentError) as refused:
        parse_template(document, "thu-1.yaml")
    assert refused.value.code == code
    with use_locale("en"):
        assert content_error_text(refused.value)


def test_a_sample_says_what_it_is_modelled_on() -> None:
    document = template_document(sample=True)
    document["source"] = {"kind": {"vi": "Mẫu", "en": "Sample"}}
    with pytest.raises(ContentError) as refused:
        parse_template(document, "thu-1.yaml")
    assert refused.value.params == {"key": "note"}
    assert template(sample=True).source is not None


def test_a_version_published_before_sources_still_loads_with_its_hash() -> None:
    published = template()
    stored = published.to_json()
    stored.pop("source")
    old = template_from_json(stored)
    assert old.source is None and "source" not in old.to_json()
    assert canonical_text(old, "vi") == canonical_text(published, "vi")  # the source is not signed text
    assert content_hash(old) != content_hash(published)
    assert template_from_json(published.to_json()) == published


def test_zalo_shows_the_source_under_the_title() -> None:
    with use_locale("en"):
        first = pledge_chunks(template())[0].splitlines()
    assert first[0] == "<b>Test pledge</b>"
    assert first[1].startswith("Source: Decision No. 1/QĐ-TEST of 1 Nov 2026")
    assert first[2] == "<i>A template for tests.</i>"


def test_the_quiz_verdict_names_the_document_after_the_explanation() -> None:
    bank = quizzes.current_bank()
    asked = next(q for q in bank.questions if q.id == "q033")
    with use_locale("en"):
        lines = quiz_views.verdict(asked, index=0, total=5, chosen=0, correct=False).text.splitlines()
    assert lines[-2] == f"<i>{asked.explanation.get('en')}</i>"
    assert lines[-1].startswith("Source: Decree No. 61/2018/NĐ-CP of 23 Apr 2018 by the Government")
