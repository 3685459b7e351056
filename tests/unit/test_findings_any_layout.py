"""Layouts where the unit is named only inside sentences (an invented district, huyện Tân Phong):
a supervision notice with two communes interleaved in one paragraph and deadlines written in words,
a half-year report by theme, a commune's own remedy plan as a text table, a programme whose targets
are prose and whose tasks are "Nhiệm vụ thứ …" paragraphs with a per-unit table."""

from __future__ import annotations

from knowledge.documents.metadata import extract_metadata
from knowledge.findings.deadlines import due_date, find_deadline, find_responsible
from knowledge.findings.document import extract_document
from knowledge.findings.models import Extraction
from knowledge.findings.structure import issuing_body, issuing_unit, party_units
from knowledge.models import LoadedDocument
from knowledge.question.intent import read
from knowledge.unit_names import unit_key

NOTICE = """(Văn bản thử, hư cấu)

HUYỆN ỦY TÂN PHONG                                   ĐẢNG CỘNG SẢN VIỆT NAM
ỦY BAN KIỂM TRA                                          ---------------
        *                                    Tân Phong, ngày 05 tháng 10 năm 2026
Số 31-TB/UBKTHU

THÔNG BÁO
kết luận giám sát chuyên đề đối với Ban Thường vụ Đảng ủy xã Hòa Mỹ
và Ban Thường vụ Đảng ủy xã Phú Sơn
-----

Từ ngày 10/8/2026 đến ngày 10/9/2026, Đoàn giám sát đã giám sát tại Ban Thường vụ Đảng ủy xã Hòa Mỹ và Ban Thường vụ Đảng ủy xã Phú Sơn. Ủy ban Kiểm tra Huyện ủy kết luận như sau:

1. Về ưu điểm:
Đảng ủy xã Hòa Mỹ ban hành kế hoạch đúng thời hạn, còn Đảng ủy xã Phú Sơn xây dựng mô hình "Chi bộ thôn Đồng Chiêm – đảng viên gương mẫu".

2. Về hạn chế, khuyết điểm và nguyên nhân:
Đảng ủy xã Phú Sơn ban hành kế hoạch chậm (ngày 20/12/2025); Đảng ủy xã Hòa Mỹ có 02 hồ sơ kết nạp đảng viên chưa đúng quy trình. Đảng ủy xã Phú Sơn đến tháng 9/2026 vẫn chưa kết nạp được đảng viên nào.

3. Yêu cầu:
Ủy ban Kiểm tra Huyện ủy yêu cầu Ban Thường vụ Đảng ủy xã Hòa Mỹ và Ban Thường vụ Đảng ủy xã Phú Sơn:
3.1. Xây dựng kế hoạch khắc phục, gửi Ủy ban Kiểm tra Huyện ủy chậm nhất ngày 01/11/2026.
3.2. Ban hành kế hoạch giám sát chuyên đề trong quý IV/2026; đồng chí Phó Bí thư Thường trực Đảng ủy xã chịu trách nhiệm chỉ đạo.
3.3. Đảng ủy xã Hòa Mỹ bổ sung 02 hồ sơ kết nạp đảng viên ngay sau khi nhận được thông báo; Đảng ủy xã Phú Sơn kết nạp ít nhất 03 đảng viên trước khi tổng kết năm 2026.

T/M ỦY BAN KIỂM TRA
"""

REPORT = """(Văn bản thử, hư cấu)

HUYỆN ỦY TÂN PHONG
Số 12-BC/HU

BÁO CÁO
sơ kết 6 tháng đầu năm 2026 thực hiện Chương trình số 03-CTr/HU

I. KẾT QUẢ THỰC HIỆN
1. Về sinh hoạt chi bộ
Đảng ủy Trung tâm Y tế huyện và Chi bộ Trường THPT Tân Phong duy trì 100% chi bộ sinh hoạt đúng kỳ. Đảng ủy xã Phú Sơn còn 4/12 chi bộ chưa sinh hoạt chuyên đề theo quý.

II. PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG CUỐI NĂM
1. Đảng ủy xã Phú Sơn bảo đảm 100% chi bộ sinh hoạt chuyên đề trong quý III/2026.
2. Ủy ban Kiểm tra Huyện ủy giám sát chuyên đề đối với Ban Thường vụ Đảng ủy xã Phú Sơn trong quý IV/2026.
"""

