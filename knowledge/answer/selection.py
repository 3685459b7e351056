"""Which parts of the retrieved passages answer the question: whole units, chosen by what they cover.

A candidate is a line of a retrieved chunk (a paragraph, a clause, an item) or a block (a
heading or lead-in with everything under it, which may run into the next chunks). Each is
scored by the share of the question's terms it covers (its own text fully, the text under it
and the headings above it partly), by whether it gives the kind of answer asked (a duration,
a date, a percentage…), by its report role (results, shortcomings, requests) when the question
asks for one, and by the rank of its passage. The best candidate is taken; another one is
added only when it covers terms or answer kinds the chosen ones lack (no padding), at most
three in all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from knowledge.documents.outline import Line, Outline
from knowledge.models import ScoredChunk
from knowledge.search.focus import Focus, Signature, Term, has_evidence, signature
from knowledge.text import split_sentences

HEAD, BODY, CONTEXT = 1.0, 0.6, 0.5
MAX_UNITS = 4
MAX_BLOCK_CHARS = 6000  # larger blocks are not scored whole (their items are; a lead-in still brings them)
PASSAGES_SCANNED = 4

# Report roles: what a paragraph of an inspection report or a programme does.
ROLES: dict[str, re.Pattern[str]] = {
    "shortcoming": re.compile(
        r"\b(hạn chế|khuyết điểm|tồn tại|yếu kém|thiếu sót|vi phạm|bất cập)\b|\bTuy (?:vậy|nhiên)\b|\bcòn (?:tình trạng|một số|có)\b"
        r"|\bchưa (?:thực sự|chú trọng|kịp thời|đầy đủ|thường xuyên|nghiêm|tạo được|có nhiều)\b",
        re.IGNORECASE,
    ),
    "request": re.compile(
        r"\b(yêu cầu|kiến nghị|đề nghị|khắc phục|chấn chỉnh|thời gian tới|cần tập trung|nhiệm vụ trọng tâm|giải pháp)\b",
        re.IGNORECASE,
    ),
    "result": re.compile(
        r"\b(ưu điểm|kết quả|đã cơ bản|nghiêm túc triển khai|đạt được|chủ động|tích cực|hoàn thành)\b", re.IGNORECASE
    ),
}
_ROLE_CUES: dict[str, re.Pattern[str]] = {
    "shortcoming": re.compile(r"\b(han che|khuyet diem|ton tai|yeu kem|thieu sot|vi pham|chua lam duoc|bat cap|van de gi)\b"),
    "request": re.compile(r"\b(yeu cau|kien nghi|khac phuc|phai lam gi|can lam gi|thoi gian toi|chan chinh|giai phap)\b"),
    "result": re.compile(r"\b(uu diem|ket qua|lam duoc|dat duoc)\b"),
}


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
    coverage: float  # weighted share of the question's terms covered by the units and their headings
    satisfied: frozenset[str]  # answer kinds asked for and given
    best_score: float


def question_role(question_folded: str) -> str | None:
    """The report role a question asks about (shortcomings, requests, results), if any."""
    for role, cue in _ROLE_CUES.items():
        if cue.search(question_folded):
            return role
    return None


def line_role(text: str) -> str | None:
    """The report role of a paragraph, from its own wording."""
    for role in ("shortcoming", "request", "result"):
        if ROLES[role].search(text):
            return role
    return None


class _Scorer:
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


def select_units(
    focus: Focus,
    passages: Sequence[ScoredChunk],
    outline_of: Callable[[str], Outline],
    weight: Callable[[Term], float],
    *,
    role: str | None = None,
    similarity: Callable[[Sequence[str]], Sequence[float]] | None = None,
) -> Selection:
    """The units that answer the question best, at most four, without padding.

    ``similarity`` gives the embedding model's cosine between the question and unit texts:
    the best candidates by shared words are re-ranked by meaning as well.
    """
    scorer = _Scorer(focus, weight)
    candidates: list[Unit] = []
    top = max((sc.score for sc in passages[:1]), default=1.0) or 1.0
    for rank, sc in enumerate(passages[:PASSAGES_SCANNED], start=1):
        outline = outline_of(sc.chunk.doc_id)
        prior = 0.1 * max(0.0, sc.score) / top  # how strongly retrieval prefers this passage
        for i in outline.index_of_chunk(sc.chunk.chunk_id):
            candidates.extend(_candidates(outline, i, rank, prior, scorer, role))
    if not candidates:
        return Selection((), 0.0, frozenset(), 0.0)
    candidates.sort(key=lambda u: (-u.score, u.stop - u.start, u.rank))
    if similarity is not None:
        candidates = _by_meaning(candidates, similarity, outline_of)
    best = _widen(candidates[0], candidates, focus, outline_of)
    chosen = [best]
    # the rest of the article or section that holds the best unit may answer the other
    # sub-questions even where retrieval did not rank its chunks ("… và gồm những nội dung gì")
    candidates = _with_neighbourhood(best, candidates, outline_of, scorer, role)
    # every sub-question gets its answer: "… bao lâu, cấp trên giải quyết trong bao lâu, và …"
    for k in range(len(focus.parts)):
        if len(chosen) >= MAX_UNITS or _answers_part(chosen, k, scorer, outline_of):
            continue
        found = _best_for_part(k, chosen, candidates, scorer, outline_of)
        if found is not None:
            chosen.append(_complete(found, outline_of))
    asked = set(focus.answer_types)
    while len(chosen) < MAX_UNITS:
        nxt = _next_unit(chosen, candidates, scorer, asked, outline_of)
        if nxt is None:
            break
        chosen.append(_complete(nxt, outline_of))
    covered: set[str] = set()
    for u in chosen:
        covered |= u.covered
        covered |= _context_cover(outline_of(u.doc_id), u.start, scorer)
    satisfied = frozenset(
        p.answer_type for k, p in enumerate(focus.parts) if p.answer_type and _answers_part(chosen, k, scorer, outline_of)
    )
    ordered = _answer_order(chosen)
    return Selection(tuple(ordered), scorer.share(covered), satisfied, best.score)


DENSE_RERANK = 8  # candidates re-scored by the embedding model
DENSE_WEIGHT = 0.2
DENSE_FLOOR, DENSE_SPAN = 0.8, 0.15  # e5 cosines of related texts lie in about 0.8–0.95


def _by_meaning(
    candidates: list[Unit], similarity: Callable[[Sequence[str]], Sequence[float]], outline_of: Callable[[str], Outline]
) -> list[Unit]:
    head = candidates[:DENSE_RERANK]
    texts = [unit_text(outline_of(u.doc_id), u)[:1500] for u in head]
    rescored = [
        replace(u, score=u.score + DENSE_WEIGHT * min(1.0, max(0.0, (float(cos) - DENSE_FLOOR) / DENSE_SPAN)))
        for u, cos in zip(head, similarity(texts))
    ]
    return sorted(rescored + candidates[DENSE_RERANK:], key=lambda u: (-u.score, u.stop - u.start, u.rank))


NEIGHBOURHOOD_LINES = 40


def _with_neighbourhood(
    best: Unit, candidates: list[Unit], outline_of: Callable[[str], Outline], scorer: _Scorer, role: str | None
) -> list[Unit]:
    outline = outline_of(best.doc_id)
    parent = outline.parent(best.start)
    if parent is None:
        return candidates
    span = outline.extent(parent)
    if len(span) > NEIGHBOURHOOD_LINES:
        return candidates
    seen = {(c.doc_id, c.start, c.stop) for c in candidates}
    extra = [
        u
        for i in span
        for u in _candidates(outline, i, best.rank, 0.0, scorer, role)
        if (u.doc_id, u.start, u.stop) not in seen
    ]
    return sorted(candidates + extra, key=lambda u: (-u.score, u.stop - u.start, u.rank))


PART_COVERED = 0.6  # a sub-question counts as answered when the chosen units cover this much of it
SENTENCE_EVIDENCE = 0.5  # …and, when it asks for a date, a number…, one sentence gives it next to this much


def _part_cover(unit: Unit, k: int, scorer: _Scorer, outline_of: Callable[[str], Outline]) -> float:
    outline = outline_of(unit.doc_id)
    return scorer.part_share(k, scorer.sig(unit_text(outline, unit)), scorer.sig(_context_text(outline, unit.start)))


def _gives_kind(unit: Unit, k: int, scorer: _Scorer, outline_of: Callable[[str], Outline]) -> bool:
    """Whether one sentence of the unit gives sub-question ``k``'s kind of answer beside its terms."""
    kind = scorer.focus.parts[k].answer_type
    if kind is None:
        return True
    if kind not in unit.evidence:
        return False
    outline = outline_of(unit.doc_id)
    context = scorer.sig(_context_text(outline, unit.start))
    for sentence in scorer.sentences(unit_text(outline, unit)):
        if has_evidence(kind, sentence) and scorer.part_share(k, scorer.sig(sentence), context) >= SENTENCE_EVIDENCE:
            return True
    return False


