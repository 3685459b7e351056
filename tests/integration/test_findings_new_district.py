"""The Yên Khê documents (``../shared/eval/findings_yenkhe``, six layouts the fixtures do not have),
indexed on their own with the fake embedder: the answers a cadre of that district gets."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.services import BotServices
from knowledge.access import PUBLIC
from knowledge.eval.harness import load_corpus
from knowledge.findings.evaluate import Tally, score_folder
from knowledge.services.compose import build_services
from knowledge.settings import KnowledgeSettings
from tests.fakes.embedder import HashEmbeddings

SAMPLES = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "samples"
EXPECTED = Path(__file__).resolve().parents[1] / "fixtures" / "findings_yenkhe" / "expected_records.json"


@pytest.fixture(scope="module")
def services(tmp_path_factory, shared_dir):
    s = build_services(KnowledgeSettings(data_dir=tmp_path_factory.mktemp("yenkhe") / "data"), embeddings=HashEmbeddings())
    # a rule that names central bodies, and the seed news item about another district's inspection
    rules = [d for d in load_corpus(SAMPLES) if d.doc_id.startswith(("294-QD-TW", "long-bien"))]
    s.ingest.ingest_documents(load_corpus(shared_dir / "eval" / "findings_yenkhe") + rules)
    return s


def ask(services, question: str):
    return services.engine.answer(question)


def test_a_unit_stated_in_the_question_is_used(services) -> None:
    a = ask(services, "Đơn vị tôi là Đảng ủy xã Đồng Lạc, phải khắc phục gì, đến bao giờ?")
    assert not a.declined
    for deadline in ("chậm nhất ngày 15/11/2026", "ngay sau khi nhận được thông báo", "trước khi tổng kết năm 2026"):
        assert deadline in a.text


def test_a_whole_unit_name_and_a_report_by_theme(services) -> None:
    a = ask(services, "Trung tâm Y tế huyện được đánh giá ưu điểm gì?")
    assert not a.declined and "Trung tâm Y tế huyện" in a.text and "98,2%" in a.text


def test_the_document_the_question_names_is_the_source(services) -> None:
    a = ask(services, "Xã Thạch Lỗi còn những hạn chế gì theo kết luận giám sát của UBKT Huyện ủy?")
    assert "05 trường hợp xây dựng công trình trái phép" in a.text
    assert "52,4%" not in a.text  # the half-year report's figure, not the conclusion's


def test_unknown_unit_and_year_and_person_by_post(services) -> None:
    other = ask(services, "Chi bộ HTX Nông nghiệp Đồng Lạc được kiểm tra thì bị chỉ ra hạn chế gì?")
    assert other.declined and "Hợp tác xã Nông nghiệp Đồng Lạc" in other.text  # HTX written out
    year = ask(services, "Năm 2024 Đảng ủy xã Thạch Lỗi kết nạp được bao nhiêu đảng viên?")
    assert year.declined and "2024" in year.text
    post = ask(services, "Đ/c Phó Chủ tịch UBND xã Thạch Lỗi bị kỷ luật vì những vi phạm gì?")
    assert not post.declined and "Vũ Đình Lâm" in post.text and "Quy định số 37-QĐ/TW" in post.text
    assert "Xét Báo cáo số 21-BC/ĐKT" not in post.text  # what the decision considered is no violation


def test_programme_targets_tasks_and_quotas(services) -> None:
    a = ask(services, "CTr 07-CTr/HU đặt chỉ tiêu kết nạp bao nhiêu đảng viên cho cả giai đoạn 2025–2030?")
    assert "ít nhất 420 đảng viên mới" in a.text
    a = ask(services, "Nhiệm vụ thứ tư trong Chương trình 07 của HU là gì?")
    assert "chuyển đổi số" in a.text


def test_a_units_quota_without_naming_the_programme(services) -> None:
    a = ask(services, "Xã Yên Phú được giao chỉ tiêu kết nạp bao nhiêu đảng viên?")
    assert "60 đảng viên" in a.text and "07-CTr/HU" in a.text
    assert "Chỉ tiêu số" not in a.text  # a table row carries no target number


def test_remedies_of_a_unit_come_from_the_conclusion_first_and_exclude_the_inspectors_own_tasks(services) -> None:
    a = ask(services, "Đảng ủy xã Đồng Lạc phải khắc phục những gì?")
    lines = [line for line in a.text.splitlines() if line.startswith("•")]
    assert "chậm nhất ngày 15/11/2026" in lines[0]
    assert not [line for line in lines if line.startswith("• Ủy ban Kiểm tra Huyện ủy giám sát")]


def test_the_unit_picker_lists_the_districts_units_not_bodies_a_rule_names(services) -> None:
    assert any("Quốc hội" in u for d in services.engine.documents() for u in d.units)  # the rule names it
    picker = BotServices(engine=services.engine, findings=services.findings).unit_choices(PUBLIC)
    assert "Đảng ủy xã Đồng Lạc" in picker and "Đảng ủy Trung tâm Y tế huyện" in picker
    assert not [u for u in picker if "Quốc hội" in u or "Ngoại giao" in u or "Hà Nội" in u]
    assert picker == services.findings.units(PUBLIC)  # the same list /tendonvi is made from


def test_a_remedy_past_its_deadline_is_flagged_overdue(services) -> None:
    question = "Đảng ủy xã Thạch Lỗi phải xử lý 05 trường hợp xây dựng trái phép trước ngày nào?"
    before = services.findings.answer(question, today=date(2026, 12, 1))
    after = services.findings.answer(question, today=date(2027, 1, 5))
    assert "trước ngày 31/12/2026" in before.text and "quá hạn" not in before.text
    assert "trước ngày 31/12/2026" in after.text and "đã quá hạn" in after.text


def test_what_an_inspection_found_for_its_units_together(services) -> None:
    seed = ask(services, "Qua kiểm tra 04 đảng ủy cơ sở còn những hạn chế, tồn tại gì?")
    assert not seed.declined and "ban hành nhiều nghị quyết chuyên đề" in seed.text
    team = ask(services, "Các đơn vị được đoàn kiểm tra số 3 kiểm tra có ưu điểm gì?")
    assert "21/21 chi bộ tổ dân phố" in team.text and "y đức" in team.text
    assert "Đoàn kiểm tra số 1" not in team.text  # another team's work at other units is no finding of this one


def test_extraction_of_the_districts_documents_matches_the_records_written_by_hand(shared_dir) -> None:
    by_kind: dict[str, Tally] = {}
    for kinds in score_folder(shared_dir / "eval" / "findings_yenkhe", EXPECTED).values():
        for kind, tally in kinds.items():
            by_kind.setdefault(kind, Tally()).add(tally)
    assert set(by_kind) == {"han_che", "uu_diem", "yeu_cau", "ky_luat", "programme"}
    for kind, t in by_kind.items():
        assert t.recall is not None and t.recall >= 0.95, (kind, t.misses)
        assert t.fields_ok >= 0.95 * t.found, (kind, t.misses)


def test_programme_questions_a_cadre_asks(services) -> None:
    duty = ask(services, "Chương trình 07 giao Văn phòng Huyện ủy làm gì?")
    assert "Văn phòng Huyện ủy chủ trì triển khai chuyển đổi số" in duty.text
    committee = ask(services, "Theo CTr 07 UBKT Huyện ủy có nhiệm vụ gì?")  # the body's duties, not the task list
    assert "giám sát chuyên đề ít nhất 02 đảng bộ" in committee.text and "Nhiệm vụ thứ nhất" not in committee.text
    rated = ask(services, "Chương trình 07 yêu cầu hằng năm bao nhiêu % đảng viên hoàn thành tốt nhiệm vụ?")
    assert "từ 90% đảng viên trở lên" in rated.text  # "hoàn thành tốt nhiệm vụ" is a rating, not the tasks
    figure = ask(services, "Chương trình 07 yêu cầu kết nạp bao nhiêu đảng viên?")
    assert "ít nhất 420 đảng viên mới" in figure.text  # the target with the figure, not the task that mentions it


def test_a_units_shortcomings_the_deadline_of_its_plan_and_a_quota_it_was_not_given(services) -> None:
    unit = ask(services, "dang uy xa thach loi con han che gi")
    first = next(line for line in unit.text.splitlines() if line.startswith("•"))
    assert "Vũ Đình Lâm" not in first  # a member's own violations are not what the unit was found to lack
    plan = ask(services, "Hạn chót xã Đồng Lạc nộp kế hoạch khắc phục là khi nào?")
    first = next(line for line in plan.text.splitlines() if line.startswith("•"))
    assert "chậm nhất ngày 15/11/2026" in first  # "kế hoạch" here is what is asked for, not the source
    quota = ask(services, "Chi bộ Trường THPT Yên Khê được giao chỉ tiêu kết nạp bao nhiêu?")
    assert quota.declined and "không giao chỉ tiêu riêng" in quota.text and "Đảng ủy xã Yên Phú" in quota.text
