"""What the learned choices see: the signals of each candidate unit, and of the question as a whole.

A candidate unit is a line of a retrieved passage or a block (a heading or lead-in with what is
under it). Its features say how much of the question it covers (its head, its body, the headings
above it, the rarest words, every sub-question), whether it gives the kind of answer asked (a
duration, a date, a name…), whether it is about the subject asked (the "chi bộ" rather than the
"đảng bộ cơ sở"), how retrieval ranked its passage (rank, fused score, dense similarity, lexical
score), and its shape (length, block, lead-in, heading). ``knowledge/data/answer_model.json``
weighs them; ``python -m knowledge.eval.train`` learns the weights from the development pool.
Every feature is a number in about [-1, 2]; names are stable (the model file refers to them).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from knowledge.answer.units import Scorer, context_text, placed_sentences
from knowledge.documents.outline import Outline
from knowledge.models import ScoredChunk
from knowledge.question.focus import Focus, Term, fold_word, has_evidence
from knowledge.question.frame import QuestionFrame
from knowledge.question.words import syllables
from knowledge.text import fold
from knowledge.vocab import QUALIFIERS, SPECIAL_CASE_MARKERS, SUBJECT_FAMILIES

# The kinds of answer a passage must actually give before it answers (a question asking for a
# percentage is not answered by a sentence on the same topic without one).
STRICT_KINDS = frozenset({"duration", "percent", "money", "date", "person", "number"})

UNIT_FEATURES = (
    "head", "body", "context", "union", "asked", "rare", "parts_min", "parts_mean",
    "kind_asked", "kind_given", "kind_near", "list_asked", "block", "list_block", "lead_in", "structural",
    "heading", "role", "subject_in", "subject_other", "rank_inv", "lead_rank", "score", "dense", "lexical",
    "length", "lines", "legal_basis", "doc_named", "top_doc", "numbers", "rare_head", "density", "long_block",
    "depth", "sentence", "parent", "title", "qualified", "special_case",
)

_LEGAL_BASIS = re.compile(r"^[-–•+]?\s*(?:Căn cứ|Xét|Theo đề nghị)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Retrieved:
    """Retrieval's view of the passages a question found (for the retrieval features)."""

    top_score: float
    top_lexical: float
    top_doc: str
    signals: Mapping[str, tuple[int, float, float, float]] = field(default_factory=dict)  # chunk -> rank, fused, lexical, dense
    dense_stats: tuple[float, float] | None = None  # the dense leg's cosines: mean, standard deviation
    top_cosine: float = 0.0  # the best cosine of any passage retrieval found (0: no dense leg)

    @classmethod
    def of(
        cls,
        passages: Sequence[ScoredChunk],
        signals: Mapping[str, tuple[int, float, float, float]] | None = None,
        dense_stats: tuple[float, float] | None = None,
    ) -> Retrieved:
        known = dict(signals or {})
        for n, p in enumerate(passages, start=1):
            known.setdefault(p.chunk.chunk_id, (n, p.score, p.lexical, p.dense))
        return cls(
            max((p.score for p in passages), default=1.0) or 1.0,
            max((p.lexical for p in passages), default=1.0) or 1.0,
            passages[0].chunk.doc_id if passages else "",
            known,
            dense_stats,
            max((s[3] for s in known.values()), default=0.0),
        )

    def dense(self, cosine: float) -> float:
        """A passage's cosine as standard deviations above the dense leg's mean (-2: the dense leg
        did not find it): the same scale whatever the embedding model."""
        return dense_z(cosine, self.dense_stats)

    def evidence(self, chunk_ids: Iterable[str]) -> tuple[int, float, float, float] | None:
        """The best-ranked retrieval evidence among these chunks (None: retrieval did not rank them)."""
        found = [self.signals[c] for c in chunk_ids if c in self.signals]
        return min(found) if found else None


