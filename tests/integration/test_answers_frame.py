"""The answers a cadre gets on the real corpus with the default model: one question frame, learned
choices, and the three outcomes (answer, closest rule, decline).

The questions are the cadre phrasings that used to go wrong (a syllable inside a word, the wrong
body, a special case instead of the rule, an event for a date, abbreviations), quizzes, cases
with numbers, follow-ups and long messages. They are asked of the shared corpus indexed with the
bundled embedding model (vectors cached under PARTY_TEST_CACHE between runs).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.embeddings.cache import CachedEmbeddings
from knowledge.embeddings.model import load_embeddings
from knowledge.eval.harness import load_corpus
from knowledge.models import Answer, Turn
from knowledge.services.compose import build_services
from knowledge.settings import KnowledgeSettings
from tests.conftest import TEST_CACHE

pytestmark = [pytest.mark.shared, pytest.mark.slow]


@pytest.fixture(scope="module")
def engine(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    settings = KnowledgeSettings(data_dir=tmp_path_factory.mktemp("frame") / "data", models_path=TEST_CACHE / "models")
    embeddings = CachedEmbeddings(load_embeddings(settings), TEST_CACHE / "embeddings.sqlite")
    services = build_services(settings, embeddings=embeddings)
    assert not [r for r in services.ingest.ingest_documents(load_corpus(corpus_dir)) if r.status == "failed"]
    return services.engine


def _first_unit(answer: Answer) -> str:
    """The answer's lead unit: its text up to the first citation mark."""
    return answer.text.split("[1]")[0]


def test_a_syllable_inside_another_word_is_not_the_word_asked(engine) -> None:
    """"quyền" (rights) is not the "quyền" of "ủy quyền" (to authorise)."""
    answer = engine.answer("Đảng viên có những quyền gì?")
    assert answer.outcome == "answer"
    lead = _first_unit(answer)
    assert "Quyền" in lead and "ủy quyền" not in lead


def test_the_body_asked_about_gets_its_own_rule(engine) -> None:
    """The chi bộ meets monthly; the đảng bộ cơ sở twice a year: asked about the chi bộ, the monthly rule is quoted."""
    answer = engine.answer("Chi bộ sinh hoạt định kỳ mấy lần?")
    assert answer.outcome == "answer" and "mỗi tháng một lần" in answer.text


def test_the_general_rule_leads_not_a_special_case(engine) -> None:
    answer = engine.answer("Điều kiện để được kết nạp vào Đảng là gì?")
    assert answer.outcome != "declined"
    lead = _first_unit(answer)
    assert "kết nạp lại" not in lead and "hôn nhân với người nước ngoài" not in lead


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        # without diacritics; "bị khai trừ" is one way of leaving the party (thesaurus), "lại" matters
        ("dang vien bi khai tru bao lau duoc ket nap lai", "36 tháng kể từ khi ra khỏi Đảng"),
        ("Chi ủy có bao nhiêu người?", "không quá 7 chi ủy viên"),
        ("Đảng phí đóng thế nào?", "đóng đảng phí trên cơ sở tiền lương"),
        # the answer to "from which day" is an event, not a date
        ("Thời kỳ dự bị tính từ ngày nào?", "tính từ ngày chi bộ tổ chức lễ kết nạp"),
        # abbreviations: HD 06, ĐV
        ("Theo HD 06, hồ sơ đề nghị công nhận ĐV chính thức cần những giấy tờ gì?", "Nghị quyết xét, đề nghị công nhận đảng viên chính thức"),
    ],
)
def test_cadre_phrasings_are_answered_with_the_rule(engine, question: str, fact: str) -> None:
    answer = engine.answer(question)
    assert answer.outcome != "declined" and fact in answer.text


def test_an_amount_the_documents_never_give_is_not_answered_directly(engine) -> None:
    answer = engine.answer("Đảng viên nhận Huy hiệu 30 năm tuổi Đảng được thưởng bao nhiêu tiền?")
    assert answer.outcome in ("closest", "declined")
    if answer.outcome == "closest":
        assert answer.text.startswith("Tài liệu không nêu trực tiếp") and answer.citations


@pytest.mark.parametrize(
    "question",
    [
        "Giá xăng RON95 tuần này là bao nhiêu?",
        # words the documents hold ("xin", "kiểu", "Hà Nội"; "vàng" of a form's colour), nothing they are about
        "Cho mình xin công thức nấu phở bò kiểu Hà Nội với",
        "Giá vàng hôm nay bao nhiêu?",
        "Tối nay đội tuyển Việt Nam đá với Thái Lan mấy giờ?",
    ],
)
def test_a_question_about_something_the_documents_do_not_cover_is_declined(engine, question: str) -> None:
    answer = engine.answer(question)
    assert answer.outcome == "declined" and not answer.citations


def test_a_quiz_names_the_option_the_quoted_rule_supports(engine) -> None:
    answer = engine.answer(
        "Theo Điều lệ Đảng, đảng ủy cơ sở có quyền quyết định những hình thức kỷ luật nào đối với đảng viên trong đảng bộ?\n"
        "A. Khiển trách, cảnh cáo\nB. Chỉ khai trừ\nC. Không có quyền quyết định"
    )
    assert answer.option == "A"
    assert answer.text.splitlines()[0].startswith("Theo tài liệu, phương án đúng: A.")


def test_a_case_is_set_beside_the_rule_it_falls_under(engine) -> None:
    answer = engine.answer("Chi bộ tôi có 7 đảng viên chính thức thì có được bầu chi ủy không?")
    assert answer.outcome != "declined"
    assert "7 < 9" in answer.text  # "Chi bộ có 9 đảng viên chính thức trở lên bầu chi ủy"


def test_a_follow_up_switches_the_alternative_it_names(engine) -> None:
    history = [Turn("Thủ tục chuyển sinh hoạt đảng tạm thời thế nào?")]
    frame = engine.frame("còn chính thức thì sao?", history)
    assert frame.followup and "chính thức" in frame.text and "tạm thời" not in frame.text
    answer = engine.answer("còn chính thức thì sao?", history)
    assert answer.outcome == "answer" and "chính thức" in _first_unit(answer).lower()


def test_a_long_message_naming_a_ward_in_passing_is_answered_by_the_rule(engine) -> None:
    background = (
        "Tôi là đảng viên sinh hoạt tại chi bộ khu dân cư số 5 thuộc Đảng bộ phường Sài Đồng, đã nhiều năm tham gia "
        "công tác mặt trận ở địa phương và thường xuyên dự họp chi bộ đầy đủ. "
    ) * 12
    message = background + "Nay tôi chuyển nơi ở sang quận khác, xin hỏi thủ tục chuyển sinh hoạt đảng chính thức cần những giấy tờ gì?"
    assert len(message) > 2000
    frame = engine.frame(message)
    assert frame.intent == "rule" and "chuyển sinh hoạt" in frame.text
    answer = engine.answer(message)
    assert answer.mode == "extractive" and answer.outcome != "declined"
    # the rule on transferring one's party membership, not the ward's findings
    assert "chuyển sinh hoạt đảng chính thức" in answer.text.lower() and "Sài Đồng" not in answer.text
    assert not any("kiem-tra" in c.doc_id for c in answer.citations)
