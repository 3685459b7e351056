"""More layouts, written for these tests (an invented district, huyện Vĩnh Khang): capital headings per
unit with "Ưu điểm: / Hạn chế: / Yêu cầu:" paragraphs and deadlines inside sentences; a report by
topic whose remedies are dash lists followed by "Thời hạn hoàn thành:" lines, with a discipline
inside it; a unit list that names the kind of unit once."""

from __future__ import annotations

from knowledge.documents.metadata import extract_metadata
from knowledge.findings.document import extract_document
from knowledge.findings.models import Extraction
from knowledge.models import LoadedDocument

CAPITALS = """Thông báo kết luận kiểm tra (tài liệu thử, hư cấu)

HUYỆN ỦY VĨNH KHANG
*
Số 40-TB/HU

ĐẢNG CỘNG SẢN VIỆT NAM
Vĩnh Khang, ngày 02 tháng 9 năm 2026

THÔNG BÁO
KẾT LUẬN KIỂM TRA CÔNG TÁC XÂY DỰNG ĐẢNG

Thực hiện Kế hoạch số 15-KH/HU, từ ngày 10/8/2026 đến ngày 20/8/2026, Đoàn kiểm tra của Ban Thường vụ Huyện ủy đã tiến hành kiểm tra đối với 02 đảng ủy xã: Thanh Vân Hạ và Mỹ Khê Thượng.

I. ĐỐI VỚI ĐẢNG ỦY XÃ THANH VÂN HẠ

Ưu điểm: Đảng ủy xã đã ban hành đầy đủ quy chế làm việc nhiệm kỳ 2025 - 2030. Sinh hoạt chi bộ ở các thôn được duy trì nền nếp.

Hạn chế: Việc kết nạp đảng viên còn chậm, 8 tháng đầu năm mới kết nạp 01 đảng viên; 03 chi bộ thôn chưa tổ chức sinh hoạt chuyên đề.

Yêu cầu: Đảng ủy xã chỉ đạo 03 chi bộ thôn tổ chức sinh hoạt chuyên đề, hoàn thành trước ngày 30/9/2026; rà soát nguồn kết nạp đảng viên, hoàn thành trong quý IV năm 2026; chấn chỉnh việc ghi sổ nghị quyết của các chi bộ.

II. ĐỐI VỚI ĐẢNG ỦY XÃ MỸ KHÊ THƯỢNG

Ưu điểm: Đảng ủy xã lãnh đạo hoàn thành tốt nhiệm vụ phát triển kinh tế, kết nạp 06 đảng viên mới.

Hạn chế: Ủy ban Kiểm tra Đảng ủy xã chưa xây dựng chương trình giám sát năm 2026.

Yêu cầu: Ủy ban Kiểm tra Đảng ủy xã xây dựng, ban hành chương trình giám sát năm 2026 chậm nhất ngày 15 tháng 10 năm 2026.

Nơi nhận:
- Như trên.
"""

