"""Letters to citizens, the domain: the shipped templates and what a template may say, the form's checks,
numbering per unit, kind and year, on time or not, audited, the counts rolled up the tree, and the PDF: its
words read back and its pages saved as pictures for the closing note."""

from __future__ import annotations

import asyncio
import unicodedata
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pytest
import yaml
from sqlalchemy import select

from compliance.content import ContentError
from compliance.feedback import letter_form
from compliance.feedback.letter_form import CheckedForm, check_form, letter_date
from compliance.feedback.letter_pdf import letter_pdf
from compliance.feedback.letter_templates import (
    CONTENT_DIR,
    current_templates,
    find_template,
    parse_template,
    shipped_templates,
)
from compliance.feedback.letters import facts_for, facts_of, issue_letter, subtree_counts, unit_letter_counts
from compliance.office.officials import Actor, actor_of
from compliance.practice.calendar import WorkCalendar
from storage.clock import LOCAL_TZ, local_today
from storage.engine import Database
from storage.models import Official, Unit
from storage.models_broadcast import AuditEntry
from storage.models_letters import CitizenLetter
from tests.web_admin_office import populate

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "letters"


async def working_day_after(database: Database, day: date) -> date:
    """The first working day after `day` by the office calendar (no fixed dates: Tết moves)."""
    async with database.unit_of_work() as session:
        calendar = await WorkCalendar.load(session, start=day, end=day + timedelta(days=40))
    candidate = day + timedelta(days=1)
    while not calendar.is_working_day(candidate):
        candidate += timedelta(days=1)
    return candidate


def apology_fields(today: date, new: date, **changes: str) -> dict[str, str]:
    fields = {
        "citizen": "Nguyễn Văn An",
        "dossier_type": "Đăng ký biến động đất đai",
        "receipt_number": "000.12.34.H05-0007",
        "received_on": (today - timedelta(days=20)).strftime("%d/%m/%Y"),
        "due_on": (today + timedelta(days=1)).strftime("%d/%m/%Y"),
        "reason": "Hồ sơ cần xác minh thêm nguồn gốc sử dụng đất.",
        "new_date": new.strftime("%d/%m/%Y"),
        "place": "Bình Lục",
        "signer_title": "Chánh Văn phòng",
        "signer_name": "Lê Thị Hoa",
        "recipients": "",
    }
    return {**fields, **changes}


def test_the_shipped_templates_load_and_name_their_source() -> None:
    templates = {template.code: template for template in shipped_templates()}
    apology, thanks = templates["xin-loi"], templates["cam-on"]
    assert apology.kind == "apology" and apology.number_suffix == "PXL"
    assert apology.source.number == "01/2018/TT-VPCP"
    assert apology.title.vi == "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"
    assert thanks.kind == "thanks" and thanks.source.note is not None  # a sample says so
    assert {t.code for t in current_templates()} >= {"xin-loi", "cam-on"}


