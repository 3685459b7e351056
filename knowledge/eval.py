"""``python -m knowledge.eval``: see knowledge.evaluation."""

import sys

from knowledge.evaluation import main

if __name__ == "__main__":
    sys.exit(main())
