"""AuditLog: every question and answer (with its sources), votes, admin actions; CSV export, stats.

The audit table is append-only and never pruned: it is the record admins export. Votes are one
per user per answer (a second press changes it). Days are counted in Vietnam time (UTC+7).
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import IO, Literal

from knowledge.models import Answer
from knowledge.state.db import StateDB

Vote = Literal["up", "down"]
VN_TZ = timezone(timedelta(hours=7), "ICT")

CSV_COLUMNS = (
    "time_utc", "user_id", "user_name", "chat_id", "chat_type", "answer_id", "question", "answer",
    "citations", "declined", "mode", "edited", "delivered", "votes_up", "votes_down",
)

ADMIN_CSV_COLUMNS = ("time_utc", "user_id", "action", "detail")
CLI_USER = 0  # the admin_log's user of actions taken with ingest.py (the detail names the OS user)


@dataclass(frozen=True)
class Downvoted:
    """An answer someone marked 👎, for review."""

    answer_id: str
    at: float
    user_id: int
    chat_id: int
    question: str
    answer: str
    citations: tuple[str, ...]  # "code › section" of each source
    up: int
    down: int


@dataclass(frozen=True)
class Stats:
    """Activity over the last days (Vietnam time), for /thongke."""

    days: int
    questions: int
    declined: int
    askers: int
    up: int
    down: int
    per_day: tuple[tuple[str, int], ...]  # ("2025-06-01", 12), oldest first, days without questions included
    total_questions: int


def _citations(answer: Answer) -> str:
    return json.dumps(
        [
            {"n": c.n, "chunk_id": c.chunk_id, "doc_id": c.doc_id, "code": c.code, "title": c.title,
             "section": c.section, "date": c.date}
            for c in answer.citations
        ],
        ensure_ascii=False,
    )


def _cited(raw: str) -> tuple[str, ...]:
    out = []
    for c in json.loads(raw or "[]"):
        head = c.get("code") or c.get("title") or c.get("doc_id") or "?"
        out.append(f"{head} › {c['section']}" if c.get("section") else head)
    return tuple(out)


class AuditLog:
    """Questions, answers, votes and admin actions in SQLite."""

    def __init__(self, db: StateDB, *, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self._clock = clock

    # exchanges ------------------------------------------------------------------------------
    def record(
        self,
        *,
        user_id: int,
        user_name: str | None,
        chat_id: int,
        chat_type: str,
        question: str,
        answer: Answer,
        answer_id: str | None,
        edited: bool = False,
    ) -> int:
        """Append one exchange; returns its row id."""
        with self.db.tx() as conn:
            cur = conn.execute(
                "INSERT INTO audit (at, user_id, user_name, chat_id, chat_type, answer_id, question, answer, "
                "citations, declined, mode, edited) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (self._clock(), user_id, user_name, chat_id, chat_type, answer_id, question, answer.text,
                 _citations(answer), int(answer.declined), answer.mode, int(edited)),
            )
            return int(cur.lastrowid or 0)

    def mark_undelivered(self, answer_id: str) -> None:
        """The answer could not be sent (Telegram kept failing): say so in the log."""
        self.db.execute("UPDATE audit SET delivered = 0 WHERE answer_id = ?", (answer_id,))

    def count(self) -> int:
        """How many exchanges are logged."""
        row = self.db.row("SELECT COUNT(*) AS n FROM audit")
        return int(row["n"]) if row else 0

    # votes ----------------------------------------------------------------------------------
    def vote(self, answer_id: str, user_id: int, vote: Vote) -> Vote | None:
        """Record (or change) a user's vote on an answer; returns their previous vote."""
        if vote not in ("up", "down"):
            raise ValueError(f"vote must be 'up' or 'down', not {vote!r}")
        with self.db.tx() as conn:
            row = conn.execute(
                "SELECT vote FROM votes WHERE answer_id = ? AND user_id = ?", (answer_id, user_id)
            ).fetchone()
            conn.execute(
                "INSERT INTO votes (answer_id, user_id, vote, at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (answer_id, user_id) DO UPDATE SET vote = excluded.vote, at = excluded.at",
                (answer_id, user_id, vote, self._clock()),
            )
        return row["vote"] if row is not None else None

    def votes(self, answer_id: str) -> tuple[int, int]:
        """(👍, 👎) counts of an answer."""
        row = self.db.row(
            "SELECT SUM(vote = 'up') AS up, SUM(vote = 'down') AS down FROM votes WHERE answer_id = ?", (answer_id,)
        )
        return (int(row["up"] or 0), int(row["down"] or 0)) if row else (0, 0)

    def vote_of(self, answer_id: str, user_id: int) -> Vote | None:
        """This user's vote on this answer, if any."""
        row = self.db.row("SELECT vote FROM votes WHERE answer_id = ? AND user_id = ?", (answer_id, user_id))
        return row["vote"] if row is not None else None

    def downvoted(self, limit: int = 10) -> list[Downvoted]:
        """The most recently 👎-voted answers, newest vote first."""
        with self.db.reader() as conn:
            rows = conn.execute(
                "SELECT a.answer_id, a.at, a.user_id, a.chat_id, a.question, a.answer, a.citations, "
                "SUM(v.vote = 'up') AS up, SUM(v.vote = 'down') AS down, MAX(v.at) AS last "
                "FROM votes v JOIN audit a ON a.answer_id = v.answer_id "
                "GROUP BY a.answer_id HAVING SUM(v.vote = 'down') > 0 ORDER BY last DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [
            Downvoted(r["answer_id"], r["at"], r["user_id"], r["chat_id"], r["question"], r["answer"],
                      _cited(r["citations"]), int(r["up"] or 0), int(r["down"] or 0))
            for r in rows
        ]

    # admin actions --------------------------------------------------------------------------
    def admin_action(self, user_id: int, action: str, detail: str = "") -> None:
        """Record what an admin did (roles, uploads, restores)."""
        self.db.execute(
            "INSERT INTO admin_log (at, user_id, action, detail) VALUES (?, ?, ?, ?)",
            (self._clock(), user_id, action, detail),
        )

    def admin_actions(self, limit: int = 50) -> list[tuple[float, int, str, str]]:
        """The latest admin actions, newest first: (time, user, action, detail)."""
        rows = self.db.rows("SELECT at, user_id, action, detail FROM admin_log ORDER BY id DESC LIMIT ?", (limit,))
        return [(r["at"], r["user_id"], r["action"], r["detail"]) for r in rows]

    # reports --------------------------------------------------------------------------------
    def stats(self, days: int = 7) -> Stats:
        """Questions per day, declines, distinct askers and votes over the last ``days`` days."""
        today = datetime.fromtimestamp(self._clock(), VN_TZ).date()
        first = today - timedelta(days=days - 1)
        since = datetime(first.year, first.month, first.day, tzinfo=VN_TZ).timestamp()
        with self.db.reader() as conn:
            rows = conn.execute("SELECT at, user_id, declined FROM audit WHERE at >= ?", (since,)).fetchall()
            votes = conn.execute(
                "SELECT SUM(vote = 'up') AS up, SUM(vote = 'down') AS down FROM votes WHERE at >= ?", (since,)
            ).fetchone()
            total = int(conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0])
        per_day = {(first + timedelta(days=i)).isoformat(): 0 for i in range(days)}
        for r in rows:
            day = datetime.fromtimestamp(r["at"], VN_TZ).date().isoformat()
            if day in per_day:
                per_day[day] += 1
        return Stats(
            days=days,
            questions=len(rows),
            declined=sum(r["declined"] for r in rows),
            askers=len({r["user_id"] for r in rows}),
            up=int(votes["up"] or 0) if votes else 0,
            down=int(votes["down"] or 0) if votes else 0,
            per_day=tuple(per_day.items()),
            total_questions=total,
        )

    def export_csv(self, out: IO[str], *, since: float | None = None) -> int:
        """Write every exchange (from ``since``, epoch seconds) as CSV; returns the number of rows."""
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        n = 0
        with self.db.reader() as conn:
            rows = conn.execute(
                "SELECT a.*, (SELECT COUNT(*) FROM votes v WHERE v.answer_id = a.answer_id AND v.vote = 'up') AS up, "
                "(SELECT COUNT(*) FROM votes v WHERE v.answer_id = a.answer_id AND v.vote = 'down') AS down "
                "FROM audit a WHERE a.at >= ? ORDER BY a.id",
                (since or 0.0,),
            )
            for r in rows:  # streamed: a large log is never held in memory at once
                writer.writerow([
                    datetime.fromtimestamp(r["at"], UTC).isoformat(timespec="seconds"),
                    r["user_id"], r["user_name"] or "", r["chat_id"], r["chat_type"], r["answer_id"] or "",
                    r["question"], r["answer"], "; ".join(_cited(r["citations"])), r["declined"], r["mode"],
                    r["edited"], r["delivered"], r["up"], r["down"],
                ])
                n += 1
        return n

    def export_bytes(self, *, since: float | None = None) -> tuple[bytes, int]:
        """The CSV as UTF-8 with a byte-order mark (so Excel shows Vietnamese correctly), and its row count."""
        return _excel_bytes(self.export_csv, since)

    def export_admin_csv(self, out: IO[str], *, since: float | None = None) -> int:
        """Write every admin action (from ``since``, epoch seconds) as CSV, oldest first; the row count."""
        writer = csv.writer(out)
        writer.writerow(ADMIN_CSV_COLUMNS)
        n = 0
        with self.db.reader() as conn:
            rows = conn.execute(
                "SELECT at, user_id, action, detail FROM admin_log WHERE at >= ? ORDER BY id", (since or 0.0,)
            )
            for r in rows:
                at = datetime.fromtimestamp(r["at"], UTC).isoformat(timespec="seconds")
                writer.writerow([at, r["user_id"], r["action"], r["detail"]])
                n += 1
        return n

    def export_admin_bytes(self, *, since: float | None = None) -> tuple[bytes, int]:
        """The admin actions' CSV as UTF-8 with a byte-order mark, and its row count."""
        return _excel_bytes(self.export_admin_csv, since)


def _excel_bytes(write: Callable[..., int], since: float | None) -> tuple[bytes, int]:
    """What ``write`` (a CSV export) writes, as UTF-8 with a byte-order mark, and its row count."""
    buf = io.StringIO()
    n = write(buf, since=since)
    return buf.getvalue().encode("utf-8-sig"), n
