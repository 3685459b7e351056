"""Document codes, dates, units and whole-document metadata."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.documents.codes import parse_codes, parse_numeric_date, parse_vn_date
from knowledge.documents.metadata import extract_metadata
from knowledge.documents.units import find_units
from knowledge.models import LoadedDocument
from knowledge.text import normalize


def _doc(text: str, doc_id: str = "d", fmt: str = "txt") -> LoadedDocument:
    return LoadedDocument(doc_id, f"{doc_id}.{fmt}", normalize(text), fmt, "0" * 64, len(text))


def _codes(text: str) -> list[tuple[str | None, str, str]]:
    return [(c.number, c.type, c.issuer) for c in parse_codes(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Số 01-CTr/QU, ngày", [("01", "CTr", "QU")]),
        ("theo 294 - QĐ/TW của", [("294", "QĐ", "TW")]),
        ("(Quy định số 24-QĐi/TW)", [("24", "QĐi", "TW")]),
        ("Hướng dẫn số 08 –HD/BTCTU ngày 16/8/2017", [("08", "HD", "BTCTU")]),
        ("Số           - HD/BTCTU", [(None, "HD", "BTCTU")]),
        ("02-HD/BTCTU và 45-HD/BTCTW", [("02", "HD", "BTCTU"), ("45", "HD", "BTCTW")]),
        ("Mẫu 01- TTr/BXDĐ; Luật số 33/2024/QH15; ngày 3/2", []),
    ],
)
def test_parse_codes(text: str, expected: list[tuple[str | None, str, str]]) -> None:
    assert _codes(text) == expected


def test_dates() -> None:
    assert parse_vn_date("Hà Nội, ngày 26 tháng 5 năm 2025") == "2025-05-26"
    assert parse_vn_date("Hà Nội, ngày          tháng 11 năm 2025") == "2025-11"
    assert parse_vn_date("*Hà Nội, ngày 19\ntháng 11 năm 2025 *") == "2025-11-19"
    assert parse_numeric_date("Ngày đăng 15/08/2017 | 16:33") == "2017-08-15"
    assert parse_numeric_date("(Ban Tổ chức Thành ủy Hà Nội, tháng 8/2025)") == "2025-08"


def test_units_are_proper_names_only() -> None:
    text = (
        "kiểm tra 04 đảng ủy cơ sở gồm: phường Sài Đồng, phường Cự Khối, Tòa án nhân dân Quận "
        "và CTCP Khí công nghiệp Việt Nam. Cấp xã, phường, đặc khu; chi bộ trực thuộc; "
        "toàn Đảng bộ Thành phố; Đảng ủy Công an Trung ương; phường Sài Đồng."
    )
    assert find_units(text) == (
        "phường Sài Đồng",
        "phường Cự Khối",
        "Tòa án nhân dân Quận",
        "CTCP Khí công nghiệp Việt Nam",
        "đảng ủy Công an Trung ương",
    )


def test_units_reject_cut_names() -> None:
    # "Đảng bộ Thành phố" is a level, "chi bộ Giấy chứng nhận" a sentence, not units.
    assert find_units("trình với chi bộ Giấy chứng nhận; Đảng bộ Thành phố; đảng bộ tỉnh A") == ()


def test_metadata_from_header_without_curated_line() -> None:
    text = (
        "BAN CHẤP HÀNH TRUNG ƯƠNG\n*\nĐẢNG CỘNG SẢN VIỆT NAM\n---------------\n"
        "Số 294-QĐ/TW Hà Nội, ngày 26 tháng 5 năm 2025\n\nQUY ĐỊNH\nTHI HÀNH ĐIỀU LỆ ĐẢNG\n"
        "- Căn cứ Điều lệ Đảng;\n1. Điều 1: Tuổi đời\nThay thế Quy định số 24-QĐ/TW ngày 30/7/2021.\n"
        "T/M BAN CHẤP HÀNH TRUNG ƯƠNG\nTỔNG BÍ THƯ\n"
    )
    meta = extract_metadata(_doc(text))
    assert (meta.code, meta.number, meta.doc_type, meta.issuer) == ("294-QĐ/TW", "294", "QĐ", "TW")
    assert meta.issue_date == "2025-05-26"
    assert meta.title == "Quy định thi hành Điều lệ Đảng"
    assert meta.issuing_body == "Ban Chấp hành Trung ương"
    assert meta.replaces == ("24-QĐ/TW",)
    assert meta.mentions == ("24-QĐ/TW",)


def test_blank_number_keeps_type_but_no_code() -> None:
    text = "THÀNH ỦY HÀ NỘI\nBAN TỔ CHỨC\n*\nSố           - HD/BTCTU\nĐẢNG CỘNG SẢN VIỆT NAM\n" \
        "Hà Nội, ngày          tháng 11 năm 2025\nHƯỚNG DẪN\nNghiệp vụ công tác tổ chức đảng\n-----\n"
    meta = extract_metadata(_doc(text))
    assert meta.code is None and meta.number is None
    assert (meta.doc_type, meta.issuer, meta.issue_date) == ("HD", "BTCTU", "2025-11")
    assert meta.issuing_body == "Ban Tổ chức Thành ủy Hà Nội"


CORPUS = {
    "294-QD-TW_2025-05-26_thi-hanh-dieu-le-dang": ("294-QĐ/TW", "QĐ", "2025-05-26"),
    "06-HD-TW_2025-06-09_mot-so-van-de-cu-the-thi-hanh-dieu-le-dang": ("06-HD/TW", "HD", "2025-06-09"),
    "02-HD-BTCTU_2025-11_nghiep-vu-cong-tac-to-chuc-dang-va-dang-vien_HaNoi": ("02-HD/BTCTU", "HD", "2025-11"),
    "21-HD-BTCTU_2025-08_trao-tang-huy-hieu-dang_HaNoi": ("21-HD/BTCTU", "HD", "2025-08"),
    "45-HD-BTCTW_2025-11-21_phan-cap-quan-ly-can-bo": ("45-HD/BTCTW", "HD", "2025-11-21"),
    "383-QD-TW_2025-11-19_phong-luu-tru-dang": ("383-QĐ/TW", "QĐ", "2025-11-19"),
    "384-QD-TW_2025-11-19_ket-noi-chia-se-du-lieu": ("384-QĐ/TW", "QĐ", "2025-11-19"),
    "DieuLeDang_2011-01-19_Dai-hoi-XI": (None, "Điều lệ", "2011-01-19"),
    "long-bien_2017-08-15_kiem-tra-chuong-trinh-01-CTr-QU": (None, "Tin bài", "2017-08-15"),
    "sotay-tcd-dv-hanoi_phan1": (None, "Sổ tay", None),
}


@pytest.mark.parametrize("stem", sorted(CORPUS))
def test_corpus_metadata(corpus_dir: Path, stem: str) -> None:
    meta = extract_metadata(_doc((corpus_dir / f"{stem}.txt").read_text(encoding="utf-8"), stem))
    assert (meta.code, meta.doc_type, meta.issue_date) == CORPUS[stem]


def test_seed_article(corpus_dir: Path) -> None:
    stem = "long-bien_2017-08-15_kiem-tra-chuong-trinh-01-CTr-QU"
    meta = extract_metadata(_doc((corpus_dir / f"{stem}.txt").read_text(encoding="utf-8"), stem))
    assert meta.code is None
    assert meta.title.startswith("Kiểm tra việc thực hiện Chương trình 01-CTr/QU")
    assert set(meta.mentions) == {"271-QĐ/QU", "01-CTr/QU"}
    assert meta.units == (
        "phường Sài Đồng", "phường Cự Khối", "Tòa án nhân dân Quận", "CTCP Khí công nghiệp Việt Nam",
    )


def test_replacements_from_real_wording(corpus_dir: Path) -> None:
    def meta(stem: str):  # noqa: ANN202
        return extract_metadata(_doc((corpus_dir / f"{stem}.txt").read_text(encoding="utf-8"), stem))

    assert meta("383-QD-TW_2025-11-19_phong-luu-tru-dang").replaces == ("270-QĐ/TW",)
    assert meta("45-HD-BTCTW_2025-11-21_phan-cap-quan-ly-can-bo").replaces == ("16-HD/BTCTW", "21-HD/BTCTW")
    assert meta("21-HD-BTCTU_2025-08_trao-tang-huy-hieu-dang_HaNoi").replaces == ("08-HD/BTCTU",)
    assert meta("06-HD-TW_2025-06-09_mot-so-van-de-cu-the-thi-hanh-dieu-le-dang").issuing_body == "Ban Bí thư"


@pytest.mark.parametrize(
    ("pdf", "twin"),
    [
        ("quydinh294", "294-QD-TW_2025-05-26_thi-hanh-dieu-le-dang"),
        ("huongdan06", "06-HD-TW_2025-06-09_mot-so-van-de-cu-the-thi-hanh-dieu-le-dang"),
        ("huongdan", "02-HD-BTCTU_2025-11_nghiep-vu-cong-tac-to-chuc-dang-va-dang-vien_HaNoi"),
        ("huongdan21", "21-HD-BTCTU_2025-08_trao-tang-huy-hieu-dang_HaNoi"),
    ],
)
def test_pdf_twin_agrees(corpus_dir: Path, pdf: str, twin: str) -> None:
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(str(corpus_dir / "pdf" / f"{pdf}.pdf"))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    from_pdf = extract_metadata(_doc(text, pdf, "pdf"))
    from_txt = extract_metadata(_doc((corpus_dir / f"{twin}.txt").read_text(encoding="utf-8"), twin))
    assert from_pdf.issue_date == from_txt.issue_date
    assert (from_pdf.doc_type, from_pdf.issuer) == (from_txt.doc_type, from_txt.issuer)
    if from_pdf.number is None:  # the PDF leaves the number blank for the signer
        assert from_pdf.code is None
    else:
        assert from_pdf.code == from_txt.code


def test_markdown_header_marks_do_not_leak_into_the_metadata() -> None:
    text = (
        "# ĐẢNG ỦY PHƯỜNG PHÚC LỢI\n\n**Số 05-KH/ĐU**\n\n## KẾ HOẠCH\n\nSố hóa hồ sơ đảng viên năm 2026\n\n"
        "### 1. Mục tiêu\n\nHoàn thành số hóa trước ngày 30/6/2026.\n"
    )
    meta = extract_metadata(_doc(text, fmt="md"))
    assert (meta.code, meta.doc_type) == ("05-KH/ĐU", "KH")
    assert meta.title == "Kế hoạch số hóa hồ sơ đảng viên năm 2026"  # "Số hóa…" is a title, not a number
    assert meta.issuing_body == "Đảng ủy phường Phúc Lợi"


def test_recasing_keeps_unit_names_but_not_ordinary_words() -> None:
    from knowledge.documents.metadata import _recase

    assert _recase("ĐẢNG ỦY PHƯỜNG PHÚC LỢI") == "Đảng ủy phường Phúc Lợi"
    assert _recase("BAN CHỈ ĐẠO PHÒNG CHỐNG TỆ NẠN XÃ HỘI") == "Ban chỉ đạo phòng chống tệ nạn xã hội"
    assert _recase("BAN TỔ CHỨC THÀNH ỦY HÀ NỘI") == "Ban Tổ chức Thành ủy Hà Nội"


def test_an_uploaded_title_keeps_its_codes_and_stops_before_the_body() -> None:
    upper = _doc(
        "QUẬN ỦY HÒA BÌNH\nSố 12-TB/QU\n\nTHÔNG BÁO\nKẾT LUẬN KIỂM TRA VIỆC THỰC HIỆN CHƯƠNG TRÌNH SỐ 05-CTr/QU\n\n"
        "Ngày 15/3/2026, Đoàn kiểm tra đã làm việc với Đảng ủy phường An Phú.\n"
    )
    title = extract_metadata(upper).title
    assert title == "Thông báo kết luận kiểm tra việc thực hiện chương trình số 05-CTr/QU"  # not "kẾT LUẬN …"
    glued = _doc(
        "QUẬN ỦY HÒA BÌNH\nSố 13-TB/QU\n\nTHÔNG BÁO\nkết luận giám sát chuyên đề năm 2026\n"
        "Theo Kế hoạch số 20-KH/QU, Ủy ban Kiểm tra Quận ủy đã giám sát chuyên đề đối với Đảng ủy phường"
        " An Phú về việc lãnh đạo thực hiện Chương trình số 05-CTr/QU trong 6 tháng đầu năm 2026 như sau:\n"
        "Ngày 20/3/2026, Đoàn giám sát làm việc tại Đảng ủy phường An Phú và kết luận chi tiết ở phần sau của văn"
        " bản này, gồm ưu điểm, hạn chế và các yêu cầu khắc phục đối với đơn vị được giám sát.\n"
    )
    assert extract_metadata(glued).title == "Thông báo kết luận giám sát chuyên đề năm 2026"
