"""In-memory conversation state: per-chat history, per-user unit, recent answers by short id."""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from knowledge.models import Answer, Turn


@dataclass(frozen=True)
class StoredAnswer:
    """An answer the bot sent, kept so buttons and deep links can refer to it by id."""

    answer_id: str
    chat_id: int
    user_id: int
    question: str
    answer: Answer
    unit: str | None = None


class BotState:
    """Everything the bot remembers between updates (lost on restart, by design)."""

    def __init__(
        self,
        *,
        history_turns: int = 4,
        answers_kept: int = 2000,
        denied_cooldown_s: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.history_turns = history_turns
        self.answers_kept = answers_kept
        self.denied_cooldown_s = denied_cooldown_s
        self._clock = clock
        self._history: dict[int, deque[Turn]] = {}
        self._units: dict[int, str] = {}
        self._answers: OrderedDict[str, StoredAnswer] = OrderedDict()
        self._denied_at: dict[int, float] = {}

    # conversation ---------------------------------------------------------------------------
    def history(self, chat_id: int) -> tuple[Turn, ...]:
        """The last N turns of this chat, oldest first."""
        return tuple(self._history.get(chat_id, ()))

    def clear(self, chat_id: int) -> None:
        """Forget this chat's conversation (/moi)."""
        self._history.pop(chat_id, None)

    def remember(
        self, *, chat_id: int, user_id: int, question: str, answer: Answer, unit: str | None
    ) -> StoredAnswer:
        """Store an answer under a fresh short id and append the turn to the chat history."""
        answer_id = secrets.token_urlsafe(6)
        while answer_id in self._answers:
            answer_id = secrets.token_urlsafe(6)
        stored = StoredAnswer(answer_id, chat_id, user_id, question, answer, unit)
        self._answers[answer_id] = stored
        while len(self._answers) > self.answers_kept:
            self._answers.popitem(last=False)
        if self.history_turns > 0:
            turns = self._history.setdefault(chat_id, deque(maxlen=self.history_turns))
            turns.append(
                Turn(
                    # the standalone form, so that a follow-up of a follow-up still has its subject
                    question=answer.rewritten_question or question,
                    answer=answer.text,
                    doc_ids=tuple(dict.fromkeys(c.doc_id for c in answer.citations)),
                    units=(unit,) if unit else (),
                )
            )
        return stored

    def answer(self, answer_id: str) -> StoredAnswer | None:
        """A recent answer by id, or None when it has been forgotten."""
        return self._answers.get(answer_id)

    # units ----------------------------------------------------------------------------------
    def unit(self, user_id: int) -> str | None:
        return self._units.get(user_id)

    def set_unit(self, user_id: int, unit: str | None) -> None:
        if unit:
            self._units[user_id] = unit
        else:
            self._units.pop(user_id, None)

    # access ---------------------------------------------------------------------------------
    def should_notify_denied(self, user_id: int) -> bool:
        """True at most once per cooldown per user, so refusals cannot be used to flood."""
        now = self._clock()
        last = self._denied_at.get(user_id)
        if last is not None and now - last < self.denied_cooldown_s:
            return False
        self._denied_at[user_id] = now
        return True
