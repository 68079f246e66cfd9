"""Small pledge templates for tests, written as an office would write them."""

from __future__ import annotations

from typing import Any

import yaml

from compliance.pledge.templates import PledgeTemplate, parse_template


def template_document(
    code: str = "thu", version: int = 1, *, items: int = 2, quiz: bool = False, sample: bool = False
) -> dict[str, Any]:
    """An office's own template (sample=True: one shipped to be adapted, which asks for a confirmation)."""
    document: dict[str, Any] = {
        "code": code,
        "version": version,
        "effective": "2026-12-01",
        "sample": sample,
        "require_quiz": quiz,
        "title": {"vi": "Cam kết thử nghiệm", "en": "Test pledge"},
        "introduction": {"vi": "Mẫu để kiểm thử.", "en": "A template for tests."},
        "source": (
            {"note": {"vi": "mẫu để kiểm thử", "en": "a template for tests"}}
            if sample
            else {
                "kind": {"vi": "Quyết định", "en": "Decision"},
                "number": "1/QĐ-TEST",
                "date": "2026-11-01",
                "issuer": {"vi": "UBND xã Thử", "en": "the People's Committee of Thử commune"},
            }
        ),
        "sections": [
            {
                "id": "biet",
                "title": {"vi": "Những điều biết", "en": "Things we know"},
                "items": [
                    {
                        "id": f"biet-{n}",
                        "text": {"vi": f"Biết lắng nghe số {n}.", "en": f"Know how to listen {n}."},
                    }
                    for n in range(1, items + 1)
                ],
            },
            {
                "id": "khong",
                "title": {"vi": "Những điều không", "en": "Things we never do"},
                "items": [{"id": "khong-1", "text": {"vi": "Không hách dịch.", "en": "Never be arrogant."}}],
            },
        ],
    }
    if quiz:
        document["quiz"] = [
            {
                "id": f"q{n}",
                "question": {"vi": f"Câu hỏi {n}?", "en": f"Question {n}?"},
                "options": [{"vi": "Sai", "en": "Wrong"}, {"vi": "Đúng", "en": "Right"}],
                "answer": 1,
                "explanation": {"vi": "Vì đúng.", "en": "Because it is right."},
            }
            for n in range(1, 4)
        ]
    return document


def template_yaml(**kwargs: Any) -> bytes:
    return yaml.safe_dump(template_document(**kwargs), allow_unicode=True).encode()


def template(**kwargs: Any) -> PledgeTemplate:
    return parse_template(template_document(**kwargs), "test.yaml")
