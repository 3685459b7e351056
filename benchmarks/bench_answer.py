"""Answer latency on the party corpus with the default model and no LLM: p50 / p95 per question.

    python benchmarks/bench_answer.py [--corpus ../shared/corpus] [--repeat 3]

Indexes the corpus into a temporary folder (embeddings cached on disk between runs), then
times QAService.answer for a mixed set of questions (with and without diacritics, codes,
units, unanswerable ones). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUESTIONS = [
    "Đoàn kiểm tra Chương trình 01-CTr/QU đã kiểm tra bao nhiêu đảng ủy cơ sở?",
    "doan kiem tra gom nhung ai",
    "phuong sai dong duoc kiem tra tu ngay nao",
    "Quyết định 271 do ai ban hành?",
    "Thời gian dự bị của đảng viên là bao lâu?",
    "thoi han xet ket nap lai dang vien",
    "Điều kiện thành lập tổ chức cơ sở đảng là gì?",
    "Chi bộ có bao nhiêu đảng viên thì được bầu chi ủy?",
    "Quy định 294 hướng dẫn gì về đảng phí?",
    "Hồ sơ đề nghị trao tặng Huy hiệu Đảng gồm những gì?",
    "UVTV quận ủy có nhiệm vụ gì?",
    "Phông lưu trữ Đảng gồm những tài liệu nào?",
    "Việc kết nối, chia sẻ dữ liệu giữa các cơ quan Đảng theo nguyên tắc nào?",
    "Ai có thẩm quyền bổ nhiệm cán bộ thuộc diện Ban Thường vụ quản lý?",
    "cac buoc thanh lap to chuc dang",
    "Thời tiết Hà Nội ngày mai thế nào?",
    "Kết quả kiểm tra phường Phúc Đồng năm 2018 ra sao?",
    "MTTQ phối hợp với HĐND thế nào?",
    "Đảng viên được miễn sinh hoạt đảng trong trường hợp nào?",
    "Nhiệm kỳ đại hội chi bộ là mấy năm?",
]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "party-assistant" / "eval-embeddings.sqlite")
    args = p.parse_args()

    from knowledge.embeddings.cache import CachedEmbeddings
    from knowledge.embeddings.model import load_embeddings
    from knowledge.eval.harness import load_corpus
    from knowledge.services.compose import build_services
    from knowledge.settings import KnowledgeSettings

    base = KnowledgeSettings()
    t0 = time.perf_counter()
    model = load_embeddings(base)
    load_s = time.perf_counter() - t0
    embeddings = CachedEmbeddings(model, args.cache)
    docs = load_corpus(args.corpus)
    with tempfile.TemporaryDirectory() as tmp:
        services = build_services(KnowledgeSettings(data_dir=Path(tmp)), embeddings=embeddings)
        t0 = time.perf_counter()
        results = services.ingest.ingest_documents(docs)
        services.retriever.snapshot()
        index_s = time.perf_counter() - t0
        chunks = sum(r.chunks for r in results)
        # queries go to the real model (not the cache) so the timing includes embedding them
        services.retriever.embeddings = model
        services.engine.answer(QUESTIONS[0])  # warm-up: first query pays lazy imports
        times: list[float] = []
        first: list[float] = []  # each question asked for the first time (nothing memoised for it yet)
        outcomes: dict[str, int] = {}
        for n in range(args.repeat):
            for q in QUESTIONS:
                t = time.perf_counter()
                answer = services.engine.answer(q)
                elapsed = (time.perf_counter() - t) * 1000
                times.append(elapsed)
                if n == 0:
                    first.append(elapsed)
                    outcomes[answer.outcome] = outcomes.get(answer.outcome, 0) + 1
    print(f"model load: {load_s:.1f} s; index: {len(docs)} docs, {chunks} chunks in {index_s:.1f} s (cached embeddings)")
    print(f"answers: {len(times)} ({len(QUESTIONS)} questions x {args.repeat}); outcomes of one pass: {outcomes}")
    for label, values in (("all passes", times), ("first pass", first)):
        values.sort()
        p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
        print(f"answer latency ms, {label}: p50 {statistics.median(values):.1f}  p95 {p95:.1f}  max {values[-1]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
