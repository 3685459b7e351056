"""Frozen domain values shared by loaders, splitter, store, retrieval and answering."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class LoadedDocument:
    """A file turned into normalised text, before any splitting."""

    doc_id: str
    source: str
    text: str
    fmt: str
    sha256: str
    size: int
    title_hint: str | None = None
    ocr: bool = False


@dataclass(frozen=True)
class DocCode:
    """A party document code such as ``01-CTr/QU`` split into its parts."""

    number: str | None
    type: str
    issuer: str
    raw: str


@dataclass(frozen=True)
class DocumentMeta:
    """What we know about a whole document; stored on every one of its chunks."""

    doc_id: str
    title: str
    code: str | None = None
    number: str | None = None
    doc_type: str | None = None
    issuer: str | None = None
    issue_date: str | None = None
    issuing_body: str | None = None
    replaces: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()  # other document codes the text cites
    restricted_units: tuple[str, ...] = ()  # when set, only these units (and admins, district readers) may read it


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage, cut along the document's own structure."""

    doc_id: str
    position: int
    text: str
    section_path: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()  # document codes named in this chunk

    @property
    def chunk_id(self) -> str:
        return f"{self.doc_id}::{self.position:05d}"

    @property
    def section(self) -> str:
        return " › ".join(self.section_path)


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as read back from the store, with its document's metadata."""

    chunk_id: str
    doc_id: str
    position: int
    text: str
    section: str
    units: tuple[str, ...]
    meta: DocumentMeta
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScoredChunk:
    """A retrieved chunk with the fused score and the per-leg evidence."""

    chunk: StoredChunk
    score: float
    lexical: float = 0.0
    dense: float = 0.0


@dataclass(frozen=True)
class Citation:
    """A numbered source shown under an answer."""

    n: int
    chunk_id: str
    doc_id: str
    code: str | None
    title: str
    section: str
    date: str | None
    quote: str


@dataclass(frozen=True)
class Answer:
    """What the assistant says, with the sources behind every sentence."""

    text: str
    grounded: bool
    citations: tuple[Citation, ...] = ()
    declined: bool = False
    notices: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    rewritten_question: str | None = None
    mode: str = "extractive"
    closest: bool = False  # the documents hold no direct answer: the nearest provisions, under a caveat
    option: str | None = None  # multiple-choice: the letter the quoted rule supports ("" when none is)

    @property
    def outcome(self) -> Literal["answer", "closest", "declined"]:
        """What kind of reply this is: a direct answer, the closest provisions, or a decline."""
        if self.declined:
            return "declined"
        return "closest" if self.closest else "answer"


@dataclass(frozen=True)
class Turn:
    """One previous exchange of a conversation, for follow-up questions."""

    question: str
    answer: str = ""
    doc_ids: tuple[str, ...] = ()
    units: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileResult:
    """The outcome of ingesting one file."""

    source: str
    doc_id: str
    status: str  # added | replaced | unchanged | failed | dry-run
    chunks: int = 0
    meta: DocumentMeta | None = None
    reason: str | None = None


@dataclass(frozen=True)
class IngestReport:
    """Everything one ingest run did, file by file."""

    results: tuple[FileResult, ...] = field(default_factory=tuple)

    @property
    def failed(self) -> tuple[FileResult, ...]:
        return tuple(r for r in self.results if r.status == "failed")

    @property
    def ok(self) -> bool:
        return not self.failed


MatchReason = Literal["identical", "same_code", "same_name", "similar_text"]


@dataclass(frozen=True)
class StoredMatch:
    """A stored document an upload resembles, and why (same content, same code, same file name, nearly the same text)."""

    doc_id: str
    title: str
    code: str | None
    issue_date: str | None
    reason: MatchReason
    # what replacing it would change, in passages (None: not compared, e.g. the file name only)
    added: int | None = None
    removed: int | None = None


@dataclass(frozen=True)
class IngestPreview:
    """A parsed upload waiting for an admin's decision; nothing of it is stored yet."""

    token: str  # opaque id for confirm/cancel (short, ASCII: it travels in callback data)
    file_name: str
    doc_id: str  # the id the document gets if added
    meta: DocumentMeta
    chunks: int
    excerpt: str
    matches: tuple[StoredMatch, ...] = ()
    expires_at: float = 0.0  # epoch seconds
    concerned: tuple[str, ...] = ()  # the units a restricted upload would be open to (empty: it cannot be restricted)

    @property
    def identical(self) -> StoredMatch | None:
        """The stored document with exactly this content, if any (the upload is then "đã có")."""
        return next((m for m in self.matches if m.reason == "identical"), None)

    @property
    def replaceable(self) -> tuple[StoredMatch, ...]:
        """Stored documents this upload may replace: the same document (same code, or nearly the same
        text). Never when the upload is already stored as it is, never for a file name alone."""
        if self.identical is not None:
            return ()
        return tuple(m for m in self.matches if m.reason in ("same_code", "similar_text"))

    @property
    def same_name(self) -> tuple[StoredMatch, ...]:
        """Stored documents that only share the upload's file name (adding it leaves them as they are)."""
        return tuple(m for m in self.matches if m.reason == "same_name")


@dataclass(frozen=True)
class VersionInfo:
    """One version of a document: the live one or a replaced/deleted one kept for restoring."""

    doc_id: str
    version: str
    title: str
    code: str | None
    issue_date: str | None
    chunks: int
    ingested_at: float  # epoch seconds
    live: bool
    source: str = ""
    fmt: str = ""


# The kinds of finding an inspection document states about a unit (knowledge.findings).
Kind = Literal["uu_diem", "han_che", "yeu_cau", "ky_luat"]
KINDS: tuple[Kind, ...] = ("uu_diem", "han_che", "yeu_cau", "ky_luat")
KIND_LABELS: dict[str, str] = {
    "uu_diem": "Ưu điểm",
    "han_che": "Hạn chế, khuyết điểm",
    "yeu_cau": "Yêu cầu, kiến nghị khắc phục",
    "ky_luat": "Kỷ luật",
}
