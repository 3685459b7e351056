"""What the store keeps in Chroma: chunks, the document catalogue, versions, atomic replacement
(``handle`` owns the Chroma client itself: opening, the write lock, reopening after other writers).

Three collections: ``<name>`` holds one record per live chunk (our own embeddings, never
Chroma's default function); ``<name>.docs`` is the catalogue: one record per document (its
metadata, content hash and the *version* whose chunks are live, or a ``deleted`` tombstone),
one record per kept version (``doc_id@version``) and the generation counter;
``<name>.versions`` keeps the chunks of replaced and deleted versions (their vectors in
metadata, so no second vector index is built) until they are restored or pruned.

Writing a document (one write session, see ``handle``): the new version's chunks are added
(invisible: the catalogue still names the old version), the old version is copied to the
archive, then one catalogue upsert flips the document *and* bumps the generation (the commit
point), then the old version's chunks leave the live collection. Readers only use chunks whose
version matches the catalogue, so a crash at any step leaves the previous complete version
answering; leftovers are swept by ``remove_orphans`` at the start of the next write run.
"""

from __future__ import annotations

import base64
import logging
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.errors import KnowledgeError, NotFoundError, StoreError
from knowledge.models import DocumentMeta, StoredChunk
from knowledge.settings import KnowledgeSettings
from knowledge.store.handle import ChromaHandle, handle_for, store_error
from knowledge.store.records import (
    DocRecord,
    DocumentVersion,
    PendingDocument,
    meta_from_dict,
    meta_to_dict,
)

log = logging.getLogger(__name__)


def _free_bytes(path: Path) -> int:
    return shutil.disk_usage(path).free


@dataclass
class StoreSeams:
    """Where fault-injection tests reach into the write path, installed by the tests themselves
    (``tests/fakes/run_cli.py``); production code never looks at a test's settings.

    ``at_step`` is called at each named step of a write (``chunks-written``, ``archived``,
    ``flipped``, ``cleaned``, ``sweeping``): the crash tests stop the process there.
    ``free_bytes`` says how much the store's disk can still take: the disk-full tests make the
    up-front check pass so that Chroma itself runs out of space.
    """

    at_step: Callable[[str], None] = field(default=lambda step: None)
    free_bytes: Callable[[Path], int] = field(default=_free_bytes)


SEAMS = StoreSeams()  # the process's seams, read by every store it opens

_GEN_ID = "__generation__"
_BATCH = 2000  # records per Chroma write call (its limit is about 5,000)
_PAGE = 5000  # records per Chroma read call: one unpaged read dies at 32,767 ("too many SQL variables")
_BYTES_PER_CHUNK = 64 * 1024  # generous disk estimate per chunk: vector, text, metadata, index, log
MAX_DOCS_PER_COMMIT = 500  # one catalogue upsert flips them all
# How wide the vector index searches (Chroma's default is 100, the depth retrieval asks for). A
# narrow search returns approximate neighbours that depend on how the graph was built, and the
# embedded Chroma rebuilds the part of its graph not yet persisted (up to 1,000 records) in every
# process, on two threads: the same question then got a different dense leg, and sometimes a
# different answer, from one process to the next. Searching 256 wide, the 100 neighbours on the
# party corpus are the exact ones (checked against brute force); at 100,000 passages it is not re-measured.
DENSE_SEARCH_EF = 256

BeforeLive = Callable[[Sequence[DocumentVersion]], None]


