#!/usr/bin/env bash
# The evaluation on the development sets, guarded against regressions (run by .ci/run).
#   bash .ci/eval.sh            evaluate, then fail if a figure in .ci/eval-floor.json fell by > 0.02
#   bash .ci/eval.sh --record   evaluate, then record the figures as the new floor (commit the file)
# Needs ../shared (or PARTY_SHARED_DIR). Embeddings are cached in PARTY_EVAL_CACHE (default: a
# fresh file per run, so CI always measures the model as it is now).
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
SHARED="${PARTY_SHARED_DIR:-$(cd .. && pwd)/shared}"
OUT="$(mktemp -d "${TMPDIR:-/tmp}/party-eval.XXXXXX")"
CACHE="${PARTY_EVAL_CACHE:-$OUT/embeddings.sqlite}"
trap 'rm -rf "$OUT"' EXIT

python3 -m knowledge.eval --corpus "$SHARED/corpus" \
  --questions "$SHARED/eval/seed_dev.jsonl" --questions "$SHARED/eval/answers_dev.jsonl" \
  --questions "$SHARED/eval/regulations_dev.jsonl" --questions "$SHARED/eval/scenarios_dev.jsonl" \
  --cache "$CACHE" --json "$OUT/party.json"
python3 -m knowledge.eval --corpus "$SHARED/eval/alqac_passages.jsonl" \
  --questions "$SHARED/eval/alqac_dev.jsonl" --cache "$CACHE" --json "$OUT/alqac.json"
# a district's findings documents indexed beside the rule documents, as in a real knowledge base
python3 -m knowledge.eval --corpus "$SHARED/corpus" --corpus "$SHARED/eval/findings_yenkhe" \
  --questions "$SHARED/eval/findings_yenkhe_dev.jsonl" --cache "$CACHE" --json "$OUT/findings.json"
# four districts' findings written blind, in other layouts (now tuned on: their README.md in tests/fixtures/)
python3 -m knowledge.eval --corpus "$SHARED/corpus" --corpus tests/fixtures/findings_hoaphu/docs \
  --questions tests/fixtures/findings_hoaphu/findings_hoaphu_dev.jsonl --cache "$CACHE" --json "$OUT/hoaphu.json"
python3 -m knowledge.eval --corpus "$SHARED/corpus" --corpus tests/fixtures/findings_ninhgiang/docs \
  --questions tests/fixtures/findings_ninhgiang/findings_ninhgiang_dev.jsonl --cache "$CACHE" --json "$OUT/ninhgiang.json"
python3 -m knowledge.eval --corpus "$SHARED/corpus" --corpus tests/fixtures/findings_khauvai/docs \
  --questions tests/fixtures/findings_khauvai/findings_khauvai_dev.jsonl --cache "$CACHE" --json "$OUT/khauvai.json"
python3 -m knowledge.eval --corpus "$SHARED/corpus" --corpus tests/fixtures/findings_tanlac/docs \
  --questions tests/fixtures/findings_tanlac/findings_tanlac_dev.jsonl --cache "$CACHE" --json "$OUT/tanlac.json"

if [ "${1:-}" = "--record" ]; then
  python3 .ci/eval_guard.py record "$OUT/party.json" "$OUT/alqac.json" "$OUT/findings.json" "$OUT/hoaphu.json" "$OUT/ninhgiang.json" "$OUT/khauvai.json" "$OUT/tanlac.json"
else
  python3 .ci/eval_guard.py check "$OUT/party.json" "$OUT/alqac.json" "$OUT/findings.json" "$OUT/hoaphu.json" "$OUT/ninhgiang.json" "$OUT/khauvai.json" "$OUT/tanlac.json"
fi