def _answers_part(chosen: Sequence[Unit], k: int, scorer: _Scorer, outline_of: Callable[[str], Outline]) -> bool:
    if not any(_part_cover(u, k, scorer, outline_of) >= PART_COVERED for u in chosen):
        return False
    return any(_gives_kind(u, k, scorer, outline_of) for u in chosen)


def _best_for_part(
    k: int, chosen: Sequence[Unit], candidates: Sequence[Unit], scorer: _Scorer, outline_of: Callable[[str], Outline]
) -> Unit | None:
    """The candidate that answers sub-question ``k`` best, if one answers it at all."""
    pick: tuple[float, Unit] | None = None
    for c in candidates:
        if any(c.overlaps(u) for u in chosen) or _duplicate(c, chosen, outline_of):
            continue
        cover = _part_cover(c, k, scorer, outline_of)
        if cover < 0.45 or not _gives_kind(c, k, scorer, outline_of):
            continue
        sibling = any(_siblings(outline_of(c.doc_id), c, u) for u in chosen)
        value = cover + 0.1 * c.score - 0.05 * (c.stop - c.start > 1) + (0.1 if sibling else 0.0)
        if pick is None or value > pick[0]:
            pick = (value, c)
    return pick[1] if pick else None


def _context_text(outline: Outline, i: int) -> str:
    """What a line is under: its headings and lead-ins, and the document's code and title."""
    return "\n".join([*(outline.lines[j].text for j in outline.ancestors(i)[:4]), outline.title])