PLAN = """(Văn bản thử, hư cấu)

ĐẢNG BỘ HUYỆN TÂN PHONG                              ĐẢNG CỘNG SẢN VIỆT NAM
ĐẢNG ỦY XÃ HÒA MỸ                                      ---------------
Số 07-KH/ĐU

KẾ HOẠCH
khắc phục hạn chế, khuyết điểm theo Thông báo số 31-TB/UBKTHU

II. NỘI DUNG, BIỆN PHÁP KHẮC PHỤC

STT | Nội dung khắc phục | Bộ phận/người thực hiện | Thời gian hoàn thành
1 | Bổ sung 02 hồ sơ kết nạp đảng viên chưa đúng quy trình | Đồng chí Lê Văn An, Phó Bí thư Thường trực Đảng ủy | Xong ngày 25/10/2026
"""

PROGRAMME = """(Văn bản thử, hư cấu)

HUYỆN ỦY TÂN PHONG
Số 03-CTr/HU

CHƯƠNG TRÌNH
về phát triển đảng viên giai đoạn 2025–2030

II. MỤC TIÊU, CHỈ TIÊU
Mục tiêu chung là nâng cao chất lượng tổ chức cơ sở đảng. Cụ thể, toàn Đảng bộ kết nạp ít nhất 300 đảng viên mới, bình quân mỗi năm từ 60 đảng viên trở lên.

Chỉ tiêu giao cho các đảng bộ xã như sau:

| Đơn vị | Kết nạp đảng viên | Tỷ lệ chi bộ HTTNV |
| Đảng ủy xã Hòa Mỹ | 40 đảng viên | từ 85% trở lên |

III. NHIỆM VỤ, GIẢI PHÁP
Nhiệm vụ thứ nhất, nâng cao chất lượng sinh hoạt chi bộ. Sinh hoạt chuyên đề hằng quý.

Nhiệm vụ thứ hai, đẩy mạnh chuyển đổi số trong công tác đảng. Triển khai Sổ tay đảng viên điện tử.
"""


VIOLATIONS = """(Văn bản thử, hư cấu)

HUYỆN ỦY TÂN PHONG                                   ĐẢNG CỘNG SẢN VIỆT NAM
ỦY BAN KIỂM TRA                                          ---------------
        *                                    Tân Phong, ngày 20 tháng 11 năm 2026
Số 45-TB/UBKTHU

THÔNG BÁO
kết luận kiểm tra khi có dấu hiệu vi phạm đối với Ban Thường vụ Đảng ủy xã Hòa Mỹ và đồng chí Trần Văn Bình, Bí thư Đảng ủy xã

Thực hiện Quyết định số 40-QĐ/UBKTHU ngày 01/9/2026, Đoàn kiểm tra đã kiểm tra khi có dấu hiệu vi phạm đối với Ban Thường vụ Đảng ủy xã Hòa Mỹ và đồng chí Trần Văn Bình. Ủy ban Kiểm tra Huyện ủy kết luận như sau:

I. VI PHẠM
1. Ban Thường vụ Đảng ủy xã Hòa Mỹ buông lỏng lãnh đạo việc quản lý thu chi quỹ xây dựng đường giao thông thôn, để thất thoát 120 triệu đồng.
2. Đồng chí Trần Văn Bình, Bí thư Đảng ủy xã, chỉ đạo chi sai mục đích 120 triệu đồng quỹ xây dựng đường giao thông thôn.

II. KỶ LUẬT
Ủy ban Kiểm tra Huyện ủy quyết định thi hành kỷ luật bằng hình thức Khiển trách đối với Ban Thường vụ Đảng ủy xã Hòa Mỹ; đề nghị Ban Thường vụ Huyện ủy thi hành kỷ luật bằng hình thức Cảnh cáo đối với đồng chí Trần Văn Bình.

III. YÊU CẦU KHẮC PHỤC
1. Ban Thường vụ Đảng ủy xã Hòa Mỹ chỉ đạo thu hồi đủ 120 triệu đồng nộp vào quỹ trước ngày 31/12/2026.
2. Tổ chức kiểm điểm, rút kinh nghiệm trong Đảng ủy xã; báo cáo kết quả về Ủy ban Kiểm tra Huyện ủy trong tháng 01/2027.
"""


