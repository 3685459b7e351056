"""The BM25 leg: Vietnamese lexical tokens and an in-process bm25s index.

Two token fields per chunk, computed once at ingest and stored in Chroma metadata so the
index can be rebuilt from the store alone: diacritic-folded syllables plus their bigrams
(robust to questions typed without diacritics) and word-segmented compounds with their
diacritics (pyvi: "kiểm_tra", precise when the question has diacritics). Document codes are
single tokens in both.
"""

from __future__ import annotations

import logging
import re
from array import array
from collections.abc import Iterable, Sequence

import numpy as np

from knowledge.search.segmenter import segmenter
from knowledge.text import CODE_RE, code_token, fold, nfc

_SYL_RE = re.compile(r"\w+", re.UNICODE)

def _syllables(text: str) -> list[str]:
    return _SYL_RE.findall(fold(text))


def folded_tokens(text: str, *, bigrams: bool = True) -> list[str]:
    """Folded syllables (codes whole), plus adjacent-syllable bigrams such as ``kiem_tra``."""
    text = nfc(text)
    out: list[str] = []
    pos = 0
    for m in CODE_RE.finditer(text):
        out.extend(_with_bigrams(_syllables(text[pos : m.start()]), bigrams))
        out.append(code_token(m.group(0)))
        pos = m.end()
    out.extend(_with_bigrams(_syllables(text[pos:]), bigrams))
    return out


def _with_bigrams(syls: list[str], bigrams: bool) -> list[str]:
    if not bigrams or len(syls) < 2:
        return syls
    return syls + [f"{a}_{b}" for a, b in zip(syls, syls[1:])]


def pyvi_segment(text: str) -> str:
    """pyvi's ``ViTokenizer.tokenize``: same model, same output, without importing scikit-learn.

    The model is loaded on the first call (``knowledge/search/segmenter.py``);
    ``tests/unit/test_lexical_pyvi.py`` checks the output is pyvi's own.
    """
    return segmenter().segment(text)


def _segment(text: str) -> list[str]:
    return [t for t in pyvi_segment(text).lower().split() if any(ch.isalnum() for ch in t)]


def word_tokens(text: str) -> list[str]:
    """Word-segmented, lower-case tokens with diacritics (pyvi), codes kept whole."""
    text = nfc(text)
    out: list[str] = []
    pos = 0
    for m in CODE_RE.finditer(text):
        if m.start() > pos:
            out.extend(_segment(text[pos : m.start()]))
        out.append(code_token(m.group(0)))
        pos = m.end()
    if pos < len(text):
        out.extend(_segment(text[pos:]))
    return out


class BM25Index:
    """A bm25s index over pre-tokenised documents; scores every document for a query."""

    def __init__(self, corpus_tokens: Iterable[Sequence[str]], *, k1: float = 1.2, b: float = 0.75) -> None:
        """``corpus_tokens`` may be a generator: each document's tokens are turned into a compact
        array of vocabulary ids as it comes, so no list of strings per document is ever held
        (at 100,000 passages those lists and their Python ints took 2.7 GB)."""
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG

        self._vocab: dict[str, int] = {}
        ids: list[array[int]] = []
        for toks in corpus_tokens:
            ids.append(array("i", [self._vocab.setdefault(t, len(self._vocab)) for t in toks] or [self._pad_id()]))
        self.size = len(ids)
        self._bm25 = bm25s.BM25(k1=k1, b=b)
        if self.size:
            self._bm25.index(bm25s.tokenization.Tokenized(ids=ids, vocab=self._vocab), show_progress=False)
        df = np.zeros(len(self._vocab), dtype=np.int64)
        for row in ids:
            for i in set(row):
                df[i] += 1
        self._idf = np.log1p((self.size - df + 0.5) / (df + 0.5))

    def _pad_id(self) -> int:
        return self._vocab.setdefault("\x00", len(self._vocab))

    def known(self, tokens: Sequence[str]) -> list[str]:
        """The query tokens present in the index vocabulary."""
        return [t for t in tokens if t in self._vocab]

    def idf(self, token: str) -> float:
        """Inverse document frequency of a token (0 for unknown tokens)."""
        i = self._vocab.get(token)
        return float(self._idf[i]) if i is not None else 0.0

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for the query tokens (zeros when none is known)."""
        known = [self._vocab[t] for t in tokens if t in self._vocab]
        if not known or not self.size:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def state(self) -> tuple[list[str], dict[str, np.ndarray], dict[str, float]]:
        """What ``from_state`` needs to give this index back: the vocabulary in id order, the
        arrays (bm25s's score matrix, the IDFs) and the parameters."""
        vocab = [""] * len(self._vocab)
        for token, i in self._vocab.items():
            vocab[i] = token
        arrays = {"idf": self._idf}
        if self.size:
            found = self._bm25.scores
            arrays.update(data=found["data"], indices=found["indices"], indptr=found["indptr"])
        return vocab, arrays, {"k1": float(self._bm25.k1), "b": float(self._bm25.b), "size": self.size}

    @classmethod
    def from_state(
        cls, vocab: list[str], arrays: dict[str, np.ndarray], params: dict[str, float]
    ) -> BM25Index:
        """The index ``state`` described, scoring exactly as it did; ValueError when the parts do
        not fit together (a damaged or foreign file must not reach a question)."""
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)
        self = cls.__new__(cls)
        self._vocab = dict(zip(vocab, range(len(vocab))))
        self.size = int(params["size"])
        self._idf = arrays["idf"]
        if len(self._vocab) != len(vocab) or self._idf.shape != (len(vocab),) or self._idf.dtype != np.float64:
            raise ValueError("vocabulary and IDFs disagree")
        self._bm25 = bm25s.BM25(k1=float(params["k1"]), b=float(params["b"]))
        if self.size:
            data, indices, indptr = arrays["data"], arrays["indices"], arrays["indptr"]
            if not (
                data.ndim == indices.ndim == indptr.ndim == 1
                and data.dtype == np.float32 and indices.dtype.kind == indptr.dtype.kind == "i"
                and data.size == indices.size and 1 <= indptr.size <= len(vocab) + 1
                and indptr[0] == 0 and indptr[-1] == data.size and bool(np.all(np.diff(indptr) >= 0))
                and (indices.size == 0 or 0 <= int(indices.min()) <= int(indices.max()) < self.size)
            ):
                raise ValueError("the score matrix does not fit the vocabulary and documents")
            # what bm25s's own BM25.load sets
            self._bm25.scores = {"data": data, "indices": indices, "indptr": indptr, "num_docs": self.size}
            self._bm25.vocab_dict = self._vocab
            self._bm25.unique_token_ids_set = set(self._vocab.values())
            self._bm25.nonoccurrence_array = None
        return self
