"""From the best line to the unit a reader needs: a lead-in with its items, a heading with its
content, a step with the procedure its heading names, a line with the list it points back to."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from knowledge.answer.units import Scorer, Unit
from knowledge.documents.outline import Outline
from knowledge.question.focus import Focus, has_evidence


def widen(
    best: Unit, candidates: Sequence[Unit], focus: Focus, outline_of: Callable[[str], Outline], scorer: Scorer
) -> Unit:
    """A lead-in or heading alone becomes its block; an item of a list asked for becomes the list;
    one step of a procedure asked for becomes the procedure its heading names."""
    outline = outline_of(best.doc_id)
    if focus.wants_list:
        container = named_container(best, outline, scorer)
        if container is not None:
            return container
    if best.stop - best.start > 1:
        return best
    line = outline.lines[best.start]
    blocks = [c for c in candidates if c.doc_id == best.doc_id and c.start == best.start and c.stop > best.stop]
    if blocks and (line.lead_in or line.structural or line.bare or focus.wants_list):
        return max(blocks, key=lambda c: c.score)
    completed = complete(best, outline_of)
    if completed != best:
        # never a dangling lead-in or a bare heading: a list too long to score whole is still
        # quoted (trimmed); a line pointing back to the list above comes with it
        return completed
    small = _small_section(outline, best)
    if small is not None:
        if focus.wants_list:
            # a line under one labelled case of a short list of cases asked for ("Thủ tục chuyển
            # sinh hoạt đảng tạm thời": a) in the country, b) abroad) comes with the other cases,
            # when the list scores nearly as well
            short = [
                c
                for c in candidates
                if c.doc_id == best.doc_id
                and c.start < small.start
                and c.stop >= small.stop
                and 1 < c.stop - c.start <= SHORT_LIST_LINES
                and outline.lines[c.start].lead_in
                and c.score >= 0.85 * best.score
            ]
            if short:
                return min(short, key=lambda c: c.stop - c.start)
        return small
    if focus.wants_list and not _stands_alone(best, candidates, outline):
        parents = [
            c
            for c in candidates
            if c.doc_id == best.doc_id and c.start < best.start and c.stop >= best.stop and c.stop - c.start > 1
        ]
        # the smallest list holding the best item, if it scores nearly as well
        parents.sort(key=lambda c: c.stop - c.start)
        for p in parents:
            if p.score >= 0.85 * best.score:
                return p
    return best


CONTAINER_LINES = 60

SHORT_LIST_LINES = 12  # a lead-in and its items short enough to quote whole on a phone


def named_container(unit: Unit, outline: Outline, scorer: Scorer) -> Unit | None:
    """The section holding a unit when its heading names what is asked better than the unit's own
    head ("Quy trình xét tặng Huy hiệu Đảng" over its "Bước 02: Chi bộ")."""
    own = scorer.share(scorer.cover(scorer.sig(outline.lines[unit.start].content)))
    best: tuple[float, range] | None = None
    for j in outline.ancestors(unit.start)[:3]:
        head = outline.lines[j]
        span = outline.extent(j)
        if not (head.heading_like or head.lead_in) or len(span) > CONTAINER_LINES:
            continue
        named = scorer.share(scorer.cover(scorer.sig(head.content)))
        if named > own and (best is None or named > best[0]):
            best = (named, span)
    return replace(unit, start=best[1].start, stop=best[1].stop) if best else None


def _stands_alone(item: Unit, candidates: Sequence[Unit], outline: Outline) -> bool:
    """An item that answers by itself while its neighbours do not ("… làm gì để nâng cao X?"),
    or that holds the list asked for in its own sentence ("Không giải quyết những trường hợp
    sau đây: …; …; …")."""
    if item.own >= 0.6 and has_evidence("list", outline.lines[item.start].content):
        return True
    if item.own < 0.75:
        return False
    parent = outline.parent(item.start)
    peers = [
        c
        for c in candidates
        if c.doc_id == item.doc_id
        and c.stop - c.start == 1
        and c.start != item.start
        and parent is not None
        and outline.parent(c.start) == parent
    ]
    return sum(1 for c in peers if c.own >= 0.6 * item.own) < 2


_BACK_REFERENCE = re.compile(
    r"\b(?:trên đây|nêu trên|nói trên|như trên|kể trên|các (?:quyền|nhiệm vụ|trường hợp|điều kiện) trên)\b"
)


def complete(unit: Unit, outline_of: Callable[[str], Outline]) -> Unit:
    """A lead-in or heading chosen alone, with what it announces; a line that points back to
    the list above ("… có các quyền trên đây, trừ …") with that list."""
    outline = outline_of(unit.doc_id)
    line = outline.lines[unit.start]
    span = outline.extent(unit.start)
    if unit.stop - unit.start == 1 and (line.lead_in or line.heading_like) and len(span) > 1:
        return replace(unit, start=span.start, stop=span.stop)
    if _BACK_REFERENCE.search(line.content):
        for j in outline.ancestors(unit.start):
            if outline.lines[j].lead_in:
                block = outline.extent(j)
                return replace(unit, start=block.start, stop=max(block.stop, unit.stop))
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
