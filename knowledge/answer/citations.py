"""Citation numbers in answer text: "[1]", "[1, 2]", "[2-3]" — one pattern for the whole engine."""

from __future__ import annotations

import re
from collections.abc import Mapping

CITATION_RE = re.compile(r"\[\s*(\d+(?:\s*[,;–-]\s*\d+)*)\s*\]")


def parse_citations(text: str) -> list[int]:
    """Every passage number cited, in order, repeats kept: "[1, 2] ... [3-4][1]" -> 1,2,3,4,1."""
    out: list[int] = []
    for m in CITATION_RE.finditer(text):
        for part in re.split(r"\s*[,;]\s*", m.group(1)):
            bounds = re.split(r"\s*[–-]\s*", part)
            if len(bounds) == 2 and bounds[0].isdigit() and bounds[1].isdigit():
                lo, hi = int(bounds[0]), int(bounds[1])
                out.extend(range(lo, hi + 1) if 0 < hi - lo < 20 else (lo, hi))
            else:
                out.extend(int(b) for b in bounds if b.isdigit())
    return out


def renumber_citations(text: str, mapping: Mapping[int, int]) -> str:
    """Rewrite every citation form with new numbers ("[3, 1]", "[2-3]" -> "[2][1]"); unknown ones drop."""

    def repl(m: re.Match[str]) -> str:
        new = [mapping[n] for n in dict.fromkeys(parse_citations(m.group(0))) if n in mapping]
        return "".join(f"[{n}]" for n in new)

    return CITATION_RE.sub(repl, text)


def strip_citations(text: str) -> str:
    """Text without its citation numbers (an old answer's numbers refer to other passages)."""
    return re.sub(r"\s*" + CITATION_RE.pattern, "", text)
