"""StateDB: the one SQLite file where the bot's memory lives (roles, conversations, audit).

SQLite in WAL mode: readers never wait for the writer, every write is a short transaction,
and several processes on one machine (webhook workers) may share the file. One connection per
process, guarded by a lock, is enough for the handful of small statements each update makes.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS people (
    user_id INTEGER PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('admin', 'user', 'removed')),
    name TEXT,
    source TEXT NOT NULL DEFAULT 'telegram',
    updated_by INTEGER,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS chats (
    chat_id INTEGER PRIMARY KEY,
    allowed INTEGER NOT NULL,
    title TEXT,
    source TEXT NOT NULL DEFAULT 'telegram',
    updated_by INTEGER,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS units (
    user_id INTEGER PRIMARY KEY,
    unit TEXT NOT NULL,
    updated_by INTEGER,
    updated_at REAL NOT NULL
);
-- who may read restricted documents (added in place: schema 1 files gain these tables on open)
CREATE TABLE IF NOT EXISTS members (
    user_id INTEGER PRIMARY KEY,
    unit TEXT NOT NULL,
    updated_by INTEGER,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS district_readers (
    user_id INTEGER PRIMARY KEY,
    updated_by INTEGER,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id INTEGER NOT NULL,
    turn TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS history_chat ON history (chat_id, id);
CREATE TABLE IF NOT EXISTS answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    answer_id TEXT NOT NULL UNIQUE,
    chat_id INTEGER NOT NULL,
    chat_type TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    unit TEXT,
    at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sent_messages (
    chat_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    answer_id TEXT NOT NULL,
    at REAL NOT NULL,
    PRIMARY KEY (chat_id, message_id)
);
CREATE TABLE IF NOT EXISTS grants (
    answer_id TEXT NOT NULL REFERENCES answers (answer_id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL,
    PRIMARY KEY (answer_id, user_id)
);
CREATE TABLE IF NOT EXISTS previews (
    ref TEXT PRIMARY KEY,
    token TEXT NOT NULL,
    admin_id INTEGER NOT NULL,
    chat_id INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    targets TEXT NOT NULL,
    identical TEXT,
    expires_at REAL NOT NULL,
    at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS doc_refs (
    ref TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS seen_updates (
    update_id INTEGER PRIMARY KEY,
    at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    user_id INTEGER NOT NULL,
    user_name TEXT,
    chat_id INTEGER NOT NULL,
    chat_type TEXT NOT NULL,
    answer_id TEXT,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    declined INTEGER NOT NULL,
    mode TEXT NOT NULL,
    edited INTEGER NOT NULL DEFAULT 0,
    delivered INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS audit_at ON audit (at);
CREATE INDEX IF NOT EXISTS audit_answer ON audit (answer_id);
CREATE TABLE IF NOT EXISTS votes (
    answer_id TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
    at REAL NOT NULL,
    PRIMARY KEY (answer_id, user_id)
);
CREATE TABLE IF NOT EXISTS admin_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    user_id INTEGER NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
"""


class StateDB:
    """A thread-safe SQLite connection with the bot's schema (``":memory:"`` for tests)."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # autocommit mode: transactions are explicit (tx()), single statements commit at once
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        with self._lock:
            if self.path != ":memory:":
                self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise RuntimeError(f"{self.path} was written by a newer version (schema {version})")
            self._conn.executescript(_SCHEMA)
            self._conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE … COMMIT, rolled back on error)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; returns the number of rows it changed."""
        with self._lock:
            return self._conn.execute(sql, params).rowcount

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """All rows of a query."""
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def row(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        """The first row of a query, or None."""
        with self._lock:
            found: sqlite3.Row | None = self._conn.execute(sql, params).fetchone()
            return found

    @contextmanager
    def reader(self) -> Iterator[sqlite3.Connection]:
        """A separate connection for long reads (exports, statistics).

        In WAL mode it reads a consistent snapshot without holding the shared connection's lock,
        so an export of a large audit log never makes the handlers wait.
        """
        if self.path == ":memory:":  # one in-memory database per connection: share it
            with self._lock:
                yield self._conn
            return
        conn = sqlite3.connect(self.path, timeout=30)
        conn.row_factory = sqlite3.Row
        try:
            yield conn
        finally:
            conn.close()

    def close(self) -> None:
        """Close the connection (the file stays)."""
        with self._lock:
            self._conn.close()
