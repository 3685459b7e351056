"""Choose the decline threshold (KB_MIN_CONFIDENCE) on one half of the questions, check it on the other.

    python benchmarks/calibrate_decline.py [--corpus ../shared/corpus] [--questions FILE ...]

Indexes the corpus with the default model (embeddings cached on disk) and answers every
question at each threshold of a grid. Questions are split by the parity of their position
in each file: the threshold that makes the fewest mistakes on the first half (unanswerable
questions answered plus answerable ones declined; ties go to the lower threshold) is
reported with its mistakes on the second half. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # noqa: E402  (run as a script from a checkout)


def mistakes(rows: list[tuple[bool, bool]]) -> tuple[int, int]:
    """(unanswerable answered, answerable declined) among (unanswerable, declined) pairs."""
    return sum(1 for u, d in rows if u and not d), sum(1 for u, d in rows if not u and d)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    p.add_argument("--questions", type=Path, action="append")
    p.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "party-assistant" / "eval-embeddings.sqlite")
    args = p.parse_args()
    files = args.questions or [ROOT.parent / "shared" / "eval" / n for n in ("answers_dev.jsonl", "seed_dev.jsonl")]

    from knowledge.embeddings.cache import CachedEmbeddings
    from knowledge.embeddings.model import load_embeddings
    from knowledge.eval.harness import load_corpus
    from knowledge.services.compose import build_services
    from knowledge.settings import KnowledgeSettings

    embeddings = CachedEmbeddings(load_embeddings(KnowledgeSettings()), args.cache)
    questions: list[tuple[int, str, bool]] = []  # (half, question, unanswerable)
    for path in files:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        questions += [(n % 2, q["question"], bool(q.get("unanswerable"))) for n, q in enumerate(rows)]
    grid = [round(0.30 + 0.05 * i, 2) for i in range(9)]
    results: dict[float, list[list[tuple[bool, bool]]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        services = build_services(KnowledgeSettings(data_dir=Path(tmp) / "data"), embeddings=embeddings)
        services.ingest.ingest_documents(load_corpus(args.corpus))
        for t in grid:
            services.engine.settings.min_confidence = t
            halves: list[list[tuple[bool, bool]]] = [[], []]
            for half, question, unanswerable in questions:
                halves[half].append((unanswerable, services.engine.answer(question).declined))
            results[t] = halves
    fewest = min(sum(mistakes(results[t][0])) for t in grid)
    tied = [t for t in grid if sum(mistakes(results[t][0])) == fewest]
    best = tied[len(tied) // 2]  # the middle of the best range: the widest margin both ways
    print(f"questions: {len(results[best][0])} to choose on, {len(results[best][1])} to check on")
    for t in grid:
        a, b = mistakes(results[t][0]), mistakes(results[t][1])
        mark = "  <- chosen on the first half" if t == best else ""
        print(f"threshold {t:.2f}: first half {a[0]} answered wrongly, {a[1]} declined wrongly; "
              f"second half {b[0]} answered wrongly, {b[1]} declined wrongly{mark}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
