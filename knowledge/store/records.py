"""What the store writes and reads back: catalogue records, chunk records, pending documents."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from knowledge.models import DocumentMeta, StoredChunk


@dataclass(frozen=True)
class DocRecord:
    """A document as the catalogue knows it."""

    meta: DocumentMeta
    sha256: str
    version: str
    source: str
    fmt: str
    chunks: int
    ingested_at: float
    ocr: bool = False
    sig: str = ""  # the text's similarity signature (knowledge.store.similarity)
    retired_at: float = 0.0  # for a kept version: when it stopped being live


@dataclass(frozen=True)
class ChunkRecord:
    """Everything written for one chunk."""

    chunk_id: str
    position: int
    text: str
    section: str
    units: tuple[str, ...]
    codes: tuple[str, ...]
    embedding: Sequence[float]
    lexical: str  # folded syllable tokens, space separated
    words: str  # word-segmented tokens (accented, lower case), space separated


@dataclass(frozen=True)
class PendingDocument:
    """A document ready to commit: its metadata, content hash and embedded chunks."""

    meta: DocumentMeta
    sha256: str
    source: str
    fmt: str
    chunks: Sequence[ChunkRecord]
    ocr: bool = False
    sig: str = ""

    @property
    def version(self) -> str:
        """The version id: the first 16 hex digits of the file's sha256 (stable across runs)."""
        return self.sha256[:16]


@dataclass(frozen=True)
class DocumentVersion:
    """A document version about to become live (for hooks that store data keyed by doc_id and version)."""

    doc_id: str
    version: str
    meta: DocumentMeta
    chunks: tuple[StoredChunk, ...]
    source: str = ""
    fmt: str = ""


def meta_to_dict(meta: DocumentMeta) -> dict[str, Any]:
    """Document metadata as flat Chroma metadata (tuples as JSON, empty fields left out)."""
    out: dict[str, Any] = {"doc_id": meta.doc_id, "title": meta.title}
    for key in ("code", "number", "doc_type", "issuer", "issue_date", "issuing_body"):
        value = getattr(meta, key)
        if value:
            out[key] = value
    for key in ("replaces", "units", "mentions", "restricted_units"):
        value = getattr(meta, key)
        if value:
            out[key] = json.dumps(list(value), ensure_ascii=False)
    return out


def meta_from_dict(d: dict[str, Any]) -> DocumentMeta:
    """The inverse of ``meta_to_dict``."""
    def tup(key: str) -> tuple[str, ...]:
        raw = d.get(key)
        return tuple(json.loads(raw)) if raw else ()

    return DocumentMeta(
        doc_id=d["doc_id"],
        title=d.get("title", d["doc_id"]),
        code=d.get("code"),
        number=d.get("number"),
        doc_type=d.get("doc_type"),
        issuer=d.get("issuer"),
        issue_date=d.get("issue_date"),
        issuing_body=d.get("issuing_body"),
        replaces=tup("replaces"),
        units=tup("units"),
        mentions=tup("mentions"),
        restricted_units=tup("restricted_units"),
    )