class KnowledgeStore:
    """Chunks, the document catalogue and kept versions in Chroma, written atomically per batch of documents."""

    def __init__(self, handle: ChromaHandle, collection: str, embedding_model: str, settings: KnowledgeSettings) -> None:
        self._h = handle
        self._seams = SEAMS
        self.settings = settings
        self.embedding_model = embedding_model
        self._names = (collection, f"{collection}.docs", f"{collection}.versions")
        specs: dict[str, dict[str, Any]] = {
            collection: {
                "metadata": {"hnsw:space": "cosine", "hnsw:search_ef": DENSE_SEARCH_EF, "embedding_model": embedding_model}
            },
            f"{collection}.docs": {"metadata": {"kind": "catalogue"}},
            f"{collection}.versions": {"metadata": {"kind": "archive"}},
        }
        self._live_cache: tuple[int, dict[str, str], int] | None = None
        self._count_cache: tuple[int | None, int] | None = None  # (generation, chunks in the collection)
        try:
            self._h.open_collections(specs)
            self._h.refresh()  # a handle cached in this process may predate another process's writes
        except KnowledgeError:
            raise
        except Exception as exc:
            raise store_error(exc, settings) from exc
        stored_model = (self._call(lambda: self._chunks.metadata) or {}).get("embedding_model")
        filled = self._call(lambda: self._chunks.count()) > 0
        if stored_model and stored_model != embedding_model and filled:
            raise KnowledgeError(
                f"Kho tri thức được lập bằng mô hình {stored_model}, khác mô hình đang cấu hình "
                f"({embedding_model}). Hãy nạp lại tài liệu vào một thư mục dữ liệu mới.",
                english=f"The store was built with {stored_model}, not {embedding_model}; re-ingest into a new data dir.",
            )

    @classmethod
    def from_settings(cls, settings: KnowledgeSettings, embedding_model: str) -> KnowledgeStore:
        """Open (or create) the store the settings point at."""
        return cls(handle_for(settings), settings.collection, embedding_model, settings)

    # the current client's collections (a reopen replaces the objects)
    @property
    def _chunks(self) -> Any:
        return self._h.collection(self._names[0])

    @property
    def _docs(self) -> Any:
        return self._h.collection(self._names[1])

    @property
    def _archive(self) -> Any:
        return self._h.collection(self._names[2])

    def _call(self, fn: Callable[[], Any]) -> Any:
        """Run one Chroma call; whatever fails becomes a one-line StoreError."""
        try:
            with self._h.reading():
                return fn()
        except KnowledgeError:
            raise
        except Exception as exc:
            log.info("Chroma call failed: %s", exc, exc_info=log.isEnabledFor(logging.DEBUG))
            raise store_error(exc, self.settings) from exc

    def _get_all(self, coll: Callable[[], Any], where: dict[str, Any] | None, include: list[str]) -> Iterator[tuple]:
        """Every matching record as (id, metadata, document, embedding), read page by page."""
        offset = 0
        while True:
            got = self._call(lambda: coll().get(where=where, include=include, limit=_PAGE, offset=offset))
            ids = got["ids"]
            if not ids:
                return
            mds = got.get("metadatas") or [None] * len(ids)
            texts = got.get("documents") or [None] * len(ids)
            vecs = got.get("embeddings")
            vecs = [None] * len(ids) if vecs is None else vecs
            yield from zip(ids, mds, texts, vecs)
            if len(ids) < _PAGE:
                return
            offset += len(ids)

    # ---- catalogue -------------------------------------------------------------------------
    def generation(self) -> int:
        """A counter bumped by every commit, in the same write as the commit; derived indexes compare against it."""
        got = self._call(lambda: self._docs.get(ids=[_GEN_ID], include=["metadatas"]))
        return int(got["metadatas"][0].get("value", 0)) if got["ids"] else 0

    def documents(self) -> list[DocRecord]:
        """Every live document."""
        return [self._record(md) for _, md, _, _ in self._get_all(lambda: self._docs, {"kind": "document"}, ["metadatas"])]

    def document(self, doc_id: str) -> DocRecord | None:
        """One live document, or None."""
        return self.documents_by_id([doc_id]).get(doc_id)

    def documents_by_id(self, doc_ids: Sequence[str]) -> dict[str, DocRecord]:
        """The live documents among ``doc_ids`` (one Chroma call)."""
        if not doc_ids:
            return {}
        got = self._call(lambda: self._docs.get(ids=list(doc_ids), include=["metadatas"]))
        return {i: self._record(md) for i, md in zip(got["ids"], got["metadatas"]) if md.get("kind") == "document"}

    def documents_with_sha(self, sha256: str) -> list[DocRecord]:
        """Live documents whose file had exactly this content."""
        where = {"$and": [{"kind": "document"}, {"sha256": sha256}]}
        return [self._record(md) for _, md, _, _ in self._get_all(lambda: self._docs, where, ["metadatas"])]

    def known_doc_ids(self) -> set[str]:
        """Ids of live and deleted documents (a deleted document keeps its id for its history)."""
        where = {"kind": {"$in": ["document", "deleted"]}}
        return {i for i, *_ in self._get_all(lambda: self._docs, where, [])}

    def versions(self, doc_id: str) -> list[DocRecord]:
        """Every kept version of a document (live or not), newest first."""
        where = {"$and": [{"kind": "version"}, {"doc_id": doc_id}]}
        found = [self._record(md) for _, md, _, _ in self._get_all(lambda: self._docs, where, ["metadatas"])]
        return sorted(found, key=lambda r: r.ingested_at, reverse=True)

    def tombstone(self, doc_id: str) -> DocRecord | None:
        """The record of a deleted document (its last live version), or None."""
        got = self._call(lambda: self._docs.get(ids=[doc_id], include=["metadatas"]))
        mds = [md for md in got["metadatas"] if md.get("kind") == "deleted"]
        return self._record(mds[0]) if mds else None

    @staticmethod
    def _record(md: dict[str, Any]) -> DocRecord:
        return DocRecord(
            meta=meta_from_dict(md),
            sha256=md["sha256"],
            version=md["version"],
            source=md.get("source", ""),
            fmt=md.get("fmt", ""),
            chunks=int(md.get("chunks", 0)),
            ingested_at=float(md.get("ingested_at", 0.0)),
            ocr=bool(md.get("ocr", False)),
            sig=md.get("sig", ""),
            retired_at=float(md.get("retired_at", 0.0)),
        )

    @staticmethod
    def _record_md(rec: DocRecord, kind: str, **extra: Any) -> dict[str, Any]:
        md = {
            **meta_to_dict(rec.meta),
            "kind": kind,
            "sha256": rec.sha256,
            "version": rec.version,
            "source": rec.source,
            "fmt": rec.fmt,
            "chunks": rec.chunks,
            "ingested_at": rec.ingested_at,
            "ocr": rec.ocr,
            **extra,
        }
        if rec.sig:
            md["sig"] = rec.sig
        return md

    # ---- writing: a batch of new versions ------------------------------------------------------
    def commit_documents(self, docs: Sequence[PendingDocument], *, before_live: BeforeLive | None = None) -> None:
        """Make new versions of several documents live, all or nothing.

        Steps: write the new chunks (invisible), keep copies of the versions they replace, let
        ``before_live`` store what it keys by (doc_id, version), flip the catalogue and bump the
        generation in one write (the commit point), then drop the replaced chunks from the live
        collection and prune old versions. At most ``MAX_DOCS_PER_COMMIT`` documents.
        """
        self._check_batch(docs)
        records = {d.meta.doc_id: self._pending_record(d) for d in docs}
        rows = [row for d in docs for row in self._chunk_rows(d)]
        with self._session():
            previous = self.documents_by_id(list(records))
            superseded = [old for doc_id, old in previous.items() if old.version != records[doc_id].version]
            try:
                self._require_space(len(rows))
                self._write_chunks(self._chunks, rows)
                self._seams.at_step("chunks-written")
                self._archive_versions(superseded)
                self._seams.at_step("archived")
                if before_live:
                    before_live([self._version_of(d) for d in docs])
                self._flip(
                    [(doc_id, self._record_md(rec, "document")) for doc_id, rec in records.items()]
                    + [(f"{doc_id}@{rec.version}", self._record_md(rec, "version")) for doc_id, rec in records.items()]
                    + [(f"{old.meta.doc_id}@{old.version}", self._record_md(old, "version", retired_at=time.time()))
                       for old in superseded]
                )
            except Exception as exc:
                self._abandon(docs, previous, exc)
                raise self._as_store_error(exc, [d.meta.doc_id for d in docs]) from exc
            self._seams.at_step("flipped")
            self._after_flip(superseded, list(records))
            self._seams.at_step("cleaned")

    def _check_batch(self, docs: Sequence[PendingDocument]) -> None:
        if len(docs) > MAX_DOCS_PER_COMMIT:
            raise ValueError(f"at most {MAX_DOCS_PER_COMMIT} documents per commit, got {len(docs)}")
        doc_ids = [d.meta.doc_id for d in docs]
        if len(set(doc_ids)) != len(doc_ids):
            raise ValueError("a document appears twice in one commit")
        empty = [d.meta.doc_id for d in docs if not d.chunks]
        if empty:
            raise StoreError("Tài liệu không có đoạn nào để lưu.", english=f"No chunks to store for {empty[0]}.")

    @staticmethod
    def _pending_record(d: PendingDocument) -> DocRecord:
        return DocRecord(d.meta, d.sha256, d.version, d.source, d.fmt, len(d.chunks), time.time(), d.ocr, d.sig)

    @staticmethod
    def _chunk_rows(d: PendingDocument) -> list[tuple[str, str, Sequence[float], dict[str, Any]]]:
        """(id, text, embedding, metadata) for every chunk of a pending document."""
        doc_fields = {k: v for k, v in meta_to_dict(d.meta).items() if k in ("code", "doc_type", "issue_date")}
        rows = []
        for c in d.chunks:
            md: dict[str, Any] = {
                "doc_id": d.meta.doc_id,
                "version": d.version,
                "position": c.position,
                "section": c.section,
                "lex": c.lexical,
                "words": c.words,
                **doc_fields,
            }
            if c.units:
                md["units"] = list(c.units)
            if c.codes:
                md["codes"] = list(c.codes)
            rows.append((chunk_id(d.meta.doc_id, d.version, c.position), c.text, c.embedding, md))
        return rows

    def _version_of(self, d: PendingDocument) -> DocumentVersion:
        rows = self._chunk_rows(d)
        return DocumentVersion(
            d.meta.doc_id, d.version, d.meta,
            tuple(self._stored(cid, md, text, d.meta) for cid, text, _, md in rows), d.source, d.fmt,
        )

    def _require_space(self, n_chunks: int) -> None:
        """Refuse up front when the disk cannot take the write (a full disk mid-write is slow to undo)."""
        if self._h.server:
            return
        free = self._seams.free_bytes(self.settings.chroma_dir)
        need = n_chunks * _BYTES_PER_CHUNK + self.settings.min_free_disk_mb * 1_048_576
        if free < need:
            raise OSError(28, f"free {free} < needed {need}")

    def _write_chunks(self, coll: Any, rows: Sequence[tuple[str, str, Sequence[float], dict[str, Any]]]) -> None:
        for start in range(0, len(rows), _BATCH):
            part = rows[start : start + _BATCH]
            self._call(
                lambda: coll.upsert(
                    ids=[r[0] for r in part],
                    documents=[r[1] for r in part],
                    embeddings=[list(map(float, r[2])) for r in part],
                    metadatas=[r[3] for r in part],
                )
            )

    def _flip(self, records: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """The commit point: catalogue records and the next generation in one Chroma write."""
        generation = self.generation() + 1  # safe: we hold the write lock
        ids = [i for i, _ in records] + [_GEN_ID]
        mds = [md for _, md in records] + [{"value": generation, "kind": "generation"}]
        self._docs.upsert(ids=ids, embeddings=[[1.0]] * len(ids), metadatas=mds, documents=[""] * len(ids))

    def _abandon(self, docs: Sequence[PendingDocument], previous: dict[str, DocRecord], exc: Exception) -> None:
        """After a failed commit: drop what was written, unless the disk is full (then the next run sweeps it)."""
        if store_error(exc, self.settings).english.startswith("The disk"):
            log.warning("disk full: leaving the unfinished chunks for the next run to sweep")
            return
        for d in docs:
            old = previous.get(d.meta.doc_id)
            if old is None or old.version != d.version:
                self._delete_where(self._chunks, {"$and": [{"doc_id": d.meta.doc_id}, {"version": d.version}]})

    def _as_store_error(self, exc: Exception, doc_ids: Sequence[str]) -> KnowledgeError:
        if isinstance(exc, KnowledgeError) and not isinstance(exc, StoreError):
            return exc
        err = exc if isinstance(exc, StoreError) else store_error(exc, self.settings)
        if err.english.startswith(("The disk", "Cannot reach")):
            return err
        names = ", ".join(doc_ids[:3]) + (" …" if len(doc_ids) > 3 else "")
        return StoreError(
            f"Không lưu được tài liệu {names}; kho dữ liệu giữ nguyên như trước.",
            english=f"Could not store {names}; the store is unchanged.",
        )

    def _after_flip(self, superseded: Sequence[DocRecord], doc_ids: Sequence[str]) -> None:
        """Best effort after the commit point: a failure here only leaves leftovers for the next sweep."""
        try:
            for old in superseded:
                self._delete_where(self._chunks, {"$and": [{"doc_id": old.meta.doc_id}, {"version": old.version}]})
            for doc_id in doc_ids:
                self._prune_versions(doc_id)
        except Exception:
            log.warning("cleanup after a commit failed; the next run sweeps the leftovers", exc_info=True)

    def _delete_where(self, coll: Any, where: dict[str, Any]) -> None:
        ids = [i for i, *_ in self._get_all(lambda: coll, where, [])]
        for start in range(0, len(ids), _BATCH):
            self._call(lambda: coll.delete(ids=ids[start : start + _BATCH]))

    # ---- versions --------------------------------------------------------------------------
    def _archive_versions(self, records: Sequence[DocRecord]) -> None:
        """Copy the live chunks of these versions (with their vectors) into the archive."""
        for rec in records:
            where = {"$and": [{"doc_id": rec.meta.doc_id}, {"version": rec.version}]}
            rows = [
                (cid, text, [1.0], {**md, "vec": _pack(vec)})
                for cid, md, text, vec in self._get_all(lambda: self._chunks, where, ["metadatas", "documents", "embeddings"])
            ]
            self._write_chunks(self._archive, rows)

    def _prune_versions(self, doc_id: str) -> None:
        keep = max(1, self.settings.versions_kept)
        live = self.document(doc_id)
        kept = [v for v in self.versions(doc_id) if live is None or v.version != live.version]
        for old in kept[keep - (1 if live else 0) :]:
            self._delete_where(self._archive, {"$and": [{"doc_id": doc_id}, {"version": old.version}]})
            self._call(lambda: self._docs.delete(ids=[f"{doc_id}@{old.version}"]))

    def retire_document(self, doc_id: str) -> bool:
        """Take a document out of the answers, keeping its version restorable; False when it is not live."""
        with self._session():
            rec = self.document(doc_id)
            if rec is None:
                return False
            try:
                self._archive_versions([rec])
                now = time.time()
                self._flip([
                    (doc_id, self._record_md(rec, "deleted", retired_at=now)),
                    (f"{doc_id}@{rec.version}", self._record_md(rec, "version", retired_at=now)),
                ])
            except Exception as exc:
                raise self._as_store_error(exc, [doc_id]) from exc
            self._after_flip([rec], [doc_id])
        return True

    delete_document = retire_document

    def restore_version(self, doc_id: str, version: str, *, before_live: BeforeLive | None = None) -> DocRecord:
        """Make a kept version live again (the current live version is kept in its place)."""
        with self._session():
            wanted = next((v for v in self.versions(doc_id) if v.version == version), None)
            if wanted is None:
                raise NotFoundError(
                    f"Không có phiên bản {version} của tài liệu {doc_id}.", english=f"No version {version} of {doc_id}."
                )
            live = self.document(doc_id)
            if live is not None and live.version == version:
                return live
            where = {"$and": [{"doc_id": doc_id}, {"version": version}]}
            rows = [(cid, text, _unpack(md.pop("vec")), md) for cid, md, text, _ in
                    self._get_all(lambda: self._archive, where, ["metadatas", "documents"])]
            if len(rows) != wanted.chunks:
                raise StoreError(
                    f"Phiên bản {version} của {doc_id} không còn đầy đủ, không khôi phục được.",
                    english=f"Version {version} of {doc_id} is incomplete and cannot be restored.",
                )
            restored = replace(wanted, retired_at=0.0)
            try:
                self._require_space(len(rows))
                self._write_chunks(self._chunks, rows)
                if live is not None:
                    self._archive_versions([live])
                if before_live:
                    chunks = tuple(sorted((self._stored(c, md, t, wanted.meta) for c, t, _, md in rows),
                                          key=lambda c: c.position))
                    before_live([DocumentVersion(doc_id, version, wanted.meta, chunks, wanted.source, wanted.fmt)])
                records = [(doc_id, self._record_md(restored, "document"))]
                if live is not None:
                    records.append((f"{doc_id}@{live.version}", self._record_md(live, "version", retired_at=time.time())))
                self._flip(records)
            except Exception as exc:
                if not store_error(exc, self.settings).english.startswith("The disk"):
                    self._delete_where(self._chunks, where)
                raise self._as_store_error(exc, [doc_id]) from exc
            self._after_flip([live] if live is not None else [], [])
        return restored

    def set_restricted(self, doc_id: str, units: Sequence[str]) -> DocRecord:
        """Who may read a document (empty: everyone), on the live record and every kept version; chunks stay as they are.

        Written in one catalogue write with the next generation, like a commit.
        """
        with self._session():
            rec = self.document(doc_id)
            if rec is None:
                raise NotFoundError(f"Không có tài liệu {doc_id}.", english=f"No document {doc_id}.")
            ids = [doc_id] + [f"{doc_id}@{v.version}" for v in self.versions(doc_id)]
            try:
                got = self._call(lambda: self._docs.get(ids=ids, include=["metadatas"]))
                records = []
                for i, md in zip(got["ids"], got["metadatas"]):
                    old = meta_to_dict(self._record(md).meta)
                    new = meta_to_dict(replace(self._record(md).meta, restricted_units=tuple(units)))
                    # Chroma merges metadata on upsert: a field that goes away must be set to None
                    records.append((i, {**md, **{k: None for k in old.keys() - new.keys()}, **new}))
                self._flip(records)
            except Exception as exc:
                raise self._as_store_error(exc, [doc_id]) from exc
        return replace(rec, meta=replace(rec.meta, restricted_units=tuple(units)))

    # ---- housekeeping ------------------------------------------------------------------------
    def remove_orphans(self) -> int:
        """Delete chunks no catalogue record points at (left by an interrupted write); the count removed."""
        with self._session():
            live = {r.meta.doc_id: r.version for r in self.documents()}
            stale = [
                cid for cid, md, _, _ in self._get_all(lambda: self._chunks, None, ["metadatas"])
                if live.get(md.get("doc_id")) != md.get("version")
            ]
            kept = {
                (md.get("doc_id"), md.get("version"))
                for _, md, _, _ in self._get_all(lambda: self._docs, {"kind": "version"}, ["metadatas"])
            }
            archived = [
                cid for cid, md, _, _ in self._get_all(lambda: self._archive, None, ["metadatas"])
                if (md.get("doc_id"), md.get("version")) not in kept
            ]
            self._seams.at_step("sweeping")
            for coll, ids in ((self._chunks, stale), (self._archive, archived)):
                for start in range(0, len(ids), _BATCH):
                    self._call(lambda: coll.delete(ids=ids[start : start + _BATCH]))
        if stale or archived:
            log.info("removed %d orphaned chunks and %d orphaned archived chunks", len(stale), len(archived))
        return len(stale)

    def _session(self) -> Any:
        return self._h.writing()

    # ---- reading ---------------------------------------------------------------------------
    def _live_versions(self) -> tuple[dict[str, str], int]:
        """doc_id -> live version, and the number of live chunks (cached per generation)."""
        gen = self.generation()
        cached = self._live_cache
        if cached is None or cached[0] != gen:
            docs = self.documents()
            cached = (gen, {r.meta.doc_id: r.version for r in docs}, sum(r.chunks for r in docs))
            self._live_cache = cached
        return cached[1], cached[2]

    def live_chunks(self) -> list[tuple[StoredChunk, str, str]]:
        """Every live chunk with its lexical token strings (folded, words), in document order; paged."""
        docs = {r.meta.doc_id: r for r in self.documents()}
        out: dict[str, list[tuple[StoredChunk, str, str]]] = {d: [] for d in docs}
        for cid, md, text, _ in self._get_all(lambda: self._chunks, None, ["metadatas", "documents"]):
            rec = docs.get(md.get("doc_id"))
            if rec is not None and rec.version == md.get("version"):
                out[rec.meta.doc_id].append((self._stored(cid, md, text, rec.meta), md.get("lex", ""), md.get("words", "")))
        for doc_id, rows in out.items():
            if len(rows) != docs[doc_id].chunks:
                # a concurrent delete shifted the pages: read this document on its own
                where = {"$and": [{"doc_id": doc_id}, {"version": docs[doc_id].version}]}
                out[doc_id] = [
                    (self._stored(cid, md, text, docs[doc_id].meta), md.get("lex", ""), md.get("words", ""))
                    for cid, md, text, _ in self._get_all(lambda: self._chunks, where, ["metadatas", "documents"])
                ]
        rows = [row for doc_rows in out.values() for row in doc_rows]
        rows.sort(key=lambda t: (t[0].doc_id, t[0].position))
        return rows

    def get_chunks(self, chunk_ids: Iterable[str]) -> list[StoredChunk]:
        """Live chunks by id, in the order asked (unknown or stale ids are skipped)."""
        ids = list(dict.fromkeys(chunk_ids))
        if not ids:
            return []
        found = {}
        docs: dict[str, DocRecord] | None = None
        for start in range(0, len(ids), _PAGE):
            got = self._call(lambda: self._chunks.get(ids=ids[start : start + _PAGE], include=["metadatas", "documents"]))
            if docs is None:
                docs = self.documents_by_id(list({md.get("doc_id") for md in got["metadatas"]}))
            for cid, md, text in zip(got["ids"], got["metadatas"], got["documents"]):
                rec = docs.get(md.get("doc_id")) or self.document(md.get("doc_id"))
                if rec is not None and rec.version == md.get("version"):
                    found[cid] = self._stored(cid, md, text, rec.meta)
        return [found[i] for i in ids if i in found]

    def doc_chunks(self, doc_id: str) -> list[StoredChunk]:
        """All live chunks of one document in order."""
        rec = self.document(doc_id)
        if rec is None:
            return []
        where = {"$and": [{"doc_id": doc_id}, {"version": rec.version}]}
        chunks = [self._stored(c, m, t, rec.meta) for c, m, t, _ in self._get_all(lambda: self._chunks, where, ["metadatas", "documents"])]
        return sorted(chunks, key=lambda c: c.position)

    def dense_search(
        self, embedding: Sequence[float], k: int, doc_ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """Nearest live chunks as (chunk_id, cosine similarity); optionally within some documents.

        Reopens the vector index first when another process wrote since it was loaded. A dense
        failure is logged and gives no results: the lexical legs still answer.
        """
        self._h.refresh()
        live, live_total = self._live_versions()
        for attempt in (0, 1):
            try:
                hits = self._query(embedding, k, doc_ids, live_total)
                break
            except Exception as exc:
                log.warning("dense search failed (%s); %s", exc, "retrying on a reopened index" if not attempt else "lexical only")
                if attempt:
                    return []
                self._h.refresh()
        out = [(cid, sim) for cid, sim in hits if _is_live(cid, live)]
        return out[:k]

    def _query(self, embedding: Sequence[float], k: int, doc_ids: Sequence[str] | None, live_total: int) -> list:
        """The nearest stored chunks, live or not: k plus as many as there are leftovers.

        Leftovers of an interrupted write are skipped by the caller, so the query asks for that
        many more. Counting the collection costs 14 ms at 100,000 chunks, so the count is kept
        per generation and taken again only when the answer may have been cut short by a write
        that left leftovers since (a full answer with fewer than k live hits).
        """
        where = {"doc_id": {"$in": list(doc_ids)}} if doc_ids else None
        vector = [list(map(float, embedding))]
        with self._h.reading():
            for fresh in (False, True):
                n = self._count(live_total, fresh)
                if n == 0:
                    return []
                want = min(n, k + max(0, n - live_total))
                got = self._chunks.query(query_embeddings=vector, n_results=want, where=where, include=["distances"])
                ids = got["ids"][0]
                if fresh or len(ids) < want or self._live_hits(ids) >= min(k, live_total):
                    break
        return [(cid, 1.0 - float(dist)) for cid, dist in zip(ids, got["distances"][0])]

    def _count(self, live_total: int, fresh: bool) -> int:
        """Chunks in the collection, live and leftover (cached per generation unless ``fresh``)."""
        gen = self._live_cache[0] if self._live_cache is not None else None
        cached = self._count_cache
        if fresh or cached is None or cached[0] != gen:
            cached = (gen, self._chunks.count())
            self._count_cache = cached
        return max(cached[1], live_total)

    def _live_hits(self, ids: Sequence[str]) -> int:
        live = self._live_cache[1] if self._live_cache is not None else {}
        return sum(1 for cid in ids if _is_live(cid, live))

    @staticmethod
    def _stored(cid: str, md: dict[str, Any], text: str, meta: DocumentMeta) -> StoredChunk:
        return StoredChunk(
            chunk_id=cid,
            doc_id=md["doc_id"],
            position=int(md.get("position", 0)),
            text=text,
            section=md.get("section", ""),
            units=tuple(md.get("units") or ()),
            meta=meta,
            codes=tuple(md.get("codes") or ()),
        )


def _is_live(cid: str, live: dict[str, str]) -> bool:
    """Whether a stored chunk id belongs to its document's live version (the id's last two parts
    are the version and position, so a doc_id may itself hold "::")."""
    parts = cid.rsplit("::", 2)
    return len(parts) == 3 and live.get(parts[0]) == parts[1]


def chunk_id(doc_id: str, version: str, position: int) -> str:
    """A stored chunk's id: ``doc_id::version::position`` (the version part makes every write a new record)."""
    return f"{doc_id}::{version}::{position:05d}"


def _pack(vec: Sequence[float]) -> str:
    return base64.b64encode(np.asarray(vec, dtype="<f4").tobytes()).decode("ascii")


def _unpack(text: str) -> list[float]:
    return np.frombuffer(base64.b64decode(text), dtype="<f4").astype(float).tolist()
