"""Ingestion throughput on the party corpus: our pipeline vs the LangChain tutorial pipeline.

    python benchmarks/bench_ingest.py [--corpus ../shared/corpus] [--limit N] [--skip-engine-row]

All rows embed with the same model (the configured one, default multilingual-e5-small) and
start from the same ``.txt`` files on disk:

- **ours**: ``IngestService.ingest_paths``, exactly what ``python ingest.py FILES`` runs:
  loading and normalising, structure-aware chunks with breadcrumbs, word segmentation for the
  lexical legs, the configured embedding backend, one atomic Chroma commit per document.
- **LangChain tutorial**: the files read as text, ``RecursiveCharacterTextSplitter(1000, 200)``,
  ``HuggingFaceEmbeddings`` (sentence-transformers on PyTorch, its default batch of 32) and
  ``Chroma.add_documents``: the pipeline of LangChain's RAG tutorial.
- **tutorial + our embedder** (unless ``--skip-engine-row``): the tutorial's splitter and
  Chroma with our embedding backend, to show how much of the difference is the engine.

The model is loaded and warmed up before any clock starts. Prints chunks/s and chars/s per row
and the speed-ups; asserts nothing (figures depend on the machine).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def tutorial(files: list[Path], embeddings, persist: Path) -> int:
    """The LangChain tutorial pipeline; returns the number of chunks stored."""
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    docs = [Document(page_content=f.read_text(encoding="utf-8"), metadata={"source": f.name}) for f in files]
    pieces = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
    store = Chroma(collection_name="tutorial", embedding_function=embeddings, persist_directory=str(persist))
    for start in range(0, len(pieces), 4000):  # Chroma's maximum batch is larger; stay well inside
        store.add_documents(pieces[start : start + 4000])
    return len(pieces)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    p.add_argument("--limit", type=int, default=0, help="only the first N documents (quick runs)")
    p.add_argument("--skip-engine-row", action="store_true", help="do not run the tutorial with our embedder")
    args = p.parse_args()

    try:
        from langchain_huggingface import HuggingFaceEmbeddings
    except ImportError:
        print("langchain-huggingface is missing: pip install -e '.[dev]'", file=sys.stderr)
        return 2

    from knowledge.embeddings.model import load_embeddings
    from knowledge.embeddings.source import resolve_model_path
    from knowledge.services.compose import build_services
    from knowledge.settings import KnowledgeSettings

    files = sorted(args.corpus.glob("*.txt"))[: args.limit or None]
    chars = sum(len(f.read_text(encoding="utf-8")) for f in files)
    settings = KnowledgeSettings()

    t0 = time.perf_counter()
    ours_model = load_embeddings(settings)
    ours_model.embed_documents(["khởi động", "warm-up " * 50])  # paid by neither side
    print(f"ours: {settings.embedding_model} on {settings.embedding_backend}, "
          f"batch {settings.embedding_batch_size}, ready in {time.perf_counter() - t0:.1f} s", flush=True)
    t0 = time.perf_counter()
    tutorial_model = HuggingFaceEmbeddings(
        model_name=resolve_model_path(settings),
        model_kwargs={"device": "cpu", "local_files_only": True},
        encode_kwargs={"normalize_embeddings": True},
    )
    tutorial_model.embed_documents(["khởi động", "warm-up " * 50])
    print(f"tutorial: HuggingFaceEmbeddings (sentence-transformers, torch), ready in {time.perf_counter() - t0:.1f} s",
          flush=True)

    rows: list[tuple[str, int, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        services = build_services(KnowledgeSettings(data_dir=Path(tmp) / "ours"), embeddings=ours_model)
        t0 = time.perf_counter()
        report = services.ingest.ingest_paths(files)
        rows.append(("ours (ingest.py)", sum(r.chunks or 0 for r in report.results), time.perf_counter() - t0))
        print(f"  ours done in {rows[-1][2]:.1f} s", flush=True)
        if not report.ok:
            print("  failures: " + "; ".join(f"{r.doc_id}: {r.reason}" for r in report.failed))

        t0 = time.perf_counter()
        n = tutorial(files, tutorial_model, Path(tmp) / "tutorial")
        rows.append(("LangChain tutorial", n, time.perf_counter() - t0))
        print(f"  tutorial done in {rows[-1][2]:.1f} s", flush=True)

        if not args.skip_engine_row:
            t0 = time.perf_counter()
            n = tutorial(files, ours_model, Path(tmp) / "tutorial-ours")
            rows.append(("tutorial + our embedder", n, time.perf_counter() - t0))

    print(f"\ncorpus: {len(files)} documents, {chars:,} characters")
    print(f"{'pipeline':26} {'chunks':>7} {'seconds':>8} {'chunks/s':>9} {'chars/s':>9}")
    for name, n, secs in rows:
        print(f"{name:26} {n:7d} {secs:8.1f} {n / secs:9.2f} {chars / secs:9.0f}")
    ours, base = rows[0], rows[1]
    print(f"ours vs tutorial: {(ours[1] / ours[2]) / (base[1] / base[2]):.2f}x chunks/s, "
          f"{base[2] / ours[2]:.2f}x chars/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
