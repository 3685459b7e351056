"""``python -m tests.fakes.run_cli ARGS`` runs the admin CLI with the fake embedder (for multi-process tests).

It also installs the store's fault-injection seams the crash and disk-full tests ask for:

- ``PARTY_TEST_PAUSE_AT=step`` with ``PARTY_TEST_PAUSE_FILE=path``: at that step of a write the
  process writes the step's name to the file and waits to be killed;
- ``PARTY_TEST_NO_SPACE_CHECK=1``: the up-front free-space check passes, so the write runs until
  Chroma itself hits the full disk.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

from knowledge.cli import main
from knowledge.store.chroma import SEAMS
from tests.fakes.embedder import HashEmbeddings


def _pause_at(wanted: str, marker: Path):
    def at_step(step: str) -> None:
        if step == wanted:
            marker.write_text(step, encoding="ascii")
            threading.Event().wait()  # until the test kills the process

    return at_step


if __name__ == "__main__":
    if os.environ.get("PARTY_TEST_PAUSE_AT"):
        SEAMS.at_step = _pause_at(os.environ["PARTY_TEST_PAUSE_AT"], Path(os.environ["PARTY_TEST_PAUSE_FILE"]))
    if os.environ.get("PARTY_TEST_NO_SPACE_CHECK"):
        SEAMS.free_bytes = lambda path: 1 << 62
    sys.exit(main(sys.argv[1:], embeddings=HashEmbeddings()))
