"""A large synthetic knowledge base made from the real corpus, for benchmarks/bench_scale.py.

Round 0 is the real text: the party corpus (one document per file) and the ALQAC law articles
(one document per article), exactly as the evaluation harness loads them. Every later round
adds one variant of each party document and one variant of each law (its articles gathered
into one document, as a law is published). A variant keeps the structure (headings, numbering)
and varies the body: sentences shuffled inside a paragraph, now and then a sentence taken
from another document, numbers, dates and years changed (so document codes differ too), and
ward/commune names replaced by others, some made up from syllables of real names.

Dense vectors: embedding 100,000 passages with the real model takes hours on 2 cores, so
only the real passages (round 0, about 5,400) are embedded by the real model (cached on
disk). A variant passage gets the real vectors of the three real passages closest to it
by BM25 (weighted by score), plus a little Gaussian noise, normalised. Questions are always
embedded by the real model.
"""

from __future__ import annotations

import json
import random
import re
import zlib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from knowledge.eval.harness import load_corpus
from knowledge.models import LoadedDocument
from knowledge.search.lexical import BM25Index, folded_tokens
from knowledge.text import normalize

_UNIT_RE = re.compile(r"\b(phường|xã|thị trấn|Phường|Xã|Thị trấn) ((?:[A-ZĐÂĂÊÔƠƯ]\w*)(?: [A-ZĐÂĂÊÔƠƯ]\w*){0,2})")
_DATE_RE = re.compile(r"\b(\d{1,2})/(\d{1,2})/((?:19|20)\d\d)\b")
_YEAR_RE = re.compile(r"\b(?:19|20)\d\d\b")
_NUM_RE = re.compile(r"\b\d+\b")
_SENT_RE = re.compile(r"(?<=[.;:!?])\s+(?=[A-ZĐÀ-Ỹ0-9\"(])")
# Lines that carry structure: headings and list markers stay as they are.
_HEADING_RE = re.compile(r"^\s*(?:Điều|Chương|Mục|Phần|[IVXLC]+\.|\d+(?:\.\d+)*\.?\s|[a-zđ]\)|[-+*•])")
NOISE = 0.25  # length of the noise vector added to a borrowed dense vector (cosine to it about 0.97)


def real_documents(shared: Path) -> list[LoadedDocument]:
    """Round 0: the party corpus and the ALQAC articles, loaded as the evaluation harness does."""
    return load_corpus(shared / "corpus") + load_corpus(shared / "eval" / "alqac_passages.jsonl")


