"""Findings questions answered from the records: the right unit, quoted and cited, honest when the documents are silent."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from knowledge.eval.harness import load_corpus, load_questions
from knowledge.findings.evaluate import answer_recall
from knowledge.models import Answer, Turn
from knowledge.services.compose import build_services
from knowledge.settings import KnowledgeSettings
from tests.fakes.embedder import HashEmbeddings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "findings"


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    s = build_services(KnowledgeSettings(data_dir=tmp_path_factory.mktemp("findings") / "data"), embeddings=HashEmbeddings())
    s.ingest.ingest_documents(load_corpus(FIXTURES))  # top level only, as the harness loads it: never heldout/
    return s


def assert_quoted_and_cited(services, answer: Answer) -> None:
    """Every citation resolves to a stored chunk that holds its quote, and every cited line carries that quote."""
    assert answer.citations
    quotes = {c.n: c.quote.split(" … ") for c in answer.citations}
    for c in answer.citations:
        chunk = services.engine.chunk(c.chunk_id)
        assert chunk is not None and all(q in chunk.text for q in quotes[c.n])
    for line in answer.text.splitlines():
        m = re.search(r"\[(\d+)\]$", line)
        if m:
            assert any(q in line for q in quotes[int(m.group(1))]), line


def test_a_wards_shortcomings_come_from_that_ward_only(services) -> None:
    answer = services.engine.answer("Phường An Phú còn hạn chế gì?")
    assert not answer.declined and answer.mode == "findings"
    for fact in ("mới kết nạp được 02 đảng viên mới", "07/24 chi bộ", "mới đạt 81%"):
        assert fact in answer.text
    for neighbour in ("68%", "78%", "85%", "03/18"):  # the company's, Tân Lập's and Đông Hải's figures
        assert neighbour not in answer.text
    assert_quoted_and_cited(services, answer)
    assert all(c.doc_id == "02_thong-bao-ket-luan_per-unit" for c in answer.citations)
    assert any("Đảng ủy phường An Phú" in c.section for c in answer.citations)


def test_my_unit_remedies_and_deadlines(services) -> None:
    answer = services.engine.answer("Đơn vị tôi phải khắc phục những gì, đến khi nào?", unit="phường Tân Lập")
    assert not answer.declined
    assert "trong quý IV/2026" in answer.text and "trong năm 2026" in answer.text and "Quý IV/2026" in answer.text
    line = next(x for x in answer.text.splitlines() if "rút kinh nghiệm việc chậm ban hành kế hoạch" in x)
    assert "không nêu thời hạn" in line  # no invented deadline for the one remedy without
    assert "Bệnh viện" not in answer.text and "An Phú" not in answer.text
    assert_quoted_and_cited(services, answer)


def test_my_unit_without_a_unit_set_says_so(services) -> None:
    answer = services.engine.answer("Đơn vị tôi còn hạn chế gì?")
    assert answer.declined and "Chưa biết đơn vị của bạn" in answer.text


def test_which_units_have_not_done_something(services) -> None:
    answer = services.engine.answer("Những đơn vị nào chưa ban hành kế hoạch thực hiện Chương trình 05-CTr/QU đúng thời hạn?")
    assert "Đảng ủy phường Tân Lập" in answer.text and "Chi bộ Bệnh viện Đa khoa quận Hòa Bình" in answer.text
    assert "Trường Trung học cơ sở" not in answer.text  # it issued its plan on time
    assert_quoted_and_cited(services, answer)


@pytest.mark.parametrize("question", [
    "Thời hạn xét công nhận đảng viên chính thức là bao lâu?",  # a deadline, but of a rule
    "Ai chịu trách nhiệm giới thiệu người vào Đảng?",
    "Những đơn vị nào được tặng Huy hiệu Đảng?",  # "which units", but about a rule
    "Chi bộ nào phải sinh hoạt chuyên đề?",
])
def test_rule_questions_are_not_answered_from_the_findings(services, question: str) -> None:
    """Shared syllables ("tăng cường" ~ "tặng", "hiệu quả" ~ "huy hiệu") must not pull findings into a rule's answer."""
    assert services.engine.answer(question).mode != "findings"


def test_discipline_which_unit_which_form_and_why(services) -> None:
    units = services.engine.answer("Đơn vị nào bị kỷ luật, hình thức gì?")
    assert "Chi bộ Ban Quản lý dự án đầu tư xây dựng quận Hòa Bình" in units.text and "Khiển trách" in units.text
    person = services.engine.answer("Đồng chí Phạm Văn Khải bị kỷ luật hình thức gì, vì sao?")
    assert "Cảnh cáo" in person.text and "chưa có biên bản nghiệm thu" in person.text
    assert "Hồ Thị Nga" not in person.text
    assert_quoted_and_cited(services, person)


def test_inspection_result_of_the_court_however_it_is_named(services) -> None:
    for question in ("Kết quả kiểm tra ở Tòa án nhân dân quận thế nào?", "ket qua kiem tra o TAND quan the nao"):
        answer = services.engine.answer(question)
        assert "ngày 05 hằng tháng" in answer.text, question
        assert "chưa xây dựng chương trình kiểm tra, giám sát năm 2026" in answer.text, question


