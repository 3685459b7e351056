"""Hybrid retrieval: two BM25 legs and a dense leg, fused by weighted normalised scores.

The lexical index is derived data, rebuilt from the store whenever the store's generation
counter moves, so it can never drift from what Chroma holds; each build is saved beside the
store for its generation (``persisted``), so a restart loads it instead of rebuilding. Fusion
weights depend on whether the question carries diacritics: dense models and word segmentation
are near useless on "doan kiem tra gom nhung ai", while folded syllables and bigrams still match.
"""

from __future__ import annotations

import bisect
import ctypes
import ctypes.util
import functools
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from knowledge.access import Viewer, readable
from knowledge.documents.outline import Outline
from knowledge.models import DocumentMeta, ScoredChunk, StoredChunk
from knowledge.question.codes import documents_for_codes
from knowledge.question.frame import QuestionFrame
from knowledge.question.references import DocumentNames
from knowledge.search.diacritics import DiacriticRestorer
from knowledge.search.lexical import BM25Index, folded_tokens, word_tokens
from knowledge.search.persisted import IndexFiles, LexicalIndex
from knowledge.store.chroma import KnowledgeStore
from knowledge.text import code_key, code_token, fold

log = logging.getLogger(__name__)

SIGNALS_KEPT = 200  # passages whose own retrieval evidence the answer's unit model reads


@dataclass(frozen=True)
class FusionWeights:
    """Weights of each leg in the fusion (normalised scores or reciprocal ranks), for accented and unaccented questions."""

    # Chosen on the development sets (ALQAC MRR@10: RRF 0.852, score fusion 0.869, with dense 1.5
    # 0.873); unaccented questions lean on folded syllables, their restored form feeds the rest.
    folded: float = 1.0
    words: float = 1.0
    dense: float = 1.5
    folded_plain: float = 1.0
    words_plain: float = 0.6
    dense_plain: float = 0.6
    rrf_k: int = 60
    depth: int = 100
    unit_boost: float = 0.5
    code_boost: float = 1.0  # a question naming "Quyết định 271" wants the passages that cite it
    fusion: str = "score"  # "score" (min-max normalised scores, summed) or "rrf" (reciprocal rank)


@dataclass
class _Snapshot:
    generation: int
    chunks: list[StoredChunk]
    folded: BM25Index
    words: BM25Index
    index_of: dict[str, int]
    docs: list[DocumentMeta]
    units: list[str]
    restorer: DiacriticRestorer
    codes: list[str]
    outlines: dict[str, Outline] = field(default_factory=dict)
    names: DocumentNames | None = None

    def doc_chunks(self, doc_id: str) -> list[StoredChunk]:
        """The live chunks of one document, in order (the snapshot is sorted by document and position)."""
        start = bisect.bisect_left(self.chunks, doc_id, key=lambda c: c.doc_id)
        stop = bisect.bisect_right(self.chunks, doc_id, key=lambda c: c.doc_id)
        return self.chunks[start:stop]


@dataclass(frozen=True)
class Retrieval:
    """A question as understood and its ranked passages (whether they answer is decided later)."""

    frame: QuestionFrame
    results: tuple[ScoredChunk, ...]
    query_vector: tuple[float, ...] | None = None  # the dense leg's question vector, when there is one
    # every well-ranked passage's own evidence (beyond the top k): chunk_id -> (rank, fused, lexical, dense)
    signals: Mapping[str, tuple[int, float, float, float]] = field(default_factory=dict, compare=False, repr=False)
    # the dense leg's cosines over its best passages (mean, standard deviation): a passage's cosine
    # is read against them, so that what the answer weighs does not depend on the embedding model
    dense_stats: tuple[float, float] | None = None