def _context_cover(outline: Outline, i: int, scorer: _Scorer) -> set[str]:
    return scorer.cover(scorer.sig(_context_text(outline, i)))


_LEGAL_BASIS = re.compile(r"^[-–•+]?\s*(?:Căn cứ|Xét|Theo đề nghị)\b", re.IGNORECASE)


def _candidates(outline: Outline, i: int, rank: int, prior: float, scorer: _Scorer, role: str | None) -> list[Unit]:
    line = outline.lines[i]
    if len(line.content) < 8 or line.closing:  # the distribution list and signatures answer nothing
        return []
    head = scorer.cover(scorer.sig(line.content))
    ctx = _context_cover(outline, i, scorer) - head
    out: list[Unit] = []
    asked = set(scorer.focus.answer_types)
    # "Căn cứ Nghị định số …": a document only citing another says nothing of its content
    damp = 0.5 if _LEGAL_BASIS.match(line.text) else 1.0
    if not line.bare:
        evidence = frozenset(k for k in asked if has_evidence(k, line.content))
        own = scorer.share(head) * HEAD + scorer.share(ctx) * CONTEXT
        score = own + prior + _role_bonus(role, line.content) + _kind_bonus(evidence)
        if line.lead_in or (line.structural and len(outline.extent(i)) > 1):
            score *= 0.8  # a heading or lead-in alone: its content answers, it only announces
        out.append(Unit(outline.doc_id, i, i + 1, rank, score * damp, frozenset(head), evidence, own))
    span = outline.extent(i)
    if len(span) > 1:
        text = "\n".join(outline.lines[j].content for j in span)
        if len(text) <= MAX_BLOCK_CHARS:
            body = scorer.cover(scorer.sig("\n".join(outline.lines[j].content for j in span[1:]))) - head
            evidence = frozenset(k for k in asked if has_evidence(k, text))
            own = scorer.share(head) * HEAD + scorer.share(body) * BODY + scorer.share(ctx - body) * CONTEXT
            score = own + prior + _role_bonus(role, text) + _kind_bonus(evidence)
            if scorer.focus.wants_list or line.lead_in:
                score += 0.05  # the question asks for the list this block holds
            if len(text) > 2000:
                score -= 0.1  # a whole long section is a poorer answer than its part that matches
            out.append(Unit(outline.doc_id, span.start, span.stop, rank, score * damp, frozenset(head | body), evidence, own))
    return out


