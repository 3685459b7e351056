"""Pending admin previews, kept in the data dir so that they survive a restart; bounded and expiring.

Each preview is two files under ``DATA_DIR/previews/``: the uploaded bytes and a JSON record
(file name, code override, the preview shown). Confirming re-parses the bytes, so nothing but
the upload itself is kept. At most ``KB_PREVIEWS_MAX`` previews (the oldest are dropped), each
for ``KB_PREVIEW_TTL_S`` seconds.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import asdict
from pathlib import Path

from knowledge.models import DocumentMeta, IngestPreview, StoredMatch


class PreviewStore:
    """Previews on disk: save, load, forget, and sweep the expired ones."""

    def __init__(self, folder: Path, *, ttl_s: float, max_items: int) -> None:
        self.folder = folder
        self.ttl_s = ttl_s
        self.max_items = max_items

    @staticmethod
    def new_token() -> str:
        """A short ASCII token (it travels in Telegram callback data)."""
        return secrets.token_hex(6)

    def save(self, preview: IngestPreview, data: bytes, code: str | None) -> None:
        """Keep a preview and its upload (replacing nothing else); drops expired and surplus ones."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.sweep()
        self._write(self._bytes_path(preview.token), data)
        record = {"preview": asdict(preview), "code": code}
        self._write(self._json_path(preview.token), json.dumps(record, ensure_ascii=False).encode("utf-8"))
        self._bound()

    def load(self, token: str) -> tuple[IngestPreview, bytes, str | None] | None:
        """The preview, its bytes and code override; None when unknown or expired."""
        if not _valid(token):
            return None
        try:
            record = json.loads(self._json_path(token).read_text(encoding="utf-8"))
            data = self._bytes_path(token).read_bytes()
        except (OSError, ValueError):
            return None
        preview = _preview_from(record["preview"])
        if preview.expires_at < time.time():
            self.forget(token)
            return None
        return preview, data, record.get("code")

    def forget(self, token: str) -> bool:
        """Remove a preview; False when there was none."""
        if not _valid(token):
            return False
        found = False
        for path in (self._json_path(token), self._bytes_path(token)):
            try:
                path.unlink()
                found = True
            except FileNotFoundError:
                pass
        return found

    def sweep(self) -> int:
        """Remove expired previews; how many went."""
        gone = 0
        for path in self._records():
            try:
                expires = json.loads(path.read_text(encoding="utf-8"))["preview"]["expires_at"]
            except (OSError, ValueError, KeyError):
                expires = 0
            if expires < time.time():
                gone += self.forget(path.stem)
        return gone

    def _bound(self) -> None:
        records = sorted(self._records(), key=lambda p: p.stat().st_mtime)
        for path in records[: max(0, len(records) - self.max_items)]:
            self.forget(path.stem)

    def _records(self) -> list[Path]:
        return list(self.folder.glob("*.json")) if self.folder.is_dir() else []

    def _json_path(self, token: str) -> Path:
        return self.folder / f"{token}.json"

    def _bytes_path(self, token: str) -> Path:
        return self.folder / f"{token}.upload"

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)


def _valid(token: str) -> bool:
    return bool(token) and len(token) <= 32 and all(c in "0123456789abcdef" for c in token)


def _preview_from(d: dict) -> IngestPreview:
    return IngestPreview(
        token=d["token"],
        file_name=d["file_name"],
        doc_id=d["doc_id"],
        meta=DocumentMeta(**{k: tuple(v) if isinstance(v, list) else v for k, v in d["meta"].items()}),
        chunks=d["chunks"],
        excerpt=d["excerpt"],
        matches=tuple(StoredMatch(**m) for m in d["matches"]),
        expires_at=d["expires_at"],
    )
