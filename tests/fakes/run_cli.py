"""``python -m tests.fakes.run_cli ARGS`` runs the admin CLI with the fake embedder (for multi-process tests)."""

from __future__ import annotations

import sys

from knowledge.cli import main
from tests.fakes.embedder import HashEmbeddings

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], embeddings=HashEmbeddings()))