class HybridRetriever:
    """Fuses folded-syllable BM25, word BM25 and dense search over the store's live chunks."""

    def __init__(
        self,
        store: KnowledgeStore,
        embeddings: Embeddings | None,
        weights: FusionWeights | None = None,
        files: IndexFiles | None = None,
    ) -> None:
        """``files``: where built indexes are saved and loaded from (default: the store's data dir)."""
        self.store = store
        self.embeddings = embeddings
        self.weights = weights or FusionWeights()
        self.files = files or IndexFiles.in_data_dir(
            store.settings.data_dir, store.settings.collection, min_free_mb=store.settings.min_free_disk_mb
        )
        self._snap: _Snapshot | None = None
        self._lock = threading.Lock()

    # ---- the derived lexical index -----------------------------------------------------------
    def snapshot(self) -> _Snapshot:
        """The lexical index for the store's current generation (loaded or rebuilt when it moved)."""
        gen = self.store.generation()
        snap = self._snap
        if snap is not None and snap.generation == gen:
            return snap
        with self._lock:
            if self._snap is not None and self._snap.generation == gen:
                return self._snap
            self._snap = self._load(gen) or self._build(gen)
            release_freed_memory()
            return self._snap

    def _load(self, gen: int) -> _Snapshot | None:
        """The index saved for this generation, when there is a good one."""
        if not self.files.path(gen).is_file():
            return None
        started = time.perf_counter()
        saved = self.files.load(gen, self.store.documents_by_id)
        if saved is None:
            return None
        log.info("lexical index of generation %d loaded: %d passages in %.2f s", gen, len(saved.chunks),
                 time.perf_counter() - started)
        return _snapshot(gen, saved)

    def _build(self, gen: int) -> _Snapshot:
        """The index built from every live chunk, then saved for the next start."""
        started = time.perf_counter()
        rows = self.store.live_chunks()
        chunks = [r[0] for r in rows]
        word_strings = [r[2] for r in rows]
        # token strings are split one chunk at a time, and each set is let go once indexed
        folded = BM25Index(r[1].split() for r in rows)
        del rows
        words = BM25Index(w.split() for w in word_strings)
        del word_strings
        records = self.store.documents()
        built = LexicalIndex.of(chunks, folded, words, DiacriticRestorer(c.text for c in chunks), records)
        log.info("lexical index of generation %d built: %d passages in %.2f s", gen, len(chunks),
                 time.perf_counter() - started)
        # saved only when no commit happened meanwhile: then every read above saw generation gen
        if chunks and self.store.generation() == gen:
            self.files.save(gen, built)
        return _snapshot(gen, built)

    # ---- search ------------------------------------------------------------------------------
    def retrieve(self, frame: QuestionFrame, k: int = 8, viewer: Viewer | None = None) -> Retrieval:
        """The k best passages for an analysed question, with a confidence signal.

        Passages of restricted documents the viewer may not read are never candidates
        (no viewer: public documents only).
        """
        snap = self.snapshot()
        n = len(snap.chunks)
        if n == 0:
            return Retrieval(frame, ())
        w = self.weights
        allowed = self._allowed(frame, snap)
        visible = self._visible(viewer, snap)
        if visible is not None:
            allowed = visible if allowed is None else allowed & visible
            if not allowed:
                return Retrieval(frame, ())
        q_folded = folded_tokens(frame.search_text) + self._code_tokens(frame, snap)
        # Without diacritics, word segmentation and the dense model see garbage: give them the
        # question with its marks restored from the documents' own vocabulary instead.
        accented_text = frame.search_text if frame.accented else snap.restorer.restore(frame.search_text)
        fused = np.zeros(n, dtype=np.float64)
        lex_f = snap.folded.scores(q_folded)
        legs: list[tuple[float, np.ndarray]] = [(w.folded if frame.accented else w.folded_plain, lex_f)]
        lex_w = np.zeros(n, dtype=np.float32)
        if frame.accented or w.words_plain > 0:
            lex_w = snap.words.scores(word_tokens(accented_text))
            legs.append((w.words if frame.accented else w.words_plain, lex_w))
        dense = np.zeros(n, dtype=np.float32)
        dense_weight = w.dense if frame.accented else w.dense_plain
        vec: list[float] | None = None
        dense_stats: tuple[float, float] | None = None
        if self.embeddings is not None and dense_weight > 0:
            vec = self.embeddings.embed_query(accented_text)
            doc_ids = sorted({snap.chunks[i].doc_id for i in allowed}) if allowed is not None else None
            sims = []
            for cid, sim in self.store.dense_search(vec, w.depth, doc_ids):
                i = snap.index_of.get(cid)
                if i is not None:
                    dense[i] = sim
                    sims.append(sim)
            if len(sims) >= 5:
                dense_stats = (float(np.mean(sims)), float(np.std(sims)) or 1e-6)
            legs.append((dense_weight, dense))
        mask = np.ones(n, dtype=bool)
        if allowed is not None:
            mask[:] = False
            mask[list(allowed)] = True
        for weight, scores in legs:
            if weight <= 0:
                continue
            cand = np.where((scores > 0) & mask)[0]
            if cand.size == 0:
                continue
            order = _top(cand, scores, w.depth)
            if w.fusion == "score":
                top_s, low_s = float(scores[order[0]]), float(scores[order[-1]])
                if top_s - low_s <= 1e-9:  # one candidate, or all tied: each is the leg's best
                    fused[order] += weight
                else:
                    fused[order] += weight * (scores[order] - low_s) / (top_s - low_s)
            else:
                fused[order] += weight / (w.rrf_k + np.arange(1, order.size + 1))
        if frame.units or frame.codes:
            for i in np.where(fused > 0)[0]:
                fused[i] *= 1.0 + self._boost(frame, snap.chunks[i])
        ranked = _top(np.where(fused > 0)[0], fused, max(k, SIGNALS_KEPT))
        top = ranked[:k]
        results = tuple(
            ScoredChunk(snap.chunks[i], float(fused[i]), float(lex_f[i]), float(dense[i])) for i in top
        )
        signals = {
            snap.chunks[i].chunk_id: (n, float(fused[i]), float(lex_f[i]), float(dense[i]))
            for n, i in enumerate(ranked, start=1)
        }
        return Retrieval(frame, results, tuple(vec) if vec is not None else None, signals, dense_stats)

    @staticmethod
    def _code_tokens(frame: QuestionFrame, snap: _Snapshot) -> list[str]:
        """Full code tokens for references like "Quyết định 271" (the KB knows it is 271-QĐ/QU)."""
        return [code_token(c) for c in HybridRetriever._known_codes(frame, snap)]

    @staticmethod
    def _known_codes(frame: QuestionFrame, snap: _Snapshot) -> list[str]:
        if not frame.codes:
            return []
        return [c for c in snap.codes if any(ref.matches(c) for ref in frame.codes)]

    def codes_for(self, frame: QuestionFrame) -> list[str]:
        """The stored document codes a question refers to ("quyết định 271" → ["271-QĐ/QU"])."""
        return self._known_codes(frame, self._snap or self.snapshot())

    def _allowed(self, frame: QuestionFrame, snap: _Snapshot) -> set[int] | None:
        """Restrict to documents the question names by code, else by title or issuer, when stored."""
        doc_ids = set(documents_for_codes(frame.codes, snap.docs)) if frame.codes else set()
        if not doc_ids:
            doc_ids = set(frame.documents)
        if not doc_ids:
            return None
        return {i for i, c in enumerate(snap.chunks) if c.doc_id in doc_ids}

    @staticmethod
    def _visible(viewer: Viewer | None, snap: _Snapshot) -> set[int] | None:
        """Indexes of the chunks a viewer may read, or None when every document is open to them."""
        closed = {d.doc_id for d in snap.docs if not readable(viewer, d)}
        if not closed:
            return None
        return {i for i, c in enumerate(snap.chunks) if c.doc_id not in closed}

    def _boost(self, frame: QuestionFrame, chunk: StoredChunk) -> float:
        w = self.weights
        boost = 0.0
        chunk_units = {fold(u) for u in chunk.units}
        if any(fold(u) in chunk_units for u in frame.units):
            boost += w.unit_boost
        codes = [chunk.meta.code, *chunk.codes]
        if any(ref.matches(c) for ref in frame.codes for c in codes if c):
            boost += w.code_boost
        return boost

    def term_weight(self, token: str) -> float:
        """IDF of a folded token in the live corpus (rare words matter more); 0 when unknown."""
        snap = self._snap or self.snapshot()  # the snapshot the current question was answered from
        return snap.folded.idf(token)

    def max_term_weight(self) -> float:
        """The IDF of a token found in one passage (the rarest a known token can be)."""
        n = len((self._snap or self.snapshot()).chunks)
        return float(np.log1p((n - 1 + 0.5) / 1.5)) if n else 1.0

    def document_names(self) -> DocumentNames:
        """The stored documents' titles and issuers, for questions that name a document."""
        snap = self._snap or self.snapshot()
        if snap.names is None:
            snap.names = DocumentNames(snap.docs)
        return snap.names

    def outline(self, doc_id: str) -> Outline:
        """The outline of a live document (built once per store generation)."""
        snap = self._snap or self.snapshot()
        found = snap.outlines.get(doc_id)
        if found is None:
            found = snap.outlines[doc_id] = Outline.build(snap.doc_chunks(doc_id))
        return found

    def live_chunk(self, chunk_id: str) -> StoredChunk | None:
        """A live chunk of the current snapshot by id."""
        snap = self._snap or self.snapshot()
        i = snap.index_of.get(chunk_id)
        return snap.chunks[i] if i is not None else None

    def known_units(self) -> list[str]:
        """Units named anywhere in the knowledge base."""
        return self.snapshot().units

    def known_codes(self) -> list[str]:
        """Every document code the knowledge base holds or cites."""
        return (self._snap or self.snapshot()).codes

    def known_documents(self) -> list[DocumentMeta]:
        """Every document in the knowledge base, as of the store's current generation (an admin's
        view is current the moment a write commits)."""
        return self.snapshot().docs


