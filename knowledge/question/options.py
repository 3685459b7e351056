"""Quiz questions pasted with their options: the stem, and options A–D.

"Câu 12: Theo Điều lệ Đảng, … những hình thức kỷ luật nào …?\\nA. Khiển trách, cảnh cáo, cách chức
\\nB. Khiển trách, cảnh cáo\\n…" is a question (its stem) and four candidate answers. The stem is what
is searched and answered; the options are weighed against the quoted rule afterwards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# "A. …", "B) …", "c/ …", "D: …" at the start of a line, or after a space inside one line
_ON_LINE = re.compile(r"^\s*\(?([A-Ea-e])\s*[.):/]\s+(\S.*?)\s*$", re.MULTILINE)
_INLINE = re.compile(r"(?:^|\s)\(?([A-E])\s*[.)]\s+")
_QUIZ_PREFIX = re.compile(r"^\s*(?:câu(?:\s+hỏi)?\s*\d{1,3}\s*[:.)-]|trắc nghiệm\s*[:.-]|đề\s*:)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Option:
    """One candidate answer of a quiz question."""

    letter: str  # upper case
    text: str


def _in_order(letters: list[str]) -> bool:
    return len(letters) >= 2 and letters == [chr(ord("A") + i) for i in range(len(letters))]


def split_options(text: str) -> tuple[str, tuple[Option, ...]]:
    """The stem and the options of a quiz question (no options: the text unchanged, ())."""
    lines = list(_ON_LINE.finditer(text))
    if lines and _in_order([m.group(1).upper() for m in lines]):
        stem = text[: lines[0].start()]
        options = tuple(Option(m.group(1).upper(), m.group(2).strip()) for m in lines)
        return _QUIZ_PREFIX.sub("", stem).strip(), options
    marks = list(_INLINE.finditer(text))
    for start in range(len(marks)):
        run = marks[start:]
        if _in_order([m.group(1) for m in run]):
            pieces = [text[m.end() : (run[i + 1].start() if i + 1 < len(run) else len(text))] for i, m in enumerate(run)]
            options = tuple(Option(m.group(1), p.strip(" ;,.")) for m, p in zip(run, pieces))
            if all(o.text for o in options):
                return _QUIZ_PREFIX.sub("", text[: run[0].start()]).strip(), options
    return text, ()