def dense_z(cosine: float, stats: tuple[float, float] | None) -> float:
    """A cosine as standard deviations above the mean of the dense leg's best passages (clipped to
    ±4); -2 when the dense leg did not find the passage or there is no dense leg."""
    if not cosine or stats is None:
        return -2.0
    mean, std = stats
    return max(-4.0, min(4.0, (cosine - mean) / std))


@lru_cache(maxsize=1 << 16)
def _folded_words(text: str) -> str:
    """" syllables of the text folded, space-separated, with a space at each end " (memoised)."""
    return " " + " ".join(fold_word(s) for s in syllables(text)) + " "


def subject_signals(subject: str | None, text: str, head: str) -> tuple[float, float]:
    """(the subject asked is named in the text, another subject of its family is named in the head
    while the one asked is not): "Đảng bộ cơ sở họp…" does not answer "Chi bộ họp…"."""
    if not subject:
        return 0.0, 0.0
    folded, head_folded = _folded_words(text), _folded_words(head)
    key = f" {fold(subject)} "
    present = key in folded
    family = next((f for f in SUBJECT_FAMILIES if subject in f), ())
    others = [p for p in family if p != subject and fold(subject) not in fold(p) and fold(p) not in fold(subject)]
    other = key not in head_folded and any(f" {fold(p)} " in head_folded for p in others)
    return float(present), float(other)


_QUALIFIERS = tuple(tuple(fold(q).split()) for q in QUALIFIERS)


_SPECIAL = tuple(fold(m) for m in SPECIAL_CASE_MARKERS)


def special_case(frame: QuestionFrame, headings: str) -> float:
    """1 when the headings above a unit set it apart as a special case ("… một số trường hợp đặc
    biệt") and the question does not speak of special cases itself."""
    asked = _folded_words(frame.text)
    said = _folded_words(headings)
    return float(any(f" {m} " in said for m in _SPECIAL) and not any(f" {m} " in asked for m in _SPECIAL))


def _headings(outline: Outline, i: int, depth: int = 3) -> list[str]:
    """The headings above line ``i`` (the nearest ``depth`` that read as headings or lead-ins)."""
    out = []
    for j in outline.ancestors(i):
        line = outline.lines[j]
        if line.heading_like or line.lead_in:
            out.append(line.content)
            if len(out) >= depth:
                break
    return out


@lru_cache(maxsize=256)
def _term_syllables(focus: Focus) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(fold(term.key).split("_")) for term in focus.terms)


def qualified(frame: QuestionFrame, head: str) -> float:
    """1 when the head names one of the question's words in a special form the question does not
    ask about ("3.5. Về kết nạp lại người vào Đảng" for "Điều kiện để được kết nạp vào Đảng")."""
    asked = _folded_words(frame.text).split()
    words = _folded_words(head).split()
    for key in _term_syllables(frame.focus):
        n = len(key)
        for i in range(len(words) - n + 1):
            if tuple(words[i : i + n]) != key:
                continue
            rest = words[i + n : i + n + 2]
            for q in _QUALIFIERS:
                if tuple(rest[: len(q)]) == q and not _contains(asked, key + q):
                    return 1.0
    return 0.0


def _contains(seq: Sequence[str], sub: tuple[str, ...]) -> bool:
    return any(tuple(seq[i : i + len(sub)]) == sub for i in range(len(seq) - len(sub) + 1))


