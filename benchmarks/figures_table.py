"""The README's evaluation table, from the ``--json`` output of ``python -m knowledge.eval``.

    python -m knowledge.eval --corpus ../shared/corpus --questions ../shared/eval/seed_dev.jsonl \\
        --questions ../shared/eval/answers_dev.jsonl --baseline --json party.json
    python -m knowledge.eval --corpus ../shared/eval/alqac_passages.jsonl \\
        --questions ../shared/eval/alqac_dev.jsonl --baseline --json alqac.json
    python benchmarks/figures_table.py party.json alqac.json

Prints a markdown table (ours against the LangChain tutorial baseline) for every questions
file found in the given reports; every figure is copied from the JSON, nothing is computed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROWS = [
    ("hit@1 / hit@3 / MRR@10", ("hit@1", "hit@3", "mrr@10")),
    ("answer_recall / answer_contains", ("answer_recall", "answer_contains")),
    ("answer length p50 / p95 (characters)", ("answer_chars_p50", "answer_chars_p95")),
    ("unanswerable declined / answerable wrongly declined", ("declined_unanswerable", "false_declines")),
    ("answer latency p50 / p95 (ms)", ("answer_ms_p50", "answer_ms_p95")),
]


def _cell(report: dict[str, Any] | None, keys: tuple[str, ...]) -> str:
    if report is None:
        return "—"
    values = [report.get(k) for k in keys]
    if all(v is None for v in values):
        return "—"
    return " / ".join("—" if v is None else f"{v:g}" if isinstance(v, float) else str(v) for v in values)


def table(reports: dict[str, dict[str, Any]]) -> str:
    """Markdown rows: set and measure, ours, baseline."""
    lines = ["| development set: measure | ours | LangChain tutorial baseline |", "|---|---|---|"]
    for name, report in reports.items():
        n = report.get("n")
        for label, keys in ROWS:
            ours = _cell(report, keys)
            if ours == "—":
                continue
            lines.append(f"| `{name}` ({n} questions): {label} | {ours} | {_cell(report.get('baseline'), keys)} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    reports: dict[str, dict[str, Any]] = {}
    for path in argv:
        reports.update(json.loads(Path(path).read_text(encoding="utf-8")))
    print(table(reports))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
