"""One letter's erasure, without a database: the body is made again from its template when the template
still renders it (so a ward named like the citizen keeps its name), the stored body's words are replaced
otherwise, and only whole words are taken (a citizen called "An" leaves "Anh" and "Lan" alone; a
syllable "An" that is a word of its own goes too, erring on the side of the citizen)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from compliance.feedback.letter_form import CheckedForm
from compliance.feedback.letter_templates import find_template
from compliance.feedback.letters import facts_for, recipients_of
from compliance.privacy.retention_citizens import ERASED, ERASED_ON, erased_letter
from storage.models_letters import CitizenLetter
from tests.test_retention_citizens import RECEIPT, apology_form

NOW = datetime(2027, 12, 1, 3, 0, tzinfo=UTC)
ISSUED = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


def issued(form: CheckedForm, *, office: str, version: int = 1) -> CitizenLetter:
    """The row issue_letter would store for this apology (same fields, same body)."""
    template = find_template("xin-loi", 1)
    assert template is not None
    day = date(2026, 11, 30)
    body = "\n".join(facts_for(template, form, parent=None, office=office, number=None, day=day).paragraphs)
    fields = {
        **form.values,
        "recipients": recipients_of(form.values),
        "parent": None,
        "office": office,
        "title": template.title.vi,
        "signature_note": template.signature_note.vi,
        "number_suffix": template.number_suffix,
    }
    return CitizenLetter(
        unit_id=1,
        kind="apology",
        template_code=template.code,
        template_version=version,
        year=2026,
        number=7,
        fields=fields,
        body=body,
        sent_on=day,
        by_id=1,
        created_at=ISSUED,
    )


def test_the_body_is_made_again_so_a_ward_named_like_the_citizen_keeps_its_name() -> None:
    letter = issued(apology_form(ISSUED, citizen="Lê Lợi"), office="UBND phường Lê Lợi")
    fields, body = erased_letter(letter, now=NOW)
    assert "Ông/Bà Lê Lợi" not in body and f"Ông/Bà {ERASED}" in body
    assert body.startswith("UBND phường Lê Lợi") and RECEIPT not in body
    assert fields["office"] == "UBND phường Lê Lợi" and fields["citizen"] == ERASED
    assert fields["receipt_number"] == ERASED and fields[ERASED_ON] == "2027-12-01"
    # Everything else of the letter is as issued.
    same = {
        k: v
        for k, v in letter.fields.items()
        if k not in {"citizen", "receipt_number", "reason", "recipients"}
    }
    assert {k: fields[k] for k in same} == same


def test_without_its_template_the_stored_words_are_replaced_whole() -> None:
    letter = issued(apology_form(ISSUED, citizen="An"), office="UBND xã Bình Lục", version=99)
    letter.body += "\nAnh Lan ở quầy số 3 đã hẹn ông An nhận kết quả."
    fields, body = erased_letter(letter, now=NOW)
    assert body.endswith(f"Anh Lan ở quầy số 3 đã hẹn ông {ERASED} nhận kết quả.")
    assert f"Ông/Bà {ERASED}" in body and RECEIPT not in body
    assert fields["reason"] == f"Hồ sơ của ông {ERASED} cần xác minh thêm nguồn gốc sử dụng đất."
    assert fields["recipients"] == f"{ERASED}\n- Lưu: VT, MC."


def test_the_usual_recipients_keep_the_office_copy() -> None:
    form = apology_form(ISSUED)
    letter = issued(CheckedForm({**form.values, "recipients": ""}, form.dates), office="Văn phòng")
    assert letter.fields["recipients"].startswith("Ông/Bà ")
    fields, _body = erased_letter(letter, now=NOW)
    assert fields["recipients"] == f"{ERASED}\nLưu: VT"
