"""The only module that talks to Chroma: chunks, the document catalogue, atomic replacement.

Two collections: ``<name>`` holds one record per chunk (our own embeddings, never Chroma's
default function); ``<name>.docs`` holds one record per document (its metadata, the content
hash and the *version* whose chunks are live). Writing a document adds the new version's
chunks first, then flips the catalogue record (the commit point), then deletes the old
version's chunks. Readers only see chunks whose version matches the catalogue, so a crash at
any step leaves the knowledge base answering from the previous, complete version.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from typing import Any

from knowledge.errors import KnowledgeError, StoreError
from knowledge.models import DocumentMeta, StoredChunk
from knowledge.settings import KnowledgeSettings
from knowledge.store.records import ChunkRecord, DocRecord, PendingDocument, meta_from_dict, meta_to_dict

log = logging.getLogger(__name__)

_GEN_ID = "__generation__"
_BATCH = 2000
MAX_DOCS_PER_COMMIT = 500  # one catalogue upsert flips them all


def make_client(settings: KnowledgeSettings) -> Any:
    """A Chroma client: HttpClient when a host is configured, else a persistent local one."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    try:
        if settings.chroma_host:
            return chromadb.HttpClient(
                host=settings.chroma_host,
                port=settings.chroma_port,
                ssl=settings.chroma_ssl,
                settings=chroma_settings,
            )
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    except Exception as exc:  # connection refused, unreadable folder…
        raise StoreError(
            "Không kết nối được kho dữ liệu Chroma; kiểm tra cấu hình KB_CHROMA_HOST / KB_DATA_DIR.",
            english="Cannot open the Chroma store; check KB_CHROMA_HOST / KB_DATA_DIR.",
        ) from exc


