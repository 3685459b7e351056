"""The interface the Telegram layer (and the CLI) uses to talk to the answer engine."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from knowledge.models import Answer, DocumentMeta, StoredChunk, Turn


class AnswerEngine(Protocol):
    """What a front end needs: answers, streamed answers, and the catalogue behind them."""

    def answer(self, question: str, history: Sequence[Turn] = (), unit: str | None = None) -> Answer:
        """Answer a question (with the previous turns and the user's unit, if any)."""
        ...

    def stream(
        self, question: str, history: Sequence[Turn] = (), unit: str | None = None
    ) -> Iterator[str | Answer]:
        """Yield growing partial texts (LLM mode) and finally the validated ``Answer``."""
        ...

    def documents(self) -> list[DocumentMeta]:
        """Every ingested document, newest first."""
        ...

    def units(self) -> list[str]:
        """Every unit (ward, court, company, party cell…) named in the knowledge base."""
        ...

    def chunk(self, chunk_id: str) -> StoredChunk | None:
        """One stored passage by id (for the "Nguồn" button)."""
        ...

    def section(self, chunk_id: str) -> list[StoredChunk]:
        """All passages of the section that holds this chunk, in document order."""
        ...

    def example_questions(self, n: int = 3) -> list[str]:
        """Example questions drawn from what is actually ingested."""
        ...