def _kind_bonus(evidence: frozenset[str]) -> float:
    # naming units is the whole answer to "kiểm tra những đơn vị nào", which term overlap ranks low
    return sum(0.25 if kind == "units" else 0.0 if kind == "list" else 0.1 for kind in evidence)


def _role_bonus(role: str | None, text: str) -> float:
    if role is None:
        return 0.0
    return 0.15 if ROLES[role].search(text) else 0.0


def _widen(best: Unit, candidates: Sequence[Unit], focus: Focus, outline_of: Callable[[str], Outline]) -> Unit:
    """A lead-in or heading alone becomes its block; an item of a list asked for becomes the list."""
    if best.stop - best.start > 1:
        return best
    outline = outline_of(best.doc_id)
    line = outline.lines[best.start]
    blocks = [c for c in candidates if c.doc_id == best.doc_id and c.start == best.start and c.stop > best.stop]
    if blocks and (line.lead_in or line.structural or line.bare or focus.wants_list):
        return max(blocks, key=lambda c: c.score)
    if line.lead_in or line.bare:
        # never a dangling lead-in: a list too long to score whole is still quoted (trimmed)
        return _complete(best, outline_of)
    small = _small_section(outline, best)
    if small is not None:
        return small
    if focus.wants_list and not _stands_alone(best, candidates, outline):
        parents = [
            c for c in candidates
            if c.doc_id == best.doc_id and c.start < best.start and c.stop >= best.stop and c.stop - c.start > 1
        ]
        # the smallest list holding the best item, if it scores nearly as well
        parents.sort(key=lambda c: c.stop - c.start)
        for p in parents:
            if p.score >= 0.85 * best.score:
                return p
    return best


def _stands_alone(item: Unit, candidates: Sequence[Unit], outline: Outline) -> bool:
    """An item that answers by itself while its neighbours do not ("… làm gì để nâng cao X?")."""
    if item.own < 0.75:
        return False
    parent = outline.parent(item.start)
    peers = [
        c for c in candidates
        if c.doc_id == item.doc_id and c.stop - c.start == 1 and c.start != item.start
        and parent is not None and outline.parent(c.start) == parent
    ]
    return sum(1 for c in peers if c.own >= 0.6 * item.own) < 2


def _complete(unit: Unit, outline_of: Callable[[str], Outline]) -> Unit:
    """A lead-in or bare heading chosen alone, with what it announces."""
    outline = outline_of(unit.doc_id)
    line = outline.lines[unit.start]
    span = outline.extent(unit.start)
    if unit.stop - unit.start == 1 and (line.lead_in or line.bare) and len(span) > 1:
        return Unit(unit.doc_id, span.start, span.stop, unit.rank, unit.score, unit.covered, unit.evidence, unit.own)
    return unit


