"""Abbreviations both ways: "MTTQ" ↔ "Mặt trận Tổ quốc", from knowledge/data/glossary.tsv plus the admins' file."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from knowledge.text import CODE_RE, fold, nfc


@dataclass
class Glossary:
    """Abbreviation ↔ expansion pairs, matched on folded text."""

    pairs: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def load(cls, extra: Path | None = None) -> Glossary:
        text = resources.files("knowledge").joinpath("data/glossary.tsv").read_text(encoding="utf-8")
        if extra is not None and extra.is_file():
            text += "\n" + extra.read_text(encoding="utf-8")
        pairs: list[tuple[str, str]] = []
        for line in text.splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            short, *longs = [nfc(p.strip()) for p in line.split("\t") if p.strip()]
            pairs.extend((short, long) for long in longs)
        return cls(pairs)

    def matches(self, question: str) -> list[tuple[str, str]]:
        """(abbreviation, expansion) pairs the question uses, in either form."""
        question = CODE_RE.sub(" ", nfc(question))  # "QU" inside "01-CTr/QU" is not an abbreviation
        folded = f" {fold(question)} "
        raw_words = set(re.findall(r"\w+", question))
        out: list[tuple[str, str]] = []
        for short, long in self.pairs:
            # abbreviations must be typed as such (upper case) unless they are 4+ letters long
            short_f = fold(short)
            typed = short in raw_words or short.upper() in raw_words or (
                len(short) >= 4 and f" {short_f} " in folded
            )
            if typed or re.search(rf"(?<!\w){re.escape(fold(long))}(?!\w)", folded):
                out.append((short, long))
        return out

    def expand(self, question: str) -> list[str]:
        """Expansions of abbreviations in the question and abbreviations of phrases in it."""
        folded = f" {fold(CODE_RE.sub(' ', nfc(question)))} "
        out: list[str] = []
        for short, long in self.matches(question):
            if f" {fold(long)} " not in folded:
                out.append(long)
            elif fold(short) not in folded.split():
                out.append(short)
        return list(dict.fromkeys(out))
