"""Documents a question names without a number: by title ("Điều lệ Đảng") or by issuer.

"Theo Điều lệ Đảng, …", "Quy định thi hành Điều lệ …", "Theo Sổ tay …", "theo hướng dẫn của
Ban Tổ chức Thành ủy Hà Nội" narrow the search to those documents, as a code would. A match
must look like a reference: it starts with a kind of document (Điều lệ, Quy định, Sổ tay…) or
a body (Ban, Thành ủy…), follows "theo", "của", "trong"… or opens the question, and runs at
least three syllables along the title or the issuing body (or is the kind of a stored
document, as "Sổ tay"). The longest match wins; a title that starts with it wins a tie.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.models import DocumentMeta
from knowledge.text import fold
from knowledge.vocab import DOC_TYPES

_SYL = re.compile(r"\w+")
_KINDS = tuple(tuple(fold(t.name).split()) for t in DOC_TYPES) + (("so", "tay"), ("dieu", "le"), ("luat",))
_BODIES = (
    ("ban",), ("bo", "chinh", "tri"), ("uy", "ban"), ("van", "phong"), ("thanh", "uy"), ("tinh", "uy"),
    ("quan", "uy"), ("huyen", "uy"), ("dang", "uy"), ("trung", "uong"), ("dai", "hoi"),
)
_CUES = {"theo", "cua", "trong", "tai", "can", "do", "thuoc"}


@dataclass(frozen=True)
class DocumentReference:
    """The stored documents a question names, and the words that name them."""

    doc_ids: tuple[str, ...]
    start: int  # character span of the naming words in the question
    stop: int


def _syllables(text: str) -> list[tuple[str, int, int]]:
    folded = fold(text)
    return [(m.group(0), m.start(), m.end()) for m in _SYL.finditer(folded)]


def _starts_with(words: Sequence[str], prefixes: Sequence[tuple[str, ...]]) -> bool:
    return any(tuple(words[: len(p)]) == p for p in prefixes)


def _longest_run(question: list[str], field: list[str]) -> tuple[int, int, bool]:
    """(length, start in question, starts the field) of the longest common run of syllables."""
    best = (0, 0, False)
    for i in range(len(question)):
        for j in range(len(field)):
            n = 0
            while i + n < len(question) and j + n < len(field) and question[i + n] == field[j + n]:
                n += 1
            if n > best[0] or (n == best[0] and n and j == 0 and not best[2]):
                best = (n, i, j == 0)
    return best


def named_documents(question: str, docs: Sequence[DocumentMeta]) -> DocumentReference | None:
    """The documents a question refers to by title or issuer, if it clearly refers to some."""
    syls = _syllables(question)
    words = [s for s, _, _ in syls]
    matches: list[tuple[float, str, int, int]] = []
    for doc in docs:
        for field, kinds in ((doc.title, _KINDS), (doc.issuing_body or "", _BODIES)):
            field_words = [s for s, _, _ in _syllables(field)]
            n, i, at_start = _longest_run(words, field_words)
            if n < 2 or not _starts_with(words[i : i + n], kinds):
                continue
            cue = i == 0 or words[i - 1] in _CUES or (i >= 2 and words[i - 2] == "can" and words[i - 1] == "cu")
            if not cue:
                continue
            kind_only = any(tuple(words[i : i + n]) == k for k in kinds)
            if n < 3 and not (kind_only and at_start):
                continue  # "Sổ tay" names the handbooks; two syllables of a longer title name nothing
            matches.append((n + (0.5 if at_start and kinds is _KINDS else 0.0), doc.doc_id, i, n))
    if not matches:
        return None
    top = max(m[0] for m in matches)
    chosen = [m for m in matches if m[0] == top]
    i, n = chosen[0][2], chosen[0][3]
    return DocumentReference(tuple(dict.fromkeys(m[1] for m in chosen)), syls[i][1], syls[i + n - 1][2])
