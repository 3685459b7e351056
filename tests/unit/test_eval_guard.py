"""The CI evaluation guard (.ci/eval_guard.py): a drop beyond 0.02 fails, noise within it passes."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("eval_guard", ROOT / ".ci" / "eval_guard.py")
assert _spec and _spec.loader
guard = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(guard)

REPORT = {"n": 10, "hit@1": 0.75, "mrr@10": 0.854, "false_declines": 0.0, "retrieval_ms_p50": 30.0, "misses": []}


def _write(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _run(tmp_path: Path, now: dict) -> int:
    recorded = _write(tmp_path / "then.json", {"seed_dev": REPORT})
    floor = tmp_path / "floor.json"
    assert guard.main(["record", str(recorded), "--floor", str(floor)]) == 0
    return guard.main(["check", str(_write(tmp_path / "now.json", {"seed_dev": now})), "--floor", str(floor)])


def test_the_floor_keeps_quality_figures_not_latencies(tmp_path: Path) -> None:
    floor = tmp_path / "floor.json"
    guard.main(["record", str(_write(tmp_path / "r.json", {"seed_dev": REPORT})), "--floor", str(floor)])
    assert json.loads(floor.read_text())["figures"] == {"seed_dev": {"hit@1": 0.75, "mrr@10": 0.854, "false_declines": 0.0}}


def test_a_drop_within_the_tolerance_passes_and_slower_answers_do_not_count(tmp_path: Path) -> None:
    assert _run(tmp_path, {**REPORT, "hit@1": 0.73, "mrr@10": 0.835, "retrieval_ms_p50": 300.0}) == 0


def test_a_drop_beyond_the_tolerance_fails(tmp_path: Path, capsys) -> None:
    assert _run(tmp_path, {**REPORT, "hit@1": 0.65}) == 1
    assert "seed_dev hit@1: 0.6500, recorded 0.7500" in capsys.readouterr().err


def test_more_wrong_declines_fail(tmp_path: Path) -> None:
    assert _run(tmp_path, {**REPORT, "false_declines": 0.125}) == 1


def test_a_figure_the_harness_stopped_reporting_fails(tmp_path: Path, capsys) -> None:
    now = {k: v for k, v in REPORT.items() if k != "mrr@10"}
    assert _run(tmp_path, now) == 1
    assert "mrr@10: recorded 0.854, missing" in capsys.readouterr().err