class KnowledgeStore:
    """Chunks and the document catalogue in Chroma, written atomically per document (or per batch of documents)."""

    def __init__(self, client: Any, collection: str, embedding_model: str) -> None:
        self._client = client
        self.embedding_model = embedding_model
        self._chunks = client.get_or_create_collection(
            collection,
            embedding_function=None,
            metadata={"hnsw:space": "cosine", "embedding_model": embedding_model},
        )
        self._docs = client.get_or_create_collection(
            f"{collection}.docs", embedding_function=None, metadata={"kind": "catalogue"}
        )
        stored_model = (self._chunks.metadata or {}).get("embedding_model")
        if stored_model and stored_model != embedding_model and self._chunks.count() > 0:
            raise KnowledgeError(
                f"Kho tri thức được lập bằng mô hình {stored_model}, khác mô hình đang cấu hình "
                f"({embedding_model}). Hãy nạp lại tài liệu vào một thư mục dữ liệu mới.",
                english=f"The store was built with {stored_model}, not {embedding_model}; re-ingest into a new data dir.",
            )

    @classmethod
    def from_settings(cls, settings: KnowledgeSettings, embedding_model: str) -> KnowledgeStore:
        """Open (or create) the store the settings point at."""
        return cls(make_client(settings), settings.collection, embedding_model)

    # ---- catalogue -------------------------------------------------------------------------
    def generation(self) -> int:
        """A counter bumped on every committed change; derived indexes compare against it."""
        got = self._docs.get(ids=[_GEN_ID], include=["metadatas"])
        if not got["ids"]:
            return 0
        return int(got["metadatas"][0].get("value", 0))

    def _bump_generation(self) -> None:
        value = self.generation() + 1
        self._docs.upsert(
            ids=[_GEN_ID], embeddings=[[1.0]], metadatas=[{"value": value, "kind": "generation"}],
            documents=[""],
        )

    def documents(self) -> list[DocRecord]:
        """Every committed document."""
        got = self._docs.get(include=["metadatas"])
        out = []
        for doc_id, md in zip(got["ids"], got["metadatas"]):
            if doc_id == _GEN_ID or md.get("kind") != "document":
                continue
            out.append(self._record(md))
        return out

    def document(self, doc_id: str) -> DocRecord | None:
        """One committed document, or None."""
        return self.documents_by_id([doc_id]).get(doc_id)

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
        )

    # ---- writing ---------------------------------------------------------------------------
    def commit_documents(self, docs: Sequence[PendingDocument]) -> None:
        """Commit several documents with a handful of Chroma calls instead of a handful each.

        All or nothing for the batch: every document's chunks are written first, then one
        catalogue upsert flips them all (the commit point); on failure none of them changes.
        At most ``MAX_DOCS_PER_COMMIT`` documents, so that the flip is a single write.
        """
        if not docs:
            return
        if len(docs) > MAX_DOCS_PER_COMMIT:
            raise ValueError(f"at most {MAX_DOCS_PER_COMMIT} documents per commit, got {len(docs)}")
        doc_ids = [d.meta.doc_id for d in docs]
        if len(set(doc_ids)) != len(doc_ids):
            raise ValueError("a document appears twice in one commit")
        empty = [d.meta.doc_id for d in docs if not d.chunks]
        if empty:
            raise StoreError("Tài liệu không có đoạn nào để lưu.", english=f"No chunks to store for {empty[0]}.")
        previous = self.documents_by_id(doc_ids)
        versions = {d.meta.doc_id: d.sha256[:16] for d in docs}
        rows: list[tuple[str, ChunkRecord, dict[str, Any]]] = []
        for d in docs:
            version = versions[d.meta.doc_id]
            doc_fields = {k: v for k, v in meta_to_dict(d.meta).items() if k in ("code", "doc_type", "issue_date")}
            for c in d.chunks:
                md: dict[str, Any] = {
                    "doc_id": d.meta.doc_id,
                    "version": version,
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
                rows.append((f"{d.meta.doc_id}::{version}::{c.position:05d}", c, md))
        now = time.time()
        records = [
            {
                **meta_to_dict(d.meta),
                "kind": "document",
                "sha256": d.sha256,
                "version": versions[d.meta.doc_id],
                "source": d.source,
                "fmt": d.fmt,
                "chunks": len(d.chunks),
                "ingested_at": now,
                "ocr": d.ocr,
            }
            for d in docs
        ]
        try:
            # Stale leftovers of these very versions (an earlier crash) are overwritten by upsert.
            for start in range(0, len(rows), _BATCH):
                part = rows[start : start + _BATCH]
                self._chunks.upsert(
                    ids=[cid for cid, _, _ in part],
                    embeddings=[list(map(float, c.embedding)) for _, c, _ in part],
                    documents=[c.text for _, c, _ in part],
                    metadatas=[md for _, _, md in part],
                )
            # The commit point: from here on readers see the new versions.
            self._docs.upsert(
                ids=doc_ids, embeddings=[[1.0]] * len(docs), metadatas=records, documents=[""] * len(docs)
            )
        except KnowledgeError:
            raise
        except Exception as exc:
            for doc_id, version in versions.items():
                old = previous.get(doc_id)
                self._delete_version(doc_id, version, keep=old.version if old else None)
            names = ", ".join(doc_ids[:3]) + (" …" if len(doc_ids) > 3 else "")
            raise StoreError(
                f"Không lưu được tài liệu {names}; kho dữ liệu giữ nguyên như trước.",
                english=f"Could not store {names}; the store is unchanged.",
            ) from exc
        self._bump_generation()
        for doc_id, old in previous.items():
            if old.version != versions[doc_id]:
                self._delete_version(doc_id, old.version)

    def update_meta(self, meta: DocumentMeta) -> None:
        """Rewrite a live document's catalogue metadata (e.g. who may read it); its chunks stay as they are."""
        got = self._docs.get(ids=[meta.doc_id], include=["metadatas"])
        if not got["ids"] or got["metadatas"][0].get("kind") != "document":
            raise StoreError(f"Không có tài liệu {meta.doc_id}.", english=f"No document {meta.doc_id}.")
        old = got["metadatas"][0]
        own = {"kind", "sha256", "version", "source", "fmt", "chunks", "ingested_at", "ocr"}
        # upsert merges metadata: a field the new metadata leaves out must be set to None to go
        record = {k: None for k in old if k not in own} | {k: old[k] for k in own if k in old} | meta_to_dict(meta)
        self._docs.upsert(ids=[meta.doc_id], embeddings=[[1.0]], metadatas=[record], documents=[""])
        self._bump_generation()

    def documents_by_id(self, doc_ids: Sequence[str]) -> dict[str, DocRecord]:
        """The committed documents among ``doc_ids`` (one Chroma call)."""
        if not doc_ids:
            return {}
        got = self._docs.get(ids=list(doc_ids), include=["metadatas"])
        return {
            doc_id: self._record(md)
            for doc_id, md in zip(got["ids"], got["metadatas"])
            if md.get("kind") == "document"
        }

    def _delete_version(self, doc_id: str, version: str, keep: str | None = None) -> None:
        if keep == version:
            return
        try:
            self._chunks.delete(where={"$and": [{"doc_id": doc_id}, {"version": version}]})
        except Exception:  # cleanup is best effort; readers ignore stale versions anyway
            log.warning("could not delete chunks of %s version %s", doc_id, version, exc_info=True)

    def delete_document(self, doc_id: str) -> bool:
        """Remove a document and its chunks; False when it does not exist."""
        record = self.document(doc_id)
        if record is None:
            return False
        self._docs.delete(ids=[doc_id])
        self._bump_generation()
        self._chunks.delete(where={"doc_id": doc_id})
        return True

    def remove_orphans(self) -> int:
        """Delete chunks whose version is not the live one (left by an interrupted write)."""
        live = {r.meta.doc_id: r.version for r in self.documents()}
        got = self._chunks.get(include=["metadatas"])
        stale = [
            cid
            for cid, md in zip(got["ids"], got["metadatas"])
            if live.get(md.get("doc_id")) != md.get("version")
        ]
        for start in range(0, len(stale), _BATCH):
            self._chunks.delete(ids=stale[start : start + _BATCH])
        return len(stale)

    # ---- reading ---------------------------------------------------------------------------
    def live_chunks(self) -> list[tuple[StoredChunk, str, str]]:
        """Every live chunk with its lexical token strings (folded, words), in document order."""
        docs = {r.meta.doc_id: r for r in self.documents()}
        got = self._chunks.get(include=["metadatas", "documents"])
        out = []
        for cid, md, text in zip(got["ids"], got["metadatas"], got["documents"]):
            rec = docs.get(md.get("doc_id"))
            if rec is None or rec.version != md.get("version"):
                continue
            out.append((self._stored(cid, md, text, rec.meta), md.get("lex", ""), md.get("words", "")))
        out.sort(key=lambda t: (t[0].doc_id, t[0].position))
        return out

    def get_chunks(self, chunk_ids: Iterable[str]) -> list[StoredChunk]:
        """Live chunks by id, in the order asked (unknown or stale ids are skipped)."""
        ids = list(dict.fromkeys(chunk_ids))
        if not ids:
            return []
        got = self._chunks.get(ids=ids, include=["metadatas", "documents"])
        docs = {r.meta.doc_id: r for r in self.documents()}
        found = {}
        for cid, md, text in zip(got["ids"], got["metadatas"], got["documents"]):
            rec = docs.get(md.get("doc_id"))
            if rec is not None and rec.version == md.get("version"):
                found[cid] = self._stored(cid, md, text, rec.meta)
        return [found[i] for i in ids if i in found]

    def doc_chunks(self, doc_id: str) -> list[StoredChunk]:
        """All live chunks of one document in order."""
        rec = self.document(doc_id)
        if rec is None:
            return []
        got = self._chunks.get(
            where={"$and": [{"doc_id": doc_id}, {"version": rec.version}]},
            include=["metadatas", "documents"],
        )
        chunks = [self._stored(c, m, t, rec.meta) for c, m, t in zip(got["ids"], got["metadatas"], got["documents"])]
        return sorted(chunks, key=lambda c: c.position)

    def dense_search(
        self, embedding: Sequence[float], k: int, doc_ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """Nearest chunks as (chunk_id, cosine similarity); optionally within some documents."""
        n = self._chunks.count()
        if n == 0:
            return []
        where = {"doc_id": {"$in": list(doc_ids)}} if doc_ids else None
        got = self._chunks.query(
            query_embeddings=[list(map(float, embedding))],
            n_results=min(k, n),
            where=where,
            include=["distances"],
        )
        return [(cid, 1.0 - float(dist)) for cid, dist in zip(got["ids"][0], got["distances"][0])]

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
