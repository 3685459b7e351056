"""Which parts of the retrieved passages answer the question: whole units, chosen by what they cover.

A candidate is a line of a retrieved chunk (a paragraph, a clause, an item) or a block (a
heading or lead-in with everything under it, which may run into the next chunks). Each is
scored by the share of the question's terms it covers (its own text fully, the text under it
and the headings above it partly), by whether it gives the kind of answer asked (a duration,
a date, a percentage…), by its report role (results, shortcomings, requests) when the question
asks for one, and by the strength of its passage in retrieval. The best candidate is widened
to the unit a reader needs; every sub-question then gets its unit, and another one is added
only when it covers what the chosen ones lack (no padding), at most four in all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from knowledge.answer.parts import answers_part, best_for_part, part_cover
from knowledge.answer.units import (
    BODY,
    CONTEXT,
    HEAD,
    Scorer,
    Selection,
    Unit,
    context_cover,
    duplicate,
    siblings,
    unit_text,
)
from knowledge.answer.widening import complete, named_container, widen
from knowledge.documents.outline import Line, Outline
from knowledge.models import ScoredChunk
from knowledge.search.focus import Focus, Term, has_evidence

MAX_UNITS = 4

MAX_BLOCK_CHARS = 6000  # larger blocks are not scored whole (their items are; a lead-in still brings them)

PASSAGES_SCANNED = 4

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
    scorer = Scorer(focus, weight)
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
    best = widen(candidates[0], candidates, focus, outline_of, scorer)
    chosen = [best]
    # the rest of the article or section that holds the best unit may answer the other
    # sub-questions even where retrieval did not rank its chunks ("… và gồm những nội dung gì")
    candidates = _with_neighbourhood(best, candidates, outline_of, scorer, role)
    # every sub-question gets its answer: "… bao lâu, cấp trên giải quyết trong bao lâu, và …"
    for k in range(len(focus.parts)):
        if len(chosen) >= MAX_UNITS or answers_part(chosen, k, scorer, outline_of):
            continue
        found = best_for_part(k, chosen, candidates, scorer, outline_of)
        if found is not None:
            if focus.parts[k].answer_type == "list":  # one step of the steps asked for: the steps
                found = named_container(found, outline_of(found.doc_id), scorer) or found
            found = complete(found, outline_of)
            if not duplicate(found, chosen, outline_of):
                chosen.append(found)
    asked = set(focus.answer_types)
    while len(chosen) < MAX_UNITS:
        nxt = _next_unit(chosen, candidates, scorer, asked, outline_of)
        if nxt is None:
            break
        nxt = complete(nxt, outline_of)
        if duplicate(nxt, chosen, outline_of):  # completed, it holds what is already quoted
            candidates = [c for c in candidates if not c.overlaps(nxt)]
            continue
        chosen.append(nxt)
    # how well the question is answered: for each sub-question, the unit that covers it best
    # (two units that each cover half of it do not answer it together)
    part_best = [max(part_cover(u, k, scorer, outline_of) for u in chosen) for k in range(len(focus.parts))]
    coverage = sum(part_best) / len(part_best) if part_best else 0.0
    satisfied = frozenset(
        p.answer_type
        for k, p in enumerate(focus.parts)
        if p.answer_type and answers_part(chosen, k, scorer, outline_of)
    )
    ordered = [best, *_answer_order(chosen[1:])]  # the best unit leads; the rest as the documents read
    return Selection(tuple(ordered), coverage, satisfied, best.score)

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
    best: Unit, candidates: list[Unit], outline_of: Callable[[str], Outline], scorer: Scorer, role: str | None
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

_LEGAL_BASIS = re.compile(r"^[-–•+]?\s*(?:Căn cứ|Xét|Theo đề nghị)\b", re.IGNORECASE)

def _candidates(outline: Outline, i: int, rank: int, prior: float, scorer: Scorer, role: str | None) -> list[Unit]:
    line = outline.lines[i]
    if len(line.content) < 8 or line.closing:  # the distribution list and signatures answer nothing
        return []
    head = scorer.cover(scorer.sig(line.content))
    ctx = context_cover(outline, i, scorer) - head
    out: list[Unit] = []
    asked = set(scorer.focus.answer_types)
    # "Căn cứ Nghị định số …": a document only citing another says nothing of its content
    damp = 0.5 if _LEGAL_BASIS.match(line.text) else 1.0
    if not line.bare:
        evidence = frozenset(k for k in asked if has_evidence(k, line.content))
        own = scorer.share(head) * HEAD + scorer.share(ctx) * CONTEXT
        score = own + prior + _role_bonus(role, [line]) + _kind_bonus(evidence)
        if (line.lead_in or (line.structural and len(outline.extent(i)) > 1)) and not scorer.focus.wants_list:
            score *= 0.8  # a heading or lead-in alone: its content answers, it only announces
        out.append(Unit(outline.doc_id, i, i + 1, rank, score * damp, frozenset(head), evidence, own))
    span = outline.extent(i)
    if len(span) > 1:
        text = "\n".join(outline.lines[j].content for j in span)
        if len(text) <= MAX_BLOCK_CHARS:
            body = scorer.cover(scorer.sig("\n".join(outline.lines[j].content for j in span[1:]))) - head
            evidence = frozenset(k for k in asked if has_evidence(k, text))
            own = scorer.share(head) * HEAD + scorer.share(body) * BODY + scorer.share(ctx - body) * CONTEXT
            score = own + prior + _role_bonus(role, outline.lines[span.start : span.stop]) + _kind_bonus(evidence)
            if scorer.focus.wants_list or line.lead_in:
                score += 0.05  # the question asks for the list this block holds
            if len(text) > 2000:
                score -= 0.1  # a whole long section is a poorer answer than its part that matches
            terms = frozenset(head | body)
            out.append(Unit(outline.doc_id, span.start, span.stop, rank, score * damp, terms, evidence, own))
    return out

def _kind_bonus(evidence: frozenset[str]) -> float:
    # naming units is the whole answer to "kiểm tra những đơn vị nào", which term overlap ranks low
    return sum(0.25 if kind == "units" else 0.0 if kind == "list" else 0.1 for kind in evidence)

def _role_bonus(role: str | None, lines: Sequence[Line]) -> float:
    """A unit that plays the report role the question asks for (its head, or any line of a block)."""
    if role is None:
        return 0.0
    return 0.15 if any(line.role == role for line in lines) else 0.0

def _next_unit(
    chosen: Sequence[Unit],
    candidates: Sequence[Unit],
    scorer: Scorer,
    asked: set[str],
    outline_of: Callable[[str], Outline],
) -> Unit | None:
    """The unit that adds most of what the chosen ones lack, if it adds enough (no padding)."""
    covered = set().union(*(u.covered | context_cover(outline_of(u.doc_id), u.start, scorer) for u in chosen))
    given = set().union(*(u.evidence for u in chosen))
    best = chosen[0]
    pick: tuple[float, Unit] | None = None
    for c in candidates:
        if any(c.overlaps(u) for u in chosen) or c.score < 0.45 * best.score:
            continue
        if duplicate(c, chosen, outline_of):
            continue
        gain = scorer.share(c.covered - covered)
        new_kinds = (c.evidence & asked) - given
        if new_kinds:
            gain += 0.15
        # a clause beside the chosen one that is about the question as much (the next clause of
        # the same article: "…trong vòng một tháng" then "…chậm nhất ba tháng") completes it
        sibling = any(siblings(outline_of(c.doc_id), c, u) for u in chosen) and c.own >= 0.7 * best.own
        # "… vào lưu trữ hiện hành và vào lưu trữ lịch sử là bao lâu": the parallel clause gives
        # the second duration even when its words are all covered already
        parallel = sibling and c.stop - c.start == 1 and bool(c.evidence & asked)
        if gain < (0.0 if parallel else 0.03 if sibling else 0.12):
            continue
        value = gain + 0.2 * c.score + (0.1 if sibling else 0.0)
        if pick is None or value > pick[0]:
            pick = (value, c)
    return pick[1] if pick else None

def _answer_order(units: Sequence[Unit]) -> list[Unit]:
    """The best unit's document first; within a document, the document's own order."""
    first_doc: dict[str, int] = {}
    for n, u in enumerate(units):
        first_doc.setdefault(u.doc_id, n)
    return sorted(units, key=lambda u: (first_doc[u.doc_id], u.start))