def _document(**changes: object) -> dict[str, object]:
    document = yaml.safe_load((CONTENT_DIR / "xin-loi-1.yaml").read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return {**document, **changes}


def test_an_offices_own_version_is_read_and_its_mistakes_refused(tmp_path: Path) -> None:
    own = _document(
        version=2, body={"vi": "{office} xin lỗi {citizen}; hẹn {new_date}.", "en": "{office} {citizen}"}
    )
    (tmp_path / "xin-loi-2.yaml").write_text(yaml.safe_dump(own, allow_unicode=True), encoding="utf-8")
    (tmp_path / "xin-loi-1.yaml").write_bytes((CONTENT_DIR / "xin-loi-1.yaml").read_bytes())
    newest = find_template("xin-loi", directory=tmp_path)
    assert newest is not None and newest.version == 2
    assert find_template("xin-loi", 1, directory=tmp_path) is not None  # old letters' version stays
    with pytest.raises(ContentError, match="unknown placeholder"):
        parse_template(_document(body={"vi": "{office} {thanks_for}", "en": "x"}), "x.yaml")
    with pytest.raises(ContentError, match="malformed"):
        parse_template(_document(body={"vi": "{office!r}", "en": "x"}), "x.yaml")
    with pytest.raises(ContentError, match="kind"):
        parse_template(_document(kind="complaint"), "x.yaml")
    with pytest.raises(ContentError, match=r"named xin-loi-1\.yaml"):
        parse_template(_document(), "x.yaml", expected_name="xin-loi-3")


def test_the_form_refuses_each_mistake_at_its_field() -> None:
    today = date(2026, 11, 30)
    good = apology_fields(today, date(2026, 12, 9))
    checked = check_form("apology", good, today=today, calendar=None)
    assert isinstance(checked, CheckedForm) and checked.dates["new_date"] == date(2026, 12, 9)
    assert check_form("apology", {**good, "citizen": "  ", "reason": ""}, today=today, calendar=None) == {
        "citizen": letter_form.REQUIRED,
        "reason": letter_form.REQUIRED,
    }
    refused = check_form(
        "apology",
        {**good, "received_on": "01/12/2026", "due_on": "31/02/2026", "new_date": "hôm nay"},
        today=today,
        calendar=None,
    )
    assert refused == {
        "received_on": letter_form.IN_FUTURE,
        "due_on": letter_form.NO_SUCH_DAY,
        "new_date": letter_form.NOT_A_DATE,
    }
    assert check_form("apology", {**good, "new_date": "30/11/2026"}, today=today, calendar=None) == {
        "new_date": letter_form.NOT_AFTER_TODAY
    }
    assert check_form("apology", {**good, "new_date": "01/12/2026"}, today=today, calendar=None) == {
        "new_date": letter_form.NOT_AFTER_DUE
    }
    assert check_form("apology", {**good, "due_on": "01/11/2026"}, today=today, calendar=None) == {
        "due_on": letter_form.BEFORE_RECEIVED
    }
    assert check_form("apology", {**good, "receipt_number": "x" * 41}, today=today, calendar=None) == {
        "receipt_number": letter_form.TOO_LONG
    }
    # A thank-you letter needs no dossier; an NFD name comes out NFC.
    nfd = unicodedata.normalize("NFD", "Phạm  Thị Thu")
    thanks = check_form(
        "thanks",
        {"citizen": nfd, "thanks_for": "góp ý", "place": "Bình Lục", "signer_title": "A", "signer_name": "B"},
        today=today,
        calendar=None,
    )
    assert isinstance(thanks, CheckedForm) and thanks.values["citizen"] == "Phạm Thị Thu"


async def test_the_new_date_must_be_a_working_day(database: Database) -> None:
    today = local_today()
    async with database.unit_of_work() as session:
        calendar = await WorkCalendar.load(session, start=today, end=today + timedelta(days=20))
    off = next(d for d in (today + timedelta(days=n) for n in range(2, 20)) if not calendar.is_working_day(d))
    fields = apology_fields(today, off, due_on=today.strftime("%d/%m/%Y"))
    assert check_form("apology", fields, today=today, calendar=calendar) == {
        "new_date": letter_form.NOT_WORKING_DAY
    }


def test_dates_are_written_as_the_decree_asks() -> None:
    assert letter_date("Bình Lục", date(2027, 2, 5)) == "Bình Lục, ngày 05 tháng 02 năm 2027"
    assert letter_date("Bình Lục", date(2026, 11, 30)) == "Bình Lục, ngày 30 tháng 11 năm 2026"
    assert letter_date("Hà Nội", date(2026, 3, 9)) == "Hà Nội, ngày 09 tháng 3 năm 2026"


async def _office(database: Database) -> tuple[dict[str, Unit], Actor]:
    """The units by name, and Lê Thị Hoa (head of Văn phòng) as the one who issues."""
    people = await populate(database)
    async with database.unit_of_work() as session:
        units = {unit.name: unit for unit in (await session.scalars(select(Unit))).all()}
        return units, actor_of(await session.get_one(Official, people["Lê Thị Hoa"]))


async def test_letters_are_numbered_per_unit_kind_and_year_logged_and_audited(database: Database) -> None:
    units, hoa = await _office(database)
    apology, thanks = find_template("xin-loi"), find_template("cam-on")
    assert apology is not None and thanks is not None
    today = date(2026, 11, 30)
    form = check_form("apology", apology_fields(today, date(2026, 12, 9)), today=today, calendar=None)
    late = check_form(
        "apology", apology_fields(today, date(2026, 12, 9), due_on="30/11/2026"), today=today, calendar=None
    )
    thank = check_form(
        "thanks",
        {
            "citizen": "Phạm Thị Thu",
            "thanks_for": "góp ý",
            "place": "Bình Lục",
            "signer_title": "A",
            "signer_name": "B",
        },
        today=today,
        calendar=None,
    )
    assert isinstance(form, CheckedForm) and isinstance(late, CheckedForm) and isinstance(thank, CheckedForm)
    at = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)  # 10:00 in Viet Nam
    async with database.unit_of_work() as session:
        office, transport = units["Văn phòng"], units["Phòng Quản lý vận tải"]
        first = await issue_letter(session, unit=office, template=apology, form=form, actor=hoa, now=at)
        second = await issue_letter(session, unit=office, template=apology, form=late, actor=hoa, now=at)
        other_kind = await issue_letter(session, unit=office, template=thanks, form=thank, actor=hoa, now=at)
        other_unit = await issue_letter(
            session, unit=transport, template=apology, form=form, actor=hoa, now=at
        )
        next_year = await issue_letter(
            session,
            unit=office,
            template=apology,
            form=form,
            actor=hoa,
            now=datetime(2026, 12, 31, 17, 30, tzinfo=UTC),
        )
        numbers = [(x.number, x.year) for x in (first, second, other_kind, other_unit, next_year)]
        assert numbers == [(1, 2026), (2, 2026), (1, 2026), (1, 2026), (1, 2027)]  # 00:30 on 1 Jan locally
        assert first.on_time is True and second.on_time is False and other_kind.on_time is None
        assert first.due_on == date(2026, 12, 1) and first.sent_on == date(2026, 11, 30)
        assert first.template_code == "xin-loi" and first.template_version == 1
        assert "Nguyễn Văn An" in first.body and "09/12/2026" in first.body
        audits = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "feedback.letter.issue"))
        ).all()
        assert [a.subject for a in audits] == [
            f"letter:{x.id}" for x in (first, second, other_kind, other_unit, next_year)
        ]
        assert audits[0].after is not None and audits[0].after["number"] == "1/PXL"
        assert "Nguyễn Văn An" not in str(audits[0].after)

        top = units["Sở GTVT"]
        november = (datetime(2026, 11, 1, tzinfo=LOCAL_TZ), datetime(2026, 12, 1, tzinfo=LOCAL_TZ))
        counts = await unit_letter_counts(
            session, unit_ids=[top.id, office.id, transport.id], start=november[0], end=november[1]
        )
        assert (counts[top.id].apologies, counts[top.id].on_time, counts[top.id].thanks) == (3, 2, 1)
        assert (counts[office.id].apologies, counts[office.id].on_time, counts[office.id].thanks) == (2, 1, 1)
        assert (counts[transport.id].apologies, counts[transport.id].on_time) == (1, 1)
        whole = await subtree_counts(session, top=None, start=november[0], end=november[1])
        assert (
            whole
            == counts[top.id]
            == await subtree_counts(session, top=top, start=november[0], end=november[1])
        )
        january = await unit_letter_counts(
            session, unit_ids=[top.id], start=november[1], end=datetime(2027, 2, 1, tzinfo=LOCAL_TZ)
        )
        assert january[top.id].apologies == 1
        assert await unit_letter_counts(session, unit_ids=[], start=november[0], end=november[1]) == {}


