"""Which stored documents an incoming file resembles, and which doc_id it gets.

A document is identified by its content and its code, never by its file name alone:

* ``identical`` – a live document came from exactly these bytes ("đã có", nothing to add);
* ``same_code`` – the same document code (and a compatible issue date: numbers restart every
  term, so 01-KH/ĐU of 2016 and of 2021 are different documents);
* ``similar_text`` – nearly the same text (the PDF of a stored text, a corrected re-issue);
* ``same_name`` – only the file name is the same (two different ``huongdan.pdf``).

The first three are the same document: it is never added silently, only replaced on an explicit
request. A file whose name is taken by a different document gets a new doc_id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from knowledge.models import DocumentMeta, StoredMatch
from knowledge.store.chroma import KnowledgeStore
from knowledge.store.records import DocRecord
from knowledge.store.similarity import signature, similarity
from knowledge.text import code_key

_ORDER = {"identical": 0, "same_code": 1, "similar_text": 2, "same_name": 3}


def dates_compatible(a: str | None, b: str | None) -> bool:
    """Whether two issue dates (YYYY, YYYY-MM or YYYY-MM-DD) can be the same day."""
    if not a or not b:
        return True
    return a.startswith(b) or b.startswith(a)


def _match(rec: DocRecord, reason: str) -> StoredMatch:
    m = rec.meta
    return StoredMatch(m.doc_id, m.title, m.code, m.issue_date, reason)  # type: ignore[arg-type]


def find_matches(
    store: KnowledgeStore,
    *,
    sha256: str,
    meta: DocumentMeta,
    sig: str,
    name_id: str,
    threshold: float,
    documents: Iterable[DocRecord] | None = None,
) -> tuple[StoredMatch, ...]:
    """Stored documents this content resembles, the strongest reason first, one entry per document."""
    best: dict[str, StoredMatch] = {}

    def add(rec: DocRecord, reason: str) -> None:
        old = best.get(rec.meta.doc_id)
        if old is None or _ORDER[reason] < _ORDER[old.reason]:
            best[rec.meta.doc_id] = _match(rec, reason)

    for rec in store.documents_with_sha(sha256):
        add(rec, "identical")
    docs = list(documents) if documents is not None else store.documents()
    key = code_key(meta.code) if meta.code else None
    for rec in docs:
        if rec.meta.doc_id in best and best[rec.meta.doc_id].reason == "identical":
            continue
        if key and rec.meta.code and code_key(rec.meta.code) == key and dates_compatible(meta.issue_date, rec.meta.issue_date):
            add(rec, "same_code")
        elif sig and rec.sig and not _other_code(key, rec) and similarity(sig, rec.sig) >= threshold:
            add(rec, "similar_text")
        elif rec.meta.doc_id == name_id:
            add(rec, "same_name")
    return tuple(sorted(best.values(), key=lambda m: (_ORDER[m.reason], m.doc_id)))


def _other_code(key: str | None, rec: DocRecord) -> bool:
    """Both documents carry a code and the codes differ: two documents from one template, not one document."""
    return bool(key and rec.meta.code and code_key(rec.meta.code) != key)


def free_doc_id(name_id: str, sha256: str, taken: Sequence[str] | set[str]) -> str:
    """``name_id`` if no document has it, else ``name_id-<first 8 hex of the content hash>``."""
    taken = set(taken)
    if name_id not in taken:
        return name_id
    candidate = f"{name_id}-{sha256[:8]}"
    n = 2
    while candidate in taken:
        candidate = f"{name_id}-{sha256[:8]}-{n}"
        n += 1
    return candidate


def text_signature(text: str) -> str:
    """The similarity signature of a document's text."""
    return signature(text)


def sha256_of(data: bytes) -> str:
    """The content hash that identifies a file's bytes."""
    return hashlib.sha256(data).hexdigest()
