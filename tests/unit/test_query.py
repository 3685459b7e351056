"""Query understanding: abbreviations, codes, units, the user's unit, follow-ups."""

import pytest

from knowledge.models import Turn
from knowledge.question.codes import detect_codes, leading_document
from knowledge.question.dialogue import is_followup, question_part
from knowledge.question.focus import answer_type
from knowledge.question.frame import Reader, detect_units, read_question, resolve_my_unit
from knowledge.question.glossary import Glossary
from knowledge.question.thesaurus import Thesaurus


def analyze(question: str, *, glossary: Glossary, known_units: list[str], history: list[Turn] | None = None):
    return read_question(question, Reader(glossary, Thesaurus.load(), known_units), history=history or [])

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


def _ask(question: str, history: list[Turn] | None = None):
    return analyze(question, glossary=Glossary.load(), known_units=UNITS, history=history or [])


def test_followup_rewritten_with_the_previous_question() -> None:
    history = [Turn("Đoàn kiểm tra làm việc tại phường Sài Đồng từ ngày nào?")]
    assert is_followup("còn phường Cự Khối thì sao?")
    q = _ask("còn phường Cự Khối thì sao?", history)
    assert q.rewritten and q.text == "Đoàn kiểm tra làm việc tại phường Cự Khối từ ngày nào?"
    assert not _ask("Điều lệ Đảng có bao nhiêu chương?", history).rewritten


def test_a_new_self_contained_topic_does_not_inherit_the_previous_one() -> None:
    archive = [Turn("Phông lưu trữ Đảng?")]
    assert not _ask("Thẻ đảng viên?", archive).rewritten
    full = [Turn("Thời hạn nộp hồ sơ vào lưu trữ hiện hành là bao lâu?")]
    assert not _ask("Lễ kết nạp đảng viên được trang trí như thế nào?", full).rewritten
    # a bare noun phrase right after a full question continues it
    assert _ask("phường Cự Khối?", [Turn("Kết quả kiểm tra phường Sài Đồng thế nào?")]).text == (
        "Kết quả kiểm tra phường Cự Khối thế nào?"
    )
    assert is_followup("trường hợp đó xử lý ra sao?", "Đảng viên bỏ sinh hoạt 3 tháng thì sao?")


def test_a_long_message_is_answered_from_its_question_sentences() -> None:
    background = "Chi bộ chúng tôi ở một phường lớn, có nhiều đảng viên là cán bộ hưu trí và sinh viên. " * 8
    message = background + "Xin hỏi đảng viên chuyển sinh hoạt đảng cần những giấy tờ gì?"
    assert len(message) > 600
    assert question_part(message) == "Xin hỏi đảng viên chuyển sinh hoạt đảng cần những giấy tờ gì?"


def test_units_and_years_named_in_passing_do_not_block_a_rule_question() -> None:
    q = _ask("Đảng viên phường Phúc Lợi chuyển sinh hoạt đảng cần hồ sơ gì?")
    assert "Phúc Lợi" not in q.text and q.unknown_units == () and "phường Phúc Lợi" in q.incidental
    q = _ask("Năm 2026 chi bộ phải làm gì khi kết nạp đảng viên?")
    assert "2026" not in q.text
    q = _ask("Chi bộ trường THCS Ngọc Thụy có bao nhiêu đảng viên thì được bầu chi ủy?")
    assert "Ngọc Thụy" not in q.text
    # but a question about what was found at a unit keeps it
    q = _ask("Kết quả kiểm tra phường Phúc Đồng năm 2018 ra sao?")
    assert q.unknown_units == ("phường Phúc Đồng",) and "2018" in q.text


def test_a_question_about_a_document_names_it_first() -> None:
    assert leading_document("Nghị định số 278/2025/NĐ-CP quy định danh mục những gì?") == "278/2025/NĐ-CP"
    assert leading_document("Theo QĐ 384-QĐ/TW, ai là chủ sở hữu dữ liệu?") == "384-QĐ/TW"
    assert leading_document("Đoàn kiểm tra Chương trình 01-CTr/QU đã kiểm tra bao nhiêu đơn vị?") is None


def test_analyze_combines_everything() -> None:
    q = analyze("doan kiem tra MTTQ quyet dinh 271", glossary=Glossary.load(), known_units=UNITS)
    assert not q.accented
    assert q.codes and q.codes[0].number == 271
    assert "Mặt trận Tổ quốc" in q.expansions


def test_unknown_units_named_in_a_question_are_flagged() -> None:
    q = analyze("Kết quả kiểm tra phường Phúc Đồng ra sao?", glossary=Glossary.load(), known_units=UNITS)
    assert q.unknown_units == ("phường Phúc Đồng",)
    q = analyze("Kết quả kiểm tra phường Sài Đồng ra sao?", glossary=Glossary.load(), known_units=UNITS)
    assert q.unknown_units == () and q.units == ("phường Sài Đồng",)
    assert analyze("các xã, phường phải làm gì", glossary=Glossary.load(), known_units=UNITS).unknown_units == ()


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
    assert (answer_type(question) == "units") is expected


