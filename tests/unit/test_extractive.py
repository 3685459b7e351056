"""Quote selection: the best sentence's passage leads; weak sentences stay out."""

from __future__ import annotations

from knowledge.answer.extractive import select_quotes
from knowledge.models import DocumentMeta, ScoredChunk, StoredChunk


def _passage(rank: int, text: str) -> ScoredChunk:
    meta = DocumentMeta(doc_id=f"d{rank}", title=f"Tài liệu {rank}")
    return ScoredChunk(StoredChunk(f"d{rank}::v::{rank:05d}", f"d{rank}", 0, text, "", (), meta), 1.0 / rank)


def test_the_passage_with_the_best_sentence_comes_first() -> None:
    passages = [  # retrieval ranked the weaker passage first
        _passage(1, "Chi bộ họp định kỳ mỗi tháng một lần. Việc kỷ luật đảng viên chính thức được xem xét tại chi bộ."),
        _passage(
            2,
            "Đảng viên vi phạm kỷ luật bị xử lý theo Điều lệ Đảng. "
            "Hình thức kỷ luật đảng viên chính thức gồm khiển trách, cảnh cáo, cách chức, khai trừ.",
        ),
    ]
    quotes = select_quotes("Hình thức kỷ luật đảng viên chính thức gồm những gì?", passages)
    assert [q.source for q in quotes] == [2, 1]
    assert quotes[0].text.startswith("Hình thức kỷ luật đảng viên chính thức gồm khiển trách")
    assert all("Chi bộ họp" not in q.text for q in quotes)  # does not touch the question


def test_sentences_of_one_passage_keep_the_documents_order() -> None:
    passages = [
        _passage(
            1,
            "Đảng viên chính thức bị kỷ luật khai trừ khi vi phạm nghiêm trọng. "
            "Chi bộ họp mỗi tháng. "
            "Hình thức kỷ luật đảng viên chính thức gồm khiển trách, cảnh cáo, cách chức, khai trừ.",
        )
    ]
    quotes = select_quotes("Hình thức kỷ luật đảng viên chính thức gồm những gì?", passages)
    assert len(quotes) == 2
    assert [q.order for q in quotes] == [0, 2]


def test_a_unit_bonus_lifts_the_sentence_that_names_units() -> None:
    passages = [
        _passage(
            1,
            "Qua kiểm tra, việc thực hiện Chương trình ở các đơn vị còn chậm. "
            "Đoàn kiểm tra Chương trình đã kiểm tra Đảng ủy phường Sài Đồng và Đảng ủy phường Cự Khối.",
        )
    ]
    question = "Chương trình kiểm tra những đơn vị nào?"
    plain = select_quotes(question, passages, max_sentences=1)
    lifted = select_quotes(question, passages, max_sentences=1, unit_bonus=0.25)
    assert "Sài Đồng" not in plain[0].text  # term overlap alone prefers the sentence about "đơn vị"
    assert "Sài Đồng" in lifted[0].text
