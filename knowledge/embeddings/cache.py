"""A disk cache in front of an embedding model (evaluation and benchmarks re-embed the same texts)."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings


class CachedEmbeddings(Embeddings):
    """Embeddings memoised in SQLite by (model name, prompt kind, text)."""

    def __init__(self, inner: Embeddings, cache_file: Path) -> None:
        self.inner = inner
        self.name = getattr(inner, "name", type(inner).__name__)
        # int8 backends make slightly different vectors: they get their own cache entries
        self._key_name = str(getattr(inner, "cache_key", self.name))
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(cache_file), check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS emb (key TEXT PRIMARY KEY, vec BLOB)")
        self._lock = threading.Lock()

    def _key(self, kind: str, text: str) -> str:
        return hashlib.sha256(f"{self._key_name}\x00{kind}\x00{text}".encode()).hexdigest()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        keys = [self._key("p", t) for t in texts]
        found: dict[str, list[float]] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                part = keys[start : start + 500]
                rows = self._db.execute(
                    f"SELECT key, vec FROM emb WHERE key IN ({','.join('?' * len(part))})", part
                ).fetchall()
                found.update({k: np.frombuffer(v, dtype=np.float32).tolist() for k, v in rows})
        todo = [i for i, k in enumerate(keys) if k not in found]
        if todo:
            vectors = self.inner.embed_documents([texts[i] for i in todo])
            with self._lock:
                self._db.executemany(
                    "INSERT OR REPLACE INTO emb VALUES (?, ?)",
                    [(keys[i], np.asarray(v, dtype=np.float32).tobytes()) for i, v in zip(todo, vectors)],
                )
                self._db.commit()
            for i, v in zip(todo, vectors):
                found[keys[i]] = list(v)
        return [found[k] for k in keys]

    def embed_query(self, text: str) -> list[float]:
        key = self._key("q", text)
        with self._lock:
            row = self._db.execute("SELECT vec FROM emb WHERE key = ?", (key,)).fetchone()
        if row:
            return np.frombuffer(row[0], dtype=np.float32).tolist()
        vec = self.inner.embed_query(text)
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO emb VALUES (?, ?)", (key, np.asarray(vec, dtype=np.float32).tobytes()))
            self._db.commit()
        return list(vec)
