"""What the handlers need from outside Telegram: the answer engine, the feedback log, ingestion."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from knowledge.models import FileResult
from knowledge.services.protocols import AnswerEngine
from knowledge.state.feedback import FeedbackLog


class Ingestor(Protocol):
    """The part of the ingest service the bot uses (admin uploads)."""

    def ingest_bytes(self, name: str, data: bytes) -> FileResult: ...


@dataclass
class BotServices:
    """Everything the handlers need from outside Telegram."""

    engine: AnswerEngine
    feedback: FeedbackLog
    ingest: Ingestor | None = None
    llm_streaming: bool = False
