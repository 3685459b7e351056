"""The default, offline answer: whole units of the retrieved documents, verbatim, with citations.

Every line of the answer is copied from a stored passage and carries the number of its
citation, so nothing is invented. The composer also decides whether the passages answer at
all: the chosen units must cover enough of the question, and give the kind of answer it asks
for (a duration, a date, a percentage, a name); otherwise the assistant declines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from knowledge.answer.composition import Shown, render, show_units
from knowledge.answer.selection import select_units
from knowledge.answer.units import Selection, unit_text
from knowledge.documents.outline import Outline
from knowledge.documents.roles import question_role
from knowledge.models import ScoredChunk, StoredChunk
from knowledge.search.focus import Focus, Term, analyze_focus, coverage, has_evidence, signature
from knowledge.text import fold

# The kinds of answer a passage must actually give before we answer (a question asking for a
# percentage is not answered by a sentence on the same topic without one).
STRICT_KINDS = frozenset({"duration", "percent", "money", "date", "person", "number"})


@dataclass(frozen=True)
class Composed:
    """An extractive answer: its text and the shown units with the chunks they cite."""

    text: str
    shown: tuple[Shown, ...]
    numbers: dict[str, int]  # chunk_id -> citation number
    selection: Selection


@dataclass(frozen=True)
class NotAnswered:
    """Why the passages do not answer (for logs and evaluation)."""

    reason: str
    selection: Selection | None = None


def focus_of(question: str, expansions: Sequence[tuple[str, str]], accented: bool) -> Focus:
    """The question's focus for scoring passages."""
    return analyze_focus(question, expansions=expansions, accented=accented)


def compose_extractive(
    focus: Focus | None,
    passages: Sequence[ScoredChunk],
    outline_of: Callable[[str], Outline],
    weight: Callable[[Term], float],
    *,
    min_coverage: float,
    facts: Sequence[tuple[str, str]] = (),
    required: Sequence[str] = (),
    similarity: Callable[[Sequence[str]], Sequence[float]] | None = None,
) -> Composed | NotAnswered:
    """The answer built from whole units of the passages, or the reason there is none.

    ``facts`` are sentences about the documents themselves ((text, chunk_id), e.g. a posting
    date) that answer parts of the question; ``focus`` is what is left to answer from passages.
    ``required`` names what the question is about (a unit, a year) that the quoted units or
    their headings must name: results found at one ward do not answer for another.
    """
    selection = Selection((), 1.0, frozenset(), 0.0)
    if focus is not None and not focus.terms:
        return NotAnswered("no_terms", selection)  # nothing asked that a passage could cover ("🙂🔥")
    if focus is not None:
        selection = select_units(
            focus, passages, outline_of, weight, role=question_role(fold(focus.text)), similarity=similarity
        )
        if not selection.units:
            return NotAnswered("no_candidate", selection)
        if selection.coverage < min_coverage:
            return NotAnswered("low_coverage", selection)
        asked = {k for k in focus.answer_types if k in STRICT_KINDS}
        if asked and not (selection.satisfied & asked):
            return NotAnswered("kind_missing", selection)
        if required and not _names_all(required, selection, outline_of):
            return NotAnswered("entity_missing", selection)
    relevant = _relevance(focus, weight) if focus is not None else None
    whole = focus is None or focus.wants_list or any(p.answer_type == "list" for p in focus.parts)
    shown = show_units(selection.units, outline_of, relevant=relevant, whole_lists=whole)
    shown += [Shown(None, chunk_id, text, False) for text, chunk_id in facts]
    if not shown:
        return NotAnswered("no_candidate", selection)
    numbers: dict[str, int] = {}
    for s in shown:
        numbers.setdefault(s.chunk_id, len(numbers) + 1)
    text = render(shown, numbers.__getitem__)
    return Composed(text, tuple(shown), numbers, selection)


def _names_all(required: Sequence[str], selection: Selection, outline_of: Callable[[str], Outline]) -> bool:
    texts = []
    for u in selection.units:
        outline = outline_of(u.doc_id)
        texts.append(unit_text(outline, u))
        texts.extend(outline.lines[j].text for j in outline.ancestors(u.start))
        texts.append(outline.title)
    folded = " " + " ".join(re.findall(r"\w+", fold(" ".join(texts)))) + " "
    for entity in required:
        words = re.findall(r"\w+", fold(entity))
        name = words[1:] if len(words) > 2 else words  # "phường Phúc Đồng" -> "phuc dong"
        if entity.isdigit():  # "90" is also written "090" or inside "90%"
            if not re.search(rf"(?<![\d.,]){int(entity)}(?![\d])|(?<![\d.,])0{int(entity)}(?![\d])", folded):
                return False
        elif f" {' '.join(name)} " not in folded:
            return False
    return True


def _relevance(focus: Focus, weight: Callable[[Term], float]) -> Callable[[str], bool]:
    """Whether a sentence matters to the question: it covers a fifth of it, or gives what is asked."""
    kinds = set(focus.answer_types)

    def relevant(sentence: str) -> bool:
        if any(has_evidence(k, sentence) for k in kinds):
            return True
        return coverage(focus.terms, signature(sentence), weight) >= 0.2

    return relevant


def cited_chunks(
    composed: Composed, chunk_of: Callable[[str], StoredChunk | None]
) -> list[tuple[int, StoredChunk, str]]:
    """(number, chunk, quote) for every citation of an answer, in number order."""
    quotes: dict[str, list[str]] = {}
    for s in composed.shown:
        quotes.setdefault(s.chunk_id, []).append(s.text)
    out = []
    for chunk_id, n in sorted(composed.numbers.items(), key=lambda kv: kv[1]):
        chunk = chunk_of(chunk_id)
        if chunk is not None:
            out.append((n, chunk, " … ".join(quotes[chunk_id])))
    return out
