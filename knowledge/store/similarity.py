"""A short signature of a document's text, to tell "the same text in another format" from a new document.

A bottom-k sketch (Broder's MinHash with one hash function): the k smallest hashes of the text's
folded word trigrams. Two sketches estimate the Jaccard overlap of the trigram sets, whatever
the line breaks, hyphenation or letter case of a PDF against its text twin. Stored as hex in
the catalogue (about 2 KB per document), so comparing an upload with every stored document
reads no chunks.
"""

from __future__ import annotations

import hashlib
import re

from knowledge.text import fold

K = 128
_WORD = re.compile(r"\w+", re.UNICODE)


def signature(text: str) -> str:
    """The sketch of a text, as space-separated hex (empty for a text under three words)."""
    words = _WORD.findall(fold(text))
    shingles = {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}
    hashes = sorted({hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest() for s in shingles})[:K]
    return " ".join(h.hex() for h in hashes)


def similarity(a: str, b: str) -> float:
    """Estimated Jaccard overlap (0..1) of the texts behind two signatures."""
    sa, sb = set(a.split()), set(b.split())
    if not sa or not sb:
        return 0.0
    union = sorted(sa | sb)[:K]
    both = sa & sb
    return sum(1 for h in union if h in both) / len(union)
