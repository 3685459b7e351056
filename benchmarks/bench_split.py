"""Splitting speed: the whole corpus parsed into chunks, metadata included, no embedding.

    python benchmarks/bench_split.py [--corpus ../shared/corpus] [--repeat 5]

Prints the minimum and median time over the runs and chunks per second. Asserts nothing
(speed is measured here, never by a timed test).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    from knowledge.documents.metadata import extract_metadata
    from knowledge.documents.splitter import split_document
    from knowledge.models import LoadedDocument
    from knowledge.text import normalize

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    files = sorted(args.corpus.glob("*.txt"))
    if not files:
        sys.exit(f"no .txt files in {args.corpus}")
    docs = []
    for f in files:
        text = normalize(f.read_text(encoding="utf-8"))
        docs.append(LoadedDocument(f.stem, f.name, text, "txt", "0" * 64, len(text)))
    times, chunks = [], 0
    for _ in range(args.repeat):
        start = time.perf_counter()
        chunks = sum(len(split_document(d, extract_metadata(d))) for d in docs)
        times.append(time.perf_counter() - start)
    chars = sum(len(d.text) for d in docs)
    print(f"{len(docs)} documents, {chars:,} characters, {chunks} chunks")
    print(f"split: min {min(times):.2f} s, median {statistics.median(times):.2f} s over {args.repeat} runs "
          f"({chunks / min(times):.0f} chunks/s)")


if __name__ == "__main__":
    main()
