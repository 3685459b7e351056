"""The default, offline answer: whole units of the retrieved documents, verbatim, with citations.

Every line of the answer is copied from a stored passage and carries the number of its
citation, so nothing is invented. The learned unit model chooses what to quote
(``answer.selection``) and the gate decides whether it answers the question, is only the
closest provision (shown under a caveat), or whether to decline (``answer.gate``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from knowledge.answer.choices import applied
from knowledge.answer.composition import Shown, render, show_units
from knowledge.answer.features import Retrieved
from knowledge.answer.gate import CLOSEST_CAVEAT, Decision, decide
from knowledge.answer.model import AnswerModel
from knowledge.answer.selection import Candidate, gather, select_units
from knowledge.answer.units import Scorer, Selection, unit_text
from knowledge.documents.outline import Outline
from knowledge.documents.roles import question_role
from knowledge.models import ScoredChunk, StoredChunk
from knowledge.question.focus import Focus, Term, coverage, has_evidence, signature
from knowledge.question.frame import QuestionFrame
from knowledge.question.thesaurus import Thesaurus
from knowledge.text import fold


@dataclass(frozen=True)
class Composed:
    """An extractive answer: its text and the shown units with the chunks they cite."""

    text: str
    shown: tuple[Shown, ...]
    numbers: dict[str, int]  # chunk_id -> citation number
    selection: Selection
    closest: bool = False  # the closest provisions, under a caveat
    decision: Decision | None = None
    option: str | None = None  # a quiz question: the option the quoted units support ("" none)


@dataclass(frozen=True)
class NotAnswered:
    """Why the passages do not answer (for logs and evaluation)."""

    reason: str
    selection: Selection | None = None
    decision: Decision | None = None


def prepare(
    frame: QuestionFrame,
    focus: Focus,
    passages: Sequence[ScoredChunk],
    outline_of: Callable[[str], Outline],
    weight: Callable[[Term], float],
    *,
    doc_named: Callable[[str], bool] = lambda doc_id: False,
    retrieved: Retrieved | None = None,
) -> tuple[Scorer, list[Candidate]]:
    """The scorer of a question's terms and its candidate units with their features."""
    scorer = Scorer(focus, weight)
    asked = Scorer(frame.asked_focus or focus, weight)
    role = question_role(fold(focus.text))
    return scorer, gather(frame, scorer, asked, passages, outline_of, role=role, doc_named=doc_named, retrieved=retrieved)


def compose_extractive(
    frame: QuestionFrame,
    focus: Focus | None,
    passages: Sequence[ScoredChunk],
    outline_of: Callable[[str], Outline],
    weight: Callable[[Term], float],
    model: AnswerModel,
    *,
    known: Callable[[Term], bool] = lambda term: True,
    facts: Sequence[tuple[str, str]] = (),
    required: Sequence[str] = (),
    similarity: Callable[[Sequence[str]], Sequence[float]] | None = None,
    doc_named: Callable[[str], bool] = lambda doc_id: False,
    retrieved: Retrieved | None = None,
    thesaurus: Thesaurus | None = None,
) -> Composed | NotAnswered:
    """The answer built from whole units of the passages, or the reason there is none.

    ``focus`` is what is left to answer from passages (the frame's focus, or less when ``facts``,
    sentences about the documents themselves ((text, chunk_id), e.g. a posting date), answer
    parts of it). ``required`` names what the question is about (a unit, a year) that the quoted
    units or their headings must name: results found at one ward do not answer for another.
    """
    selection = Selection((), 1.0, frozenset(), 0.0)
    decision: Decision | None = None
    if focus is not None and not focus.terms:
        return NotAnswered("no_terms", selection)  # nothing asked that a passage could cover ("🙂🔥")
    if focus is not None:
        retrieved = retrieved or Retrieved.of(passages)
        scorer, candidates = prepare(frame, focus, passages, outline_of, weight, doc_named=doc_named, retrieved=retrieved)
        if not candidates:
            return NotAnswered("no_candidate", selection)
        selection = select_units(candidates, scorer, outline_of, model, similarity=similarity)
        if not selection.units:
            return NotAnswered("no_candidate", selection)
        if required and not _names_all(required, selection, outline_of):
            return NotAnswered("entity_missing", selection)
        decision = decide(frame, selection, passages, scorer, model, known, retrieved.dense_stats, retrieved.top_cosine)
        if decision.outcome == "declined":
            return NotAnswered(decision.reason, selection, decision)
    relevant = _relevance(focus, weight, frame.asked_focus) if focus is not None else None
    whole = focus is None or focus.wants_list or any(p.answer_type == "list" for p in focus.parts)
    shown = show_units(selection.units, outline_of, relevant=relevant, whole_lists=whole)
    shown += [Shown(None, chunk_id, text, False) for text, chunk_id in facts]
    if not shown:
        return NotAnswered("no_candidate", selection)
    numbers: dict[str, int] = {}
    for s in shown:
        numbers.setdefault(s.chunk_id, len(numbers) + 1)
    text = render(shown, numbers.__getitem__)
    lines, option = applied(frame, _line_texts(selection, outline_of), thesaurus, numbers.__getitem__)
    if lines:
        text = "\n".join([*lines, text])
    closest = decision is not None and decision.outcome == "closest"
    if closest:
        text = f"{CLOSEST_CAVEAT}\n{text}"
    return Composed(text, tuple(shown), numbers, selection, closest, decision, option)


def _line_texts(selection: Selection, outline_of: Callable[[str], Outline]) -> list[tuple[str, str]]:
    """Every line of the chosen units, whole, with the chunk its unit is cited by."""
    out = []
    for u in selection.units:
        outline = outline_of(u.doc_id)
        cited = outline.lines[u.start].chunk_id
        out += [(outline.lines[j].content, cited) for j in range(u.start, u.stop)]
    return out


def _names_all(required: Sequence[str], selection: Selection, outline_of: Callable[[str], Outline]) -> bool:
    texts = []
    for u in selection.units:
        outline = outline_of(u.doc_id)
        texts.append(unit_text(outline, u))
        texts.extend(outline.lines[j].text for j in outline.ancestors(u.start))
        texts.append(outline.title)
        texts.append((outline.issued or "")[:4])  # a report dated 2017 is about 2017
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


def _relevance(focus: Focus, weight: Callable[[Term], float], asked: Focus | None = None) -> Callable[[str], float]:
    """How much a sentence or line matters to the question: the share of the question (or of its
    asking sentences) it covers, plus one when it gives the kind of answer asked."""
    kinds = set(focus.answer_types)

    def relevant(sentence: str) -> float:
        sig = signature(sentence)
        score = coverage(focus.terms, sig, weight)
        if asked is not None and asked.terms:
            score = max(score, coverage(asked.terms, sig, weight))
        if any(has_evidence(k, sentence) for k in kinds):
            score += 1.0
        return score

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
