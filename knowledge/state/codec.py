"""Answers and turns to JSON and back (what the state tables store)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from knowledge.models import Answer, Citation, Turn


def _known(cls: type, raw: dict[str, Any]) -> dict[str, Any]:
    """Only the fields the dataclass has today (rows written by another version still load)."""
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: v for k, v in raw.items() if k in names}


def answer_to_json(answer: Answer) -> str:
    """An Answer as compact JSON."""
    return json.dumps(dataclasses.asdict(answer), ensure_ascii=False, separators=(",", ":"))


def answer_from_json(text: str) -> Answer:
    """The Answer stored by ``answer_to_json``."""
    raw = _known(Answer, json.loads(text))
    raw["citations"] = tuple(Citation(**_known(Citation, c)) for c in raw.get("citations", ()))
    for key in ("notices", "suggestions"):
        raw[key] = tuple(raw.get(key, ()))
    return Answer(**raw)


def turn_to_json(turn: Turn) -> str:
    """A conversation Turn as compact JSON."""
    return json.dumps(dataclasses.asdict(turn), ensure_ascii=False, separators=(",", ":"))


def turn_from_json(text: str) -> Turn:
    """The Turn stored by ``turn_to_json``."""
    raw = _known(Turn, json.loads(text))
    for key in ("doc_ids", "units"):
        raw[key] = tuple(raw.get(key, ()))
    return Turn(**raw)
