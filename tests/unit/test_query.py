"""Query understanding: abbreviations, codes, units, the user's unit, follow-ups."""

import pytest

from knowledge.models import Turn
from knowledge.search.query import (
    Glossary,
    analyze,
    asks_for_units,
    detect_codes,
    detect_units,
    is_followup,
    resolve_my_unit,
    rewrite_followup,
)

UNITS = ["phường Sài Đồng", "phường Cự Khối", "Tòa án nhân dân Quận", "CTCP Khí công nghiệp Việt Nam"]


def test_abbreviations_expand_both_ways() -> None:
    g = Glossary.load()
    assert "Mặt trận Tổ quốc" in g.expand("Ủy ban MTTQ quận có vai trò gì")
    assert "Ủy viên Ban Thường vụ" in g.expand("UVTV là ai")
    assert "HĐND" in g.expand("Hội đồng nhân dân phường")
    # letters inside a document code are not abbreviations
    assert "Quận ủy" not in g.expand("Chương trình 01-CTr/QU")


def test_glossary_can_be_extended(tmp_path) -> None:
    extra = tmp_path / "g.tsv"
    extra.write_text("KCN\tkhu công nghiệp\n", encoding="utf-8")
    assert "khu công nghiệp" in Glossary.load(extra).expand("Đảng bộ KCN")


def test_codes_written_in_full_or_by_type_and_number() -> None:
    refs = detect_codes("Quyết định 271 và Chương trình 01-CTr/QU, quy dinh so 294")
    numbers = {r.number for r in refs}
    assert numbers == {271, 1, 294}
    full = next(r for r in refs if r.number == 1)
    assert full.matches("01-CTr/QU") and not full.matches("01-CTr/TU")
    decision = next(r for r in refs if r.number == 271)
    assert decision.matches("271-QĐ/QU") and not decision.matches("271-CTr/QU")


def test_units_found_without_diacritics() -> None:
    assert detect_units("phuong sai dong duoc kiem tra tu ngay nao", UNITS) == ["phường Sài Đồng"]
    assert detect_units("Cự Khối có hạn chế gì", UNITS) == ["phường Cự Khối"]
    assert detect_units("phường là gì", UNITS) == []


def test_my_unit_is_resolved() -> None:
    assert resolve_my_unit("Đơn vị tôi được kiểm tra khi nào?", "phường Cự Khối") == "phường Cự Khối được kiểm tra khi nào?"
    assert resolve_my_unit("Đơn vị tôi được kiểm tra khi nào?", None) == "Đơn vị tôi được kiểm tra khi nào?"


def test_followup_rewritten_with_the_previous_question() -> None:
    history = [Turn("Đoàn kiểm tra làm việc tại phường Sài Đồng từ ngày nào?")]
    assert is_followup("còn phường Cự Khối thì sao?")
    assert rewrite_followup("còn phường Cự Khối thì sao?", history, UNITS) == (
        "Đoàn kiểm tra làm việc tại phường Cự Khối từ ngày nào?"
    )
    assert rewrite_followup("Điều lệ Đảng có bao nhiêu chương?", history, UNITS) is None


def test_analyze_combines_everything() -> None:
    q = analyze("doan kiem tra MTTQ quyet dinh 271", glossary=Glossary.load(), known_units=UNITS)
    assert not q.accented
    assert q.codes and q.codes[0].number == 271
    assert "Mặt trận Tổ quốc" in q.expansions


def test_unknown_units_named_in_a_question_are_flagged() -> None:
    from knowledge.search.query import named_units

    assert named_units("Kết quả kiểm tra phường Phúc Đồng năm 2018 ra sao?") == ["phường Phúc Đồng"]
    assert named_units("các xã, phường phải làm gì") == []
    q = analyze("Kết quả kiểm tra phường Phúc Đồng ra sao?", glossary=Glossary.load(), known_units=UNITS)
    assert q.unknown_units == ("phường Phúc Đồng",)
    q = analyze("Kết quả kiểm tra phường Sài Đồng ra sao?", glossary=Glossary.load(), known_units=UNITS)
    assert q.unknown_units == () and q.units == ("phường Sài Đồng",)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Chương trình 01-CTr/QU kiểm tra những đơn vị nào?", True),
        ("kiem tra o nhung phuong nao", True),
        ("Đảng bộ nào chưa hoàn thành?", True),
        ("Hội nghị tổ chức ở đâu?", True),
        ("Đoàn kiểm tra gồm những ai?", False),
        ("Đơn vị tôi cần làm gì?", False),
        ("Có bao nhiêu đơn vị được kiểm tra?", False),
    ],
)
def test_asks_for_units(question: str, expected: bool) -> None:
    assert asks_for_units(question) is expected
