"""Answers on the real party corpus: whole lists, honest declines, the issue's phrasings.

The corpus is indexed once with the model-free HashEmbeddings (the lexical legs do most of the
work); the development figures with the real model come from ``python -m knowledge.eval``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge.eval.harness import load_corpus
from knowledge.models import Answer, Turn
from knowledge.services.compose import build_services
from knowledge.settings import KnowledgeSettings
from tests.fakes.embedder import HashEmbeddings

pytestmark = pytest.mark.shared

# a line that announces items ("…như sau:", "…gồm:") must be followed by them in the answer
LEAD_IN_LAST = re.compile(r"(?::|\bnhư sau|\bsau đây)\s*(?:\[\d+\])+\s*$")


@pytest.fixture(scope="module")
def engine(corpus_dir: Path, tmp_path_factory):
    services = build_services(
        KnowledgeSettings(data_dir=tmp_path_factory.mktemp("corpus") / "data"), embeddings=HashEmbeddings()
    )
    results = services.ingest.ingest_documents(load_corpus(corpus_dir))
    assert not [r for r in results if r.status == "failed"]
    return services.engine


def _ask(engine, question: str, history: list[Turn] | None = None) -> Answer:
    return engine.answer(question, history or [])


def _no_dangling_lead_in(answer: Answer) -> None:
    lines = answer.text.splitlines()
    for n, line in enumerate(lines):
        assert not (LEAD_IN_LAST.search(line) and n == len(lines) - 1), answer.text


def test_the_five_requirements_of_the_inspection_team_are_all_quoted(engine) -> None:
    answer = _ask(engine, "Trưởng đoàn kiểm tra yêu cầu các đơn vị thời gian tới thực hiện những nội dung gì?")
    assert not answer.declined
    for start in ("1. Thường xuyên nâng cao", "2. Nâng cao chất lượng", "3. Tăng cường quan hệ", "4. Duy trì", "5. Tiếp tục"):
        assert start in answer.text
    _no_dangling_lead_in(answer)


@pytest.mark.parametrize(
    "question",
    [
        "Theo Điều lệ Đảng, đảng viên có những nhiệm vụ gì?",
        "Hình thức kỷ luật đối với đảng viên chính thức gồm những hình thức nào?",
        "Thủ tục kết nạp đảng viên gồm những bước nào?",
        "Những trường hợp khiếu nại về xóa tên đảng viên nào sẽ không được giải quyết?",
    ],
)
def test_list_answers_never_end_on_a_lead_in(engine, question: str) -> None:
    answer = _ask(engine, question)
    assert not answer.declined
    _no_dangling_lead_in(answer)


@pytest.mark.parametrize(
    "question",
    [
        "Đảng viên phường Phúc Lợi chuyển sinh hoạt đảng cần hồ sơ gì?",
        "Năm 2026 chi bộ phải làm gì khi kết nạp đảng viên?",
        "Chi bộ trường THCS Ngọc Thụy có bao nhiêu đảng viên thì được bầu chi ủy?",
    ],
)
def test_a_unit_or_year_named_in_passing_does_not_block_the_answer(engine, question: str) -> None:
    assert not _ask(engine, question).declined


@pytest.mark.parametrize(
    "question",
    [
        "Chương trình 01-CTr/QU của Quận ủy Long Biên được ban hành vào ngày tháng năm nào?",
        "Nghị định số 278/2025/NĐ-CP quy định danh mục những cơ sở dữ liệu nào?",
        "Đảng viên được tặng Huy hiệu 50 năm tuổi Đảng được nhận tặng phẩm trị giá bao nhiêu tiền?",
        "Kết quả kiểm tra phường Phúc Đồng năm 2018 ra sao?",
    ],
)
def test_questions_the_documents_do_not_answer_are_never_answered_directly(engine, question: str) -> None:
    """Declined, or the closest provisions under the caveat that they do not answer it."""
    answer = _ask(engine, question)
    assert answer.outcome in ("declined", "closest")
    assert answer.declined or answer.text.startswith("Tài liệu không nêu trực tiếp")


@pytest.mark.parametrize(
    "question", ["Quận ủy có nhiệm vụ gì?", "Bí thư Quận ủy do ai chỉ định?", "Ủy ban kiểm tra Quận ủy lãnh đạo những mặt nào?"]
)
def test_quan_uy_questions_never_quote_quan_uy_sentences(engine, question: str) -> None:
    # "Quận ủy" (district committee) and "Quân ủy" (military commission) fold to the same letters
    assert "Quân ủy" not in _ask(engine, question).text


def test_a_new_topic_after_a_conversation_is_answered_on_its_own(engine) -> None:
    history = [Turn("Phông lưu trữ Đảng gồm những tài liệu nào?", "…", ("383-QD-TW_2025-11-19_phong-luu-tru-dang",))]
    answer = _ask(engine, "Thẻ đảng viên do cấp nào phát?", history)
    assert not answer.rewritten_question
    assert all("lưu trữ" not in c.title for c in answer.citations)


def test_a_long_message_is_answered_from_its_question(engine) -> None:
    background = (
        "Chi bộ chúng tôi sinh hoạt ở khu dân cư, nhiều đồng chí là cán bộ hưu trí, một số đồng chí thường xuyên "
        "đi công tác xa nên việc sinh hoạt chi bộ gặp khó khăn, có tháng không đủ số lượng. "
    ) * 8
    answer = _ask(engine, background + "Xin hỏi đảng viên được miễn sinh hoạt đảng trong những trường hợp nào?")
    assert not answer.declined
    assert "miễn" in answer.text


def test_a_document_not_stored_is_answered_from_what_cites_it_under_a_caveat(engine) -> None:
    """What stored documents say of a document the knowledge base does not hold, named as such;
    its date or signer is never taken from them."""
    answer = _ask(engine, "Quy định 296-QĐ/TW quy định những hình thức kỷ luật nào?")
    assert answer.outcome == "closest"
    assert answer.text.startswith("Tài liệu không nêu trực tiếp nội dung này: văn bản 296-QĐ/TW không có trong kho")
    assert "khiển trách" in answer.text and answer.citations
    dated = _ask(engine, "Quy định 296-QĐ/TW được ban hành ngày nào?")
    assert dated.declined and "296-QĐ/TW không có trong kho tài liệu" in dated.text