def _reader_with(*titles: str) -> Reader:
    from knowledge.models import DocumentMeta
    from knowledge.question.references import DocumentNames

    docs = [DocumentMeta(doc_id=f"d{i}", title=t) for i, t in enumerate(titles)]
    return Reader(Glossary.load(), Thesaurus.load(), [], documents=DocumentNames(docs))


def test_the_words_that_say_where_to_look_are_not_the_topic() -> None:
    reader = _reader_with("Điều lệ Đảng Cộng sản Việt Nam", "Quy định thi hành Điều lệ Đảng", "Quy định về công tác lưu trữ")
    # the verb after a document's name and "người" before a person noun say nothing of the topic
    q = read_question("Điều lệ Đảng quy định người đảng viên có những nhiệm vụ gì?", reader)
    assert q.documents == ("d0",)
    assert [t.key for t in q.focus.terms] == ["đảng_viên", "nhiệm_vụ"]
    # "theo quy định hiện hành" is how rule questions talk: it names no document and no topic
    q = read_question("Theo quy định hiện hành, chi bộ họp mấy lần?", reader)
    assert q.documents == ()
    assert "hiện_hành" not in [t.key for t in q.focus.terms] and "quy_định" not in [t.key for t in q.focus.terms]
    # a kind with title words after it still names its document; "người" before a role is a word
    q = read_question("Theo Quy định thi hành Điều lệ Đảng, người giới thiệu phải là ai?", reader)
    assert q.documents == ("d1",)
    assert any("người" in t.key for t in q.focus.terms)


def test_the_asker_speaking_of_themself_is_no_topic() -> None:
    from knowledge.question.focus import question_terms

    keys = [t.key for t in question_terms("Mình mới được kết nạp, chi bộ tôi có 7 đảng viên thì sao?")]
    assert "mình" not in keys and "tôi" not in keys and "chi_bộ" in keys
    assert "chứng_minh" in [t.key for t in question_terms("Cần giấy tờ chứng minh gì?")]


def test_a_count_is_given_only_by_a_number_of_the_thing_asked_with_its_qualifier() -> None:
    from knowledge.question.focus import count_not_given

    records = (
        "III. YÊU CẦU KHẮC PHỤC\n4. Chi bộ Đồn Biên phòng Khau Vai: lập sổ theo dõi đảng viên phụ trách hộ gia đình.\n"
        "5. Đảng ủy xã Lũng Tao: đôn đốc thu đủ đảng phí còn thiếu của 17 đảng viên trong tháng 10/2026.\n"
        "- Chi bộ phân công 21 đảng viên phụ trách 146 hộ gia đình ở 3 thôn giáp biên."
    )
    excellent = "nam 2025 chi bo don bien phong co bao nhieu dang vien duoc xep loai hoan thanh xuat sac nhiem vu?"
    assert count_not_given(excellent, records) == "dang vien"
    assert count_not_given("Có bao nhiêu đảng viên được xếp loại hoàn thành xuất sắc nhiệm vụ?", records) == "đảng viên"
    assert count_not_given("Chi bộ phân công bao nhiêu đảng viên phụ trách hộ gia đình?", records) is None
    people = "Chưa hoàn thành phiếu bổ sung hồ sơ đảng viên (lần lượt 11 và 4 đảng viên)."
    assert count_not_given("Đơn vị nào chưa hoàn thành phiếu, mỗi nơi còn bao nhiêu người?", people) is None
    headed = '1. Về mô hình "Dân vận khéo"\nToàn thị xã đăng ký 57 mô hình, đã công nhận 19 mô hình cấp thị.'
    assert count_not_given("6 tháng đầu năm công nhận bao nhiêu mô hình dân vận khéo?", headed) is None
    assert count_not_given("Bộ máy tổ chức gồm những gì?", records) is None  # "máy" is no "mấy"
    assert count_not_given("Nợ bao nhiêu tiền?", records) is None  # money is checked apart


def test_thi_of_a_name_or_a_town_committee_is_no_condition() -> None:
    from knowledge.question.frame import is_conditional

    assert not is_conditional("Đồng chí Trịnh Thị Mai Phương bị kỷ luật theo quyết định số mấy?")
    assert not is_conditional("BTV Thị ủy yêu cầu những gì?")
    assert is_conditional("Đảng viên bị kỷ luật thì có được bầu vào cấp ủy không?")
    assert is_conditional("dang vien bi ky luat thi co duoc bau cap uy khong")
    assert not is_conditional("ban thuong vu thi uy yeu cau gi")
