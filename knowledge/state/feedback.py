"""FeedbackLog: 👍/👎 votes on answers, appended as JSON lines (no Telegram here)."""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

Vote = Literal["up", "down"]


def answer_digest(text: str) -> str:
    """A short stable fingerprint of an answer text (the log never stores the answer itself)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class FeedbackEntry:
    """One vote on one answer."""

    chat: int
    user: int
    question: str
    answer_digest: str
    vote: Vote
    time: str
    citations: tuple[str, ...] = ()


class FeedbackLog:
    """Append-only JSON-lines file of votes; safe to call from several threads."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def record(
        self,
        *,
        chat: int,
        user: int,
        question: str,
        answer: str,
        vote: Vote,
        citations: tuple[str, ...] = (),
    ) -> FeedbackEntry:
        """Append one vote and return what was written."""
        if vote not in ("up", "down"):
            raise ValueError(f"vote must be 'up' or 'down', not {vote!r}")
        entry = FeedbackEntry(
            chat=chat,
            user=user,
            question=question,
            answer_digest=answer_digest(answer),
            vote=vote,
            time=datetime.now(UTC).isoformat(timespec="seconds"),
            citations=citations,
        )
        line = json.dumps(asdict(entry), ensure_ascii=False)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        return entry

    def entries(self) -> list[FeedbackEntry]:
        """Every vote recorded so far, oldest first (skips damaged lines)."""
        if not self.path.exists():
            return []
        out: list[FeedbackEntry] = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                raw = json.loads(line)
                raw["citations"] = tuple(raw.get("citations", ()))
                out.append(FeedbackEntry(**raw))
            except (ValueError, TypeError):
                continue
        return out