def unit_features(
    frame: QuestionFrame,
    scorer: Scorer,
    asked: Scorer,
    outline: Outline,
    start: int,
    stop: int,
    passage: ScoredChunk,
    rank: int,
    retrieved: Retrieved,
    role: str | None,
    doc_named: bool,
) -> dict[str, float]:
    """The features of the unit ``outline.lines[start:stop]`` found in ``passage`` (ranked ``rank``)."""
    lines = outline.lines[start:stop]
    head_text = lines[0].content
    body_text = "\n".join(ln.content for ln in lines[1:])
    text = "\n".join(ln.content for ln in lines)
    ctx_text = context_text(outline, start)
    head_sig, ctx_sig, own_sig = scorer.sig(head_text), scorer.sig(ctx_text), scorer.sig(text)
    head = scorer.cover(head_sig)
    body = scorer.cover(scorer.sig(body_text)) - head if body_text else set()
    ctx = scorer.cover(ctx_sig) - head - body
    union = head | body | ctx
    focus = scorer.focus
    parts = [scorer.part_share(k, own_sig, ctx_sig) for k in range(len(focus.parts))] or [0.0]
    rare_terms = sorted(scorer.weights, key=lambda k: -scorer.weights[k])[:3]
    rare_total = sum(scorer.weights[k] for k in rare_terms) or 1.0
    strict = [k for k in focus.answer_types if k in STRICT_KINDS]
    given = bool(strict) and any(has_evidence(k, text) for k in strict)
    near = False
    if given:
        for k, part in enumerate(focus.parts):
            if part.answer_type not in STRICT_KINDS:
                continue
            for sentence, reading, context in placed_sentences(scorer, outline, start, stop):
                if has_evidence(part.answer_type, sentence) and scorer.part_share(k, scorer.sig(reading), context) > 0.5:
                    near = True
                    break
    asked_union = asked.cover(own_sig) | asked.cover(ctx_sig)
    subject_in, subject_other = subject_signals(frame.subject, text + "\n" + ctx_text, head_text)
    best_sentence = max((scorer.share(scorer.cover(scorer.sig(x))) for x in scorer.sentences(text)[:40]), default=0.0)
    parent = outline.parent(start)
    parent_cover = scorer.share(scorer.cover(scorer.sig(outline.lines[parent].content))) if parent is not None else 0.0
    own_rank, own_score, own_lexical, own_dense = retrieved.evidence({ln.chunk_id for ln in lines}) or (0, 0.0, 0.0, 0.0)
    numbers = [s for s in frame.stated if s.value == int(s.value)]
    stated = sum(1 for s in numbers if re.search(rf"(?<![\d.,]){int(s.value)}(?![\d])", text)) / len(numbers) if numbers else 0.0
    block = stop - start > 1
    first = lines[0]
    return {
        "head": scorer.share(head),
        "body": scorer.share(body),
        "context": scorer.share(ctx),
        "union": scorer.share(union),
        "asked": asked.share(asked_union),
        "rare": sum(scorer.weights[k] for k in rare_terms if k in union) / rare_total,
        "parts_min": min(parts),
        "parts_mean": sum(parts) / len(parts),
        "kind_asked": float(bool(strict)),
        "kind_given": float(given),
        "kind_near": float(near),
        "list_asked": float(focus.wants_list),
        "block": float(block),
        "list_block": float(focus.wants_list and (block or first.lead_in)),
        "lead_in": float(first.lead_in),
        "structural": float(first.structural),
        "heading": float(first.heading_like),
        "role": float(role is not None and any(ln.role == role for ln in lines)),
        "subject_in": subject_in,
        "subject_other": subject_other,
        "rank_inv": 1.0 / own_rank if own_rank else 0.0,
        "lead_rank": 1.0 / rank,
        "score": max(0.0, own_score) / retrieved.top_score,
        "dense": retrieved.dense(own_dense),
        "lexical": min(1.5, max(0.0, own_lexical) / retrieved.top_lexical),
        "length": math.log1p(len(text)) / math.log(2000),
        "lines": math.log1p(stop - start) / math.log(40),
        "legal_basis": float(bool(_LEGAL_BASIS.match(first.text))),
        "doc_named": float(doc_named),
        "top_doc": float(outline.doc_id == retrieved.top_doc),
        "numbers": stated,
        "rare_head": sum(scorer.weights[k] for k in rare_terms if k in head) / rare_total,
        "density": scorer.share(head | body) / math.sqrt(stop - start),
        "long_block": float(block and len(text) > 1800),
        "depth": min(first.depth, 8) / 8,
        "sentence": best_sentence,
        "parent": parent_cover,
        "title": scorer.share(scorer.cover(scorer.sig(outline.title))),
        "qualified": qualified(frame, head_text),
        "special_case": special_case(frame, "\n".join([head_text, *_headings(outline, start)])),
    }


