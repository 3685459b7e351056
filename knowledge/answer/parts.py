"""Sub-questions: whether the chosen units answer each one, and which unit answers one best.

"… khiếu nại trong bao lâu, cấp trên giải quyết trong bao lâu, và trong khi chờ có phải chấp
hành không?" asks three things; each is answered when one chosen unit covers most of its words
and, when it asks for a duration, a date, a number…, one sentence gives it next to those words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from knowledge.answer.units import Scorer, Unit, context_text, duplicate, placed_sentences, siblings, unit_text
from knowledge.documents.outline import Outline
from knowledge.question.focus import has_evidence
from knowledge.text import fold

PART_COVERED = 0.6  # a sub-question counts as answered when the chosen units cover this much of it

SENTENCE_EVIDENCE = 0.5  # …and, when it asks for a date, a number…, one sentence gives it next to more than this much
STATED_NEAR = 0.3  # a kind of answer is stated at all when a sentence gives it next to more than this much of the part

# What a question asks about its subject: "UVTV quận ủy có nhiệm vụ gì?" is not answered by a
# passage that names the UVTV but says nothing of duties, however rare the other words are.
ATTRIBUTES = frozenset(
    fold(w)
    for w in ("nhiệm vụ", "quyền", "quyền hạn", "điều kiện", "tiêu chuẩn", "thẩm quyền", "trách nhiệm", "chức năng")
)

_WH_WORD = re.compile(r"\b(?:gi|nao|ai|ra sao|the nao|bao nhieu|bao lau)\b")
_YES_NO = re.compile(r"\b(?:khong|chua|dung hay sai|dung khong|phai khong|co phai)\W*$")


def asks_attribute(part: str, question: str, claim: bool = False) -> bool:
    """Whether an attribute word in a sub-question is what it asks for ("UVTV có nhiệm vụ gì?"),
    not part of a claim to confirm ("Hải quan có trách nhiệm kiểm soát …, đúng hay sai?")."""
    if _WH_WORD.search(fold(part)):
        return True
    return not (claim or _YES_NO.search(fold(question).rstrip()))


def part_cover(unit: Unit, k: int, scorer: Scorer, outline_of: Callable[[str], Outline]) -> float:
    outline = outline_of(unit.doc_id)
    own, context = scorer.sig(unit_text(outline, unit)), scorer.sig(context_text(outline, unit.start))
    share = scorer.part_share(k, own, context)
    part = scorer.focus.parts[k]
    asked = [t for t in part.terms if fold(t.key.replace("_", " ")) in ATTRIBUTES]
    if not asks_attribute(part.text, scorer.focus.text, scorer.focus.claim):
        asked = []
    if asked and not any(own.covers(t) or context.covers(t) for t in asked):
        share *= 0.5  # the attribute asked for is nowhere in or above the unit
    return share


def gives_kind(
    unit: Unit, k: int, scorer: Scorer, outline_of: Callable[[str], Outline], *, near: float = SENTENCE_EVIDENCE
) -> bool:
    """Whether one sentence of the unit gives sub-question ``k``'s kind of answer beside more than
    ``near`` of its terms (the headings and lead-ins it sits under counting half)."""
    kind = scorer.focus.parts[k].answer_type
    if kind is None:
        return True
    if kind not in unit.evidence:
        return False
    outline = outline_of(unit.doc_id)
    for sentence, reading, context in placed_sentences(scorer, outline, unit.start, unit.stop):
        if has_evidence(kind, sentence) and scorer.part_share(k, scorer.sig(reading), context) > near:
            return True
    return False


def answers_part(chosen: Sequence[Unit], k: int, scorer: Scorer, outline_of: Callable[[str], Outline]) -> bool:
    if not any(part_cover(u, k, scorer, outline_of) >= PART_COVERED for u in chosen):
        return False
    return any(gives_kind(u, k, scorer, outline_of) for u in chosen)


def best_for_part(
    k: int, chosen: Sequence[Unit], candidates: Sequence[Unit], scorer: Scorer, outline_of: Callable[[str], Outline]
) -> Unit | None:
    """The candidate that answers sub-question ``k`` best, if one answers it at all and adds to
    what the chosen units say of it (its missing words, or the kind of answer it asks for)."""
    part = scorer.focus.parts[k]
    kind_given = part.answer_type is not None and any(gives_kind(u, k, scorer, outline_of) for u in chosen)
    known = [
        (scorer.sig(unit_text(outline_of(u.doc_id), u)), scorer.sig(context_text(outline_of(u.doc_id), u.start)))
        for u in chosen
    ]
    missing = [t for t in part.terms if not any(own.covers(t) or ctx.covers(t) for own, ctx in known)]
    weights = scorer.part_weights[k]
    total = sum(weights.values()) or 1.0
    pick: tuple[float, Unit] | None = None
    for c in candidates:
        if any(c.overlaps(u) for u in chosen) or duplicate(c, chosen, outline_of):
            continue
        cover = part_cover(c, k, scorer, outline_of)
        if cover < 0.45 or not gives_kind(c, k, scorer, outline_of):
            continue
        sig = scorer.sig(unit_text(outline_of(c.doc_id), c))
        adds = sum(weights[t.key] for t in missing if sig.covers(t)) / total
        if adds < 0.1 and (kind_given or part.answer_type is None):
            continue  # it says nothing of this sub-question that the chosen units do not
        sibling = any(siblings(outline_of(c.doc_id), c, u) for u in chosen)
        value = cover + 0.1 * c.score - 0.05 * (c.stop - c.start > 1) + (0.1 if sibling else 0.0)
        if pick is None or value > pick[0]:
            pick = (value, c)
    return pick[1] if pick else None
