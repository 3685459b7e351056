"""Documents a question names by code: in full ("01-CTr/QU"), by kind and number ("Quyết định 271"),
and whether a question is about a document the knowledge base does not hold."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.models import DocumentMeta
from knowledge.text import CODE_RE, LAW_CODE_RE, code_key, fold, nfc
from knowledge.vocab import code_types_by_word

# "Quyết định 271", "quy định số 294", "chương trình 01", "hướng dẫn 06", "QĐ 294"
_TYPE_WORDS = code_types_by_word()  # "quyet dinh", "qd" -> ("QD", "QDI")
_NAMED_CODE_RE = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, _TYPE_WORDS), key=len, reverse=True)) + r")\s+(?:so\s+)?(\d{1,4})\b"
)

@dataclass(frozen=True)
class CodeRef:
    """A document code the question refers to, possibly without issuer ("Quyết định 271")."""

    number: int
    types: tuple[str, ...]
    issuer: str | None = None

    def matches(self, code: str | None) -> bool:
        if not code:
            return False
        key = code_key(code)  # e.g. 271-QD/QU
        m = re.match(r"(\d+)-([A-Z]+)/(.+)$", key)
        if not m or int(m.group(1)) != self.number:
            return False
        if self.types and m.group(2) not in self.types:
            return False
        return self.issuer is None or m.group(3) == self.issuer


def resolve_named_codes(text: str, known_codes: Sequence[str]) -> str:
    """The text with each document named by kind and number ("Quyết định 271") written as the one
    code of the knowledge base it can be ("271-QĐ/QU"), so that it is matched as that code."""
    text = nfc(text)
    folded = fold(text)
    if len(folded) != len(text) or not known_codes:
        return text
    out, pos = [], 0
    for m in _NAMED_CODE_RE.finditer(folded):
        if (m.start() and text[m.start() - 1] in "-/") or text[m.end() : m.end() + 1] in ("-", "/"):
            continue  # part of a code written in full ("Chương trình 01-CTr/QU")
        ref = CodeRef(int(m.group(2)), _TYPE_WORDS[m.group(1)])
        matching = sorted({c for c in known_codes if ref.matches(c)})
        if len(matching) == 1:
            out += [text[pos : m.start()], matching[0]]
            pos = m.end()
    return "".join(out) + text[pos:]


def detect_codes(question: str) -> list[CodeRef]:
    """Document codes written in full ("01-CTr/QU") or by type and number ("Quyết định 271")."""
    refs: list[CodeRef] = []
    for m in CODE_RE.finditer(nfc(question)):
        key = code_key(m.group(0))
        km = re.match(r"(\d+)-([A-Z]+)/(.+)$", key)
        if km:
            refs.append(CodeRef(int(km.group(1)), (km.group(2),), km.group(3)))
    stripped = CODE_RE.sub(" ", nfc(question))
    for m in _NAMED_CODE_RE.finditer(fold(stripped)):
        refs.append(CodeRef(int(m.group(2)), _TYPE_WORDS[m.group(1)]))
    return list(dict.fromkeys(refs))


_LEADING_DOC = re.compile(
    r"^(?:theo|trong|tai|can cu|noi dung(?: cua)?|van ban)?\s*"
    r"(?:(?:nghi dinh|quyet dinh|quy dinh|huong dan|chuong trinh|ke hoach|nghi quyet|chi thi|thong tu|luat"
    r"|ket luan|thong bao|cong van|qd|hd|nq|ctr|kh|tt|nd)\s+)?(?:so\s+)?"
)


# What a question asks of a document itself: its content or its issuing.
_ABOUT_DOCUMENT = re.compile(
    r"^\W*(?:(?:cua|do)\s+[\w\s]{0,40}?)?(?:quy dinh|huong dan|dat ra|de ra|neu|yeu cau|gom|bao gom|noi gi|viet gi"
    r"|co (?:nhung |cac )?(?:noi dung|chi tieu|nhiem vu|dieu|chuong|muc)|duoc ban hanh|ban hanh|duoc ky|ky|co hieu luc"
    r"|thay the|sua doi)\b"
)


def leading_document(question: str) -> str | None:
    """The document a question is about, when it starts with one ("Nghị định số 278/2025/NĐ-CP quy định…").

    Such a question asks what that document says ("Theo …", "… quy định", "… đặt ra") or when
    it was issued; it cannot be answered from documents that merely cite it. A question that
    only starts with a document's name ("Chương trình 01-CTr/QU kiểm tra những đơn vị nào?")
    is about something else and is not returned.
    """
    text = nfc(question).strip()
    folded = fold(text)
    m = _LEADING_DOC.match(folded)
    start = m.end() if m else 0
    if len(folded) != len(text):  # folding changed offsets (unusual characters): no guess
        return None
    for pattern in (CODE_RE, LAW_CODE_RE):
        found = pattern.match(text, start)
        if found:
            by_theo = folded.startswith(("theo ", "can cu "))
            if by_theo or _ABOUT_DOCUMENT.match(folded[found.end() :]):
                return found.group(0)
    return None


def is_stored_code(code: str, docs: Sequence[DocumentMeta]) -> bool:
    """Whether a stored document carries this code as its own (party codes by key, others verbatim)."""
    refs = detect_codes(code)
    if refs:
        return bool(documents_for_codes(refs, docs))
    key = fold(code).replace(" ", "")
    return any(d.code and fold(d.code).replace(" ", "") == key for d in docs)


def documents_for_codes(codes: Sequence[CodeRef], docs: Sequence[DocumentMeta]) -> list[str]:
    """Ids of stored documents whose own code matches one of the references."""
    return [d.doc_id for d in docs if any(ref.matches(d.code) for ref in codes)]
