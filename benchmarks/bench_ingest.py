"""Ingestion throughput on the party corpus: our pipeline vs the LangChain tutorial pipeline.

    python benchmarks/bench_ingest.py [--corpus ../shared/corpus] [--limit N]

Both use the same embedding model (the configured default). Ours: structure-aware chunks,
length-sorted batches, one embedding call over all passages, atomic per-document commits.
Tutorial: RecursiveCharacterTextSplitter(1000, 200) + Chroma.add_documents via langchain-chroma.
Prints chunks/s and chars/s for each, side by side; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    p.add_argument("--limit", type=int, default=0, help="only the first N documents (quick runs)")
    args = p.parse_args()

    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from knowledge.bootstrap import build_services
    from knowledge.embeddings import load_embeddings
    from knowledge.evaluation import load_corpus
    from knowledge.settings import KnowledgeSettings

    settings = KnowledgeSettings()
    t0 = time.perf_counter()
    model = load_embeddings(settings)
    print(f"model {settings.embedding_model} ({settings.embedding_backend}) loaded in {time.perf_counter() - t0:.1f} s")
    docs = load_corpus(args.corpus)
    if args.limit:
        docs = docs[: args.limit]
    chars = sum(len(d.text) for d in docs)
    model.embed_documents(["khởi động"])  # warm-up, paid by neither side

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        services = build_services(KnowledgeSettings(data_dir=Path(tmp) / "ours"), embeddings=model)
        t0 = time.perf_counter()
        results = services.ingest.ingest_documents(docs)
        ours_s = time.perf_counter() - t0
        ours_chunks = sum(r.chunks for r in results)
        rows.append(("ours (structure-aware)", ours_chunks, ours_s))

        t0 = time.perf_counter()
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        pieces = splitter.split_documents([Document(page_content=d.text, metadata={"doc_id": d.doc_id}) for d in docs])
        store = Chroma(collection_name="tutorial", embedding_function=model, persist_directory=str(Path(tmp) / "tutorial"))
        for start in range(0, len(pieces), 4000):
            store.add_documents(pieces[start : start + 4000])
        base_s = time.perf_counter() - t0
        rows.append(("LangChain tutorial (1000/200)", len(pieces), base_s))

    print(f"corpus: {len(docs)} documents, {chars:,} characters")
    print(f"{'pipeline':32} {'chunks':>7} {'seconds':>8} {'chunks/s':>9} {'chars/s':>9}")
    for name, n, secs in rows:
        print(f"{name:32} {n:7d} {secs:8.1f} {n / secs:9.2f} {chars / secs:9.0f}")
    print(f"speed-up (chunks/s): {(rows[0][1] / rows[0][2]) / (rows[1][1] / rows[1][2]):.2f}x; "
          f"(corpus chars/s): {rows[1][2] / rows[0][2]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