def extract(name: str, text: str) -> Extraction:
    doc = LoadedDocument(doc_id=name, source=name, text=text, fmt="txt", sha256=name, size=len(text))
    return extract_document(text, extract_metadata(doc))


def texts(ex: Extraction, unit: str, kind: str) -> list[str]:
    return [f.text for f in ex.findings if f.unit == unit and f.kind == kind]


HOA_MY, PHU_SON = "Đảng ủy xã Hòa Mỹ", "Đảng ủy xã Phú Sơn"


def test_unit_names_are_read_whole_inside_sentences() -> None:
    names = [n for _, _, n in party_units(
        "Đảng ủy Trung tâm Y tế huyện kết nạp 2 đảng viên; Chi bộ Bệnh viện Đa khoa quận Hòa Bình sinh hoạt"
        " chưa đều; Chi bộ Tổ dân phố số 4 và Chi bộ Trường Trung học cơ sở Tân Lập; Đảng ủy xã chịu trách nhiệm."
    )]
    assert names == [
        "Đảng ủy Trung tâm Y tế huyện", "Chi bộ Bệnh viện Đa khoa quận Hòa Bình", "Chi bộ Tổ dân phố số 4",
        "Chi bộ Trường Trung học cơ sở Tân Lập",
    ]
    # a standing committee answers for its unit: one unit, one key
    assert unit_key("Ban Thường vụ Đảng ủy xã Phú Sơn") == unit_key("ĐU xã Phú Sơn") == "xa phu son"


def test_interleaved_units_each_get_their_findings_and_the_lead_in_units_get_the_items() -> None:
    ex = extract("tb-31", NOTICE)
    assert ex.inspected == (HOA_MY, PHU_SON)  # no "-----" of the title's rule line in a name
    assert any("ban hành kế hoạch chậm (ngày 20/12/2025)" in t for t in texts(ex, PHU_SON, "han_che"))
    assert any("vẫn chưa kết nạp được đảng viên nào" in t for t in texts(ex, PHU_SON, "han_che"))
    assert any("02 hồ sơ kết nạp" in t for t in texts(ex, HOA_MY, "han_che"))
    # "Nguyên nhân" in the heading does not hide the shortcomings above it
    # a model's name in quotation marks is no unit
    assert not [f for f in ex.findings if f.unit and "Đồng Chiêm" in f.unit]
    for unit in (HOA_MY, PHU_SON):  # "yêu cầu A và B:" then numbered items for both
        assert any(f.deadline == "chậm nhất ngày 01/11/2026" for f in ex.findings if f.unit == unit)
    directed = [f for f in ex.findings if f.unit == PHU_SON and f.deadline == "trong quý IV/2026"]
    assert directed and "Phó Bí thư Thường trực" in (directed[0].responsible or "")
    now = next(f for f in ex.findings if f.unit == HOA_MY and "bổ sung 02 hồ sơ" in f.text)
    assert now.deadline == "ngay sau khi nhận được thông báo" and now.due == "2026-10-05"
    year_end = next(f for f in ex.findings if f.unit == PHU_SON and "ít nhất 03 đảng viên" in f.text)
    assert year_end.deadline == "trước khi tổng kết năm 2026" and year_end.due == "2026-12-31"


def test_a_report_by_theme_gives_each_unit_it_names_its_findings() -> None:
    ex = extract("bc-12", REPORT)
    assert ex.doc_kind == "report"
    assert texts(ex, "Đảng ủy Trung tâm Y tế huyện", "uu_diem")
    assert texts(ex, "Chi bộ Trường THPT Tân Phong", "uu_diem")
    assert any("4/12 chi bộ" in t for t in texts(ex, PHU_SON, "han_che"))
    # what the commune must do is its own; what the inspection committee will do to it is not
    assert any("100% chi bộ sinh hoạt chuyên đề" in t for t in texts(ex, PHU_SON, "yeu_cau"))
    assert not [t for t in texts(ex, PHU_SON, "yeu_cau") if t.startswith("Ủy ban Kiểm tra")]


