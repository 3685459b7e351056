#!/usr/bin/env bash
# Install everything the project needs on a fresh machine of this kind (idempotent).
#   bash scripts/setup.sh        runtime only
#   bash scripts/setup.sh dev    runtime + test dependencies
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1
if [ -s .ci/apt-packages.txt ]; then
  missing=$(grep -v '^\s*#' .ci/apt-packages.txt | while read -r pkg; do
    [ -n "$pkg" ] && ! dpkg -s "$pkg" >/dev/null 2>&1 && echo "$pkg"; done || true)
  if [ -n "$missing" ] && command -v apt-get >/dev/null; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
fi
# The CPU build of torch first: an unpinned torch would pull a multi-GB CUDA build.
python3 -m pip install -q torch==2.13.0
python3 -m pip install -q --no-deps -r requirements-pinned.txt
if [ "${1:-}" = "dev" ]; then
  python3 -m pip install -q -e '.[dev]'
else
  python3 -m pip install -q -e .
fi
