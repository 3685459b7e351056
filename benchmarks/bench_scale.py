"""Scale: retrieval latency, startup time and memory with 10,000 and 100,000 passages.

    python benchmarks/bench_scale.py [--sizes 10000,100000] [--store /tmp/party-bench-scale] [--profile]

Builds one store through the project's own ingest and store code (build_services →
IngestService.ingest_documents → KnowledgeStore), growing it to each size in turn; the text
is the real corpus and its variants (benchmarks/scale_corpus.py says how they are made and
where the dense vectors come from). At each size a fresh process, like a restarted bot,
times build_services and the first question (the lexical index is rebuilt from the store,
the model loads), then QAService.retrieve over the development questions, and reads its
own resident memory (steady: after the questions; peak: the high-water mark). The store is
kept in --store and reused by later runs (--rebuild starts again). Prints figures; asserts
nothing. Targets (issue 13): retrieval p50 <= 50 ms and RSS <= 1.5 GB at 100k on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FALLBACK_QUESTIONS = [
    "Đoàn kiểm tra Chương trình 01-CTr/QU đã kiểm tra bao nhiêu đảng ủy cơ sở?",
    "doan kiem tra gom nhung ai",
    "Thời gian dự bị của đảng viên là bao lâu?",
    "Hồ sơ đề nghị trao tặng Huy hiệu Đảng gồm những gì?",
    "Quyết định 271 do ai ban hành?",
]


def _rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MB, from /proc."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def _settings(store: Path) -> Any:
    from knowledge.settings import KnowledgeSettings

    base = KnowledgeSettings()
    # share converted models with the tests and other benchmarks when KB_MODELS_PATH says where
    return KnowledgeSettings(data_dir=store / "data", models_path=base.models_path or store / "models")


def paged_live_chunks(store: Any, page: int = 5000) -> list[Any]:
    """KnowledgeStore.live_chunks read in pages: used only when the store's own call fails at this size."""
    docs = {r.meta.doc_id: r for r in store.documents()}
    out, offset = [], 0
    while True:
        got = store._chunks.get(include=["metadatas", "documents"], limit=page, offset=offset)
        if not got["ids"]:
            break
        for cid, md, text in zip(got["ids"], got["metadatas"], got["documents"], strict=True):
            rec = docs.get(md.get("doc_id"))
            if rec is not None and rec.version == md.get("version"):
                out.append((store._stored(cid, md, text, rec.meta), md.get("lex", ""), md.get("words", "")))
        offset += len(got["ids"])
    out.sort(key=lambda t: (t[0].doc_id, t[0].position))
    return out


# ---- building (a child process) ------------------------------------------------------------------
def build(store: Path, size: int, shared: Path, cache: Path) -> dict[str, Any]:
    """Grow the store to at least ``size`` live passages; report what was added and how long it took."""
    from benchmarks.scale_corpus import BorrowedVectors, real_documents, variant_rounds
    from knowledge.embeddings.cache import CachedEmbeddings
    from knowledge.embeddings.model import embedding_name, load_embeddings
    from knowledge.services.compose import build_services

    t0 = time.perf_counter()
    settings = _settings(store)
    real_model = load_embeddings(settings)
    name = embedding_name(real_model)
    real = CachedEmbeddings(real_model, cache)
    docs0 = real_documents(shared)
    probe = build_services(settings, embeddings=real)  # only for prepare(): the same splitter as ingest
    prepared0 = [probe.ingest.prepare(d) for d in docs0]
    passages0 = [p for item in prepared0 for p in item.passages]
    vectors0 = real.embed_documents(passages0)  # the real model, cached on disk between runs
    t_real = time.perf_counter() - t0
    services = build_services(settings, embeddings=BorrowedVectors(real, name, passages0, vectors0))
    store_ = services.store
    have = sum(r.chunks for r in store_.documents())
    added_docs = added = 0
    rounds = [docs0]
    gen = variant_rounds(shared)
    t1 = time.perf_counter()
    while have < size:
        if not rounds:
            rounds.append(next(gen))
        docs = rounds.pop(0)
        present = store_.documents_by_id([d.doc_id for d in docs])
        batch = []
        for d in docs:
            if d.doc_id in present:
                continue
            if have >= size:
                break
            have += len(services.ingest.prepare(d).chunks)
            batch.append(d)
        for start in range(0, len(batch), 200):
            results = services.ingest.ingest_documents(batch[start : start + 200])
            failed = [r for r in results if r.status == "failed"]
            if failed:
                raise SystemExit(f"ingest failed: {failed[0].doc_id}: {failed[0].reason}")
            added += sum(r.chunks for r in results)
            added_docs += len(results)
        print(f"  {have:,} passages", file=sys.stderr, flush=True)
    t_ingest = time.perf_counter() - t1
    live = None
    try:
        live = len(store_.live_chunks())
        live_error = ""
    except Exception as exc:  # the store's own whole-collection read: reported, then paged around
        live_error = f"{type(exc).__name__}: {str(exc)[:160]}"
    documents = len(store_.documents())
    return {
        "passages": sum(r.chunks for r in store_.documents()), "documents": documents,
        "added_passages": added, "added_documents": added_docs, "real_vectors": len(passages0),
        "real_embed_s": round(t_real, 1), "ingest_s": round(t_ingest, 1),
        "live_chunks": live, "live_chunks_error": live_error,
    }


