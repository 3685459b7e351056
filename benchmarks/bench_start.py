"""Start-up: a process's first answer with and without the bot's warm-up, and the one-shot CLI.

    python benchmarks/bench_start.py --data-dir DIR [--runs 3]

DIR is an ingested data dir (``python ingest.py --data-dir DIR ../shared/corpus``). Each run is
a fresh process, as after a restart: ``build_services``, then (``warm``) ``QAService.warm_up()``
as the bot does before it takes updates, then three questions timed one by one. A third mode
times the whole one-shot ``python -m knowledge.ask`` command. Prints medians; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ["Chi bộ sinh hoạt định kỳ mấy lần?", "Thời gian dự bị của đảng viên là bao lâu?", "doan kiem tra gom nhung ai"]

_CHILD = """
import json, sys, time
from pathlib import Path
from knowledge.services.compose import build_services
from knowledge.settings import KnowledgeSettings
t0 = time.perf_counter()
s = build_services(KnowledgeSettings(data_dir=Path(sys.argv[1])))
t1 = time.perf_counter()
if sys.argv[2] == "warm":
    s.engine.warm_up()
t2 = time.perf_counter()
answers = []
for q in json.loads(sys.argv[3]):
    a = time.perf_counter()
    s.engine.answer(q)
    answers.append(time.perf_counter() - a)
print(json.dumps({"build": t1 - t0, "warm_up": t2 - t1, "answers": answers}))
"""


def _child(data_dir: Path, mode: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(data_dir), mode, json.dumps(QUESTIONS, ensure_ascii=False)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", type=Path, required=True)
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    for mode in ("cold", "warm"):
        runs = [_child(args.data_dir, mode) for _ in range(args.runs)]
        med = statistics.median
        answers = [med(r["answers"][i] for r in runs) * 1000 for i in range(len(QUESTIONS))]  # type: ignore[index]
        print(f"{mode}: build_services {med(r['build'] for r in runs):.2f} s, "  # type: ignore[misc]
              f"warm-up {med(r['warm_up'] for r in runs):.2f} s, "  # type: ignore[misc]
              f"answers (first, second, third) {', '.join(f'{a:.0f} ms' for a in answers)}")
    walls = []
    for _ in range(args.runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "knowledge.ask", "--data-dir", str(args.data_dir), QUESTIONS[0]],
                       cwd=ROOT, capture_output=True, check=True)
        walls.append(time.perf_counter() - started)
    print(f"one-shot python -m knowledge.ask: median {statistics.median(walls):.2f} s over {args.runs} runs")


if __name__ == "__main__":
    main()
