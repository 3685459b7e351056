"""The learned weights of the answer choices, shipped as data (``knowledge/data/answer_model.json``).

Two logistic models: one scores each candidate unit (the probability that it holds what the
question asks), one decides whether the documents answer the question at all; and the
thresholds that turn the second into an outcome (a direct answer, the closest provisions under
a caveat, or a decline) and decide how many units an answer quotes. All of it is learned and
cross-validated on the tune half of the development pool by ``python -m knowledge.eval.train``,
which rewrites the file; nothing here is tuned by hand.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

CLIP = 3.0  # standardised feature values are clipped to ±CLIP


@dataclass(frozen=True)
class LinearModel:
    """A logistic model over named features, standardised by the training means and scales."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    means: tuple[float, ...]
    scales: tuple[float, ...]

    def logit(self, values: Mapping[str, float]) -> float:
        """The model's log-odds for one feature mapping (a missing feature counts as 0; a value far
        outside what training saw counts as three standard deviations out, never more)."""
        z = self.bias
        for name, w, m, s in zip(self.features, self.weights, self.means, self.scales, strict=True):
            if w:
                z += w * max(-CLIP, min(CLIP, (float(values.get(name, 0.0)) - m) / s))
        return z

    def probability(self, values: Mapping[str, float]) -> float:
        """The model's probability for one feature mapping."""
        z = self.logit(values)
        return 1.0 / (1.0 + math.exp(-z)) if z > -60 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(self.features), "weights": list(self.weights), "bias": self.bias,
            "means": list(self.means), "scales": list(self.scales),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LinearModel:
        return cls(
            tuple(data["features"]), tuple(float(w) for w in data["weights"]), float(data["bias"]),
            tuple(float(m) for m in data["means"]), tuple(float(s) or 1.0 for s in data["scales"]),
        )

    @classmethod
    def uniform(cls, features: Sequence[str], weights: Mapping[str, float], bias: float = 0.0) -> LinearModel:
        """A model with given weights on unscaled features (tests and a missing file)."""
        return cls(tuple(features), tuple(weights.get(f, 0.0) for f in features), bias,
                   tuple(0.0 for _ in features), tuple(1.0 for _ in features))


@dataclass(frozen=True)
class Thresholds:
    """Where the gate's probability turns into an outcome, and how far an answer widens."""

    answer: float = 0.5  # at or above: a direct answer
    closest: float = 0.2  # at or above (and below ``answer``): the closest provisions under a caveat
    more_units: float = 0.5  # another unit is quoted when its probability reaches this share of the best one's
    # below: the question is about something the documents do not cover ("công thức nấu phở"): the
    # best passage's cosine with the question lies under every answerable development question's
    off_topic: float = 0.0
    embedding: str = ""  # the embedding model ``off_topic`` was measured with (another model's cosines differ)


@dataclass(frozen=True)
class AnswerModel:
    """The unit model, the gate model and the thresholds, with how they were learned."""

    unit: LinearModel
    gate: LinearModel
    thresholds: Thresholds = field(default_factory=Thresholds)
    trained: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> AnswerModel:
        """The shipped model (or the one at ``path``)."""
        if path is not None:
            text = path.read_text(encoding="utf-8")
        else:
            text = resources.files("knowledge").joinpath("data/answer_model.json").read_text(encoding="utf-8")
        return cls.from_json(json.loads(text))

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AnswerModel:
        return cls(
            LinearModel.from_json(data["unit"]), LinearModel.from_json(data["gate"]),
            Thresholds(**data.get("thresholds", {})), data.get("trained", {}),
        )

    def for_embedding(self, name: str) -> AnswerModel:
        """The model as used with the embedding model ``name``: the off-topic floor holds only for
        the model it was measured with."""
        if not self.thresholds.off_topic or self.thresholds.embedding == name:
            return self
        return replace(self, thresholds=replace(self.thresholds, off_topic=0.0))

    def to_json(self) -> dict[str, Any]:
        t = self.thresholds
        return {
            "unit": self.unit.to_json(), "gate": self.gate.to_json(),
            "thresholds": {
                "answer": t.answer, "closest": t.closest, "more_units": t.more_units,
                "off_topic": t.off_topic, "embedding": t.embedding,
            },
            "trained": dict(self.trained),
        }
