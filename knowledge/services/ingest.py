"""IngestService: files → text → structured chunks → embeddings → the store, one document at a time.

Used by the admin CLI and by the bot's document upload. Each document is fully prepared
(parsed, split, embedded) before anything is written, and the store commits it atomically,
so a failure at any point leaves the knowledge base as it was.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from langchain_core.embeddings import Embeddings

from knowledge.documents.codes import parse_codes
from knowledge.documents.loaders import SUPPORTED_SUFFIXES, load_bytes, load_file
from knowledge.documents.metadata import extract_metadata
from knowledge.documents.splitter import passage_text, split_document
from knowledge.errors import CorruptDocumentError, DocumentTooLargeError, KnowledgeError, UnsupportedFormatError
from knowledge.models import Chunk, DocumentMeta, FileResult, IngestReport, LoadedDocument
from knowledge.search.lexical import folded_tokens, word_tokens
from knowledge.settings import KnowledgeSettings
from knowledge.store.chroma import MAX_DOCS_PER_COMMIT, KnowledgeStore
from knowledge.store.records import ChunkRecord, PendingDocument
from knowledge.text import canonical_code, code_key

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (event, done, total)
Restriction = bool | Sequence[str] | None  # None: public; True: the units the document concerns; or these units


@dataclass(frozen=True)
class Prepared:
    """A parsed and split document, ready to embed.

    ``lexical`` and ``words`` hold each passage's token strings for the two BM25 legs once
    ``with_tokens`` has run (empty before: a dry run never needs them).
    """

    doc: LoadedDocument
    meta: DocumentMeta
    chunks: list[Chunk]
    passages: list[str]
    lexical: tuple[str, ...] = ()
    words: tuple[str, ...] = ()

    def with_tokens(self) -> Prepared:
        """The same document with its lexical tokens computed (pyvi: the slow part)."""
        if self.lexical:
            return self
        return replace(
            self,
            lexical=tuple(" ".join(folded_tokens(p)) for p in self.passages),
            words=tuple(" ".join(word_tokens(p)) for p in self.passages),
        )


@dataclass(frozen=True)
class _Job:
    """A file that needs loading (not unchanged, not refused up front)."""

    index: int
    path: Path
    code: str | None
    restricted: Restriction = None


def with_code(meta: DocumentMeta, code: str) -> DocumentMeta:
    """The metadata with its document code set from an admin-supplied code such as 02-HD/BTCTU."""
    parsed = parse_codes(code)
    if len(parsed) != 1 or parsed[0].number is None:
        raise KnowledgeError(
            f"Số hiệu không hợp lệ: {code} (ví dụ đúng: 02-HD/BTCTU).", english=f"Invalid document code: {code}."
        )
    c = parsed[0]
    canon = canonical_code(c.number, c.type, c.issuer)
    return replace(meta, code=canon, number=c.number, doc_type=c.type, issuer=c.issuer)


def _check_suffix(name: str) -> None:
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedFormatError(
            f"Không hỗ trợ định dạng tệp {suffix or '(không có đuôi)'}.",
            english=f"Unsupported file type {suffix or '(none)'}.",
        )


def expand_paths(paths: Iterable[Path]) -> tuple[list[Path], list[FileResult]]:
    """Files to ingest (folders walked recursively) and failures for paths that do not exist."""
    files: list[Path] = []
    failed: list[FileResult] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
            )
        elif path.is_file():
            files.append(path)
        else:
            failed.append(FileResult(str(path), path.stem, "failed", reason="không tìm thấy tệp (file not found)"))
    return list(dict.fromkeys(files)), failed


class IngestService:
    """Adds, replaces, lists and deletes documents in the knowledge base."""

    def __init__(self, store: KnowledgeStore, embeddings: Embeddings, settings: KnowledgeSettings) -> None:
        self.store = store
        self.embeddings = embeddings
        self.settings = settings
        # called with the documents of each commit once they are live (the findings index listens here)
        self.on_commit: list[Callable[[Sequence[Prepared]], None]] = []

    @property
    def max_bytes(self) -> int:
        return int(self.settings.max_file_mb * 1024 * 1024)

    def prepare(self, doc: LoadedDocument, code: str | None = None, restricted: Restriction = None) -> Prepared:
        """Metadata, structure-aware chunks and the passage texts to embed.

        ``code`` overrides the parsed document code (an admin knows the number a PDF left blank);
        ``restricted`` limits who may read the document (see ``Restriction``).
        """
        meta = extract_metadata(doc)
        if code:
            meta = with_code(meta, code)
        if restricted is not None and restricted is not False:
            from knowledge.findings.service import restriction_for

            meta = replace(meta, restricted_units=restriction_for(doc.text, meta, restricted))
        chunks = split_document(
            doc, meta, max_chars=self.settings.chunk_max_chars, min_chars=self.settings.chunk_min_chars
        )
        if not chunks:
            raise KnowledgeError(
                f"Không tách được nội dung của {doc.doc_id}.", english=f"No passages found in {doc.doc_id}."
            )
        return Prepared(doc, meta, chunks, [passage_text(meta, c) for c in chunks])

    def ingest_paths(
        self,
        paths: Sequence[Path],
        *,
        replace_same_code: bool = False,
        dry_run: bool = False,
        progress: Progress | None = None,
        code: str | None = None,
        restricted: Restriction = None,
    ) -> IngestReport:
        """Ingest files and folders; good files go in even when others fail.

        Two stages overlap: while one document is embedded and committed, the next one is
        loaded, split and word-segmented on a helper thread. The embedding workers leave the
        GIL, so on 2 cores the single-threaded preparation no longer adds to the wall time.
        Each document is still committed on its own, in file order.
        """
        files, results = expand_paths(paths)
        if code and len(files) != 1:
            raise KnowledgeError(
                "Chỉ được gán số hiệu cho đúng một tệp.", english="--code applies to exactly one file."
            )
        done: dict[int, FileResult] = {}
        jobs: list[_Job] = []
        seen: dict[str, Path] = {}
        for n, path in enumerate(files):
            doc_id = path.stem
            if doc_id in seen:
                done[n] = FileResult(str(path), doc_id, "failed", reason=f"trùng mã tài liệu với {seen[doc_id].name} (duplicate doc_id)")
                continue
            seen[doc_id] = path
            early = self._triage(path, dry_run=dry_run, code=code)
            if early is not None:
                done[n] = early
            else:
                jobs.append(_Job(n, path, code, restricted))
        finished = len(done)
        if progress:
            progress(jobs[0].path.name if jobs else "", finished, len(files))
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="prepare") as helper:
            ahead = helper.submit(self._load_and_prepare, jobs[0], not dry_run) if jobs else None
            for i, job in enumerate(jobs):
                current, ahead = ahead, None
                if i + 1 < len(jobs):  # start on the next file while this one is embedded
                    ahead = helper.submit(self._load_and_prepare, jobs[i + 1], not dry_run)
                assert current is not None
                done[job.index] = self._finish(job, current, replace_same_code=replace_same_code, dry_run=dry_run)
                finished += 1
                if progress:
                    progress(jobs[i + 1].path.name if ahead else "", finished, len(files))
        if progress and not jobs:
            progress("", len(files), len(files))
        return IngestReport(tuple(results) + tuple(done[n] for n in sorted(done)))

    def ingest_bytes(
        self, name: str, data: bytes, *, replace_same_code: bool = False, restricted: Restriction = None
    ) -> FileResult:
        """Ingest an uploaded file (e.g. a Telegram document)."""
        doc_id = Path(name).stem
        try:
            _check_suffix(name)
            record = self.store.document(doc_id)
            if record and record.sha256 == hashlib.sha256(data).hexdigest():
                return FileResult(name, doc_id, "unchanged", record.chunks, record.meta)
            doc = load_bytes(name, data, max_bytes=self.max_bytes, ocr_language=self.settings.ocr_language)
            return self._commit(self.prepare(doc, restricted=restricted), replace_same_code)
        except KnowledgeError as exc:
            return FileResult(name, doc_id, "failed", reason=exc.message)
        except Exception:  # never lose the batch to one bad file; the log has the details
            log.exception("ingest of %s failed", name)
            return FileResult(name, doc_id, "failed", reason="lỗi không xác định khi xử lý tệp (unexpected error)")

    def _triage(self, path: Path, *, dry_run: bool, code: str | None) -> FileResult | None:
        """The result for a file that needs no loading (refused or unchanged), else None."""
        doc_id = path.stem
        try:
            _check_suffix(path.name)
            size = path.stat().st_size
            if size > self.max_bytes:
                raise DocumentTooLargeError(
                    f"Tệp {path.name} quá lớn ({size / 1048576:.1f} MB > {self.settings.max_file_mb:g} MB).",
                    english=f"{path.name} is too large.",
                )
            try:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError as exc:
                raise CorruptDocumentError(f"Không đọc được tệp {path.name}.", english=f"Cannot read {path.name}.") from exc
            record = self.store.document(doc_id)
            same_code = not code or (record is not None and record.meta.code == with_code(record.meta, code).code)
            if record and record.sha256 == digest and same_code and not dry_run:
                return FileResult(str(path), doc_id, "unchanged", record.chunks, record.meta)
            return None
        except KnowledgeError as exc:
            return FileResult(str(path), doc_id, "failed", reason=exc.message)
        except Exception:
            log.exception("ingest of %s failed", path)
            return FileResult(str(path), doc_id, "failed", reason="lỗi không xác định khi xử lý tệp (unexpected error)")

    def _load_and_prepare(self, job: _Job, tokens: bool) -> Prepared:
        """Load, split and (unless a dry run) word-segment one file: the helper thread's part."""
        doc = load_file(job.path, max_bytes=self.max_bytes, ocr_language=self.settings.ocr_language)
        prepared = self.prepare(doc, job.code, job.restricted)
        return prepared.with_tokens() if tokens else prepared

    def _finish(self, job: _Job, future: Future[Prepared], *, replace_same_code: bool, dry_run: bool) -> FileResult:
        """Embed and commit a prepared file (or describe it, on a dry run); never raises."""
        doc_id = job.path.stem
        try:
            prepared = future.result()
            if dry_run:
                return FileResult(str(job.path), doc_id, "dry-run", len(prepared.chunks), prepared.meta)
            return self._commit(prepared, replace_same_code)
        except KnowledgeError as exc:
            return FileResult(str(job.path), doc_id, "failed", reason=exc.message)
        except Exception:
            log.exception("ingest of %s failed", job.path)
            return FileResult(str(job.path), doc_id, "failed", reason="lỗi không xác định khi xử lý tệp (unexpected error)")

    def ingest_documents(self, docs: Sequence[LoadedDocument]) -> list[FileResult]:
        """Ingest already-loaded documents in bulk (evaluation, benchmarks, big imports).

        All passages are embedded in one call and documents are committed in groups (a few
        Chroma calls per group instead of per document); if a group fails, its documents are
        committed one by one so that one bad document cannot keep the others out.
        """
        prepared: list[Prepared] = []
        results: list[FileResult] = []
        seen: set[str] = set()
        for doc in docs:
            if doc.doc_id in seen:
                results.append(FileResult(doc.source, doc.doc_id, "failed", reason="trùng mã tài liệu (duplicate doc_id)"))
                continue
            seen.add(doc.doc_id)
            try:
                prepared.append(self.prepare(doc))
            except KnowledgeError as exc:
                results.append(FileResult(doc.source, doc.doc_id, "failed", reason=exc.message))
        texts = [p for item in prepared for p in item.passages]
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="prepare") as helper:
            tokenised = helper.map(Prepared.with_tokens, prepared)  # overlaps the embedding below
            vectors = self.embeddings.embed_documents(texts) if texts else []
            prepared = list(tokenised)
        pending: list[tuple[Prepared, Sequence[Sequence[float]]]] = []
        pos = 0
        for item in prepared:
            pending.append((item, vectors[pos : pos + len(item.passages)]))
            pos += len(item.passages)
        for start in range(0, len(pending), MAX_DOCS_PER_COMMIT):
            group = pending[start : start + MAX_DOCS_PER_COMMIT]
            existing = self.store.documents_by_id([item.doc.doc_id for item, _ in group])
            try:
                self.store.commit_documents([self._pending(item, vecs) for item, vecs in group])
            except KnowledgeError:
                log.warning("bulk commit failed; committing these %d documents one by one", len(group))
                for item, vecs in group:
                    try:
                        results.append(self._commit(item, False, vecs))
                    except KnowledgeError as exc:
                        results.append(FileResult(item.doc.source, item.doc.doc_id, "failed", reason=exc.message))
                continue
            self._committed([item for item, _ in group])
            for item, _ in group:
                status = "replaced" if item.doc.doc_id in existing else "added"
                results.append(FileResult(item.doc.source, item.doc.doc_id, status, len(item.chunks), item.meta))
        return results

    def _pending(self, prepared: Prepared, vectors: Sequence[Sequence[float]]) -> PendingDocument:
        doc = prepared.doc
        prepared = prepared.with_tokens()
        records = [
            ChunkRecord(
                chunk_id=c.chunk_id,
                position=c.position,
                text=c.text,
                section=c.section,
                units=c.units,
                codes=c.codes,
                embedding=v,
                lexical=lex,
                words=words,
            )
            for c, lex, words, v in zip(prepared.chunks, prepared.lexical, prepared.words, vectors)
        ]
        return PendingDocument(prepared.meta, doc.sha256, doc.source, doc.fmt, tuple(records), doc.ocr)

    def _commit(
        self, prepared: Prepared, replace_same_code: bool, vectors: Sequence[Sequence[float]] | None = None
    ) -> FileResult:
        doc, meta = prepared.doc, prepared.meta
        if vectors is None:
            vectors = self.embeddings.embed_documents(prepared.passages)
        pending = self._pending(prepared, vectors)
        existed = self.store.document(doc.doc_id) is not None
        self.store.commit_documents([pending])
        self._committed([prepared])
        replaced: list[str] = []
        if replace_same_code and meta.code:
            for other in self.store.documents():
                if other.meta.doc_id != doc.doc_id and other.meta.code and code_key(other.meta.code) == code_key(meta.code):
                    self.store.delete_document(other.meta.doc_id)
                    replaced.append(other.meta.doc_id)
        status = "replaced" if existed or replaced else "added"
        reason = f"thay thế {', '.join(replaced)}" if replaced else None
        return FileResult(doc.source, doc.doc_id, status, len(pending.chunks), meta, reason)

    def _committed(self, prepared: Sequence[Prepared]) -> None:
        for hook in self.on_commit:
            try:
                hook(prepared)
            except Exception:  # a listener never undoes a commit
                log.exception("on-commit listener failed")

    def delete(self, doc_id: str) -> bool:
        """Remove a document; False when there is no such document."""
        return self.store.delete_document(doc_id)
