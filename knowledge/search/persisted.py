"""The lexical index saved beside the store, one file per generation, loaded instead of rebuilt.

Rebuilding the two BM25 indexes and the diacritic model from every stored passage took 42 s
of every start at 100,000 passages (peak 1.8 GB); loading the file of the store's current
generation takes 1.4 s (peak 0.8 GB) and gives the same index back (``benchmarks/bench_scale.py``;
``tests/integration/test_lexical_persisted.py`` checks the retrievals are identical). It is
derived data: a file that is missing, of another format, store or generation, damaged or
truncated is ignored and the index rebuilt (then saved again); a save that fails (full or
read-only disk) is logged and changes nothing else.

Why a generation names the file: every change of the catalogue (a commit, a deletion, a
restore, a change of who may read a document) bumps it in the same write, so the file of the
current generation holds exactly the passages and documents a rebuild would read. A store
emptied and filled again can reach the same number with other documents: a sample of the
documents the file names is looked up in the store (version and ingest time) before it is used.

Format: ``DATA_DIR/lexical/<collection>.v<FORMAT>.g<generation>.npz``, numpy's uncompressed zip
of ``.npy`` arrays, read with ``allow_pickle=False`` so that loading a file runs none of its
content (no pickle): the BM25 score matrices and IDFs as they are, vocabularies and syllables
as newline-joined UTF-8, passage texts as one UTF-8 blob with end offsets, everything else as
JSON. Zip keeps a CRC-32 of every member, checked as each is read, so a damaged file fails to
load rather than answering wrongly. Written to a temporary file and renamed, so a reader sees
a whole file or none; the newest ``KEEP`` files are kept.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import re
import shutil
import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.models import DocumentMeta, StoredChunk
from knowledge.search.diacritics import DiacriticRestorer
from knowledge.search.lexical import BM25Index
from knowledge.store.records import DocRecord

log = logging.getLogger(__name__)

# Bump when a change alters what the saved index holds or how it scores (BM25 parameters, the
# diacritic model, this layout): files of another format are never read. The bm25s version and
# the fields of DocumentMeta and StoredChunk are checked as well.
FORMAT = 1
KEEP = 2  # files kept per collection: the newest, and the one before for a reader caught mid-load
SAMPLED = 16  # documents of a file looked up in the store before the file is used

Lookup = Callable[[list[str]], Mapping[str, DocRecord]]  # KnowledgeStore.documents_by_id


@dataclass(frozen=True)
class LexicalIndex:
    """What a snapshot costs to build: the live passages in index order, their two BM25 indexes,
    the diacritic model learnt from their text, and the catalogue they were read with."""

    chunks: list[StoredChunk]
    folded: BM25Index
    words: BM25Index
    restorer: DiacriticRestorer
    docs: list[DocumentMeta]  # the live documents, in the catalogue's order
    versions: dict[str, tuple[str, float]]  # doc_id -> (live version, ingest time)

    @classmethod
    def of(
        cls, chunks: list[StoredChunk], folded: BM25Index, words: BM25Index, restorer: DiacriticRestorer,
        records: Sequence[DocRecord],
    ) -> LexicalIndex:
        """An index built from the store, with the catalogue records read for it."""
        docs = [r.meta for r in records]
        return cls(chunks, folded, words, restorer, docs, {r.meta.doc_id: (r.version, r.ingested_at) for r in records})


class IndexFiles:
    """The saved lexical indexes of one collection, in one folder."""

    def __init__(self, folder: Path, collection: str, *, min_free_bytes: int = 0, keep: int = KEEP) -> None:
        self.folder = folder
        self.collection = collection
        self.min_free_bytes = min_free_bytes
        self.keep = max(1, keep)
        # a collection name may be 512 characters long; a file name may not
        stem = collection if len(collection) <= 100 else hashlib.sha256(collection.encode()).hexdigest()[:24]
        self._stem = stem
        self._name = re.compile(rf"^{re.escape(stem)}\.v(\d+)\.g(\d+)\.npz$")

    @classmethod
    def in_data_dir(cls, data_dir: Path, collection: str, *, min_free_mb: float = 0.0) -> IndexFiles:
        """The files of a collection in its data dir (``DATA_DIR/lexical``); a save never leaves
        less than ``min_free_mb`` free, the margin the store keeps for its own writes."""
        return cls(Path(data_dir) / "lexical", collection, min_free_bytes=int(min_free_mb * 1024 * 1024))

    def path(self, generation: int) -> Path:
        """Where the index of a generation is saved."""
        return self.folder / f"{self._stem}.v{FORMAT}.g{generation}.npz"

    # ---- loading -------------------------------------------------------------------------------
    def load(self, generation: int, lookup: Lookup) -> LexicalIndex | None:
        """The saved index of this generation of this store, or None (never raises).

        ``lookup`` reads catalogue records by document id (``KnowledgeStore.documents_by_id``).
        """
        path = self.path(generation)
        try:
            with np.load(path, allow_pickle=False) as z:
                header = json.loads(_bytes(z["header"]))
                expected = self._header(generation)
                if any(header.get(k) != v for k, v in expected.items()):
                    log.info("the saved lexical index %s is of another format or store; rebuilding", path.name)
                    return None
                docs, versions = _read_catalogue(z, header)
                if not _same_store(docs, versions, lookup):
                    log.info("the saved lexical index %s is of another store's generation %d; rebuilding",
                             path.name, generation)
                    return None
                return _read(z, header, docs, versions)
        except FileNotFoundError:
            return None
        except Exception as exc:  # whatever a damaged or foreign file raises, it must not reach a question
            log.warning("the saved lexical index %s cannot be read (%s: %s); rebuilding", path, type(exc).__name__, exc)
            return None

    # ---- saving --------------------------------------------------------------------------------
    def save(self, generation: int, index: LexicalIndex) -> Path | None:
        """Save the index of a generation (atomically) and drop older files; None when it could
        not be saved (logged: the index in memory answers all the same)."""
        if not index.chunks:
            return None
        final = self.path(generation)
        tmp = self.folder / f".{final.name}.{os.getpid()}.{threading.get_ident()}.tmp"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            arrays = _arrays(self._header(generation), index)
            need = sum(a.nbytes for a in arrays.values())
            free = shutil.disk_usage(self.folder).free
            if free - need < self.min_free_bytes:
                log.warning("the lexical index was not saved: %d MB free in %s, %d MB needed and %d MB kept free",
                            free >> 20, self.folder, need >> 20, self.min_free_bytes >> 20)
                return None
            # no fsync: a file cut short by a power loss fails its zip or CRC check and is rebuilt
            with open(tmp, "wb") as fh:
                np.savez(fh, **arrays)  # type: ignore[arg-type]  # (mypy fears a member named allow_pickle)
            os.replace(tmp, final)
        except Exception as exc:  # a full or read-only disk: the question goes on, the next start rebuilds
            log.warning("could not save the lexical index in %s (%s: %s); the next start rebuilds it",
                        self.folder, type(exc).__name__, exc)
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass
            return None
        self._prune(generation)
        return final

    def _prune(self, generation: int) -> None:
        """Keep the file just saved and the newest older ones; drop the rest, and temporary files
        of older generations (a saver killed midway).

        A file of a higher generation is left alone: another process may have saved it after a
        commit this one has not seen yet (one left by an earlier store in this folder is refused
        when read, and pruned once the generation passes it).
        """
        try:
            older = []
            for entry in self.folder.iterdir():
                m = self._name.match(entry.name)
                if m:
                    gen, fmt = int(m.group(2)), int(m.group(1))
                    if gen < generation or (gen == generation and fmt != FORMAT):
                        older.append((gen, entry))
                elif entry.name.startswith(f".{self._stem}.v") and entry.name.endswith(".tmp"):
                    m = self._name.match(entry.name[1:].split(".npz.", 1)[0] + ".npz")
                    if m and int(m.group(2)) < generation:
                        entry.unlink(missing_ok=True)
            older.sort(key=lambda t: t[0], reverse=True)
            for _, entry in older[self.keep - 1 :]:
                entry.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("could not remove old lexical index files in %s (%s)", self.folder, exc)

    def _header(self, generation: int) -> dict[str, Any]:
        """What a file must say of itself to be used."""
        import bm25s

        return {
            "format": FORMAT,
            "bm25s": bm25s.__version__,  # its score matrix is read as it is
            "fields": {cls.__name__: [f.name for f in dataclasses.fields(cls)] for cls in (DocumentMeta, StoredChunk)},
            "collection": self.collection,
            "generation": generation,
        }


# ---- the layout ------------------------------------------------------------------------------------
def _arrays(header: dict[str, Any], index: LexicalIndex) -> dict[str, np.ndarray]:
    """The file's members."""
    chunks = index.chunks
    text = bytearray()  # grown in place: the passages' text is never held twice as a str
    ends = np.empty(len(chunks), dtype=np.int64)
    for i, c in enumerate(chunks):
        text += c.text.encode("utf-8")
        ends[i] = len(text)
    rows = [[c.chunk_id, c.doc_id, c.position, c.section, list(c.units), list(c.codes)] for c in chunks]
    arrays: dict[str, np.ndarray] = {"texts": np.frombuffer(text, dtype=np.uint8), "text_ends": ends, "chunks": _json(rows)}
    arrays["documents"] = _json([
        [{f.name: getattr(d, f.name) for f in dataclasses.fields(d)}, *index.versions[d.doc_id]] for d in index.docs
    ])
    params: dict[str, dict[str, float]] = {}
    for name, bm25 in (("folded", index.folded), ("words", index.words)):
        vocab, parts, params[name] = bm25.state()
        params[name]["vocab"] = len(vocab)
        arrays[f"{name}.vocab"] = _lines(vocab)
        arrays.update({f"{name}.{k}": v for k, v in parts.items()})
    r = index.restorer
    syllables = list(r.unigrams)
    ids = {s: i for i, s in enumerate(syllables)}
    arrays["restorer.syllables"] = _lines(syllables)
    arrays["restorer.counts"] = np.fromiter(r.unigrams.values(), dtype=np.int64, count=len(syllables))
    pairs = np.fromiter((ids[s] for pair in r.bigrams for s in pair), dtype=np.int32, count=2 * len(r.bigrams))
    arrays["restorer.pairs"] = pairs.reshape(-1, 2)
    arrays["restorer.pair_counts"] = np.fromiter(r.bigrams.values(), dtype=np.int64, count=len(r.bigrams))
    header = {**header, "passages": len(chunks), "bm25": params,
              "restorer": {"candidates": r.candidates, "mix": r.mix, "syllables": len(syllables)}}
    arrays["header"] = _json(header)
    return arrays


