"""Which parts of the retrieved passages answer the question: whole units, chosen by a learned model.

A candidate is a line of a retrieved chunk (a paragraph, a clause, an item) or a block (a
heading or lead-in with everything under it, which may run into the next chunks), from the best
passages and from the section around the two best. Each gets its features
(``answer.features``) and the unit model's probability that it holds what is asked. The most
probable is widened to the unit a reader needs (a list asked for comes whole); every sub-question
then gets its unit, and more units are quoted while the model rates them close enough to the
best one (the share is learned with the model), at most four in all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from knowledge.answer.features import Retrieved, unit_features
from knowledge.answer.model import AnswerModel
from knowledge.answer.parts import STATED_NEAR, answers_part, best_for_part, gives_kind, part_cover
from knowledge.answer.units import BODY, CONTEXT, HEAD, Scorer, Selection, Unit, context_cover, duplicate
from knowledge.answer.widening import complete, named_container, widen
from knowledge.documents.outline import Outline
from knowledge.models import ScoredChunk
from knowledge.question.focus import fold_word, has_evidence
from knowledge.question.frame import QuestionFrame

MAX_UNITS = 4
MAX_BLOCK_CHARS = 6000  # larger blocks are not candidates whole (their items are; a lead-in still brings them)
PASSAGES_SCANNED = 8
NEIGHBOURHOOD_PASSAGES = 2  # the sections around the best passages are candidates too
NEIGHBOURHOOD_LINES = 40


@dataclass(frozen=True)
class Candidate:
    """A unit that may answer, with its features (probability filled in by the model)."""

    unit: Unit
    features: dict[str, float] = field(hash=False, compare=False)


def gather(
    frame: QuestionFrame,
    scorer: Scorer,
    asked: Scorer,
    passages: Sequence[ScoredChunk],
    outline_of: Callable[[str], Outline],
    *,
    role: str | None = None,
    doc_named: Callable[[str], bool] = lambda doc_id: False,
    retrieved: Retrieved | None = None,
) -> list[Candidate]:
    """Every candidate unit of the question, with its features (no model involved); ``retrieved``
    is retrieval's evidence for each well-ranked passage (default: the passages' own)."""
    retrieved = retrieved or Retrieved.of(passages)
    seen: dict[tuple[str, int, int], Candidate] = {}

    def add(outline: Outline, start: int, stop: int, passage: ScoredChunk, rank: int) -> None:
        key = (outline.doc_id, start, stop)
        if key in seen:
            return
        values = unit_features(
            frame, scorer, asked, outline, start, stop, passage, rank, retrieved, role, doc_named(outline.doc_id)
        )
        lines = outline.lines[start:stop]
        head = scorer.cover(scorer.sig(lines[0].content))
        covered = head | scorer.cover(scorer.sig("\n".join(ln.content for ln in lines[1:]))) if stop - start > 1 else head
        text = "\n".join(ln.content for ln in lines)
        own = values["head"] * HEAD + values["body"] * BODY + values["context"] * CONTEXT
        evidence = frozenset(k for k in frame.focus.answer_types if has_evidence(k, text))
        unit = Unit(outline.doc_id, start, stop, rank, 0.0, frozenset(covered), evidence, own)
        seen[key] = Candidate(unit, values)

    def add_line(outline: Outline, i: int, passage: ScoredChunk, rank: int) -> None:
        line = outline.lines[i]
        if len(line.content) < 8 or line.closing:  # the distribution list and signatures answer nothing
            return
        if not line.bare:
            add(outline, i, i + 1, passage, rank)
        span = outline.extent(i)
        if len(span) > 1 and sum(len(outline.lines[j].content) + 1 for j in span) <= MAX_BLOCK_CHARS:
            add(outline, span.start, span.stop, passage, rank)

    for rank, sc in enumerate(passages[:PASSAGES_SCANNED], start=1):
        outline = outline_of(sc.chunk.doc_id)
        for i in outline.index_of_chunk(sc.chunk.chunk_id):
            add_line(outline, i, sc, rank)
    for rank, sc in enumerate(passages[:NEIGHBOURHOOD_PASSAGES], start=1):
        outline = outline_of(sc.chunk.doc_id)
        parents = {outline.parent(i) for i in outline.index_of_chunk(sc.chunk.chunk_id)}
        for parent in sorted(p for p in parents if p is not None):
            span = outline.extent(parent)
            if len(span) <= NEIGHBOURHOOD_LINES:
                for i in span:
                    add_line(outline, i, sc, rank)
    return list(seen.values())


def scored(candidates: Sequence[Candidate], model: AnswerModel) -> list[Unit]:
    """The candidates' units with the unit model's probability as their score, best first."""
    units = [replace(c.unit, score=model.unit.probability(c.features)) for c in candidates]
    return sorted(units, key=lambda u: (-u.score, u.stop - u.start, u.rank, u.doc_id, u.start))


def select_units(
    candidates: Sequence[Candidate],
    scorer: Scorer,
    outline_of: Callable[[str], Outline],
    model: AnswerModel,
    *,
    similarity: Callable[[Sequence[str]], Sequence[float]] | None = None,
) -> Selection:
    """The units that answer the question best, at most four, without padding."""
    focus = scorer.focus
    units = scored(candidates, model)
    if not units:
        return Selection((), 0.0, frozenset(), 0.0)
    if similarity is not None:
        units = _by_meaning(units, similarity, outline_of)
    features = {(c.unit.doc_id, c.unit.start, c.unit.stop): c.features for c in candidates}
    top = _lead(units, features, model.thresholds.more_units * units[0].score)
    best = widen(top, units, focus, outline_of, scorer)
    chosen = [best]
    # every sub-question gets its answer: "… bao lâu, cấp trên giải quyết trong bao lâu, và …"
    for k in range(len(focus.parts)):
        if len(chosen) >= MAX_UNITS or answers_part(chosen, k, scorer, outline_of):
            continue
        found = best_for_part(k, chosen, units, scorer, outline_of)
        if found is not None:
            if focus.parts[k].answer_type == "list":  # one step of the steps asked for: the steps
                found = named_container(found, outline_of(found.doc_id), scorer) or found
            found = complete(found, outline_of)
            if not duplicate(found, chosen, outline_of):
                chosen.append(found)
    # more units while the model rates them close to the best one (a second rule a case needs),
    # each saying something of the question in its own words (not only under a heading that does),
    # and none that holds one of its rarest words only with other marks ("Quân ủy" for "Quận ủy")
    floor = model.thresholds.more_units * top.score
    for u in units[1:]:
        if len(chosen) >= MAX_UNITS or u.score < floor:
            break
        if any(u.overlaps(c) for c in chosen) or not (u.covered or u.evidence) or _clashes(u, scorer, outline_of):
            continue
        nxt = complete(u, outline_of)
        if any(nxt.overlaps(c) for c in chosen) or duplicate(nxt, chosen, outline_of):
            continue
        chosen.append(nxt)
    chosen = _merge_siblings(chosen, outline_of)
    # how well the question is answered: for each sub-question, the unit that covers it best
    part_best = [max(part_cover(u, k, scorer, outline_of) for u in chosen) for k in range(len(focus.parts))]
    coverage = sum(part_best) / len(part_best) if part_best else 0.0
    satisfied = frozenset(
        p.answer_type
        for k, p in enumerate(focus.parts)
        if p.answer_type and any(gives_kind(u, k, scorer, outline_of) for u in chosen)
    )
    stated = frozenset(
        p.answer_type
        for k, p in enumerate(focus.parts)
        if p.answer_type and any(gives_kind(u, k, scorer, outline_of, near=STATED_NEAR) for u in chosen)
    )
    # the gate reads the best candidate as the unit model saw it (as in training), not the widened answer
    covered = top.covered | context_cover(outline_of(top.doc_id), top.start, scorer)
    ordered = [chosen[0], *_answer_order(chosen[1:])]  # the best unit leads; the rest as the documents read
    return Selection(
        tuple(ordered), coverage, satisfied, top.score,
        probabilities=tuple(u.score for u in units),
        best_features=features.get((top.doc_id, top.start, top.stop), {}),
        covered=frozenset(covered),
        stated=stated,
    )


SIBLINGS_LIST_LINES = 24  # items of one list chosen apart are quoted as the list when it is this short


def _clashes(unit: Unit, scorer: Scorer, outline_of: Callable[[str], Outline]) -> bool:
    """Whether the unit holds one of the question's two rarest words only spelt with other marks
    (the question typed "Quận ủy", the unit says "Quân ủy"): another thing of the same letters."""
    if not scorer.focus.accented:
        return False
    sig = scorer.sig("\n".join(ln.content for ln in outline_of(unit.doc_id).lines[unit.start : unit.stop]))
    rarest = sorted(scorer.focus.terms, key=lambda t: -scorer.weights.get(t.key, 0.0))[:2]
    for term in rarest:
        if sig.covers(term):
            continue
        if any(all(fold_word(tok) in sig.folded for tok in alt) for alt in term.alternatives):
            return True
    return False


def _special(values: dict[str, float]) -> bool:
    """A unit about a special case of what is asked: headed by the qualified form of a word of the
    question ("kết nạp lại" for "kết nạp"), by another body of the family asked about, or under a
    heading of special cases the question does not speak of."""
    return any(values.get(k, 0.0) > 0 for k in ("qualified", "subject_other", "special_case"))


def _lead(units: list[Unit], features: dict[tuple[str, int, int], dict[str, float]], close: float) -> Unit:
    """The unit the answer leads with: the most probable, unless it is about a special case and a
    unit about the general one is close enough to be quoted anyway (the learned share)."""
    first = units[0]
    if not _special(features.get((first.doc_id, first.start, first.stop), {})):
        return first
    for u in units[1:]:
        if u.score < close:
            break
        if not _special(features.get((u.doc_id, u.start, u.stop), {})):
            return u
    return first


def _merge_siblings(chosen: list[Unit], outline_of: Callable[[str], Outline]) -> list[Unit]:
    """Two or more items of one short list chosen apart ("- Nghị quyết…", "- Bản tự kiểm điểm…")
    become that list with its lead-in, quoted once, where the first of them stood."""
    groups: dict[tuple[str, int], list[Unit]] = {}
    for u in chosen:
        parent = outline_of(u.doc_id).parent(u.start)
        if parent is not None and u.stop - u.start == 1:
            groups.setdefault((u.doc_id, parent), []).append(u)
    out: list[Unit] = []
    done: set[tuple[str, int]] = set()
    for u in chosen:
        parent = outline_of(u.doc_id).parent(u.start) if u.stop - u.start == 1 else None
        key = (u.doc_id, parent) if parent is not None else None
        members = groups.get(key, []) if key else []
        span = outline_of(u.doc_id).extent(parent) if parent is not None else range(0)
        if key is not None and len(members) >= 2 and len(span) <= SIBLINGS_LIST_LINES:
            if key in done:
                continue
            done.add(key)
            merged = replace(u, start=span.start, stop=span.stop, score=max(m.score for m in members),
                             covered=frozenset().union(*(m.covered for m in members)),
                             evidence=frozenset().union(*(m.evidence for m in members)))
            if not any(merged.overlaps(o) for o in out):
                out.append(merged)
            continue
        if not any(u.overlaps(o) for o in out):
            out.append(u)
    return out


DENSE_RERANK = 8  # candidates re-scored by the embedding model
DENSE_WEIGHT = 0.2
DENSE_FLOOR, DENSE_SPAN = 0.8, 0.15  # e5 cosines of related texts lie in about 0.8–0.95


def _by_meaning(
    units: list[Unit], similarity: Callable[[Sequence[str]], Sequence[float]], outline_of: Callable[[str], Outline]
) -> list[Unit]:
    head = units[:DENSE_RERANK]
    texts = ["\n".join(outline_of(u.doc_id).lines[j].content for j in range(u.start, u.stop))[:1500] for u in head]
    rescored = [
        replace(u, score=u.score + DENSE_WEIGHT * min(1.0, max(0.0, (float(cos) - DENSE_FLOOR) / DENSE_SPAN)))
        for u, cos in zip(head, similarity(texts), strict=True)
    ]
    return sorted(rescored + units[DENSE_RERANK:], key=lambda u: (-u.score, u.stop - u.start, u.rank))


def _answer_order(units: Sequence[Unit]) -> list[Unit]:
    """The best unit's document first; within a document, the document's own order."""
    first_doc: dict[str, int] = {}
    for n, u in enumerate(units):
        first_doc.setdefault(u.doc_id, n)
    return sorted(units, key=lambda u: (first_doc[u.doc_id], u.start))
