"""What the handlers need from outside Telegram: the answer engine and document administration."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.services.protocols import AnswerEngine, DocumentAdmin


@dataclass
class BotServices:
    """Everything the handlers need from outside Telegram (the bot's memory is ``knowledge.state.State``)."""

    engine: AnswerEngine
    admin: DocumentAdmin | None = None  # uploads (preview, then confirm) and versions; None disables them
    llm_streaming: bool = False
