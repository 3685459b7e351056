"""``python -m knowledge.eval``: the evaluation harness (see ``knowledge.eval.harness``)."""

import sys

from knowledge.eval.harness import main

sys.exit(main())