def _snapshot(gen: int, index: LexicalIndex) -> _Snapshot:
    """The snapshot of a built or loaded index."""
    chunks, docs = index.chunks, index.docs
    return _Snapshot(
        generation=gen,
        chunks=chunks,
        folded=index.folded,
        words=index.words,
        index_of={c.chunk_id: i for i, c in enumerate(chunks)},
        docs=docs,
        units=sorted({u for d in docs for u in d.units} | {u for c in chunks for u in c.units}),
        restorer=index.restorer,
        codes=sorted({c for ch in chunks for c in ch.codes} | {d.code for d in docs if d.code}),
    )


def same_code(a: str | None, b: str | None) -> bool:
    """Whether two document codes are the same document code."""
    return bool(a and b and code_key(a) == code_key(b))


def _top(cand: np.ndarray, scores: np.ndarray, d: int) -> np.ndarray:
    """The d best of ``cand`` by score, best first, ties in index order.

    The same as a stable sort of every candidate cut to d, without sorting them all (a full sort
    of each leg's candidates cost 7.7 ms at 100,000 passages): candidates that reach the d-th
    best score, ties included, are found by a partition and only those are sorted.
    """
    if cand.size > d > 0:
        values = scores[cand]
        threshold = np.partition(values, cand.size - d)[cand.size - d]
        cand = cand[values >= threshold]
    return cand[np.argsort(-scores[cand], kind="stable")][:d]


def release_freed_memory() -> None:
    """Hand the heap freed by an index build back to the system (glibc's ``malloc_trim``).

    The build reads every chunk's token strings and lets them go; glibc keeps that memory in
    the process (at 100,000 passages about 480 MB of the bot's resident size) unless asked to
    return it. Elsewhere than glibc this does nothing.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Any:
    """glibc's ``malloc_trim``, looked up once (None where the C library has none)."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None

