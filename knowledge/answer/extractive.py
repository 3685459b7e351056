"""The default, offline answer: the most relevant sentences of the top passages, verbatim.

Every sentence of the answer is copied from a stored chunk and carries the number of its
citation, so nothing is invented; sentences are kept in document order within each source
and near-duplicates (the same sentence in two documents) are shown once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from knowledge.documents.units import find_units
from knowledge.models import ScoredChunk
from knowledge.search.lexical import STOPWORDS_FOLDED, folded_tokens

_SENT_RE = re.compile(r"(?<=[.!?…;])\s+(?=[\"“(\[]?[A-ZĐÀ-Ỹ0-9])|\n+")
_ABBREV_END = re.compile(r"(?:\b[A-ZĐ]{1,3}|\bTP|\bNXB|\bv\.v|\btr|\bĐ|\bSt)\.$")


def split_sentences(text: str) -> list[str]:
    """Sentences (and list items) of a passage, whitespace-trimmed, never empty."""
    parts = _SENT_RE.split(text)
    out: list[str] = []
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if out and _ABBREV_END.search(out[-1]):
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part)
    return out


def _looks_like_heading(sentence: str) -> bool:
    """A title line: short and not ended like a sentence, or written in capitals."""
    text = sentence.strip()
    letters = [ch for ch in text if ch.isalpha()]
    if letters and sum(ch.isupper() for ch in letters) > 0.8 * len(letters):
        return True
    return len(text) < 120 and not text.endswith((".", ";", ":", "!", "?", "…", ".)", '."', ".”"))


@dataclass(frozen=True)
class Quote:
    """A sentence chosen for the answer, with the passage (1-based rank) it comes from."""

    source: int
    order: int
    text: str
    score: float


def _terms(text: str) -> set[str]:
    return {t for t in folded_tokens(text) if t not in STOPWORDS_FOLDED}


def select_quotes(
    question: str,
    passages: Sequence[ScoredChunk],
    *,
    weight: Callable[[str], float] | None = None,
    max_sentences: int = 3,
    max_chars: int = 900,
    keep_ratio: float = 0.6,
    min_share: float = 0.2,
    unit_bonus: float = 0.0,
) -> list[Quote]:
    """The sentences that best answer the question, at most a few, from the given passages.

    A sentence scores the IDF-weighted share of the question's terms (syllables and bigrams)
    it contains; sentences far below the best one are left out rather than padding the answer.
    ``unit_bonus`` is added for a sentence that names a unit (phường …, đảng ủy …, CTCP …): the
    caller sets it when the question asks which units, whose answer is a list of names.
    """
    q_terms = _terms(question)
    if not q_terms:
        return []
    w = weight or (lambda t: 1.0)
    # terms no passage could contain (unknown to the corpus) weigh nothing
    total = sum(w(t) for t in q_terms)
    if total <= 0:
        return []
    candidates: list[Quote] = []
    for rank, sc in enumerate(passages, start=1):
        for order, sentence in enumerate(split_sentences(sc.chunk.text)):
            s_terms = _terms(sentence)
            if not s_terms or len(sentence) < 15 or sentence.rstrip().endswith("?"):
                continue  # a question in a document (an FAQ heading, a quiz) is not an answer
            covered = sum(w(t) for t in q_terms & s_terms)
            if covered < min_share * total:
                continue  # a sentence that barely touches the question does not answer it
            # share of the question covered, preferring the better-ranked passages
            score = covered / total + 0.1 / rank
            if _looks_like_heading(sentence):
                score *= 0.5  # a heading names the topic; the sentences under it answer
            elif unit_bonus and find_units(sentence):
                score += unit_bonus
            candidates.append(Quote(rank, order, sentence, score))
    candidates.sort(key=lambda q: -q.score)
    chosen: list[Quote] = []
    seen: list[set[str]] = []
    length = 0
    best = candidates[0].score if candidates else 0.0
    for cand in candidates:
        if len(chosen) >= max_sentences or cand.score < keep_ratio * best:
            break
        terms = _terms(cand.text)
        if any(len(terms & s) / max(1, len(terms | s)) > 0.8 for s in seen):
            continue  # the same sentence quoted by two documents
        if chosen and length + len(cand.text) > max_chars:
            continue
        chosen.append(cand)
        seen.append(terms)
        length += len(cand.text)
    # the passage holding the best sentence first (its citation becomes [1]); within a passage,
    # the document's own order, so that neighbouring sentences still read as written
    best_of: dict[int, float] = {}
    for q in chosen:
        best_of[q.source] = max(best_of.get(q.source, 0.0), q.score)
    chosen.sort(key=lambda q: (-best_of[q.source], q.source, q.order))
    return chosen
