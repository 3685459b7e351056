"""IngestService: files → text → structured chunks → embeddings → the store, one document at a time.

Used by the admin CLI and by the bot's document upload. Each document is fully prepared
(parsed, split, embedded) before anything is written, and the store commits it atomically,
so a failure at any point leaves the knowledge base as it was. A document is identified by its
content and code (``matching``): identical content is "unchanged", the same document in
another form is replaced only on request, a different document with a taken file name gets a
new doc_id. The admin half (preview, confirm, versions) lives in ``admin``.

**Before-live hooks.** ``IngestService.before_live`` is a list of callables, each called with a
``DocumentVersion`` (doc_id, version, metadata, chunks) inside the write session, after the
version's chunks are written and just before the catalogue flip makes it live (new documents,
replacements and restores alike). Data keyed by (doc_id, version) written there is in place
when readers first see the version; a hook that raises aborts the commit (nothing changes).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from langchain_core.embeddings import Embeddings

from knowledge.access import is_public, readers
from knowledge.documents.codes import parse_codes
from knowledge.documents.loaders import SUPPORTED_SUFFIXES, LoadLimits, load_bytes, load_file
from knowledge.documents.loaders.base import file_label
from knowledge.documents.metadata import extract_metadata
from knowledge.documents.splitter import passage_text, split_document
from knowledge.errors import (
    CorruptDocumentError,
    DocumentTooLargeError,
    KnowledgeError,
    StoreError,
    UnsupportedFormatError,
)
from knowledge.models import Chunk, DocumentMeta, FileResult, IngestReport, LoadedDocument
from knowledge.search.lexical import folded_tokens, word_tokens
from knowledge.services.matching import find_matches, free_doc_id, sha256_of, text_signature
from knowledge.services.paths import expand_paths
from knowledge.services.previews import PreviewStore
from knowledge.settings import KnowledgeSettings
from knowledge.store.chroma import MAX_DOCS_PER_COMMIT, KnowledgeStore
from knowledge.store.records import ChunkRecord, DocRecord, DocumentVersion, PendingDocument
from knowledge.text import canonical_code, code_key

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (event, done, total)
BeforeLiveHook = Callable[[DocumentVersion], None]
Restriction = bool | Sequence[str] | None  # None: public; True: the units the document concerns; or these units
UNEXPECTED = "lỗi không xác định khi xử lý tệp (unexpected error)"


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
    sig: str = ""

    def with_tokens(self) -> Prepared:
        """The same document with its lexical tokens computed (pyvi: the slow part)."""
        if self.lexical:
            return self
        return replace(
            self,
            lexical=tuple(" ".join(folded_tokens(p)) for p in self.passages),
            words=tuple(" ".join(word_tokens(p)) for p in self.passages),
        )

    def as_doc(self, doc_id: str) -> Prepared:
        """The same document stored under another doc_id (a replaced document keeps its id)."""
        if doc_id == self.meta.doc_id:
            return self
        return replace(
            self,
            doc=replace(self.doc, doc_id=doc_id),
            meta=replace(self.meta, doc_id=doc_id),
            chunks=[replace(c, doc_id=doc_id) for c in self.chunks],
        )


@dataclass(frozen=True)
class Plan:
    """What to do with a prepared file: add, replace, nothing (unchanged) or refuse; and under which doc_id."""

    action: str  # add | replace | unchanged | refuse
    doc_id: str
    reason: str | None = None


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


def check_suffix(name: str) -> None:
    """Refuse a file type no loader reads."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedFormatError(
            f"Không hỗ trợ định dạng tệp {suffix or '(không có đuôi)'}.",
            english=f"Unsupported file type {suffix or '(none)'}.",
        )