# ---- measuring (a fresh child process, like a restarted bot) -------------------------------------
def questions(shared: Path) -> list[str]:
    """The development questions (seed_dev, answers_dev, alqac_dev), or a few built-in ones."""
    out = []
    for name in ("seed_dev", "answers_dev", "alqac_dev"):
        path = shared / "eval" / f"{name}.jsonl"
        if path.is_file():
            out += [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out or FALLBACK_QUESTIONS


def measure(store: Path, shared: Path, passes: int, paged: bool, profile: Path | None) -> dict[str, Any]:
    """Startup (imports, build_services, lexical index, model, first question), latency and memory."""
    import statistics

    t0 = time.perf_counter()
    import bot.app  # noqa: F401  # the bot process imports python-telegram-bot too: count its memory
    from knowledge.services.compose import build_services

    t_import = time.perf_counter() - t0
    rss_import, _ = _rss_mb()
    settings = _settings(store)
    t1 = time.perf_counter()
    services = build_services(settings)
    t_build = time.perf_counter() - t1
    if paged:
        services.store.live_chunks = lambda: paged_live_chunks(services.store)  # type: ignore[method-assign]
    qs = questions(shared)
    prof = None
    if profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    t2 = time.perf_counter()
    services.retriever.snapshot()
    t_snapshot = time.perf_counter() - t2
    rss_snapshot, _ = _rss_mb()
    services.embeddings.embed_query("khởi động")
    t_model = time.perf_counter() - t2 - t_snapshot
    services.engine.retrieve(qs[0])
    t_first = time.perf_counter() - t2
    if prof:
        prof.disable()
        prof.dump_stats(str(profile) + ".startup")
        prof = __import__("cProfile").Profile()
        prof.enable()
    rss_ready, _ = _rss_mb()
    latencies = []
    for _ in range(passes):
        for q in qs:
            t = time.perf_counter()
            services.engine.retrieve(q)
            latencies.append((time.perf_counter() - t) * 1000)
    if prof:
        prof.disable()
        prof.dump_stats(str(profile) + ".queries")
    rss, peak = _rss_mb()
    latencies.sort()
    return {
        "passages": len(services.retriever.snapshot().chunks),
        "import_s": round(t_import, 2), "build_services_s": round(t_build, 2),
        "lexical_index_s": round(t_snapshot, 2), "model_load_s": round(t_model, 2),
        "first_question_s": round(t_first, 2), "startup_s": round(t_build + t_first, 2),
        "retrieval_ms_p50": round(statistics.median(latencies), 1),
        "retrieval_ms_p95": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
        "retrievals": len(latencies),
        "rss_after_imports_mb": round(rss_import), "rss_after_index_mb": round(rss_snapshot),
        "rss_ready_mb": round(rss_ready), "rss_steady_mb": round(rss), "rss_peak_mb": round(peak),
        "live_chunks_paged_by_benchmark": paged,
    }


def breakdown(store: Path, shared: Path, paged: bool) -> dict[str, Any]:
    """Where the lexical index's time and memory go: HybridRetriever.snapshot()'s steps, one by one.

    Repeats what knowledge/search/retrieval.py snapshot() does, timing each step and reading
    the resident memory after it (with garbage collected), so a fix can aim at the right one.
    """
    import gc

    from knowledge.search.diacritics import DiacriticRestorer
    from knowledge.search.lexical import BM25Index
    from knowledge.services.compose import build_services

    services = build_services(_settings(store))
    steps: list[dict[str, Any]] = []
    keep: dict[str, Any] = {}

    def step(name: str, fn: Any) -> None:
        t = time.perf_counter()
        keep[name] = fn()
        gc.collect()
        rss, _ = _rss_mb()
        steps.append({"step": name, "s": round(time.perf_counter() - t, 1), "rss_mb": round(rss)})

    rss0, _ = _rss_mb()
    steps.append({"step": "build_services", "s": 0.0, "rss_mb": round(rss0)})
    read = (lambda: paged_live_chunks(services.store)) if paged else services.store.live_chunks
    step("store reads every live chunk (live_chunks)", read)
    rows = keep["store reads every live chunk (live_chunks)"]
    tok: dict[str, list[list[str]]] = {}
    step("split token strings (folded, words)",
         lambda: tok.update(folded=[r[1].split() for r in rows], words=[r[2].split() for r in rows]))
    step("per-chunk frozensets of folded tokens", lambda: [frozenset(t) for t in tok["folded"]])
    step("BM25 over folded syllables+bigrams", lambda: BM25Index(tok["folded"]))
    step("BM25 over pyvi words", lambda: BM25Index(tok["words"]))
    tok.clear()
    step("token lists dropped (as after snapshot)", lambda: None)
    step("diacritic restorer (bigram model)", lambda: DiacriticRestorer(r[0].text for r in rows))
    step("embedding model loaded", lambda: services.embeddings.embed_query("khởi động"))
    return {"passages": len(rows), "steps": steps,
            "question_costs": _question_costs(services, keep, questions(shared))}


def _question_costs(services: Any, built: dict[str, Any], qs: list[str], depth: int = 100) -> dict[str, float]:
    """Median ms per question of each piece of HybridRetriever.retrieve, and of cheaper alternatives."""
    import statistics

    import numpy as np

    from knowledge.search.lexical import folded_tokens, word_tokens

    folded, words = built["BM25 over folded syllables+bigrams"], built["BM25 over pyvi words"]
    store, chunks = services.store, services.store._chunks
    costs: dict[str, list[float]] = {}

    def timed(name: str, fn: Any) -> Any:
        t = time.perf_counter()
        out = fn()
        costs.setdefault(name, []).append((time.perf_counter() - t) * 1000)
        return out

    def top_sorted(scores: np.ndarray) -> np.ndarray:  # what retrieve() does per leg today
        cand = np.where(scores > 0)[0]
        return cand[np.argsort(-scores[cand], kind="stable")][:depth]

    def top_partitioned(scores: np.ndarray) -> np.ndarray:  # the O(n) alternative
        cand = np.where(scores > 0)[0]
        if cand.size > depth:
            cand = cand[np.argpartition(-scores[cand], depth)[:depth]]
        return cand[np.argsort(-scores[cand], kind="stable")]

    for q in qs[:60]:
        timed("store.generation() (twice per question today)", store.generation)
        timed("chunks.count() in dense_search", chunks.count)
        vec = timed("query embedding", lambda q=q: services.embeddings.embed_query(q))
        timed("Chroma HNSW query (k=100)", lambda v=vec: chunks.query(query_embeddings=[v], n_results=depth, include=["distances"]))
        f = timed("BM25 folded scores", lambda q=q: folded.scores(folded_tokens(q)))
        w = timed("BM25 words scores (pyvi on the question)", lambda q=q: words.scores(word_tokens(q)))
        for scores in (f, w, f + w):  # the third stands for the dense and fused arrays
            timed("top-100 of a leg by full argsort (today)", lambda s=scores: top_sorted(s))
            timed("top-100 of a leg by argpartition", lambda s=scores: top_partitioned(s))
    return {name: round(statistics.median(v), 2) for name, v in costs.items()}


def _child(args: list[str]) -> dict[str, Any]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    proc = subprocess.run([sys.executable, __file__, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"child {args[0]} failed with exit code {proc.returncode}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _print_profile(path: Path, top: int = 18) -> None:
    import pstats

    for part in ("startup", "queries"):
        print(f"\n-- cProfile, {part} (cumulative, top {top}): {path}.{part}")
        pstats.Stats(f"{path}.{part}").sort_stats("cumulative").print_stats(top)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="10000,100000", help="comma-separated passage counts, ascending")
    p.add_argument("--store", type=Path, default=Path("/tmp/party-bench-scale"))
    p.add_argument("--shared", type=Path, default=Path(os.environ.get("PARTY_SHARED_DIR", ROOT.parent / "shared")))
    p.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "party-assistant" / "eval-embeddings.sqlite",
                   help="embedding cache of the real passages (the evaluation harness's)")
    p.add_argument("--passes", type=int, default=2, help="times each development question is asked")
    p.add_argument("--profile", action="store_true", help="cProfile the startup and the questions at each size")
    p.add_argument("--rebuild", action="store_true", help="delete the stored knowledge base first")
    p.add_argument("--breakdown", action="store_true", help="also time and weigh each step of the lexical index build")
    p.add_argument("--mode", choices=["all", "build", "measure", "breakdown"], default="all", help=argparse.SUPPRESS)
    p.add_argument("--size", type=int, help=argparse.SUPPRESS)
    p.add_argument("--paged", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.mode == "build":
        print(json.dumps(build(args.store / str(args.size), args.size, args.shared, args.cache)))
        return 0
    if args.mode == "measure":
        profile = args.store / f"profile-{args.size}" if args.profile else None
        print(json.dumps(measure(args.store / str(args.size), args.shared, args.passes, args.paged, profile)))
        return 0
    if args.mode == "breakdown":
        print(json.dumps(breakdown(args.store / str(args.size), args.shared, args.paged)))
        return 0
    if not (args.shared / "corpus").is_dir():
        raise SystemExit(f"no corpus under {args.shared} (set --shared or PARTY_SHARED_DIR)")
    if args.rebuild and args.store.exists():
        import shutil

        shutil.rmtree(args.store)
    rows = []
    previous: Path | None = None
    for size in (int(s) for s in args.sizes.split(",")):
        target = args.store / str(size)
        if not target.exists() and previous is not None:
            import shutil  # grow a copy of the smaller store instead of starting again

            shutil.copytree(previous, target)
        print(f"building {size:,} passages in {target} …", file=sys.stderr, flush=True)
        built = _child(["--mode", "build", "--size", str(size), "--store", str(args.store),
                        "--shared", str(args.shared), "--cache", str(args.cache)])
        print(f"  built: {json.dumps(built)}", file=sys.stderr, flush=True)
        measured = _child(["--mode", "measure", "--size", str(size), "--store", str(args.store),
                           "--shared", str(args.shared), "--passes", str(args.passes)]
                          + (["--paged"] if built["live_chunks_error"] else [])
                          + (["--profile"] if args.profile else []))
        rows.append({"size": size, **built, **measured})
        if args.breakdown:
            got = _child(["--mode", "breakdown", "--size", str(size), "--store", str(args.store), "--shared", str(args.shared)]
                         + (["--paged"] if built["live_chunks_error"] else []))
            rows[-1]["breakdown"], rows[-1]["question_costs"] = got["steps"], got["question_costs"]
        print(json.dumps(rows[-1]), flush=True)
        previous = target
    print("\n| passages | documents | retrieval p50 / p95 | startup (build_services + first question) "
          "| lexical index | RSS ready / steady / peak |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['passages']:,} | {r['documents']:,} | {r['retrieval_ms_p50']} / {r['retrieval_ms_p95']} ms "
              f"| {r['startup_s']} s | {r['lexical_index_s']} s | {r['rss_ready_mb']:,} / {r['rss_steady_mb']:,} / "
              f"{r['rss_peak_mb']:,} MB |")
        if r["live_chunks_error"]:
            print(f"  (store.live_chunks() failed at this size: {r['live_chunks_error']}; the benchmark read it in pages)")
    for r in rows:
        for b in r.get("breakdown", ()):
            print(f"  {r['passages']:,} passages: {b['step']:<45} {b['s']:>7.1f} s  RSS {b['rss_mb']:>6,} MB")
        for name, ms in r.get("question_costs", {}).items():
            print(f"  {r['passages']:,} passages, per question: {name:<48} {ms:>7.2f} ms (median)")
    if args.profile:
        for r in rows:
            _print_profile(args.store / f"profile-{r['size']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