def _laws(shared: Path) -> dict[str, list[tuple[str, str]]]:
    laws: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for line in (shared / "eval" / "alqac_passages.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            laws[d["law_id"]].append((str(d.get("article_id") or len(laws[d["law_id"]]) + 1), d["text"]))
    return laws


class Varier:
    """Makes variants of real text: shuffled, recombined, with other numbers, dates and unit names."""

    def __init__(self, texts: Sequence[str], seed: int = 0) -> None:
        self.rng = random.Random(seed)
        names = sorted({m.group(2) for t in texts for m in _UNIT_RE.finditer(t)})
        syllables = sorted({s for n in names for s in n.split()})
        made_up = {f"{self.rng.choice(syllables)} {self.rng.choice(syllables)}" for _ in range(400)}
        self.unit_names = names + sorted(made_up)
        self.sentences = [s for t in texts for p in t.split("\n") if len(p) > 120 for s in _SENT_RE.split(p)]

    def _number(self, m: re.Match[str]) -> str:
        digits = m.group(0)
        if len(digits) > 6:
            return digits
        value = self.rng.randint(1, 10 ** len(digits) - 1)
        return str(value).zfill(len(digits)) if digits.startswith("0") else str(value)

    def _date(self, m: re.Match[str]) -> str:
        return f"{self.rng.randint(1, 28)}/{self.rng.randint(1, 12)}/{self.rng.randint(2005, 2025)}"

    def numbers(self, text: str) -> str:
        """Dates, years and other numbers replaced by plausible others."""
        text = _DATE_RE.sub(self._date, text)
        text = _YEAR_RE.sub(lambda m: str(self.rng.randint(2005, 2025)), text)
        return _NUM_RE.sub(self._number, text)

    def paragraph(self, para: str) -> str:
        """One body paragraph varied; headings and short lines only get new numbers."""
        if len(para) < 100 or _HEADING_RE.match(para):
            return self.numbers(para) if self.rng.random() < 0.5 else para
        sents = _SENT_RE.split(para)
        if len(sents) >= 2 and self.rng.random() < 0.6:
            self.rng.shuffle(sents)
        if self.sentences and self.rng.random() < 0.3:
            sents[self.rng.randrange(len(sents))] = self.rng.choice(self.sentences)
        text = _UNIT_RE.sub(lambda m: f"{m.group(1)} {self.rng.choice(self.unit_names)}", " ".join(sents))
        return self.numbers(text)

    def text(self, text: str) -> str:
        """A variant of a whole document: the title block gets new numbers (a new code), the body varies."""
        lines = text.split("\n")
        head = [self.numbers(line) for line in lines[:8]]
        return normalize("\n".join(head + [self.paragraph(p) for p in lines[8:]]))


def _doc(doc_id: str, text: str, title: str | None) -> LoadedDocument:
    import hashlib

    return LoadedDocument(
        doc_id=doc_id, source=f"synthetic:{doc_id}", text=text, fmt="txt",
        sha256=hashlib.sha256(text.encode()).hexdigest(), size=len(text), title_hint=title,
    )


def variant_rounds(shared: Path, seed: int = 0) -> Iterator[list[LoadedDocument]]:
    """Round after round of variant documents (round 1, 2, …): every party document and every law once."""
    party = load_corpus(shared / "corpus")
    laws = _laws(shared)
    varier = Varier([d.text for d in party] + [t for arts in laws.values() for _, t in arts], seed)
    n = 0
    while True:
        n += 1
        docs = [_doc(f"{d.doc_id}~v{n:03d}", varier.text(d.text), None) for d in party]
        for law, articles in sorted(laws.items()):
            body = [f"Điều {a}. {varier.paragraph(t)}" for a, t in articles]
            text = normalize(f"{varier.numbers(law)}\n\n" + "\n\n".join(body))
            docs.append(_doc(f"{law}~v{n:03d}", text, law))
        varier.rng.shuffle(docs)
        yield docs


class BorrowedVectors(Embeddings):
    """Passage vectors borrowed from real passages (see the module docstring); queries use the real model."""

    def __init__(self, real: Embeddings, name: str, passages: Sequence[str], vectors: Sequence[Sequence[float]]) -> None:
        self.real = real
        self.name = name  # the store records the real model's name: queries are embedded by it
        self._exact = {p: i for i, p in enumerate(passages)}
        self._vectors = np.asarray(vectors, dtype=np.float32)
        self._index = BM25Index([folded_tokens(p) for p in passages])

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out = []
        dim = self._vectors.shape[1]
        for text in texts:
            i = self._exact.get(text)
            if i is not None:
                out.append(self._vectors[i].tolist())
                continue
            scores = self._index.scores(folded_tokens(text))
            top = np.argsort(-scores)[:3]
            weights = scores[top] if scores[top].sum() > 0 else np.ones(len(top), dtype=np.float32)
            vec = (weights / weights.sum()) @ self._vectors[top]
            rng = np.random.default_rng(zlib.crc32(text.encode()))
            vec = vec / np.linalg.norm(vec) + rng.normal(0.0, NOISE / np.sqrt(dim), dim)
            out.append((vec / np.linalg.norm(vec)).astype(np.float32).tolist())
        return out

    def embed_query(self, text: str) -> list[float]:
        return self.real.embed_query(text)
