"""Fail when an evaluation figure falls below its recorded floor by more than the tolerance.

    python .ci/eval_guard.py check  RESULT.json [RESULT.json ...]   # exit 1 on a drop
    python .ci/eval_guard.py record RESULT.json [RESULT.json ...]   # write them as the new floor

RESULT files are ``python -m knowledge.eval --json`` outputs ({"seed_dev": {...}, ...}). The
floor (.ci/eval-floor.json) holds, per questions file, the quality figures worth guarding;
latencies and index times are left out (they measure the machine, not the answers). Higher is
better for every figure except the share of answerable questions wrongly declined and the share
of unanswerable questions answered directly. A figure
that is recorded but missing from the new results fails too: the harness must keep it.
``bash .ci/eval.sh --record`` runs the evaluation and records its figures in one command.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

FLOOR = Path(__file__).resolve().parent / "eval-floor.json"
TOLERANCE = 0.02
HIGHER_IS_BETTER = (
    "hit@1", "hit@3", "hit@5", "hit@10", "mrr@10", "answer_contains", "answer_recall", "declined_unanswerable",
)
LOWER_IS_BETTER = ("false_declines", "direct_unanswerable")


def guarded(report: dict[str, Any]) -> dict[str, float]:
    """The figures of one questions file that the guard keeps (those present, not null)."""
    return {
        k: float(report[k])
        for k in HIGHER_IS_BETTER + LOWER_IS_BETTER
        if isinstance(report.get(k), int | float) and not isinstance(report.get(k), bool)
    }


def load_results(paths: list[Path]) -> dict[str, dict[str, Any]]:
    """All questions files' reports from several --json outputs, by questions file name."""
    merged: dict[str, dict[str, Any]] = {}
    for path in paths:
        for name, report in json.loads(path.read_text(encoding="utf-8")).items():
            if name in merged:
                raise SystemExit(f"{name} appears in two result files")
            merged[name] = report
    return merged


def drops(floor: dict[str, dict[str, float]], results: dict[str, dict[str, Any]], tol: float) -> list[str]:
    """Every recorded figure that fell by more than ``tol`` (or vanished), as readable lines."""
    out = []
    for name, figures in sorted(floor.items()):
        now = guarded(results.get(name, {}))
        for metric, recorded in sorted(figures.items()):
            if metric not in now:
                out.append(f"{name} {metric}: recorded {recorded}, missing from the results")
                continue
            worse = now[metric] - recorded if metric in LOWER_IS_BETTER else recorded - now[metric]
            if worse > tol + 1e-9:
                out.append(f"{name} {metric}: {now[metric]:.4f}, recorded {recorded:.4f} (worse by {worse:.4f})")
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("action", choices=["check", "record"])
    p.add_argument("results", type=Path, nargs="+")
    p.add_argument("--floor", type=Path, default=FLOOR)
    args = p.parse_args(argv)
    results = load_results(args.results)
    if args.action == "record":
        floor = {name: guarded(report) for name, report in sorted(results.items())}
        doc = {"tolerance": TOLERANCE, "recorded_with": "bash .ci/eval.sh --record", "figures": floor}
        args.floor.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"recorded {sum(len(f) for f in floor.values())} figures of {', '.join(floor)} in {args.floor}")
        return 0
    doc = json.loads(args.floor.read_text(encoding="utf-8"))
    tol = float(doc.get("tolerance", TOLERANCE))
    for name, figures in sorted(doc["figures"].items()):
        now = guarded(results.get(name, {}))
        shown = ", ".join(f"{m} {now.get(m, float('nan')):.3f} (floor {v:.3f})" for m, v in sorted(figures.items()))
        print(f"{name}: {shown}")
    failed = drops(doc["figures"], results, tol)
    if failed:
        print(f"\nEVALUATION REGRESSED (tolerance {tol}):\n  " + "\n  ".join(failed), file=sys.stderr)
        return 1
    better = [
        f"{name} {m}" for name, figures in doc["figures"].items() for m, v in figures.items()
        if (guarded(results[name])[m] - v) * (-1 if m in LOWER_IS_BETTER else 1) > tol
    ]
    if better:
        print("improved beyond the floor (raise it with `bash .ci/eval.sh --record`): " + ", ".join(better))
    print("evaluation: no figure fell by more than", tol)
    return 0


if __name__ == "__main__":
    sys.exit(main())
