"""The answer engine on the seed article: cited answers, declines, follow-ups, units, supersession."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge.models import Turn
from knowledge.services.compose import build_services
from knowledge.settings import KnowledgeSettings
from tests.fakes.embedder import HashEmbeddings

SAMPLES = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "samples"
SEED = SAMPLES / "long-bien_2017-08-15_kiem-tra-chuong-trinh-01-CTr-QU.txt"


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    s = build_services(KnowledgeSettings(data_dir=tmp_path_factory.mktemp("qa") / "data"), embeddings=HashEmbeddings())
    report = s.ingest.ingest_paths([SEED])
    assert report.ok
    return s


def test_answer_quotes_stored_text_with_resolvable_citations(services) -> None:
    answer = services.engine.answer("Đoàn kiểm tra Chương trình 01-CTr/QU đã kiểm tra bao nhiêu đảng ủy cơ sở?")
    assert not answer.declined and answer.grounded
    assert "04 đảng ủy cơ sở" in answer.text
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    assert cited == {c.n for c in answer.citations}
    for c in answer.citations:
        chunk = services.engine.chunk(c.chunk_id)
        assert chunk is not None and chunk.doc_id == SEED.stem
        assert c.date == "2017-08-15"
    # no invented words: every quote is stored text of its cited chunk, and every cited line quotes it
    # (an extractive answer is nothing but such sentences; a findings answer frames them with labels)
    stored = " ".join(services.engine.chunk(c.chunk_id).text for c in answer.citations)
    quotes = {c.n: c.quote.split(" … ") for c in answer.citations}
    for c in answer.citations:
        assert all(part in services.engine.chunk(c.chunk_id).text for part in quotes[c.n])
    for line in answer.text.splitlines():
        if answer.mode == "extractive":
            sentence = re.sub(r"\s*(\[\d+\])+$", "", line).removeprefix("• ")
            assert sentence in stored
        elif m := re.search(r"\[(\d+)\]$", line):
            assert any(q in line for q in quotes[int(m.group(1))])


def test_question_without_diacritics(services) -> None:
    answer = services.engine.answer("phuong sai dong duoc kiem tra tu ngay nao")
    assert not answer.declined
    assert "02/8/2017" in answer.text


@pytest.mark.parametrize("question", ["Thời tiết Hà Nội ngày mai thế nào?", "Kết quả kiểm tra phường Phúc Đồng năm 2018 ra sao?"])
def test_unanswerable_questions_are_declined_with_suggestions(services, question: str) -> None:
    answer = services.engine.answer(question)
    assert answer.declined and not answer.grounded and not answer.citations
    assert "Không tìm thấy" in answer.text
    assert answer.suggestions  # says what the documents do cover


def test_followup_uses_the_previous_turn(services) -> None:
    history = [Turn("Đoàn kiểm tra làm việc tại phường Sài Đồng từ ngày nào?", units=("phường Sài Đồng",))]
    answer = services.engine.answer("còn phường Cự Khối thì sao?", history)
    assert answer.rewritten_question and "Cự Khối" in answer.rewritten_question
    assert not answer.declined
    assert "Cự Khối" in answer.text


def test_my_unit_means_the_users_unit(services) -> None:
    assert "phường Cự Khối" in services.engine.units()
    answer = services.engine.answer("Đơn vị tôi được kiểm tra từ ngày nào?", unit="phường Cự Khối")
    assert not answer.declined
    assert "Cự Khối" in answer.text


def test_catalogue(services) -> None:
    docs = services.engine.documents()
    assert [d.doc_id for d in docs] == [SEED.stem]
    assert services.engine.example_questions(3)
    first = services.engine.answer("Ai là Phó chủ nhiệm Chương trình 01-CTr/QU?").citations[0]
    section = services.engine.section(first.chunk_id)
    assert first.chunk_id in [c.chunk_id for c in section]


def test_superseded_document_is_flagged(tmp_path: Path) -> None:
    s = build_services(KnowledgeSettings(data_dir=tmp_path / "data"), embeddings=HashEmbeddings())
    old = tmp_path / "qd-24-cu.txt"
    old.write_text(
        "BAN CHẤP HÀNH TRUNG ƯƠNG\nSố 24-QĐ/TW\nHà Nội, ngày 30 tháng 7 năm 2021\nQUY ĐỊNH\nThi hành Điều lệ Đảng\n"
        "1. Đảng viên dự bị\nThời gian dự bị của đảng viên là mười hai tháng kể từ ngày chi bộ tổ chức lễ kết nạp.\n",
        encoding="utf-8",
    )
    new = tmp_path / "qd-294-moi.txt"
    new.write_text(
        "BAN CHẤP HÀNH TRUNG ƯƠNG\nSố 294-QĐ/TW\nHà Nội, ngày 26 tháng 5 năm 2025\nQUY ĐỊNH\nThi hành Điều lệ Đảng\n"
        "1. Hiệu lực thi hành\nQuy định này thay thế Quy định số 24-QĐ/TW, ngày 30/7/2021 của Ban Chấp hành Trung ương.\n",
        encoding="utf-8",
    )
    assert s.ingest.ingest_paths([old, new]).ok
    answer = s.engine.answer("Thời gian dự bị của đảng viên là bao lâu?")
    assert not answer.declined
    assert any("24-QĐ/TW" in n and "294-QĐ/TW" in n for n in answer.notices)


def test_code_named_by_type_and_number_finds_the_passages_citing_it(services) -> None:
    answer = services.engine.answer("Quyết định 271 được thực hiện khi nào?")
    assert not answer.declined
    assert "271-QĐ/QU" in answer.text


def test_a_single_lexical_match_still_counts(services) -> None:
    # only one passage contains "Loan": its lexical evidence must not be normalised away
    retrieval = services.engine.retrieve("Hà Thị Bích Loan")
    assert retrieval.results and "Hà Thị Bích Loan" in retrieval.results[0].chunk.text


def test_a_which_units_question_leads_with_the_sentence_that_names_them(services) -> None:
    answer = services.engine.answer("Chương trình 01-CTr/QU kiểm tra những đơn vị nào?")
    assert not answer.declined
    first = answer.text.splitlines()[0]
    assert "phường Sài Đồng" in first and "Tòa án nhân dân Quận" in first
