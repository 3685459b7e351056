"""Conversations: what the bot needs to remember between updates and across restarts.

Per-chat history (the last N turns), recent answers behind buttons and deep links (the last
``answers_kept``) with who else may open them, the uploads waiting for an admin's decision,
short references for document ids (callback data is limited to 64 bytes), and the update ids
already handled (Telegram re-sends an update when it is not sure it was received).
Every table is bounded.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from knowledge.models import Answer, Turn
from knowledge.state.codec import answer_from_json, answer_to_json, turn_from_json, turn_to_json
from knowledge.state.db import StateDB

SEEN_UPDATES_KEPT_S = 24 * 3600  # Telegram gives up re-sending an update long before this
SEEN_UPDATES_MAX = 50_000
HISTORY_MAX_AGE_S = 30 * 24 * 3600  # conversations idle this long are forgotten


@dataclass(frozen=True)
class StoredAnswer:
    """An answer the bot sent, kept so buttons and deep links can refer to it by id."""

    answer_id: str
    chat_id: int
    user_id: int
    question: str
    answer: Answer
    unit: str | None = None
    chat_type: str = "private"
    at: float = 0.0

    @property
    def private(self) -> bool:
        return self.chat_type == "private"


@dataclass(frozen=True)
class PendingPreview:
    """An upload an admin has seen but not yet added, replaced or cancelled."""

    ref: str  # the bot's short id, carried in callback data
    token: str  # the knowledge layer's preview token
    admin_id: int
    chat_id: int
    file_name: str
    targets: tuple[str, ...]  # doc_ids it may replace, in button order
    identical: str | None  # doc_id of a stored document with exactly this content
    expires_at: float

    def expired(self, now: float) -> bool:
        return now >= self.expires_at


class Conversations:
    """History, recent answers, grants, pending previews, document refs and seen updates."""

    def __init__(
        self,
        db: StateDB,
        *,
        history_turns: int = 4,
        answers_kept: int = 2000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.history_turns = history_turns
        self.answers_kept = answers_kept
        self._clock = clock

    # history --------------------------------------------------------------------------------
    def history(self, chat_id: int) -> tuple[Turn, ...]:
        """The last N turns of this chat, oldest first."""
        if self.history_turns <= 0:
            return ()
        rows = self.db.rows(
            "SELECT turn FROM history WHERE chat_id = ? ORDER BY id DESC LIMIT ?", (chat_id, self.history_turns)
        )
        return tuple(turn_from_json(r["turn"]) for r in reversed(rows))

    def clear(self, chat_id: int) -> None:
        """Forget this chat's conversation (/moi)."""
        self.db.execute("DELETE FROM history WHERE chat_id = ?", (chat_id,))

    # answers --------------------------------------------------------------------------------
    def remember(
        self,
        *,
        chat_id: int,
        user_id: int,
        question: str,
        answer: Answer,
        unit: str | None,
        chat_type: str = "private",
    ) -> StoredAnswer:
        """Store an answer under a fresh short id and append the turn to the chat history."""
        now = self._clock()
        turn = Turn(
            # the standalone form, so that a follow-up of a follow-up still has its subject
            question=answer.rewritten_question or question,
            answer=answer.text,
            doc_ids=tuple(dict.fromkeys(c.doc_id for c in answer.citations)),
            units=(unit,) if unit else (),
        )
        with self.db.tx() as conn:
            while True:
                answer_id = secrets.token_urlsafe(6)
                if conn.execute("SELECT 1 FROM answers WHERE answer_id = ?", (answer_id,)).fetchone() is None:
                    break
            conn.execute(
                "INSERT INTO answers (answer_id, chat_id, chat_type, user_id, question, answer, unit, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (answer_id, chat_id, chat_type, user_id, question, answer_to_json(answer), unit, now),
            )
            conn.execute(
                "DELETE FROM answers WHERE id <= (SELECT MAX(id) FROM answers) - ?", (self.answers_kept,)
            )
            if self.history_turns > 0:
                conn.execute(
                    "INSERT INTO history (chat_id, turn, at) VALUES (?, ?, ?)", (chat_id, turn_to_json(turn), now)
                )
                conn.execute(
                    "DELETE FROM history WHERE chat_id = ? AND id NOT IN "
                    "(SELECT id FROM history WHERE chat_id = ? ORDER BY id DESC LIMIT ?)",
                    (chat_id, chat_id, self.history_turns),
                )
                conn.execute("DELETE FROM history WHERE at < ?", (now - HISTORY_MAX_AGE_S,))
        return StoredAnswer(answer_id, chat_id, user_id, question, answer, unit, chat_type, now)

    def answer(self, answer_id: str) -> StoredAnswer | None:
        """A recent answer by id, or None when it has been forgotten."""
        r = self.db.row("SELECT * FROM answers WHERE answer_id = ?", (answer_id,))
        if r is None:
            return None
        return StoredAnswer(
            r["answer_id"], r["chat_id"], r["user_id"], r["question"], answer_from_json(r["answer"]),
            r["unit"], r["chat_type"], r["at"],
        )

    def mark_sent(self, chat_id: int, message_id: int, answer_id: str) -> None:
        """Remember that a chat message carries an answer (a reply to it is a follow-up of that answer)."""
        now = self._clock()
        with self.db.tx() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO sent_messages (chat_id, message_id, answer_id, at) VALUES (?, ?, ?, ?)",
                (chat_id, message_id, answer_id, now),
            )
            conn.execute("DELETE FROM sent_messages WHERE at < ?", (now - HISTORY_MAX_AGE_S,))

    def answered_in(self, chat_id: int, message_id: int) -> StoredAnswer | None:
        """The answer a message of this chat carries, if the bot sent it and still remembers it."""
        r = self.db.row("SELECT answer_id FROM sent_messages WHERE chat_id = ? AND message_id = ?", (chat_id, message_id))
        return self.answer(r["answer_id"]) if r is not None else None

    @staticmethod
    def turn_of(stored: StoredAnswer) -> Turn:
        """The conversation turn an answer was (its question in standalone form)."""
        answer = stored.answer
        return Turn(
            question=answer.rewritten_question or stored.question,
            answer=answer.text,
            doc_ids=tuple(dict.fromkeys(c.doc_id for c in answer.citations)),
            units=(stored.unit,) if stored.unit else (),
        )

    def grant(self, answer_id: str, user_id: int) -> None:
        """Let a user open this answer (and use its buttons) in their private chat."""
        self.db.execute("INSERT OR IGNORE INTO grants (answer_id, user_id) VALUES (?, ?)", (answer_id, user_id))

    def granted(self, answer_id: str, user_id: int) -> bool:
        """True when this user opened the answer through its link before."""
        return self.db.row("SELECT 1 FROM grants WHERE answer_id = ? AND user_id = ?", (answer_id, user_id)) is not None

    # previews -------------------------------------------------------------------------------
    def add_preview(
        self,
        *,
        token: str,
        admin_id: int,
        chat_id: int,
        file_name: str,
        targets: Sequence[str],
        identical: str | None,
        expires_at: float,
    ) -> PendingPreview:
        """Track an upload waiting for a decision; expired ones are dropped on the way."""
        now = self._clock()
        ref = secrets.token_urlsafe(6)
        with self.db.tx() as conn:
            conn.execute("DELETE FROM previews WHERE expires_at < ?", (now - 86400,))
            conn.execute(
                "INSERT INTO previews (ref, token, admin_id, chat_id, file_name, targets, identical, expires_at, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (ref, token, admin_id, chat_id, file_name, json.dumps(list(targets)), identical, expires_at, now),
            )
        return PendingPreview(ref, token, admin_id, chat_id, file_name, tuple(targets), identical, expires_at)

    def preview(self, ref: str) -> PendingPreview | None:
        """A pending preview by its short id."""
        r = self.db.row("SELECT * FROM previews WHERE ref = ?", (ref,))
        if r is None:
            return None
        return PendingPreview(
            r["ref"], r["token"], r["admin_id"], r["chat_id"], r["file_name"], tuple(json.loads(r["targets"])),
            r["identical"], r["expires_at"],
        )

    def claim_preview(self, ref: str) -> bool:
        """Take a preview out of the pending list; False when someone (a second press) already did."""
        return self.db.execute("DELETE FROM previews WHERE ref = ?", (ref,)) == 1

    # document refs --------------------------------------------------------------------------
    def doc_ref(self, doc_id: str) -> str:
        """A short stable reference to a document id, for callback data."""
        ref = hashlib.blake2b(doc_id.encode("utf-8"), digest_size=6).hexdigest()
        self.db.execute("INSERT OR IGNORE INTO doc_refs (ref, doc_id) VALUES (?, ?)", (ref, doc_id))
        return ref

    def doc_id(self, ref: str) -> str | None:
        """The document id behind a reference made by ``doc_ref``."""
        r = self.db.row("SELECT doc_id FROM doc_refs WHERE ref = ?", (ref,))
        return r["doc_id"] if r is not None else None

    # updates --------------------------------------------------------------------------------
    def first_delivery(self, update_id: int) -> bool:
        """True the first time an update id is seen; False for a re-delivery of the same update."""
        now = self._clock()
        with self.db.tx() as conn:
            fresh = conn.execute(
                "INSERT OR IGNORE INTO seen_updates (update_id, at) VALUES (?, ?)", (update_id, now)
            ).rowcount == 1
            if fresh and update_id % 100 == 0:  # prune now and then, not on every update
                conn.execute("DELETE FROM seen_updates WHERE at < ?", (now - SEEN_UPDATES_KEPT_S,))
                conn.execute(
                    "DELETE FROM seen_updates WHERE update_id NOT IN "
                    "(SELECT update_id FROM seen_updates ORDER BY at DESC LIMIT ?)",
                    (SEEN_UPDATES_MAX,),
                )
        return fresh
