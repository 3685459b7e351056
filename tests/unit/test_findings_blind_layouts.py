"""Layouts of a district's documents written blind (tests/fixtures/findings_hoaphu): a remedy
lead-in spoken by the directing body, an annual review by theme whose title mentions discipline,
a plan "thực hiện Thông báo kết luận" with its fields on one line, a news item with crossheads
by short unit name; unit names that run on or stop short."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.documents.loaders import load_file
from knowledge.documents.metadata import extract_metadata
from knowledge.findings.document import extract_document
from knowledge.findings.models import Extraction, Finding
from knowledge.findings.structure import is_directing, party_units, unit_span
from knowledge.models import DocumentMeta

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
AN_LAC = "Đảng ủy phường An Lạc"
COURT = "Chi bộ Tòa án nhân dân quận"


def _load(prefix: str, district: str = "findings_hoaphu") -> tuple[DocumentMeta, Extraction]:
    """A blind district's document (by its file name's start), its metadata and its extraction."""
    doc = load_file(next((FIXTURES / district / "docs").glob(f"{prefix}*")))
    meta = extract_metadata(doc)
    return meta, extract_document(doc.text, meta)


def _holding(ex: Extraction, words: str) -> list[Finding]:
    return [f for f in ex.findings if words in f.text]


def test_a_remedy_lead_in_spoken_by_the_directing_body_names_no_unit() -> None:
    _, ex = _load("25-TB-QU")
    assert not any(f.unit and "yêu cầu" in f.unit for f in ex.findings)
    fee = _holding(ex, "thu bổ sung đủ số đảng phí")
    assert [(f.kind, f.unit, f.deadline) for f in fee] == [("yeu_cau", AN_LAC, "trước 31/12/2026")]
    hospital = _holding(ex, "mua sắm, đấu thầu trong quý I/2027")
    assert [f.unit for f in hospital] == ["Đảng ủy Bệnh viện Đa khoa quận Hòa Phú"]


def test_an_annual_review_by_theme_reports_on_every_unit_it_names() -> None:
    _, ex = _load("63-BC-UBKTQU")
    assert ex.doc_kind == "report"  # its title says "… thi hành kỷ luật …": still no discipline decision
    school = _holding(ex, "dạy thêm, học thêm trái quy định")
    assert [(f.kind, f.unit) for f in school] == [("han_che", "Chi bộ Trường THCS Lê Quý Đôn")]
    late = _holding(ex, "giải quyết quá hạn lần lượt 02 và 01 đơn tố cáo")
    assert {f.kind for f in late} == {"han_che"} and {f.unit for f in late} == {AN_LAC, "Đảng ủy phường Đông Xuyên"}
    # a general shortcoming of the district and next year's tasks belong to no unit
    assert all(f.unit is None for f in _holding(ex, "chưa đồng đều, cán bộ kiểm tra chủ yếu kiêm nhiệm"))


def test_a_plan_carrying_out_a_conclusion_reads_its_one_line_rows() -> None:
    _, ex = _load("112-KH-DU")
    assert ex.doc_kind == "remedy_plan"
    (task,) = _holding(ex, "Chỉ đạo Chi bộ khu phố 2, 5, 9, 11, 14 và 17")
    assert task.kind == "yeu_cau" and task.unit == AN_LAC
    assert task.deadline == "trong kỳ sinh hoạt chi bộ tháng 12/2026"
    assert task.responsible and task.responsible.startswith("đồng chí Đặng Văn Lộc")
    assert "phụ trách" not in task.text
    assert not _holding(ex, "Số 112-KH/ĐU")  # the header is no task


def test_a_news_item_with_crossheads_by_short_unit_name() -> None:
    meta, ex = _load("TinBai-TTDT")
    assert meta.doc_type == "Tin bài" and meta.issue_date == "2026-09-26"
    assert meta.title.startswith("Đoàn kiểm tra số 2")
    assert ex.inspected == (COURT, "Đảng ủy phường Đông Xuyên")
    fee = _holding(ex, "số thu thiếu khoảng 8,7 triệu đồng")
    assert [(f.kind, f.unit) for f in fee] == [("han_che", COURT)]
    lane = _holding(ex, "chỉnh trang 2,3 km hẻm")
    assert [(f.kind, f.unit) for f in lane] == [("uu_diem", "Đảng ủy phường Đông Xuyên")]
    # "Chi bộ cần …" under the crosshead of requests: the one chi bộ inspected
    assert [(f.kind, f.unit) for f in _holding(ex, "Chi bộ cần đổi mới sinh hoạt")] == [("yeu_cau", COURT)]
    assert not _holding(ex, "Ảnh:") and not _holding(ex, "đã làm việc với Chi bộ Tòa án")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("3. Đảng ủy Công ty TNHH MTV Môi trường đô thị Hòa Phú lãnh đạo Ban Giám đốc", "Đảng ủy Công ty TNHH MTV Môi trường đô thị Hòa Phú"),
        ("Đảng ủy Bệnh viện Đa khoa quận Hòa Phú kiểm điểm", "Đảng ủy Bệnh viện Đa khoa quận Hòa Phú"),
    ],
)
def test_unit_names_neither_run_on_nor_stop_short(text: str, name: str) -> None:
    assert [n for _, _, n in party_units(text)] == [name]


def test_a_unit_span_stops_where_the_sentence_goes_on() -> None:
    assert unit_span("Đảng ủy phường Đông Xuyên về việc lãnh đạo, chỉ đạo") == "Đảng ủy phường Đông Xuyên"
    assert unit_span("Chi bộ Tòa án nhân dân quận ngày 17/9") == COURT
    assert unit_span("Chi bộ Trường THPT Yên Khê") == "Chi bộ Trường THPT Yên Khê"


def test_a_directing_body_doing_something_is_still_the_directing_body() -> None:
    assert is_directing("Ban Thường vụ Quận ủy yêu cầu")
    assert is_directing("Đoàn kiểm tra số 2")
    assert not is_directing("Ban Thường vụ Đảng ủy phường An Lạc")


def test_the_district_comes_from_the_header_column_and_the_organisation_above() -> None:
    from knowledge.findings.document import locality

    meta = DocumentMeta(doc_id="x", title="Báo cáo")
    two_columns = "QUẬN ỦY HÒA PHÚ                     ĐẢNG CỘNG SẢN VIỆT NAM\nỦY BAN KIỂM TRA\n"
    assert locality(meta, two_columns) == "quận Hòa Phú"
    commune = "ĐẢNG BỘ HUYỆN YÊN KHÊ               ĐẢNG CỘNG SẢN VIỆT NAM\nĐẢNG ỦY XÃ ĐỒNG LẠC\n"
    assert locality(meta, commune) == "huyện Yên Khê"
    assert locality(meta, "Cổng Thông tin điện tử huyện Yên Khê › Xây dựng Đảng\n") == "huyện Yên Khê"


def test_a_question_names_a_unit_by_a_shortened_name_only_when_one_unit_fits() -> None:
    from knowledge.unit_names import key_variants, shortened_mentions

    names = ["Đảng ủy Bệnh viện Đa khoa quận Hòa Phú", "Đảng ủy Công ty TNHH MTV Môi trường đô thị Hòa Phú",
             "Đảng ủy Bệnh viện Y học cổ truyền tỉnh"]
    units = {n: key_variants(n) for n in names}

    def found(question: str) -> list[str]:
        return [m.unit for m in shortened_mentions(question, units)]

    assert found("bệnh viện quận bị chỉ ra những khuyết điểm gì") == [names[0]]
    assert found("cong ty moi truong phai khac phuc gi") == [names[1]]
    assert found("bệnh viện có mấy đảng viên") == []  # two words name no unit
    assert found("bệnh viện tỉnh được đánh giá thế nào") == [names[2]]


def test_a_shortened_name_that_fits_two_units_names_neither() -> None:
    from knowledge.question.frame import detect_units

    units = ["Chi bộ Trường THPT Nguyễn Trãi", "Chi bộ Trường THCS Nguyễn Trãi", "Đảng ủy Công an thị xã"]
    assert detect_units("trường Nguyễn Trãi còn hạn chế gì", units) == []
    assert detect_units("chi bo THPT Nguyen Trai phai khac phuc gi", units) == ["Chi bộ Trường THPT Nguyễn Trãi"]



def test_a_table_whose_columns_are_kinds_of_finding() -> None:
    meta, ex = _load("52-TB-UBKTTU", "findings_ninhgiang")
    assert meta.title.startswith("Thông báo kết quả giám sát chuyên đề việc thực hiện")  # kind and title on one line
    late = _holding(ex, "Nộp đảng phí lên cấp trên chậm từ 25 đến 40 ngày")
    assert [(f.kind, f.unit) for f in late] == [("han_che", "Đảng ủy Trung tâm Y tế thị xã")]
    good = _holding(ex, "Hằng năm ra nghị quyết chuyên đề về kiểm tra, giám sát")
    assert [(f.kind, f.unit) for f in good] == [("uu_diem", "Chi bộ Trường THPT Nguyễn Trãi")]
    assert not _holding(ex, "Ưu điểm") and not _holding(ex, "---")  # the header and its rule are no findings


def test_the_short_form_of_the_unit_inspected_is_that_unit() -> None:
    _, ex = _load("61-TB-UBKTTU", "findings_ninhgiang")
    company = "Đảng ủy Công ty TNHH MTV Lâm nghiệp Ninh Giang"
    assert ex.inspected == (company,)  # the two members inspected beside it do not hide it
    sold = _holding(ex, "bán 1.240 m3 gỗ keo rừng trồng khai thác chính")
    assert sold and {f.unit for f in sold} == {company}
    assert not any(f.unit == "Ban Thường vụ Đảng ủy Công ty" for f in ex.findings)


def test_a_news_headline_under_its_date_line_and_a_title_keeps_its_abbreviations() -> None:
    meta, _ = _load("TinBai-CTTDT", "findings_ninhgiang")
    assert meta.doc_type == "Tin bài" and meta.issue_date == "2026-08-21"
    assert meta.title == "Đoàn giám sát số 2 của BTV Thị ủy làm việc tại ba tổ chức Đảng"



def test_a_decision_on_a_collective_written_as_the_lead_in_of_its_violations() -> None:
    _, ex = _load("63-QD-UBKTHU", "findings_khauvai")
    decided = [f for f in ex.findings if f.kind == "ky_luat"]
    assert [(f.unit, f.form) for f in decided] == [("Đảng ủy xã Na Khiêm", "Khiển trách")]
    assert _holding(ex, "1,8 ha đất rừng phòng hộ")  # the violations under it are still read


def test_a_plans_tasks_under_a_heading_that_names_its_time_and_assignment() -> None:
    _, ex = _load("27-KH-DU", "findings_khauvai")
    (course,) = _holding(ex, "Mở lớp tập huấn kỹ năng ghi biên bản")
    assert course.kind == "yeu_cau" and course.unit == "Đảng ủy xã Phìn Hồ"
    assert course.deadline == "xong trước ngày 15/3/2027"
    assert course.responsible and course.responsible.startswith("Văn phòng Đảng ủy chủ trì")


def test_unit_abbreviations_of_border_posts_and_boarding_schools() -> None:
    from knowledge.unit_names import expand_abbreviations

    assert expand_abbreviations("CB Đồn BP Khau Vai") == "Chi bộ Đồn Biên phòng Khau Vai"
    assert expand_abbreviations("Chi bộ trường PTDTNT huyện") == "Chi bộ trường Phổ thông dân tộc nội trú huyện"


def test_an_amount_no_record_states_is_shown_as_the_closest_content() -> None:
    from knowledge.findings.answer import _figure_not_given
    from knowledge.models import Answer

    records = Answer(text="• để Công ty chậm đóng bảo hiểm xã hội 03 tháng cho 57 người lao động [1]", grounded=True)
    money = _figure_not_given("Công ty đang nợ bảo hiểm xã hội tổng cộng bao nhiêu tiền?", records)
    assert money.closest and money.text.startswith("Tài liệu không nêu số tiền được hỏi")
    assert _figure_not_given("Công ty còn hạn chế gì?", records) is records
    stated = Answer(text="• tổng số thu thiếu 21,4 triệu đồng [1]", grounded=True)
    assert _figure_not_given("Phường thu thiếu bao nhiêu tiền đảng phí?", stated) is stated


def test_a_school_named_with_more_words_than_a_known_commune_is_another_body() -> None:
    from knowledge.unit_names import expand_abbreviations

    text = expand_abbreviations("Chi bộ Trường PTDT bán trú THCS Phìn Hồ bị đoàn kiểm tra chỉ ra những hạn chế gì?")
    assert [n for _, _, n in party_units(text)] == ["Chi bộ Trường Phổ thông dân tộc bán trú Trung học cơ sở Phìn Hồ"]


def test_the_team_that_inspected_is_not_the_topic_of_a_question() -> None:
    from knowledge.findings.answer import _TEAM

    for question in ("Đảng ủy xã Phìn Hồ bị Đoàn kiểm tra số 2 chỉ ra những hạn chế gì?",
                     "dang uy xa phin ho bi doan kiem tra so 2 chi ra nhung han che gi"):
        assert not any(w in _TEAM.sub(" ", question).split() for w in ("2", "số", "so"))
    assert _TEAM.sub(" ", "Chi bộ khu phố số 2 còn hạn chế gì?") == "Chi bộ khu phố số 2 còn hạn chế gì?"


def test_the_issuing_body_is_read_whole_and_never_from_a_title() -> None:
    from knowledge.findings.structure import issuing_body

    one_line = "ĐẢNG BỘ HUYỆN KHAU VAI\nỦY BAN KIỂM TRA\n*\nSố 63-QĐ/UBKTHU\nQUYẾT ĐỊNH\nỦY BAN KIỂM TRA HUYỆN ỦY KHAU VAI\n"
    assert issuing_body(one_line) == "Ủy ban Kiểm tra Huyện ủy Khau Vai"
    assert issuing_body("THÀNH ỦY HÀ NỘI\nBAN TỔ CHỨC\n*\nSố 21-HD/BTCTU\n") == "Ban Tổ chức Thành ủy Hà Nội"
    columns = "THỊ ỦY NINH GIANG ĐẢNG CỘNG SẢN VIỆT NAM\nỦY BAN KIỂM TRA ---------------\nSố 52-TB/UBKTTU\n"
    assert issuing_body(columns) == "Ủy ban Kiểm tra Thị ủy Ninh Giang"
    title = "HUYỆN ỦY SƠN LÂM\n*\nSố 12-TB/HU\nTHÔNG BÁO KẾT LUẬN CỦA BAN THƯỜNG VỤ HUYỆN ỦY VỀ KẾT QUẢ KIỂM TRA\n"
    assert issuing_body(title) is None  # not "Ban Thường vụ Huyện ủy Về"


# --- huyện Tân Lạc (tests/fixtures/findings_tanlac), written blind this stop -------------------

TAN_LAC = "findings_tanlac"


def test_a_table_of_shortcoming_and_requirement_columns_gives_both_with_the_rows_deadline() -> None:
    _, ex = _load("71-TB-UBKTHU", TAN_LAC)
    fee = _holding(ex, "Thu đảng phí chưa đúng mức đối với 27 đảng viên")
    assert [(f.kind, f.unit) for f in fee] == [("han_che", "Đảng ủy xã Phú Cường")]
    arrears = _holding(ex, "tổng số tiền 18.640.000 đồng")
    assert [(f.kind, f.unit, f.deadline) for f in arrears] == [
        ("yeu_cau", "Đảng ủy xã Phú Cường", "Hoàn thành việc truy thu trong quý I/2027")
    ]
    assert not _holding(ex, "Nội dung hạn chế")  # the header is no finding


def test_units_listed_by_abbreviation_and_a_name_with_va_are_the_units_inspected() -> None:
    _, ex = _load("71-TB-UBKTHU", TAN_LAC)
    assert ex.inspected == (
        "Đảng ủy xã Thanh Sơn", "Đảng ủy xã Phú Cường", "Chi bộ Trường Trung học cơ sở Tân Lạc",
        "Chi bộ Trung tâm Y tế huyện", "Chi bộ Trạm Y tế xã Mỹ Hòa",
        "Chi bộ Công ty cổ phần Nước sạch và Môi trường Tân Lạc",
    )
    payments = _holding(ex, "CB TTYT huyện duy trì tốt việc thu đảng phí")
    assert [(f.kind, f.unit) for f in payments] == [("uu_diem", "Chi bộ Trung tâm Y tế huyện")]
    assert not any(f.unit and f.unit.startswith("Chi ủy") for f in ex.findings)  # "Chi ủy Chi bộ X" is X
    _, plan = _load("45-KL-HU", TAN_LAC)
    assert "Chi bộ Hợp tác xã dịch vụ nông nghiệp Quyết Thắng" in plan.inspected  # "; CB Hợp tác xã …"
    _, notice = _load("61-TB-UBKTTU", "findings_ninhgiang")
    assert notice.inspected == ("Đảng ủy Công ty TNHH MTV Lâm nghiệp Ninh Giang",)  # TNHH kept as written


def test_a_plans_task_blocks_are_one_requirement_each_with_its_fields() -> None:
    _, ex = _load("09-KH-CBTHCSTL", TAN_LAC)
    declaration = _holding(ex, "Kê khai bổ sung tài sản, thu nhập")
    assert len(declaration) == 1
    task = declaration[0]
    assert task.kind == "yeu_cau" and task.text.startswith("Kê khai bổ sung tài sản, thu nhập: hướng dẫn 04 đảng viên")
    assert task.deadline == "hoàn thành trước ngày 31/12/2026"
    assert task.responsible == "đồng chí Ngô Đức Hiếu, Phó Bí thư Chi bộ, Phó Hiệu trưởng"
    assert "sản phẩm: 04 bản kê khai bổ sung" in task.text
    assert not _holding(ex, "Người chủ trì")  # no field line is a requirement of its own
    first = _holding(ex, "Điều chỉnh, bổ sung nghị quyết lãnh đạo nhiệm vụ năm học")[0]
    assert first.deadline == "thông qua tại kỳ sinh hoạt chi bộ tháng 12/2026 (ngày 18/12/2026)"


def test_a_deadline_counted_from_receipt_is_read_inline_and_falls_due_after_the_document() -> None:
    from knowledge.findings.deadlines import due_date, find_deadline

    text = "Công khai báo cáo tài chính tại Đại hội thành viên; thời hạn chậm nhất 45 ngày kể từ ngày nhận Kết luận."
    assert find_deadline(text) == "chậm nhất 45 ngày kể từ ngày nhận Kết luận"
    assert due_date("chậm nhất 45 ngày kể từ ngày nhận Kết luận", issued="2026-10-28") == "2026-12-12"
    assert due_date("trong vòng 15 ngày làm việc kể từ ngày nhận", issued="2026-11-20") == "2026-12-11"
    assert due_date("trong 2 tháng kể từ ngày ký", issued="2026-12-31") == "2027-02-28"
    assert due_date("chậm nhất 30 ngày kể từ ngày nhận thông báo") is None  # no document date: no day


def test_a_decisions_annex_after_the_signature_is_read_and_its_votes_are_no_discipline() -> None:
    _, ex = _load("128-QD-UBKTHU", TAN_LAC)
    signed = _holding(ex, "đã ký 9 văn bản giao 9 thửa đất")
    assert [f.kind for f in signed] == ["han_che"]  # "NỘI DUNG VI PHẠM" after "(Kèm theo Quyết định …)"
    assert not _holding(ex, "biểu quyết")  # the votes of the cell and committees decide nothing themselves
    assert all("Lương Văn Toản" in f.text for f in ex.findings if f.kind == "ky_luat")
    assert not _holding(ex, "Nơi nhận")
