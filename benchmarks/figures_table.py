"""The evaluation tables of docs/evaluation.md, from the ``--json`` output of ``python -m knowledge.eval``.

    python -m knowledge.eval --corpus ../shared/corpus --questions ../shared/eval/answers_dev.jsonl \\
        --questions ../shared/eval/regulations_dev.jsonl --questions ../shared/eval/scenarios_dev.jsonl \\
        --questions ../shared/eval/seed_dev.jsonl --json party.json
    python -m knowledge.eval --corpus ../shared/eval/alqac_passages.jsonl \\
        --questions ../shared/eval/alqac_dev.jsonl --baseline --json alqac.json
    python benchmarks/figures_table.py party.json alqac.json

Prints markdown: for every questions file its figures on the tune half, the check half and all
questions (the check half is what judges a change; a gap between the halves means something was
fitted), then the check half by kind. Every figure is copied from the JSON, nothing is computed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROWS = [
    ("hit@1 / hit@3 / MRR@10", ("hit@1", "hit@3", "mrr@10")),
    ("answer_recall / answer_contains", ("answer_recall", "answer_contains")),
    ("answerable: direct / closest / declined", ("direct_answers", "closest_answers", "false_declines")),
    ("unanswerable: answered directly / not", ("direct_unanswerable", "declined_unanswerable")),
    ("answer length p50 / p95 (characters)", ("answer_chars_p50", "answer_chars_p95")),
    ("answer latency p50 / p95 (ms)", ("answer_ms_p50", "answer_ms_p95")),
]
KIND_ROW = ("n", "answer_recall", "answer_contains", "false_declines", "direct_unanswerable")


def _cell(report: dict[str, Any] | None, keys: tuple[str, ...]) -> str:
    if report is None:
        return "—"
    values = [report.get(k) for k in keys]
    if all(v is None for v in values):
        return "—"
    return " / ".join("—" if v is None else f"{v:g}" if isinstance(v, float) else str(v) for v in values)


def table(reports: dict[str, dict[str, Any]]) -> str:
    """Markdown rows: set and measure; tune half, check half, all; the baseline (all) when run."""
    lines = ["| development set: measure | tune half | check half | all | LangChain tutorial baseline |",
             "|---|---|---|---|---|"]
    for name, report in reports.items():
        n = report.get("n")
        for label, keys in ROWS:
            cells = [_cell(report.get("tune"), keys), _cell(report.get("check"), keys), _cell(report, keys)]
            if all(c == "—" for c in cells):
                continue
            if keys[0].startswith("answer_ms"):  # latency is measured for all questions only
                cells[:2] = ["", ""]
            lines.append(f"| `{name}` ({n}): {label} | " + " | ".join(cells) + f" | {_cell(report.get('baseline'), keys)} |")
    return "\n".join(lines)


def kinds(reports: dict[str, dict[str, Any]]) -> str:
    """Markdown: the check half by kind (questions, recall, contains, declined, unanswerable answered)."""
    lines = ["| development set | kind | n | answer_recall | answer_contains | answerable declined | unanswerable answered directly |",
             "|---|---|---|---|---|---|---|"]
    for name, report in reports.items():
        for kind, rep in ((report.get("check") or {}).get("by_kind") or {}).items():
            lines.append(f"| `{name}` | {kind} | " + " | ".join(_cell(rep, (k,)) for k in KIND_ROW) + " |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    reports: dict[str, dict[str, Any]] = {}
    for path in argv:
        reports.update(json.loads(Path(path).read_text(encoding="utf-8")))
    print(table(reports))
    print()
    print(kinds(reports))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
