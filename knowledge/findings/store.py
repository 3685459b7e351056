"""Findings and programme items in SQLite (``DATA_DIR/findings.sqlite``), keyed by (doc_id, version).

Like chunks, records are written for a document *version* and read only for the version the
catalogue calls live: replacing or deleting a document retires its records with no second
transaction to keep in step; stale versions are garbage-collected afterwards. Admin edits to
the unit registry (aliases) live here too. WAL mode lets the bot read while the CLI writes.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, fields
from pathlib import Path

from knowledge.errors import StoreError
from knowledge.findings.models import Extraction, Finding, ProgrammeItem

_SCHEMA = """
CREATE TABLE IF NOT EXISTS extractions (
    doc_id TEXT NOT NULL, version TEXT NOT NULL, extractor INTEGER NOT NULL, doc_kind TEXT NOT NULL,
    programme TEXT, inspected TEXT NOT NULL, intro TEXT NOT NULL, intro_position INTEGER NOT NULL,
    locality TEXT, extracted_at REAL NOT NULL, PRIMARY KEY (doc_id, version));
CREATE TABLE IF NOT EXISTS findings (
    doc_id TEXT NOT NULL, version TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (doc_id, version, seq));
CREATE TABLE IF NOT EXISTS programme_items (
    doc_id TEXT NOT NULL, version TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (doc_id, version, seq));
CREATE TABLE IF NOT EXISTS unit_aliases (
    alias_key TEXT PRIMARY KEY, alias TEXT NOT NULL, canonical TEXT, added_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""
_FINDING_FIELDS = {f.name for f in fields(Finding)}
_ITEM_FIELDS = {f.name for f in fields(ProgrammeItem)}


class FindingsStore:
    """The records of every extracted document version, and the registry's admin edits."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise StoreError(
                "Không mở được kho kết quả kiểm tra (findings.sqlite) trong thư mục dữ liệu.",
                english=f"Cannot open the findings store at {path.name}.",
            ) from exc
        self._lock = threading.Lock()

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> FindingsStore:
        """The store of a data directory."""
        return cls(data_dir / "findings.sqlite")

    def close(self) -> None:
        self._db.close()

    # ---- writing -------------------------------------------------------------------------------
    def save(self, doc_id: str, version: str, extraction: Extraction, extractor: int) -> None:
        """Replace what is stored for one document version, in one transaction."""
        with self._lock, self._tx() as db:
            for table in ("extractions", "findings", "programme_items"):
                db.execute(f"DELETE FROM {table} WHERE doc_id = ? AND version = ?", (doc_id, version))
            db.execute(
                "INSERT INTO extractions VALUES (?,?,?,?,?,?,?,?,?,?)",
                (doc_id, version, extractor, extraction.doc_kind, extraction.programme,
                 json.dumps(list(extraction.inspected), ensure_ascii=False), extraction.intro,
                 extraction.intro_position, extraction.locality, time.time()),
            )
            db.executemany(
                "INSERT INTO findings VALUES (?,?,?,?)",
                [(doc_id, version, i, _json(f)) for i, f in enumerate(extraction.findings)],
            )
            db.executemany(
                "INSERT INTO programme_items VALUES (?,?,?,?)",
                [(doc_id, version, i, _json(p)) for i, p in enumerate(extraction.items)],
            )
            self._bump(db)

    def gc(self, keep: Mapping[str, Iterable[str]]) -> int:
        """Delete every document version not in ``keep`` (doc_id → versions to keep); returns how many."""
        wanted = {(d, v) for d, vs in keep.items() for v in vs}
        with self._lock:
            stale = [k for k in self._db.execute("SELECT doc_id, version FROM extractions") if tuple(k) not in wanted]
            if not stale:
                return 0
            with self._tx() as db:
                for table in ("extractions", "findings", "programme_items"):
                    db.executemany(f"DELETE FROM {table} WHERE doc_id = ? AND version = ?", stale)
                self._bump(db)
        return len(stale)

    # ---- reading -------------------------------------------------------------------------------
    def extracted(self) -> dict[tuple[str, str], int]:
        """Every stored (doc_id, version) with the extractor version that produced it."""
        with self._lock:
            rows = self._db.execute("SELECT doc_id, version, extractor FROM extractions")
            return {(d, v): int(x) for d, v, x in rows}

    def load(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Extraction]:
        """The extractions of some document versions (missing ones are left out)."""
        wanted = set(keys)
        out: dict[tuple[str, str], Extraction] = {}
        with self._lock:
            rows = list(self._db.execute("SELECT * FROM extractions"))
            found: dict[tuple[str, str], list[Finding]] = {}
            items: dict[tuple[str, str], list[ProgrammeItem]] = {}
            for d, v, _seq, body in self._db.execute("SELECT * FROM findings ORDER BY doc_id, version, seq"):
                if (d, v) in wanted:
                    found.setdefault((d, v), []).append(Finding(**_only(json.loads(body), _FINDING_FIELDS)))
            for d, v, _seq, body in self._db.execute("SELECT * FROM programme_items ORDER BY doc_id, version, seq"):
                if (d, v) in wanted:
                    items.setdefault((d, v), []).append(ProgrammeItem(**_only(json.loads(body), _ITEM_FIELDS)))
        for d, v, _x, kind, programme, inspected, intro, intro_pos, loc, _at in rows:
            if (d, v) in wanted:
                out[(d, v)] = Extraction(
                    doc_kind=kind, programme=programme, inspected=tuple(json.loads(inspected)), intro=intro,
                    intro_position=intro_pos, findings=tuple(found.get((d, v), ())), items=tuple(items.get((d, v), ())),
                    locality=loc,
                )
        return out

    def generation(self) -> int:
        """A counter bumped by every write (other processes' writes included)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM counters WHERE name = 'generation'").fetchone()
        return int(row[0]) if row else 0

    # ---- the registry's admin edits --------------------------------------------------------------
    def aliases(self) -> list[tuple[str, str | None]]:
        """(alias, canonical) pairs an admin set, oldest first; canonical None hides the name."""
        with self._lock:
            return [(a, c) for a, c in self._db.execute("SELECT alias, canonical FROM unit_aliases ORDER BY added_at")]

    def set_alias(self, alias_key: str, alias: str, canonical: str | None) -> None:
        with self._lock, self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO unit_aliases VALUES (?,?,?,?)", (alias_key, alias, canonical, time.time())
            )
            self._bump(db)

    def delete_alias(self, alias_key: str) -> bool:
        with self._lock, self._tx() as db:
            gone = db.execute("DELETE FROM unit_aliases WHERE alias_key = ?", (alias_key,)).rowcount
            self._bump(db)
        return bool(gone)

    # ---- internals -------------------------------------------------------------------------------
    def _tx(self) -> _Transaction:
        return _Transaction(self._db)

    @staticmethod
    def _bump(db: sqlite3.Connection) -> None:
        db.execute(
            "INSERT INTO counters VALUES ('generation', 1) ON CONFLICT(name) DO UPDATE SET value = value + 1"
        )


def _json(value: object) -> str:
    return json.dumps(asdict(value), ensure_ascii=False)  # type: ignore[call-overload]


def _only(d: dict[str, object], names: set[str]) -> dict[str, object]:
    return {k: v for k, v in d.items() if k in names}


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any error (the connection is in autocommit mode)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.db.execute("COMMIT")
        else:
            self.db.execute("ROLLBACK")
