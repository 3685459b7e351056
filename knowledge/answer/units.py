"""Answer units: spans of a document's outline, how they are scored against the question,
and how they relate (overlap, repeat each other, sit side by side)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from knowledge.documents.outline import Outline
from knowledge.question.focus import Focus, Signature, Term, signature
from knowledge.text import split_sentences

HEAD, BODY, CONTEXT = 1.0, 0.6, 0.5


@dataclass(frozen=True)
class Unit:
    """A span of a document's outline chosen for the answer."""

    doc_id: str
    start: int
    stop: int  # exclusive
    rank: int  # 1-based rank of the passage it was found in
    score: float
    covered: frozenset[str]  # keys of the question terms it covers (own text or under it)
    evidence: frozenset[str]  # answer kinds it gives
    own: float = 0.0  # weighted share of the question it covers by itself (headings above count half)

    def overlaps(self, other: Unit) -> bool:
        return self.doc_id == other.doc_id and self.start < other.stop and other.start < self.stop


@dataclass(frozen=True)
class Selection:
    """The chosen units, in answer order, and how well they cover the question."""

    units: tuple[Unit, ...]
    coverage: float  # for each sub-question the best unit's weighted share of its terms (headings half), averaged
    satisfied: frozenset[str]  # answer kinds asked for and given
    best_score: float  # the unit model's probability for the best candidate
    probabilities: tuple[float, ...] = ()  # every candidate's, best first
    best_features: Mapping[str, float] = field(default_factory=dict, hash=False, compare=False)
    covered: frozenset[str] = frozenset()  # question terms the chosen units (and their headings) cover
    stated: frozenset[str] = frozenset()  # answer kinds asked for that a chosen unit states near the question's words


class Scorer:
    def __init__(self, focus: Focus, weight: Callable[[Term], float]) -> None:
        self.focus = focus
        self.terms = focus.terms
        self.weights = {t.key: weight(t) for t in focus.terms}
        self.total = sum(self.weights.values()) or 1.0
        self.part_weights = [{t.key: weight(t) for t in p.terms} for p in focus.parts]
        self._sentences: dict[str, list[str]] = {}

    def sig(self, text: str) -> Signature:
        return signature(text)

    def cover(self, sig: Signature) -> set[str]:
        return {t.key for t in self.terms if sig.covers(t)}

    def share(self, keys: set[str] | frozenset[str]) -> float:
        return sum(self.weights.get(k, 0.0) for k in keys) / self.total

    def part_share(self, k: int, sig: Signature, context: Signature | None = None) -> float:
        """The weighted share of sub-question ``k``'s terms a text covers (its context counting half)."""
        weights = self.part_weights[k]
        total = sum(weights.values())
        if not total:
            return 1.0
        got = 0.0
        for t in self.focus.parts[k].terms:
            if sig.covers(t):
                got += weights[t.key]
            elif context is not None and context.covers(t):
                got += CONTEXT * weights[t.key]
        return got / total

    def sentences(self, text: str) -> list[str]:
        found = self._sentences.get(text)
        if found is None:
            found = self._sentences[text] = split_sentences(text)
        return found


def unit_text(outline: Outline, unit: Unit) -> str:
    """The text of a unit, one line per paragraph (without the questions a document asks)."""
    return "\n".join(outline.lines[j].content for j in range(unit.start, unit.stop))


def context_text(outline: Outline, i: int) -> str:
    """What a line is under: its headings and lead-ins, and the document's code and title."""
    return "\n".join([*(outline.lines[j].text for j in outline.ancestors(i)[:4]), outline.title])


def placed_sentences(scorer: Scorer, outline: Outline, start: int, stop: int) -> Iterator[tuple[str, str, Signature]]:
    """Each sentence of the lines ``start:stop``: (the sentence, the sentence as it reads, what its
    own line is under).

    An item reads with its lead-in: "b) Ít nhất là 36 tháng kể từ khi ra khỏi Đảng" answers how
    long after leaving the Party one may be readmitted because it completes "Người được xét kết
    nạp lại phải có đủ các điều kiện sau:", however deep in a block that lead-in is; the lead-in's
    words count as the item's own, the headings above as context."""
    for j in range(start, stop):
        context = scorer.sig(context_text(outline, j))
        parent = outline.parent(j)
        lead = outline.lines[parent].content + " " if parent is not None and outline.lines[parent].lead_in else ""
        for sentence in scorer.sentences(outline.lines[j].content):
            yield sentence, lead + sentence, context


def context_cover(outline: Outline, i: int, scorer: Scorer) -> set[str]:
    return scorer.cover(scorer.sig(context_text(outline, i)))


def siblings(outline: Outline, a: Unit, b: Unit) -> bool:
    """Two clauses or items under the same heading or lead-in (not two paragraphs of a news item)."""
    if a.doc_id != b.doc_id:
        return False
    parent = outline.parent(a.start)
    return parent is not None and parent == outline.parent(b.start)


def _tokens(text: str) -> frozenset[str]:
    return signature(text).folded


def duplicate(c: Unit, chosen: Sequence[Unit], outline_of: Callable[[str], Outline]) -> bool:
    """The same text as a chosen unit (one document quoting another), by containment."""
    mine = _tokens(unit_text(outline_of(c.doc_id), c))
    for u in chosen:
        other = _tokens(unit_text(outline_of(u.doc_id), u))
        small = min(len(mine), len(other)) or 1
        if len(mine & other) / small > 0.8:
            return True
    return False