@dataclass
class IngestService:
    """Adds, replaces, lists, deletes and restores documents in the knowledge base."""

    store: KnowledgeStore
    embeddings: Embeddings
    settings: KnowledgeSettings
    before_live: list[BeforeLiveHook] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.previews = PreviewStore(
            self.settings.data_dir / "previews", ttl_s=self.settings.preview_ttl_s, max_items=self.settings.previews_max
        )

    @property
    def max_bytes(self) -> int:
        return int(self.settings.max_file_mb * 1024 * 1024)

    @property
    def limits(self) -> LoadLimits:
        s = self.settings
        return LoadLimits(self.max_bytes, int(s.max_unpacked_mb * 1_048_576), s.max_elements, s.ocr_language)

    # ---- preparing ---------------------------------------------------------------------------
    def prepare(self, doc: LoadedDocument, code: str | None = None, restricted: Restriction = None) -> Prepared:
        """Metadata, structure-aware chunks and the passage texts to embed; refuses a file too long to keep.

        ``code`` overrides the parsed document code (an admin knows the number a PDF left blank);
        ``restricted`` limits who may read the document (see ``Restriction``).
        """
        s = self.settings
        name = file_label(doc.source) or doc.doc_id
        if len(doc.text) > s.max_chunks_per_file * s.chunk_max_chars:  # checked before splitting: bounded time
            raise _too_many(name, s.max_chunks_per_file)
        meta = extract_metadata(doc)
        if code:
            meta = with_code(meta, code)
        if restricted is not None and restricted is not False:
            from knowledge.findings.service import restriction_for

            meta = replace(meta, restricted_units=restriction_for(doc.text, meta, restricted))
        chunks = split_document(
            doc, meta, max_chars=s.chunk_max_chars, min_chars=s.chunk_min_chars, max_path_chars=s.max_breadcrumb_chars
        )
        if not chunks:
            raise KnowledgeError(f"Không tách được nội dung của {name}.", english=f"No passages found in {name}.")
        if len(chunks) > s.max_chunks_per_file:
            raise _too_many(name, s.max_chunks_per_file)
        return Prepared(doc, meta, chunks, [passage_text(meta, c) for c in chunks], sig=text_signature(doc.text))

    def plan(self, prepared: Prepared, *, replace_same: bool = False, code: str | None = None) -> Plan:
        """Add, replace, unchanged or refuse, by content and code (never by file name alone)."""
        doc, name_id = prepared.doc, prepared.doc.doc_id
        matches = find_matches(
            self.store, sha256=doc.sha256, meta=prepared.meta, sig=prepared.sig, name_id=name_id,
            threshold=self.settings.similar_text_threshold,
        )
        identical = [m for m in matches if m.reason == "identical"]
        if identical:
            m = next((m for m in identical if m.doc_id == name_id), identical[0])
            if code and code_key(m.code or "") != code_key(prepared.meta.code or ""):
                return Plan("replace", m.doc_id, f"đặt số hiệu {prepared.meta.code}")
            return Plan("unchanged", m.doc_id, None if m.doc_id == name_id else f"đã có: giống hệt {m.doc_id}")
        same = [m for m in matches if m.reason in ("same_code", "similar_text")]
        if same:
            target = next((m for m in same if m.doc_id == name_id), same[0])
            if replace_same:
                return Plan("replace", target.doc_id, None if target.doc_id == name_id else f"thay thế {target.doc_id}")
            why = f"trùng số hiệu {target.code}" if target.reason == "same_code" else "gần như cùng nội dung"
            return Plan(
                "refuse", name_id,
                f"{why} với tài liệu đã lưu {target.doc_id}; không thêm. Dùng --replace-code để thay thế nó",
            )
        doc_id = free_doc_id(name_id, doc.sha256, self.store.known_doc_ids())
        return Plan("add", doc_id, None if doc_id == name_id else f"tên tệp đã dùng cho tài liệu khác; lưu thành {doc_id}")

    # ---- ingesting files ---------------------------------------------------------------------
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

        A write run first sweeps leftovers of interrupted runs. Two stages overlap: while one
        document is embedded and committed, the next one is loaded, split and word-segmented on
        a helper thread. Each document is committed on its own, in file order.
        """
        files, results = expand_paths(paths)
        if code and len(files) != 1:
            raise KnowledgeError("Chỉ được gán số hiệu cho đúng một tệp.", english="--code applies to exactly one file.")
        if not dry_run and files:
            self.store.remove_orphans()
        done: dict[int, FileResult] = {}
        jobs: list[_Job] = []
        for n, path in enumerate(files):
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
        """Ingest an uploaded file under the same rules as the CLI (never a silent overwrite)."""
        label = file_label(name)
        doc_id = Path(label).stem
        try:
            check_suffix(label)
            prepared = self.prepare(load_bytes(name, data, limits=self.limits), restricted=restricted)
            return self.apply(prepared, self.plan(prepared, replace_same=replace_same_code))
        except KnowledgeError as exc:
            return FileResult(name, doc_id, "failed", reason=exc.message)
        except Exception:  # never lose the batch to one bad file; the log has the details
            log.exception("ingest of %s failed", label)
            return FileResult(name, doc_id, "failed", reason=UNEXPECTED)

    def _triage(self, path: Path, *, dry_run: bool, code: str | None) -> FileResult | None:
        """The result for a file that needs no loading (refused, or already stored byte for byte), else None."""
        doc_id = path.stem
        try:
            check_suffix(path.name)
            size = path.stat().st_size
            if size > self.max_bytes:
                raise DocumentTooLargeError(
                    f"Tệp {path.name} quá lớn ({size / 1048576:.1f} MB > {self.settings.max_file_mb:g} MB).",
                    english=f"{path.name} is too large.",
                )
            try:
                digest = sha256_of(path.read_bytes())
            except OSError as exc:
                raise CorruptDocumentError(f"Không đọc được tệp {path.name}.", english=f"Cannot read {path.name}.") from exc
            if dry_run:
                return None
            for record in self.store.documents_with_sha(digest):
                if code and code_key(record.meta.code or "") != code_key(with_code(record.meta, code).code or ""):
                    return None  # the admin sets a new code on the same file: a new version
                reason = None if record.meta.doc_id == doc_id else f"đã có: giống hệt {record.meta.doc_id}"
                return FileResult(str(path), record.meta.doc_id, "unchanged", record.chunks, record.meta, reason)
            return None
        except KnowledgeError as exc:
            _stop_if_unreachable(exc)
            return FileResult(str(path), doc_id, "failed", reason=exc.message)
        except Exception:
            log.exception("ingest of %s failed", path)
            return FileResult(str(path), doc_id, "failed", reason=UNEXPECTED)

    def _load_and_prepare(self, job: _Job, tokens: bool) -> Prepared:
        """Load, split and (unless a dry run) word-segment one file: the helper thread's part."""
        doc = load_file(job.path, limits=self.limits)
        prepared = self.prepare(doc, job.code, job.restricted)
        return prepared.with_tokens() if tokens else prepared

    def _finish(self, job: _Job, future: Future[Prepared], *, replace_same_code: bool, dry_run: bool) -> FileResult:
        """Decide, embed and commit a prepared file (or describe it, on a dry run); never raises."""
        doc_id = job.path.stem
        try:
            prepared = future.result()
            plan = self.plan(prepared, replace_same=replace_same_code, code=job.code)
            if dry_run:
                note = {"add": "sẽ thêm", "replace": "sẽ thay", "unchanged": "không đổi", "refuse": "sẽ bị từ chối"}[plan.action]
                reason = f"{note}" + (f": {plan.reason}" if plan.reason else "")
                return FileResult(str(job.path), plan.doc_id, "dry-run", len(prepared.chunks), prepared.meta, reason)
            return self.apply(prepared, plan)
        except KnowledgeError as exc:
            _stop_if_unreachable(exc)
            return FileResult(str(job.path), doc_id, "failed", reason=exc.message)
        except Exception:
            log.exception("ingest of %s failed", job.path)
            return FileResult(str(job.path), doc_id, "failed", reason=UNEXPECTED)

    def apply(self, prepared: Prepared, plan: Plan, vectors: Sequence[Sequence[float]] | None = None) -> FileResult:
        """Carry out a plan: commit the document under the planned doc_id, or report why not."""
        source = prepared.doc.source
        if plan.action == "refuse":
            return FileResult(source, prepared.doc.doc_id, "failed", len(prepared.chunks), prepared.meta, plan.reason)
        if plan.action == "unchanged":
            rec = self.store.document(plan.doc_id)
            return FileResult(source, plan.doc_id, "unchanged", rec.chunks if rec else 0, rec.meta if rec else None, plan.reason)
        prepared = prepared.as_doc(plan.doc_id)
        if plan.action == "replace":
            prepared = _keep_restriction(prepared, self.store.document(plan.doc_id))
        if vectors is None:
            vectors = self.embeddings.embed_documents(prepared.passages)
        pending = self._pending(prepared, vectors)
        self.store.commit_documents([pending], before_live=self.run_hooks)
        status = "replaced" if plan.action == "replace" else "added"
        return FileResult(source, plan.doc_id, status, len(pending.chunks), prepared.meta, plan.reason)

    def run_hooks(self, versions: Sequence[DocumentVersion]) -> None:
        """Call every ``before_live`` hook with each version about to go live (inside the write session)."""
        for hook in self.before_live:
            for version in versions:
                hook(version)

    # ---- bulk (evaluation, benchmarks, big imports) --------------------------------------------
    def ingest_documents(self, docs: Sequence[LoadedDocument]) -> list[FileResult]:
        """Ingest already-loaded documents in bulk, each under its own doc_id (a new version replaces the old).

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
            group = [(_keep_restriction(item, existing.get(item.doc.doc_id)), vecs) for item, vecs in group]
            try:
                self.store.commit_documents([self._pending(item, vecs) for item, vecs in group], before_live=self.run_hooks)
            except KnowledgeError:
                log.warning("bulk commit failed; committing these %d documents one by one", len(group))
                for item, vecs in group:
                    action = "replace" if item.doc.doc_id in existing else "add"
                    try:
                        results.append(self.apply(item, Plan(action, item.doc.doc_id), vecs))
                    except KnowledgeError as exc:
                        results.append(FileResult(item.doc.source, item.doc.doc_id, "failed", reason=exc.message))
                continue
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
        return PendingDocument(prepared.meta, doc.sha256, doc.source, doc.fmt, tuple(records), doc.ocr, prepared.sig)


def _keep_restriction(prepared: Prepared, old: DocRecord | None) -> Prepared:
    """A new version of a restricted document stays restricted unless it says otherwise (only --unrestrict opens it)."""
    if old is None or not is_public(prepared.meta) or is_public(old.meta):
        return prepared
    return replace(prepared, meta=replace(prepared.meta, restricted_units=readers(old.meta)))


def _stop_if_unreachable(exc: KnowledgeError) -> None:
    """An unreachable store fails every file the same way: stop the run with that one line."""
    if isinstance(exc, StoreError) and exc.english.startswith("Cannot reach"):
        raise exc


def _too_many(name: str, limit: int) -> KnowledgeError:
    return DocumentTooLargeError(
        f"Tệp {name} quá dài: sẽ thành hơn {limit:,} đoạn (giới hạn KB_MAX_CHUNKS_PER_FILE).".replace(",", "."),
        english=f"{name} is too long: more than {limit:,} passages (KB_MAX_CHUNKS_PER_FILE).",
    )