async def test_the_pdf_reads_back_as_the_letter_and_is_saved_as_pictures(database: Database) -> None:
    units, hoa = await _office(database)
    apology = find_template("xin-loi")
    assert apology is not None
    today = date(2026, 11, 30)
    form = check_form(
        "apology",
        apology_fields(today, date(2026, 12, 9), reason="Chờ ý kiến {của} <b>Sở</b> & cơ quan thuế."),
        today=today,
        calendar=None,
    )
    assert isinstance(form, CheckedForm)
    async with database.unit_of_work() as session:
        letter = await issue_letter(
            session,
            unit=units["Văn phòng"],
            template=apology,
            form=form,
            actor=hoa,
            now=datetime(2026, 11, 30, 3, 0, tzinfo=UTC),
        )
        stored = await session.get(CitizenLetter, letter.id)
        assert stored is not None
        facts = facts_of(stored)
    assert facts == facts_for(apology, form, parent="Sở GTVT", office="Văn phòng", number=1, day=today)
    content = letter_pdf(facts)
    document = pdfium.PdfDocument(content)
    try:
        text = "\n".join(page.get_textpage().get_text_range() for page in document)
        flat = " ".join(text.split())
        for expected in (
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "SỞ GTVT",
            "VĂN PHÒNG",
            "Số: 1/PXL",
            "Bình Lục, ngày 30 tháng 11 năm 2026",
            "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
            "Nguyễn Văn An",
            "Đăng ký biến động đất đai",
            "000.12.34.H05-0007",
            "Chờ ý kiến {của} <b>Sở</b> & cơ quan thuế.",  # typed braces and markup printed as typed
            "09/12/2026",
            "CHÁNH VĂN PHÒNG",
            "Lê Thị Hoa",
            "Nơi nhận:",
            "- Ông/Bà Nguyễn Văn An;",
            "- Lưu: VT.",
        ):
            assert expected in flat, expected
        assert len(document) == 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "apology.pdf").write_bytes(content)
        document[0].render(scale=2).to_pil().save(ARTIFACTS / "apology.png")
    finally:
        document.close()


