"""HashEmbeddings: a deterministic, model-free stand-in for the embedding model (tests, benchmarks).

It lives beside the interface it fakes, as langchain-core keeps its fakes, so that benchmarks and
other tools need not import the test suite; nothing in the product uses it.
"""

from __future__ import annotations

import hashlib
import itertools

import numpy as np
from langchain_core.embeddings import Embeddings

from knowledge.text import tokens


class HashEmbeddings(Embeddings):
    """Hashed bag of diacritic-folded syllables and syllable bigrams, L2-normalised.

    Texts that share words get a positive cosine; "doan kiem tra" and "Đoàn kiểm tra" embed
    identically. Instances count calls so tests can assert on caching and batching.
    """

    def __init__(self, dim: int = 256, *, query_prompt: str = "", passage_prompt: str = "") -> None:
        self._dim = dim
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        self.calls: list[tuple[str, int]] = []

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def name(self) -> str:
        return f"hash-{self._dim}"

    def _vector(self, text: str) -> list[float]:
        toks = tokens(text)
        feats = toks + [f"{a} {b}" for a, b in itertools.pairwise(toks)]
        vec = np.zeros(self._dim, dtype=np.float64)
        for feat in feats:
            h = int.from_bytes(hashlib.blake2b(feat.encode("utf-8"), digest_size=8).digest(), "little")
            weight = 1.0 if " " not in feat else 0.5
            vec[h % self._dim] += weight
        norm = float(np.linalg.norm(vec))
        if norm == 0:
            vec[0] = 1.0  # an empty text still gets a unit vector (Chroma rejects zeros)
            norm = 1.0
        return (vec / norm).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls.append(("documents", len(texts)))
        return [self._vector(self.passage_prompt + t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        self.calls.append(("query", 1))
        return self._vector(self.query_prompt + text)
