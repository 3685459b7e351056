"""Admin CLI shim: ``python ingest.py PATH... [--data-dir DIR] [--list] [--delete ID] [--dry-run]``."""

import sys

from knowledge.cli import main

if __name__ == "__main__":
    sys.exit(main())
