"""FakeDocumentAdmin: the DocumentAdmin protocol over an in-memory catalogue, faithful to its rules.

It parses uploads with the real loaders, metadata extraction and splitter, and decides like the
real service must: a document is identified by its content hash and its code, not its file name
(identical content is "đã có"; same code, same file name or nearly the same text is offered as a
replacement; two different documents with the same file name get distinct ids). Nothing is
written before ``confirm``; previews expire; a replaced or deleted document keeps its versions
and can be restored. Given a ``FakeEngine`` it keeps the engine's passages in step with the
live versions, so the next question cites what was just added, replaced or restored.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from knowledge.documents.loaders import load_bytes
from knowledge.documents.metadata import extract_metadata
from knowledge.documents.splitter import split_document
from knowledge.errors import KnowledgeError
from knowledge.models import (
    Chunk,
    DocumentMeta,
    FileResult,
    IngestPreview,
    MatchReason,
    StoredChunk,
    StoredMatch,
    VersionInfo,
)
from knowledge.text import fold, tokens
from tests.fakes.engine import FakeEngine

SIMILAR = 0.8  # Jaccard similarity of word sets above which two texts are "nearly the same"


@dataclass(frozen=True)
class _Version:
    version: str
    meta: DocumentMeta
    chunks: tuple[Chunk, ...]
    sha256: str
    source: str
    fmt: str
    words: frozenset[str]
    at: float


@dataclass(frozen=True)
class _Pending:
    token: str
    doc_id: str
    file_name: str
    version: _Version
    matches: tuple[StoredMatch, ...]
    expires_at: float


class FakeDocumentAdmin:
    """An in-memory DocumentAdmin (thread-safe) that records every call."""

    def __init__(
        self,
        engine: FakeEngine | None = None,
        *,
        ttl_s: float = 900.0,
        clock: Callable[[], float] = time.time,
        max_bytes: int = 20 * 1024 * 1024,
    ) -> None:
        self.engine = engine
        self.ttl_s = ttl_s
        self.clock = clock
        self.max_bytes = max_bytes
        self.calls: list[tuple[str, ...]] = []
        self._versions: dict[str, list[_Version]] = {}  # doc_id -> versions, oldest first
        self._live: dict[str, str] = {}  # doc_id -> live version
        self._pending: dict[str, _Pending] = {}
        self._lock = threading.Lock()

    # what tests look at -----------------------------------------------------------------------
    def live_documents(self) -> dict[str, DocumentMeta]:
        """doc_id -> metadata of every live document."""
        return {d: self._version(d, v).meta for d, v in self._live.items()}

    def add_file(self, path: Path) -> FileResult:
        """Preview and add a file in one go (to set up a knowledge base before a test)."""
        return self.confirm(self.preview_bytes(path.name, path.read_bytes()).token, "add")

    # DocumentAdmin ----------------------------------------------------------------------------
    def preview_bytes(self, name: str, data: bytes, *, code: str | None = None) -> IngestPreview:
        self.calls.append(("preview_bytes", name))
        doc = load_bytes(name, data, max_bytes=self.max_bytes)  # raises KnowledgeError for a bad file
        meta = extract_metadata(doc)
        if code:
            from knowledge.services.ingest import with_code

            meta = with_code(meta, code)
        chunks = split_document(doc, meta)
        if not chunks:
            raise KnowledgeError(f"Không tách được nội dung của {name}.", english=f"No passages in {name}.")
        words = frozenset(tokens(doc.text))
        with self._lock:
            matches = self._matches(name, doc.sha256, meta.code, words)
            identical = next((m for m in matches if m.reason == "identical"), None)
            if identical is None:  # like the real service: what replacing a same document would change
                matches = tuple(self._with_changes(m, chunks) for m in matches)
            doc_id = identical.doc_id if identical else self._free_id(doc.doc_id)
            version = _Version("", replace(meta, doc_id=doc_id), tuple(chunks), doc.sha256, name, doc.fmt, words, 0.0)
            token = secrets.token_urlsafe(8)
            pending = _Pending(token, doc_id, name, version, matches, self.clock() + self.ttl_s)
            self._pending[token] = pending
        return IngestPreview(
            token=token, file_name=name, doc_id=doc_id, meta=version.meta, chunks=len(chunks),
            excerpt=chunks[0].text[:400], matches=matches, expires_at=pending.expires_at, concerned=meta.units,
        )

    def confirm(
        self, token: str, action: Literal["add", "replace"], target: str | None = None, *, restricted: bool = False
    ) -> FileResult:
        self.calls.append(("confirm", token, action, target or "", "restricted" if restricted else "public"))
        with self._lock:
            pending = self._pending.pop(token, None)
            if pending is None or self.clock() >= pending.expires_at:
                raise KnowledgeError(
                    "Bản xem trước đã hết hạn hoặc đã được xử lý. Hãy gửi lại tệp.",
                    english="The preview expired or was already handled.",
                )
            identical = next((m for m in pending.matches if m.reason == "identical"), None)
            if identical is not None:
                live = self._version(identical.doc_id, self._live[identical.doc_id])
                return FileResult(pending.file_name, identical.doc_id, "unchanged", len(live.chunks), live.meta)
            if action == "replace":
                same_document = {m.doc_id for m in pending.matches if m.reason in ("same_code", "similar_text")}
                if target not in same_document:  # never a file-name match alone
                    raise KnowledgeError(
                        f"Không thể thay thế {target}: tài liệu này không khớp với tệp đã gửi.",
                        english=f"{target} is not a match of this upload.",
                    )
                doc_id, status = str(target), "replaced"
            else:
                doc_id, status = pending.doc_id, "added"
            versions = self._versions.setdefault(doc_id, [])
            meta = replace(pending.version.meta, doc_id=doc_id)
            if restricted:  # like the real service: open to the units it names, or refused
                if not meta.units:
                    raise KnowledgeError("Tài liệu không nêu đơn vị nào.", english="The document names no unit.")
                meta = replace(meta, restricted_units=meta.units)
            chunks = tuple(replace(c, doc_id=doc_id) for c in pending.version.chunks)
            version = replace(pending.version, version=f"v{len(versions) + 1}", meta=meta, chunks=chunks,
                              at=self.clock())
            versions.append(version)
            self._live[doc_id] = version.version
            self._sync(doc_id)
        return FileResult(pending.file_name, doc_id, status, len(chunks), meta)

    def cancel(self, token: str) -> bool:
        self.calls.append(("cancel", token))
        with self._lock:
            return self._pending.pop(token, None) is not None

    def history(self, doc_id: str) -> list[VersionInfo]:
        with self._lock:
            return [
                VersionInfo(doc_id, v.version, v.meta.title, v.meta.code, v.meta.issue_date, len(v.chunks), v.at,
                            self._live.get(doc_id) == v.version, v.source, v.fmt)
                for v in reversed(self._versions.get(doc_id, []))
            ]

    def restore(self, doc_id: str, version: str | None = None) -> FileResult:
        self.calls.append(("restore", doc_id, version or ""))
        with self._lock:
            kept = [v for v in self._versions.get(doc_id, []) if v.version != self._live.get(doc_id)]
            chosen = next((v for v in kept if v.version == version), None) if version else (kept[-1] if kept else None)
            if chosen is None:
                raise KnowledgeError(
                    f"Không có phiên bản {version or 'cũ'} của {doc_id}.", english=f"No such version of {doc_id}."
                )
            self._live[doc_id] = chosen.version
            self._sync(doc_id)
        return FileResult(chosen.source, doc_id, "restored", len(chosen.chunks), chosen.meta)

    def delete(self, doc_id: str) -> bool:
        self.calls.append(("delete", doc_id))
        with self._lock:
            if self._live.pop(doc_id, None) is None:
                return False
            self._sync(doc_id)
            return True

    # internals ----------------------------------------------------------------------------------
    def _version(self, doc_id: str, version: str) -> _Version:
        return next(v for v in self._versions[doc_id] if v.version == version)

    def _free_id(self, stem: str) -> str:
        """The file name's stem, unless another document already has it (then stem + a suffix)."""
        if stem not in self._versions:
            return stem
        n = 2
        while f"{stem}-{n}" in self._versions:
            n += 1
        return f"{stem}-{n}"

    def _matches(self, name: str, sha: str, code: str | None, words: frozenset[str]) -> tuple[StoredMatch, ...]:
        out: list[StoredMatch] = []
        for doc_id, live in self._live.items():
            v = self._version(doc_id, live)
            reason: MatchReason | None = None
            if v.sha256 == sha:
                reason = "identical"
            elif code and v.meta.code == code:
                reason = "same_code"
            elif fold(v.source) == fold(name):
                reason = "same_name"
            elif words and len(words & v.words) / len(words | v.words) >= SIMILAR:
                reason = "similar_text"
            if reason:
                out.append(StoredMatch(doc_id, v.meta.title, v.meta.code, v.meta.issue_date, reason))
        return tuple(sorted(out, key=lambda m: m.reason != "identical"))

    def _with_changes(self, match: StoredMatch, chunks: list[Chunk]) -> StoredMatch:
        if match.reason not in ("same_code", "similar_text"):
            return match
        live = self._version(match.doc_id, self._live[match.doc_id])
        old = Counter(" ".join(c.text.split()) for c in live.chunks)
        new = Counter(" ".join(c.text.split()) for c in chunks)
        return replace(match, added=sum((new - old).values()), removed=sum((old - new).values()))

    def _sync(self, doc_id: str) -> None:
        """Make the engine's passages of this document those of its live version (none when retired)."""
        if self.engine is None:
            return
        kept = [c for c in self.engine.chunks if c.doc_id != doc_id]
        live = self._live.get(doc_id)
        if live is not None:
            v = self._version(doc_id, live)
            kept += [
                StoredChunk(c.chunk_id, doc_id, c.position, c.text, c.section, c.units, v.meta, c.codes)
                for c in v.chunks
            ]
        self.engine.chunks = kept