TOPICS = """Báo cáo kết quả kiểm tra, giám sát (tài liệu thử, hư cấu)

HUYỆN ỦY VĨNH KHANG
ỦY BAN KIỂM TRA
Số 12-BC/UBKTHU

BÁO CÁO
KẾT QUẢ KIỂM TRA, GIÁM SÁT ĐỐI VỚI MỘT SỐ TỔ CHỨC ĐẢNG

Thực hiện chương trình công tác năm 2026, Ủy ban Kiểm tra Huyện ủy đã tiến hành kiểm tra, giám sát đối với Đảng ủy xã Thanh Vân Hạ và Chi bộ Trường Trung học phổ thông Vĩnh Khang.

I. KẾT QUẢ

1. Về việc thực hiện quy chế làm việc

Chi bộ Trường Trung học phổ thông Vĩnh Khang thực hiện nghiêm quy chế làm việc, sinh hoạt chi bộ đúng định kỳ. Đảng ủy xã Thanh Vân Hạ chưa kịp thời sửa đổi quy chế làm việc khi có thay đổi về nhân sự.

2. Về thi hành kỷ luật đảng

Qua kiểm tra, Đảng ủy xã Thanh Vân Hạ đã thi hành kỷ luật khiển trách đối với đồng chí Nông Văn Bảy, đảng viên Chi bộ thôn 3, do vi phạm quy định về những điều đảng viên không được làm.

II. KIẾN NGHỊ

1. Đối với Đảng ủy xã Thanh Vân Hạ
- Sửa đổi, bổ sung quy chế làm việc của Ban Chấp hành Đảng bộ xã.
Thời hạn hoàn thành: trước ngày 31/10/2026.
- Chỉ đạo chi bộ thôn 3 kiểm điểm, rút kinh nghiệm.
Thời hạn hoàn thành: trong tháng 11/2026.
- Tăng cường giáo dục chính trị, tư tưởng cho đảng viên.

2. Đối với Chi bộ Trường Trung học phổ thông Vĩnh Khang
- Tiếp tục duy trì nền nếp sinh hoạt chi bộ, nâng cao chất lượng sinh hoạt chuyên đề.
Thời hạn hoàn thành: Quý IV/2026.
"""


def extract(name: str, text: str) -> Extraction:
    doc = LoadedDocument(doc_id=name, source=name, text=text, fmt="txt", sha256=name, size=len(text))
    return extract_document(text, extract_metadata(doc))


def records(ex: Extraction, unit: str, kind: str) -> list:
    return [f for f in ex.findings if f.unit == unit and f.kind == kind]


def test_capital_headings_with_labelled_paragraphs_and_deadlines_inside_sentences() -> None:
    ex = extract("tb-40", CAPITALS)
    a, b = "Đảng ủy xã Thanh Vân Hạ", "Đảng ủy xã Mỹ Khê Thượng"
    assert ex.inspected == (a, b)  # "02 đảng ủy xã: Thanh Vân Hạ và Mỹ Khê Thượng"
    assert ex.locality == "huyện Vĩnh Khang"
    assert len(records(ex, a, "uu_diem")) == 2 and len(records(ex, b, "uu_diem")) == 1
    assert any("mới kết nạp 01 đảng viên" in f.text for f in records(ex, a, "han_che"))
    remedies = records(ex, a, "yeu_cau")
    assert [f.deadline for f in remedies] == ["trước ngày 30/9/2026", "trong quý IV năm 2026", None]
    assert [f.due for f in remedies] == ["2026-09-30", "2026-12-31", None]
    (late,) = records(ex, b, "yeu_cau")
    assert late.deadline == "chậm nhất ngày 15 tháng 10 năm 2026" and late.due == "2026-10-15"
    assert not [f for f in ex.findings if f.unit not in (a, b)]


def test_topics_dash_remedies_with_deadline_lines_and_a_discipline_inside() -> None:
    ex = extract("bc-12", TOPICS)
    a, school = "Đảng ủy xã Thanh Vân Hạ", "Chi bộ Trường Trung học phổ thông Vĩnh Khang"
    assert ex.inspected == (a, school)
    assert any("chưa kịp thời sửa đổi quy chế" in f.text for f in records(ex, a, "han_che"))
    assert any("thực hiện nghiêm quy chế làm việc" in f.text for f in records(ex, school, "uu_diem"))
    (discipline,) = [f for f in ex.findings if f.kind == "ky_luat"]
    assert (discipline.unit, discipline.person, discipline.form) == (a, "Nông Văn Bảy", "Khiển trách")
    assert discipline.responsible == a
    assert [f.deadline for f in records(ex, a, "yeu_cau")] == ["trước ngày 31/10/2026", "trong tháng 11/2026", None]
    assert [f.deadline for f in records(ex, school, "yeu_cau")] == ["Quý IV/2026"]