def test_a_units_own_remedy_plan_is_that_units_with_the_deadline_cell_as_written() -> None:
    assert issuing_unit(PLAN) == HOA_MY
    ex = extract("kh-07", PLAN)
    (row,) = [f for f in ex.findings if "02 hồ sơ" in f.text]
    assert row.unit == HOA_MY and row.deadline == "Xong ngày 25/10/2026" and row.due == "2026-10-25"
    assert "Lê Văn An" in (row.responsible or "")


def test_prose_targets_table_quotas_and_ordinal_tasks_of_a_programme() -> None:
    ex = extract("ctr-03", PROGRAMME)
    targets = [i.text for i in ex.items if i.part == "target"]
    assert any("ít nhất 300 đảng viên mới" in t for t in targets)
    (quota,) = [i for i in ex.items if i.part == "quota"]
    assert quota.unit == HOA_MY and "40 đảng viên" in quota.text and "từ 85% trở lên" in quota.text
    assert quota.number == ""  # a table row is no numbered target
    tasks = {i.number: i.text for i in ex.items if i.part == "task"}
    assert tasks["2"].startswith("Nhiệm vụ thứ hai, đẩy mạnh chuyển đổi số")


def test_deadline_and_responsible_phrases() -> None:
    assert find_deadline("hoàn thành trong tháng 11/2026") == "trong tháng 11/2026"
    assert due_date("trong tháng 11/2026") == "2026-11-30"
    assert due_date("đến hết năm 2026") == "2026-12-31"
    assert find_deadline("khiếu nại trong thời hạn một tháng kể từ ngày nhận quyết định")
    assert find_responsible("đồng chí Bí thư Đảng ủy xã chịu trách nhiệm chủ trì") == "đồng chí Bí thư Đảng ủy xã"


def test_question_forms_with_abbreviations_and_plain_words() -> None:
    assert read("Những ĐU nào chưa ban hành kế hoạch giám sát?").which
    assert read("6 tháng đầu năm xã Yên Phú còn yếu ở những mặt nào?").kinds == ("han_che",)
    assert read("Đoàn kiểm tra số 3 làm việc tại những đơn vị nào?").inspected


def test_a_notice_on_signs_of_violation_with_sections_for_violations_discipline_and_remedies() -> None:
    ex = extract("tb-45", VIOLATIONS)
    assert ex.doc_kind == "discipline" and ex.inspected == (HOA_MY,)
    violations = [f for f in ex.findings if f.kind == "han_che"]
    assert [f.person for f in violations] == [None, "Trần Văn Bình"]  # the committee's, then the member's
    decisions = [(f.person, f.form, f.responsible) for f in ex.findings if f.kind == "ky_luat"]
    assert decisions == [
        (None, "Khiển trách", "Ủy ban Kiểm tra Huyện ủy"),  # the committee as a body
        ("Trần Văn Bình", "Cảnh cáo", "Ban Thường vụ Huyện ủy"),  # the member, proposed to the district
    ]
    remedies = [f for f in ex.findings if f.kind == "yeu_cau"]
    assert [f.unit for f in remedies] == [HOA_MY, HOA_MY]  # the second names no unit: the notice's
    assert [f.due for f in remedies] == ["2026-12-31", "2027-01-31"]


def test_the_author_of_a_document_from_its_header_even_with_the_columns_joined() -> None:
    assert issuing_body(NOTICE) == "Ủy ban Kiểm tra Huyện ủy Tân Phong"
    joined = "HUYỆN ỦY TÂN PHONG ĐẢNG CỘNG SẢN VIỆT NAM ỦY BAN KIỂM TRA ---------------\n* Tân Phong, ngày 05"
    assert issuing_body(joined) == "Ủy ban Kiểm tra Huyện ủy Tân Phong"
    assert issuing_body(PLAN) is None  # a commune's committee signs for itself: no body above it
