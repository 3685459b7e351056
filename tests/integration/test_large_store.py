"""No size ceiling: 40,000 chunks (more than Chroma's 32,767 SQL variables) still answer."""

from __future__ import annotations

import time
from pathlib import Path

from knowledge.models import DocumentMeta
from knowledge.search.lexical import folded_tokens
from knowledge.services.compose import build_services
from knowledge.settings import KnowledgeSettings
from knowledge.store.records import ChunkRecord, PendingDocument
from tests.fakes.embedder import HashEmbeddings

WARDS = ["Phúc Lợi", "Cự Khối", "Thạch Bàn", "Bồ Đề", "Gia Thụy", "Ngọc Lâm", "Việt Hưng", "Long Biên"]


def build(store, embeddings, n_docs: int, per_doc: int) -> None:
    """Synthetic documents written straight into the store (the fake embedder, no word segmentation)."""
    for d in range(1, n_docs + 1):
        meta = DocumentMeta(doc_id=f"bao-cao-{d:03d}", title=f"Báo cáo kiểm tra số {d}", code=f"{d}-BC/ĐU")
        texts = [
            f"Chi bộ {k} phường {WARDS[k % len(WARDS)]} báo cáo {d}: kết nạp {k % 7} đảng viên, thu đảng phí đợt {k % 12}."
            for k in range(per_doc)
        ]
        vectors = embeddings.embed_documents(texts)
        chunks = tuple(
            ChunkRecord(f"{meta.doc_id}::{k:05d}", k, t, f"Mục {k}", (), (), v, " ".join(folded_tokens(t)), "")
            for k, (t, v) in enumerate(zip(texts, vectors))
        )
        store.commit_documents([PendingDocument(meta, f"{d:064x}", f"{meta.doc_id}.txt", "txt", chunks)])


def test_forty_thousand_chunks_answer(tmp_path: Path) -> None:
    embeddings = HashEmbeddings(dim=32)
    services = build_services(KnowledgeSettings(data_dir=tmp_path / "data"), embeddings=embeddings)
    build(services.store, embeddings, n_docs=20, per_doc=2000)
    assert len(services.store.live_chunks()) == 40_000
    started = time.perf_counter()
    question = services.engine.frame("Chi bộ 1234 phường Ngọc Lâm báo cáo 17 kết nạp bao nhiêu đảng viên?")
    top = services.retriever.retrieve(question, k=8).results
    first = time.perf_counter() - started
    assert top and any(r.chunk.doc_id == "bao-cao-017" for r in top)
    target = "Chi bộ 1234 phường Ngọc Lâm báo cáo 17: kết nạp 2 đảng viên, thu đảng phí đợt 10."
    hits = services.store.dense_search(embeddings.embed_query(target), 5)
    assert len(hits) == 5 and hits[0][1] > 0.95  # the dense index answers over all 40,000
    assert services.store.get_chunks(["bao-cao-017::0000000000000000::01234"])[0].text.startswith("Chi bộ 1234 phường")
    started = time.perf_counter()
    services.engine.answer("Chi bộ 77 phường Bồ Đề báo cáo 3 thu đảng phí đợt mấy?")
    print(f"40,000 chunks: first answer {first:.2f} s (builds the lexical index), next {time.perf_counter() - started:.2f} s")
    assert services.store.remove_orphans() == 0