def _small_section(outline: Outline, unit: Unit) -> Unit | None:
    """A line alone under a short heading ("(Mẫu 2-TN)" / its title) is shown with that heading."""
    parent = outline.parent(unit.start)
    if parent is None:
        return None
    head = outline.lines[parent]
    span = outline.extent(parent)
    if len(span) > 3 or len(head.text) > 90 or head.kind == "para" or head.lead_in:
        return None
    return Unit(unit.doc_id, span.start, span.stop, unit.rank, unit.score, unit.covered, unit.evidence, unit.own)


def _siblings(outline: Outline, a: Unit, b: Unit) -> bool:
    """Two clauses or items under the same heading or lead-in (not two paragraphs of a news item)."""
    if a.doc_id != b.doc_id:
        return False
    parent = outline.parent(a.start)
    return parent is not None and parent == outline.parent(b.start)


def _next_unit(
    chosen: Sequence[Unit],
    candidates: Sequence[Unit],
    scorer: _Scorer,
    asked: set[str],
    outline_of: Callable[[str], Outline],
) -> Unit | None:
    """The unit that adds most of what the chosen ones lack, if it adds enough (no padding)."""
    covered = set().union(*(u.covered for u in chosen))
    given = set().union(*(u.evidence for u in chosen))
    best = chosen[0]
    pick: tuple[float, Unit] | None = None
    for c in candidates:
        if any(c.overlaps(u) for u in chosen) or c.score < 0.45 * best.score:
            continue
        if _duplicate(c, chosen, outline_of):
            continue
        gain = scorer.share(c.covered - covered)
        new_kinds = (c.evidence & asked) - given
        if new_kinds:
            gain += 0.15
        # a clause beside the chosen one that is about the question as much (the next clause of
        # the same article: "…trong vòng một tháng" then "…chậm nhất ba tháng") completes it
        sibling = any(_siblings(outline_of(c.doc_id), c, u) for u in chosen) and c.own >= 0.7 * best.own
        # "… vào lưu trữ hiện hành và vào lưu trữ lịch sử là bao lâu": the parallel clause gives
        # the second duration even when its words are all covered already
        parallel = sibling and c.stop - c.start == 1 and bool(c.evidence & asked)
        if gain < (0.0 if parallel else 0.03 if sibling else 0.12):
            continue
        value = gain + 0.2 * c.score + (0.1 if sibling else 0.0)
        if pick is None or value > pick[0]:
            pick = (value, c)
    return pick[1] if pick else None


def _tokens(text: str) -> frozenset[str]:
    return signature(text).folded


def _duplicate(c: Unit, chosen: Sequence[Unit], outline_of: Callable[[str], Outline]) -> bool:
    """The same text as a chosen unit (one document quoting another), by containment."""
    mine = _tokens(unit_text(outline_of(c.doc_id), c))
    for u in chosen:
        other = _tokens(unit_text(outline_of(u.doc_id), u))
        small = min(len(mine), len(other)) or 1
        if len(mine & other) / small > 0.8:
            return True
    return False


def unit_text(outline: Outline, unit: Unit) -> str:
    """The text of a unit, one line per paragraph (without the questions a document asks)."""
    return "\n".join(outline.lines[j].content for j in range(unit.start, unit.stop))


def unit_lines(outline: Outline, unit: Unit) -> list[Line]:
    """The outline lines of a unit."""
    return outline.lines[unit.start : unit.stop]


def _answer_order(units: Sequence[Unit]) -> list[Unit]:
    """The best unit's document first; within a document, the document's own order."""
    first_doc: dict[str, int] = {}
    for n, u in enumerate(units):
        first_doc.setdefault(u.doc_id, n)
    return sorted(units, key=lambda u: (first_doc[u.doc_id], u.start))


def covered_terms(terms: Sequence[Term], sig: Signature) -> list[str]:
    """Keys of the terms a signature covers (for explanations and tests)."""
    return [t.key for t in terms if sig.covers(t)]