def test_programme_targets_and_the_third_task(services) -> None:
    targets = services.engine.answer("Chương trình 05-CTr/QU đặt ra những chỉ tiêu gì?")
    assert targets.text.count("\n") >= 8 and "350 đảng viên mới" in targets.text and "05 tổ chức đảng" in targets.text
    assert_quoted_and_cited(services, targets)
    task = services.engine.answer("Nhiệm vụ thứ 3 của chương trình là gì?")
    assert "Tăng cường công tác kiểm tra, giám sát và thi hành kỷ luật đảng" in task.text
    assert "ban hành trong quý I" in task.text  # its point a)
    quota = services.engine.answer("CTr 05 giao phường Bình Minh kết nạp bao nhiêu đảng viên mới?")
    assert "50 đảng viên" in quota.text and "60 đảng viên" not in quota.text


@pytest.mark.parametrize(
    ("question", "says"),
    [
        ("Kết quả kiểm tra việc thực hiện Chương trình 05 tại phường Bình Minh thế nào?", "Không tìm thấy kết quả kiểm tra"),
        ("Đảng ủy phường Hòa Xuân còn những hạn chế gì?", "Không tìm thấy kết quả kiểm tra"),
        ("phuong phuc dong con han che gi", "Không tìm thấy kết quả kiểm tra"),
        ("Đảng ủy phường Tân Lập phải hoàn thành kiểm điểm việc chậm ban hành kế hoạch trước ngày nào?", "không nêu thời hạn"),
        ("Đồng chí Nguyễn Văn Cường có bị kỷ luật không?", "Không tìm thấy quyết định kỷ luật"),
        ("Chương trình 07-CTr/QU đặt ra những chỉ tiêu gì?", "Không tìm thấy 07-CTr/QU"),
    ],
)
def test_the_documents_silence_is_said_plainly(services, question: str, says: str) -> None:
    answer = services.engine.answer(question)
    assert answer.declined and says in answer.text
    for neighbour in ("An Phú", "Tân Lập (78%)", "Phạm Văn Khải", "350 đảng viên"):
        assert neighbour not in answer.text


def test_follow_up_about_another_unit(services) -> None:
    history = [Turn("Đảng ủy phường An Phú còn hạn chế gì?", units=("Đảng ủy phường An Phú",))]
    answer = services.engine.answer("còn phường Tân Lập thì sao?", history)
    assert answer.rewritten_question and "Tân Lập" in answer.rewritten_question
    assert "mới kết nạp 01 đảng viên" in answer.text and "07/24" not in answer.text


def test_unit_summary_and_remedies_due_within_thirty_days(services) -> None:
    summary = services.findings.unit_summary("ĐU P. An Phú")
    assert summary is not None and summary.unit == "Đảng ủy phường An Phú"
    assert [m.doc_id for m in summary.inspected_in] == ["04_ke-hoach-khac-phuc_table", "02_thong-bao-ket-luan_per-unit", "05_tin-bai-kiem-tra"]
    assert {f.finding.kind for f in summary.findings} == {"uu_diem", "han_che", "yeu_cau"}
    assert summary.open_remedies[0].finding.due == "2026-06-30"
    due = services.findings.due_remedies("phường An Phú", within_days=30, today=date(2026, 6, 10))
    assert {r.due for r in due} == {"2026-06-30"} and all(r.days_left == 20 for r in due)
    assert len(due) == 2  # the notice and the remedy plan both set 30/6/2026
    assert services.findings.due_remedies("phường An Phú", within_days=30, today=date(2026, 7, 1)) == []
    assert services.findings.unit_summary("phường Không Có") is None


def test_a_passed_deadline_stays_listed_and_is_shown_overdue(services) -> None:
    """The documents never say a remedy was done: after its deadline it is overdue, not gone."""
    from bot.services import DueReport
    from bot.unitview import render_due, render_summary

    summary = services.findings.unit_summary("phường An Phú")
    assert summary is not None and any(f.finding.due == "2026-06-30" for f in summary.open_remedies)
    dues = [f.finding.due for f in summary.open_remedies]
    assert dues == sorted(dues, key=lambda d: d or "9999")  # by deadline, undated last
    later = date(2026, 7, 5)
    shown = "\n".join(render_summary(summary, later))
    assert "hạn 30/06/2026 (⚠️ đã quá hạn 5 ngày" in shown and "yêu cầu đã quá hạn" in shown
    overdue = sum(1 for f in summary.open_remedies if f.finding.due and f.finding.due < later.isoformat())
    report = DueReport(summary.unit, True, (), 0, None, 30, overdue)
    assert "đã quá hạn" in "\n".join(render_due(report, later))


def test_development_questions_meet_the_targets(services) -> None:
    questions = load_questions(FIXTURES / "findings_dev.jsonl")
    recalls, declined = [], []
    for q in questions:
        answer = services.engine.answer(q.question)
        if q.unanswerable:
            declined.append(answer.declined)
        else:
            assert not answer.declined, q.id
            recalls.append(answer_recall(q.answer_contains, answer.text))
    assert sum(recalls) / len(recalls) >= 0.90
    assert all(declined) and len(declined) == 7
