"""What the assistant remembers outside the document store: people and roles, conversations,
the audit log and votes, all in one SQLite file in the data dir (no Telegram here)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from knowledge.state.audit import AuditLog
from knowledge.state.db import StateDB
from knowledge.state.memory import Conversations
from knowledge.state.people import People

STATE_FILE = "bot_state.sqlite3"


@dataclass
class State:
    """The bot's memory: who may ask, what was said, what was answered."""

    db: StateDB
    people: People
    memory: Conversations
    audit: AuditLog

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        history_turns: int = 4,
        answers_kept: int = 2000,
        clock: Callable[[], float] | None = None,
    ) -> State:
        """Open (or create) the state file; ``":memory:"`` keeps everything in memory."""
        db = StateDB(path)
        kw = {"clock": clock} if clock is not None else {}
        return cls(
            db,
            People(db, **kw),
            Conversations(db, history_turns=history_turns, answers_kept=answers_kept, **kw),
            AuditLog(db, **kw),
        )

    def close(self) -> None:
        """Close the file."""
        self.db.close()