# What the gate reads: signals of whether the best unit answers, none of the question's form (a
# form says which questions the development sets happen to hold unanswerable, not whether the
# documents answer this one).
GATE_FEATURES = (
    "p_best", "p_gap", "best_union", "best_rare", "best_parts_min", "best_asked", "kind_missing",
    "top_score", "top_dense", "unknown_terms", "unknown_max", "uncovered",
)
# The direction each gate feature may pull: more evidence of an answer never lowers the
# probability that there is one. A weight the data gives the other sign is dropped (a few dozen
# unanswerable questions can make copying a clause's words look like a sign of no answer).
GATE_SIGNS = {
    "p_best": 1, "p_gap": 1, "best_union": 1, "best_rare": 1, "best_parts_min": 1, "best_asked": 1,
    "kind_missing": -1, "top_score": 1, "top_dense": 1, "unknown_terms": -1, "unknown_max": -1, "uncovered": -1,
}


_FIGURE = re.compile(r"[\d.,/:%-]+")


def gate_features(
    frame: QuestionFrame,
    probabilities: Sequence[float],
    best: dict[str, float],
    passages: Sequence[ScoredChunk],
    scorer: Scorer,
    covered: set[str],
    known: Callable[[Term], bool],
    dense_stats: tuple[float, float] | None = None,
) -> dict[str, float]:
    """The features of the decision to answer: how sure the unit model is of its best unit, how
    much of the question that unit and retrieval cover, whether the kind of answer asked is there,
    and how much of the question the documents never mention at all."""
    ordered = sorted(probabilities, reverse=True)
    p_best = ordered[0] if ordered else 0.0
    p_second = ordered[1] if len(ordered) > 1 else 0.0
    weights = scorer.weights
    heaviest = max(weights.values(), default=1.0) or 1.0
    total = sum(weights.values()) or 1.0
    # a figure of the asker's case ("63 tuổi", "ngày 12/10/2026") is not a word the documents
    # would hold: it never makes a question one about something the documents do not cover
    unknown = [weights[t.key] for t in scorer.terms if not known(t) and not _FIGURE.fullmatch(t.key)]
    uncovered = max((w for k, w in weights.items() if k not in covered), default=0.0) / heaviest
    return {
        "p_best": p_best,
        "p_second": p_second,
        "p_gap": p_best - p_second,
        "best_union": best.get("union", 0.0),
        "best_rare": best.get("rare", 0.0),
        "best_parts_min": best.get("parts_min", 0.0),
        "best_asked": best.get("asked", 0.0),
        "kind_asked": best.get("kind_asked", 0.0),
        "kind_given": best.get("kind_given", 0.0),
        "kind_near": best.get("kind_near", 0.0),
        "kind_missing": best.get("kind_asked", 0.0) * (1.0 - best.get("kind_near", 0.0)),
        "top_score": max((p.score for p in passages), default=0.0) / 3.5,
        "top_dense": dense_z(max((p.dense for p in passages), default=0.0), dense_stats),
        "unknown_terms": sum(unknown) / total,
        "unknown_count": float(len(unknown)),
        "unknown_max": max(unknown, default=0.0) / heaviest,
        "uncovered": uncovered,
    }


def text_of(outline: Outline, start: int, stop: int) -> str:
    """The text of the unit ``outline.lines[start:stop]``, one paragraph a line."""
    return "\n".join(outline.lines[j].content for j in range(start, stop))
