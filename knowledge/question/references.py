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
_KINDS = tuple(tuple(fold(t.name).split()) for t in DOC_TYPES)
_BODIES = (
    ("ban",), ("bo", "chinh", "tri"), ("uy", "ban"), ("van", "phong"), ("thanh", "uy"), ("tinh", "uy"),
    ("quan", "uy"), ("huyen", "uy"), ("dang", "uy"), ("trung", "uong"), ("dai", "hoi"),
)
_CUES = {"theo", "cua", "trong", "tai", "can", "do", "thuoc"}
# Kinds that are also the common nouns of speech: "theo quy định hiện hành", "theo hướng dẫn",
# "theo kế hoạch" say "by the rules", not which document; named alone they name none (a number or
# title words after them do). "Điều lệ", "Sổ tay" stay names.
_COMMON_KINDS = frozenset(_KINDS) - {("dieu", "le"), ("so", "tay")}


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


class DocumentNames:
    """The titles and issuing bodies of the stored documents, indexed by their syllable triples."""

    def __init__(self, docs: Sequence[DocumentMeta]) -> None:
        self._fields: list[tuple[str, list[str], tuple[tuple[str, ...], ...]]] = []
        self._by_triple: dict[tuple[str, ...], set[int]] = {}
        self._kinds: dict[tuple[str, ...], set[int]] = {}
        for doc in docs:
            for field, kinds in ((doc.title, _KINDS), (doc.issuing_body or "", _BODIES)):
                words = [s for s, _, _ in _syllables(field)]
                if len(words) < 2:
                    continue
                n = len(self._fields)
                self._fields.append((doc.doc_id, words, kinds))
                for i in range(len(words) - 1):
                    self._by_triple.setdefault(tuple(words[i : i + 3]), set()).add(n)
                    self._by_triple.setdefault(tuple(words[i : i + 2]), set()).add(n)

    def find(self, question: str) -> DocumentReference | None:
        """The documents a question refers to by title or issuer, if it clearly refers to some."""
        syls = _syllables(question)
        words = [s for s, _, _ in syls]
        starts = [
            i for i in range(len(words))
            if (i == 0 or words[i - 1] in _CUES) and (_starts_with(words[i:], _KINDS) or _starts_with(words[i:], _BODIES))
        ]
        matches: list[tuple[float, str, int, int]] = []
        for i in starts:
            fields = self._by_triple.get(tuple(words[i : i + 3]), set()) | self._by_triple.get(tuple(words[i : i + 2]), set())
            for n in fields:
                doc_id, field_words, kinds = self._fields[n]
                length, j, at_start = _run_from(words, i, field_words)
                if length < 2 or not _starts_with(words[i : i + length], kinds):
                    continue
                kind_only = any(tuple(words[i : i + length]) == k for k in kinds)
                if kind_only and tuple(words[i : i + length]) in _COMMON_KINDS:
                    continue
                if length < 3 and not (kind_only and at_start):
                    continue  # "Sổ tay" names the handbooks; two syllables of a longer title name nothing
                matches.append((length + (0.5 if at_start and kinds is _KINDS else 0.0), doc_id, i, length))
        if not matches:
            return None
        top = max(m[0] for m in matches)
        chosen = [m for m in matches if m[0] == top]
        i, n = chosen[0][2], chosen[0][3]
        return DocumentReference(tuple(dict.fromkeys(m[1] for m in chosen)), syls[i][1], syls[i + n - 1][2])


def _run_from(question: list[str], i: int, field: list[str]) -> tuple[int, int, bool]:
    """(length, start in field, starts the field) of the longest run of the field from question[i]."""
    best = (0, 0, False)
    for j in range(len(field)):
        n = 0
        while i + n < len(question) and j + n < len(field) and question[i + n] == field[j + n]:
            n += 1
        if n > best[0] or (n == best[0] and n and j == 0 and not best[2]):
            best = (n, j, j == 0)
    return best
