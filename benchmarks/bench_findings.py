"""Findings: extraction precision/recall per kind and per document, and answers on a questions file.

    python benchmarks/bench_findings.py                      # the development fixtures, real model
    python benchmarks/bench_findings.py --fake               # the same with the hashing embedder (no model)
    python benchmarks/bench_findings.py --corpus tests/fixtures/findings/heldout \\
        --questions tests/fixtures/findings/heldout/findings_heldout.jsonl --only heldout/   # held-out, once
    python benchmarks/bench_findings.py --documents ../shared/eval/findings_yenkhe \
        --expected tests/fixtures/findings_yenkhe/expected_records.json \
        --corpus ../shared/eval/findings_yenkhe --questions ../shared/eval/findings_yenkhe_dev.jsonl   # Yên Khê

Extraction is scored against ``expected_records.json`` (kind, unit, text, then deadline /
responsible / person); answers as the evaluation harness does (NFC, whitespace folded, lower
case): ``answer_recall`` is the mean share of ``answer_contains`` strings an answer holds.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.findings.evaluate import Tally, answer_recall, score_folder  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "findings"


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def extraction(corpus_root: Path, expected: Path, prefix: str) -> None:
    truth = json.loads(expected.read_text(encoding="utf-8"))
    names = [n for n in truth if not n.startswith("_") and n.startswith(prefix) and (prefix or "/" not in n)]
    scores = score_folder(corpus_root, expected, only=names)
    by_kind: dict[str, Tally] = {}
    print(f"{'document':52} {'kind':10} {'exp':>4} {'found':>5} {'fields':>6} {'extr':>5} {'recall':>6} {'prec':>6}")
    for name, kinds in scores.items():
        for kind, t in sorted(kinds.items()):
            by_kind.setdefault(kind, Tally()).add(t)
            print(f"{name[:52]:52} {kind:10} {t.expected:4} {t.found:5} {t.fields_ok:6} {t.extracted:5} "
                  f"{_fmt(t.recall):>6} {_fmt(t.precision):>6}")
    print("\nper kind (all documents):")
    for kind, t in sorted(by_kind.items()):
        print(f"  {kind:10} recall {_fmt(t.recall)} ({t.found}/{t.expected}), fields right {t.fields_ok}/{t.found}, "
              f"precision {_fmt(t.precision)} ({t.correct}/{t.extracted})")
    misses = [m for kinds in scores.values() for t in kinds.values() for m in t.misses]
    for m in misses:
        print("  miss:", m)


def answers(corpus: Path, questions: Path, fake: bool) -> None:
    from knowledge.eval.harness import load_corpus, load_questions
    from knowledge.services.compose import build_services
    from knowledge.settings import KnowledgeSettings

    if fake:
        from knowledge.embeddings.fake import HashEmbeddings

        embeddings = HashEmbeddings()
    else:
        from knowledge.embeddings.cache import CachedEmbeddings
        from knowledge.embeddings.model import load_embeddings

        embeddings = CachedEmbeddings(
            load_embeddings(KnowledgeSettings()), Path.home() / ".cache" / "party-assistant" / "eval-embeddings.sqlite"
        )
    with tempfile.TemporaryDirectory(prefix="kb-findings-") as tmp:
        services = build_services(KnowledgeSettings(data_dir=Path(tmp) / "data"), embeddings=embeddings)
        services.ingest.ingest_documents(load_corpus(corpus))
        recalls, complete, declined, false_declines, findings_mode, times = [], [], [], [], 0, []
        for q in load_questions(questions):
            t0 = time.perf_counter()
            a = services.engine.answer(q.question)
            times.append((time.perf_counter() - t0) * 1000)
            findings_mode += a.mode == "findings"
            if q.unanswerable:
                declined.append(a.declined)
                if not a.declined:
                    print(f"  {q.id}: answered an unanswerable question: {a.text[:160]!r}")
                continue
            false_declines.append(a.declined)
            if q.answer_contains:
                r = answer_recall(q.answer_contains, a.text)
                recalls.append(r)
                complete.append(r == 1.0)
                if r < 1.0:
                    print(f"  {q.id}: answer_recall {r:.2f}: {q.question}")
        n = len(recalls)
        times.sort()
        print(f"\nquestions {len(recalls) + len(declined)} ({findings_mode} answered from the records)")
        print(f"answer_recall {sum(recalls) / n:.4f}  answer_contains (all strings) {sum(complete) / n:.4f}"
              f"  ({n} answerable)")
        print(f"unanswerable declined {sum(declined)}/{len(declined)}"
              f"  answerable wrongly declined {sum(false_declines)}/{len(false_declines)}")
        print(f"answer latency p50 {times[len(times) // 2]:.1f} ms, max {times[-1]:.1f} ms")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", type=Path, default=FIXTURES, help="folder of documents to index for the questions")
    p.add_argument("--expected", type=Path, default=FIXTURES / "expected_records.json")
    p.add_argument("--questions", type=Path, default=FIXTURES / "findings_dev.jsonl")
    p.add_argument("--only", default="", help="score ground-truth files whose name starts with this (heldout/)")
    p.add_argument("--documents", type=Path, default=None,
                   help="folder holding the ground truth's documents (default: the folder of --expected)")
    p.add_argument("--fake", action="store_true", help="hashing embedder instead of the real model")
    args = p.parse_args()
    print("== extraction")
    extraction(args.documents or args.expected.parent, args.expected, args.only)
    print("\n== answers")
    answers(args.corpus, args.questions, args.fake)
    return 0


if __name__ == "__main__":
    sys.exit(main())
