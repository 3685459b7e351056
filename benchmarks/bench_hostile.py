"""Peak memory and time to refuse (or read) each hostile file, one fresh process per file.

``python benchmarks/bench_hostile.py [--all]`` prints, per file: outcome, peak RSS of the loading
process (MB) and seconds. By default only the bombs and the largest files; ``--all`` runs all 200+.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PROBE = """
import sys, time
from pathlib import Path
from knowledge.documents.loaders import load_file
from knowledge.errors import KnowledgeError
t = time.perf_counter()
try:
    doc = load_file(Path(sys.argv[1]))
    outcome = f"read {len(doc.text):,} chars"
except KnowledgeError as exc:
    outcome = "refused: " + exc.english[:70]
hwm = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1])
print(f"{hwm / 1024:.0f}\\t{time.perf_counter() - t:.2f}\\t{outcome}")
"""


def main() -> None:
    from tests.hostile.generate import generate

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "hostile"
        cases = generate(folder)
        chosen = cases if "--all" in sys.argv else [
            c for c in cases if "bomb" in c.kind or "nesting" in c.kind or "MB" in c.kind or "elements" in c.kind
            or "huge" in c.kind or "many" in c.kind
        ]
        print(f"{'file':38} {'MB':>6} {'s':>6}  outcome")
        for case in chosen:
            path = folder / case.name
            if not path.is_file():
                continue
            out = subprocess.run([sys.executable, "-c", PROBE, str(path)], cwd=ROOT, capture_output=True, text=True)
            mb, secs, outcome = (out.stdout.strip().split("\t") + ["", "", out.stderr.strip()[-70:]])[:3]
            print(f"{case.name[:38]:38} {mb:>6} {secs:>6}  {outcome}")


if __name__ == "__main__":
    main()
