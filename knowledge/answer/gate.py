"""Answer, closest rule, or decline: the decision whether the documents answer a question.

The gate model (learned with the unit model, ``answer.model``) reads how sure the unit model is
of its best unit, how much of the question that unit and retrieval cover, whether the kind of
answer asked for is there, and the question's form; its probability, against the learned
thresholds, gives the outcome:

- ``answer``: the quoted units answer the question;
- ``closest``: the documents hold related provisions but not the answer itself; they are shown
  under a plain caveat instead of a refusal;
- ``declined``: nothing relevant was found.

Three rules hold whatever the model says, because they follow from what an answer is: a question
that asks for a duration, a date, a percentage, an amount, a person or a number is never answered
directly by units that do not give one (at most the closest provisions); a question about what
was found at a unit or in a year is never answered from another unit's or year's text; and a
question most of whose words no document holds is about something the documents do not cover.
A fourth is learned with the models: a question no passage comes near in meaning (its best cosine
lies under every answerable development question's, ``Thresholds.off_topic``) is declined.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from knowledge.answer.features import STRICT_KINDS, gate_features
from knowledge.answer.model import AnswerModel
from knowledge.answer.units import Scorer, Selection
from knowledge.models import ScoredChunk
from knowledge.question.focus import Term
from knowledge.question.frame import QuestionFrame

CLOSEST_CAVEAT = "Tài liệu không nêu trực tiếp nội dung này; các quy định gần nhất:"
# A question most of whose words (by weight) no document holds is about something the documents
# do not cover ("Thời tiết Hà Nội ngày mai thế nào?"): declined, whatever else matched.
UNKNOWN_DECLINES = 0.5
# ... and at least two of its words: one word no document holds ("tính mốc từ ngày nào") is the
# asker's own word for something the documents may well say, however rare it makes it weigh
UNKNOWN_WORDS = 2


@dataclass(frozen=True)
class Decision:
    """The outcome for one question, the gate's probability and why."""

    outcome: str  # answer | closest | declined
    probability: float
    reason: str
    features: dict[str, float] = field(default_factory=dict, hash=False, compare=False)


def gate_values(
    frame: QuestionFrame,
    selection: Selection,
    passages: Sequence[ScoredChunk],
    scorer: Scorer,
    known: Callable[[Term], bool],
    dense_stats: tuple[float, float] | None = None,
) -> dict[str, float]:
    """What the gate model reads for a question whose best units are ``selection``."""
    return gate_features(
        frame, selection.probabilities, dict(selection.best_features), passages, scorer, set(selection.covered), known,
        dense_stats,
    )


def decide(
    frame: QuestionFrame,
    selection: Selection,
    passages: Sequence[ScoredChunk],
    scorer: Scorer,
    model: AnswerModel,
    known: Callable[[Term], bool],
    dense_stats: tuple[float, float] | None = None,
    top_cosine: float = 0.0,
) -> Decision:
    """The outcome the gate gives a question whose best units are ``selection`` (``top_cosine``:
    the best cosine between the question and any passage retrieval found)."""
    values = gate_values(frame, selection, passages, scorer, known, dense_stats)
    p = model.gate.probability(values)
    t = model.thresholds
    if values["unknown_terms"] >= UNKNOWN_DECLINES and values["unknown_count"] >= UNKNOWN_WORDS:
        return Decision("declined", p, "not_covered", values)
    if 0.0 < top_cosine < t.off_topic:
        return Decision("declined", p, "off_topic", values)
    if p < t.closest:
        return Decision("declined", p, "gate", values)
    if p < t.answer:
        return Decision("closest", p, "gate", values)
    asked = {k for k in scorer.focus.answer_types if k in STRICT_KINDS}
    if asked and not (selection.stated & asked):
        return Decision("closest", p, "kind_missing", values)
    return Decision("answer", p, "gate", values)
