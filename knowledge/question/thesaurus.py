"""The words cadres use for the documents' terms: "vào Đảng" for "kết nạp", "họp" for "sinh hoạt".

Loaded from ``knowledge/data/thesaurus.tsv`` (each line: the documents' term, what people say
instead, where the documents use the term) plus the admins' own file. A question that uses one
of the variants is matched, and searched, as if it used the documents' term as well. Matching
runs on the question's syllables: with diacritics a variant must be spelled as written ("họp"
never matches "hợp"); without them, folded, and only variants of two syllables or more (one bare
syllable such as "hop" or "de" is too ambiguous to count).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from knowledge.question.words import syllables
from knowledge.text import fold, nfc, normalize_tones


@dataclass(frozen=True)
class Entry:
    """One documents' term and the variants people use for it (``both``: true synonyms, each
    counting for the other, as "họp" and "sinh hoạt" of a chi bộ)."""

    term: str
    variants: tuple[str, ...]
    source: str = ""
    both: bool = False


@dataclass(frozen=True)
class Synonym:
    """A phrase found in a question: the syllables it spans and the documents' words it stands for."""

    start: int
    stop: int
    alternatives: tuple[str, ...]

    @property
    def term(self) -> str:
        return self.alternatives[0]


def _syllables(text: str) -> list[str]:
    return syllables(normalize_tones(nfc(text)))


class Thesaurus:
    """Variant → documents' term, matched on a question's syllables."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = tuple(entries)
        self._accented: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
        self._folded: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
        for entry in self.entries:
            pairs: list[tuple[str, tuple[str, ...]]] = [(variant, (entry.term,)) for variant in entry.variants]
            if entry.both:
                pairs.append((entry.term, entry.variants))
            for said, words in pairs:
                syls = tuple(_syllables(said))
                meant = tuple(m for m in words if tuple(_syllables(m)) != syls)
                if not syls or not meant:
                    continue
                self._accented.setdefault(syls[0], []).append((syls, meant))
                if len(syls) >= 2:
                    folded = tuple(fold(s) for s in syls)
                    self._folded.setdefault(folded[0], []).append((folded, meant))
        for table in (self._accented, self._folded):
            for options in table.values():
                options.sort(key=lambda o: -len(o[0]))  # the longest variant wins

    @classmethod
    def load(cls, extra: Path | None = None) -> Thesaurus:
        """The bundled thesaurus, plus an admin's file in the same format."""
        text = resources.files("knowledge").joinpath("data/thesaurus.tsv").read_text(encoding="utf-8")
        if extra is not None and extra.is_file():
            text += "\n" + extra.read_text(encoding="utf-8")
        entries = []
        for line in text.splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cols = [c.strip() for c in line.split("\t")]
            if len(cols) < 2 or not cols[0]:
                continue
            variants = tuple(v.strip() for v in cols[1].split("|") if v.strip())
            both = len(cols) > 3 and cols[3].lower() == "both"
            entries.append(Entry(nfc(cols[0]), tuple(nfc(v) for v in variants), cols[2] if len(cols) > 2 else "", both))
        return cls(entries)

    def find(self, syllables: Sequence[str], *, accented: bool) -> list[Synonym]:
        """The variants in a question's syllables (lower case), left to right, never overlapping."""
        table = self._accented if accented else self._folded
        words = list(syllables) if accented else [fold(s) for s in syllables]
        out: list[Synonym] = []
        i = 0
        while i < len(words):
            hit = None
            for variant, meant in table.get(words[i], ()):
                if tuple(words[i : i + len(variant)]) == variant:
                    hit = Synonym(i, i + len(variant), meant)
                    break
            if hit is None:
                i += 1
                continue
            out.append(hit)
            i = hit.stop
        return out