def test_a_thank_you_letter_with_long_names_keeps_its_layout() -> None:
    thanks = find_template("cam-on")
    assert thanks is not None
    today = date(2027, 2, 5)
    form = check_form(
        "thanks",
        {
            "citizen": "Tôn Nữ Thị Phương Thảo",
            "thanks_for": "góp ý về việc niêm yết công khai thủ tục hành chính tại bộ phận một cửa",
            "place": "Thành phố Hồ Chí Minh",
            "signer_title": "Giám đốc Trung tâm Phục vụ hành chính công",
            "signer_name": "Nguyễn Hoàng Minh",
            "recipients": "Bà Tôn Nữ Thị Phương Thảo\nGiám đốc Sở (để báo cáo)\nLưu: VT, TTPVHCC",
        },
        today=today,
        calendar=None,
    )
    assert isinstance(form, CheckedForm)
    facts = facts_for(
        thanks,
        form,
        parent="Ủy ban nhân dân Thành phố Hồ Chí Minh",
        office="Trung tâm Phục vụ hành chính công Thành phố Hồ Chí Minh",
        number=7,
        day=today,
    )
    content = letter_pdf(facts)
    document = pdfium.PdfDocument(content)
    try:
        assert len(document) == 1
        flat = " ".join(document[0].get_textpage().get_text_range().split())
        for expected in (
            "Số: 7/TC",
            "Thành phố Hồ Chí Minh, ngày 05 tháng 02 năm 2027",
            "THƯ CẢM ƠN",
            "Tôn Nữ Thị Phương Thảo",
            "- Giám đốc Sở (để báo cáo);",
            "- Lưu: VT, TTPVHCC.",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",  # on one line, shrunk to fit beside a long office name
        ):
            assert expected in flat, expected
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "thanks.pdf").write_bytes(content)
        document[0].render(scale=2).to_pil().save(ARTIFACTS / "thanks.png")
    finally:
        document.close()


async def test_desks_issuing_at_once_each_get_their_own_number(database: Database) -> None:
    units, hoa = await _office(database)
    apology = find_template("xin-loi")
    assert apology is not None
    today = date(2026, 11, 30)
    form = check_form("apology", apology_fields(today, date(2026, 12, 9)), today=today, calendar=None)
    assert isinstance(form, CheckedForm)
    at = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)

    async def issue() -> int:
        async with database.unit_of_work() as session:
            unit = await session.get_one(Unit, units["Văn phòng"].id)
            letter = await issue_letter(session, unit=unit, template=apology, form=form, actor=hoa, now=at)
            await asyncio.sleep(0.05)  # both hold their transaction open before committing
            return letter.number

    numbers = await asyncio.gather(issue(), issue(), issue())
    assert sorted(numbers) == [1, 2, 3]
