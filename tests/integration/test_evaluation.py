"""The evaluation harness on a small fixture, with the tutorial baseline beside it."""

from __future__ import annotations

import json
from pathlib import Path

from knowledge.eval.harness import load_corpus, print_table, run
from tests.fakes.embedder import HashEmbeddings

SAMPLES = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "samples"


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def test_folder_corpus_with_baseline(tmp_path: Path, capsys) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "seed.txt").write_text(
        (SAMPLES / "long-bien_2017-08-15_kiem-tra-chuong-trinh-01-CTr-QU.txt").read_text(encoding="utf-8"), encoding="utf-8"
    )
    questions = _write(tmp_path / "mini.jsonl", [
        {"id": "a", "question": "phuong sai dong duoc kiem tra tu ngay nao",
         "relevant_text": ["từ ngày 02/8/2017 đến ngày 11/8/2017"], "answer_contains": ["02/8/2017"]},
        {"id": "b", "question": "Ai là Phó chủ nhiệm Chương trình 01-CTr/QU?",
         "relevant_text": ["Phó chủ nhiệm Chương trình"], "answer_contains": ["Hà Thị Bích Loan"]},
        {"id": "c", "question": "Thời tiết Hà Nội ngày mai thế nào?", "unanswerable": True},
        {"id": "d", "question": "Giá vàng hôm nay bao nhiêu?", "relevant_text": ["giá vàng SJC"]},
    ])
    results = run(corpus, [questions], embeddings=HashEmbeddings(), baseline=True)
    rep = results["mini"]
    assert rep["n"] == 4
    assert rep["hit@1"] is not None and rep["hit@10"] <= 0.75  # question d cannot be found
    assert rep["answer_contains"] == 1.0
    assert rep["declined_unanswerable"] == 1.0
    assert rep["retrieval_ms_p50"] > 0 and rep["index_s"] > 0
    assert any(m.startswith("d:") for m in rep["misses"])
    base = rep["baseline"]
    assert base["declined_unanswerable"] == 0.0 and base["hit@10"] is not None
    print_table(results)
    out = capsys.readouterr().out
    assert "mrr@10" in out and "baseline" in out


def test_jsonl_passages_corpus(tmp_path: Path) -> None:
    passages = _write(tmp_path / "p.jsonl", [
        {"id": "Luật A|1", "law_id": "Luật A", "article_id": "1", "text": "Phạm vi điều chỉnh\n\nLuật này quy định về thanh tra nhà nước."},
        {"id": "Luật A|2", "law_id": "Luật A", "article_id": "2", "text": "Kinh phí\n\nKinh phí hoạt động của cơ quan thanh tra do ngân sách nhà nước bảo đảm."},
    ])
    docs = load_corpus(passages)
    assert [d.doc_id for d in docs] == ["Luật A|1", "Luật A|2"]
    q = _write(tmp_path / "q.jsonl", [{"id": "x", "question": "Kinh phí của cơ quan thanh tra do ai bảo đảm?", "relevant_ids": ["Luật A|2"]}])
    rep = run(passages, [q], embeddings=HashEmbeddings())["q"]
    assert rep["hit@1"] == 1.0 and rep["mrr@10"] == 1.0