def _read_catalogue(z: Any, header: dict[str, Any]) -> tuple[list[DocumentMeta], dict[str, tuple[str, float]]]:
    """The documents a file was built with, and their versions and ingest times."""
    docs, versions = [], {}
    for fields, version, ingested_at in json.loads(_bytes(z["documents"])):
        values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()}
        meta = DocumentMeta(**values)
        docs.append(meta)
        versions[meta.doc_id] = (str(version), float(ingested_at))
    if len(versions) != len(docs):
        raise ValueError("a document appears twice")
    return docs, versions


def _same_store(docs: list[DocumentMeta], versions: dict[str, tuple[str, float]], lookup: Lookup) -> bool:
    """Whether a sample of the file's documents is live in the store, as the same versions ingested at the same time."""
    sample = docs[:: max(1, len(docs) // SAMPLED)][:SAMPLED]
    found = lookup([d.doc_id for d in sample])
    for d in sample:
        rec = found.get(d.doc_id)
        if rec is None or rec.meta != d or (rec.version, rec.ingested_at) != versions[d.doc_id]:
            return False
    return True


def _read(
    z: Any, header: dict[str, Any], docs: list[DocumentMeta], versions: dict[str, tuple[str, float]]
) -> LexicalIndex:
    """The index in an open file whose header and documents matched (ValueError, KeyError… when its parts disagree)."""
    n = int(header["passages"])
    meta = {d.doc_id: d for d in docs}
    rows = json.loads(_bytes(z["chunks"]))
    ends = z["text_ends"]
    if len(rows) != n or ends.shape != (n,):
        raise ValueError("passage count differs from the header")
    chunks = []
    texts = z["texts"]
    if texts.dtype != np.uint8 or texts.ndim != 1 or (n and int(ends[-1]) != texts.size):
        raise ValueError("the texts do not fit their offsets")
    with memoryview(texts) as blob:
        start = 0
        for (cid, doc_id, position, section, units, codes), end in zip(rows, ends.tolist()):
            if not start <= end <= len(blob):
                raise ValueError("text offsets out of range")
            chunks.append(StoredChunk(
                chunk_id=cid, doc_id=doc_id, position=int(position), text=str(blob[start:end], "utf-8"),
                section=section, units=tuple(units), meta=meta[doc_id], codes=tuple(codes),
            ))
            start = end
    del rows, texts
    legs = {}
    for name in ("folded", "words"):
        params = header["bm25"][name]
        vocab = _unlines(z[f"{name}.vocab"], int(params["vocab"]))
        parts = {k: z[f"{name}.{k}"] for k in ("idf", "data", "indices", "indptr") if f"{name}.{k}" in z.files}
        legs[name] = BM25Index.from_state(vocab, parts, params)
        if legs[name].size != n:
            raise ValueError(f"the {name} index does not cover every passage")
    spec = header["restorer"]
    syllables = _unlines(z["restorer.syllables"], int(spec["syllables"]))
    counts, pairs, pair_counts = z["restorer.counts"], z["restorer.pairs"], z["restorer.pair_counts"]
    if counts.shape != (len(syllables),) or pairs.ndim != 2 or pairs.shape[1:] != (2,) or pair_counts.shape != pairs.shape[:1]:
        raise ValueError("the diacritic model's arrays disagree")
    if pairs.size and not 0 <= int(pairs.min()) <= int(pairs.max()) < len(syllables):
        raise ValueError("the diacritic model's pairs point outside its syllables")
    unigrams = Counter(dict(zip(syllables, counts.tolist())))
    left, right = pairs[:, 0].tolist(), pairs[:, 1].tolist()
    bigrams = Counter(dict(zip(zip(map(syllables.__getitem__, left), map(syllables.__getitem__, right)),
                               pair_counts.tolist())))
    restorer = DiacriticRestorer.from_counts(unigrams, bigrams, candidates=int(spec["candidates"]), mix=float(spec["mix"]))
    return LexicalIndex(chunks, legs["folded"], legs["words"], restorer, docs, versions)


def _json(value: Any) -> np.ndarray:
    return np.frombuffer(json.dumps(value, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)


def _bytes(array: np.ndarray) -> bytes:
    if array.dtype != np.uint8 or array.ndim != 1:
        raise ValueError("not a byte string")
    return array.tobytes()


def _lines(strings: Sequence[str]) -> np.ndarray:
    """Strings without a newline (tokens, syllables) as newline-joined UTF-8."""
    return np.frombuffer("\n".join(strings).encode("utf-8"), dtype=np.uint8)


def _unlines(array: np.ndarray, count: int) -> list[str]:
    found = _bytes(array).decode("utf-8").split("\n") if count else []
    if len(found) != count:  # a token holding a newline would shift every id after it
        raise ValueError("string count differs from the header")
    return found
