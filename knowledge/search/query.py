"""Query understanding: abbreviations both ways, document codes, units, follow-ups."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from knowledge.documents.units import find_units
from knowledge.models import DocumentMeta, Turn
from knowledge.search.dialogue import continue_from, is_followup, question_part
from knowledge.search.references import DocumentNames
from knowledge.text import CODE_RE, LAW_CODE_RE, code_key, fold, has_diacritics, nfc, normalize
from knowledge.vocab import code_types_by_word

# "Quyết định 271", "quy định số 294", "chương trình 01", "hướng dẫn 06", "QĐ 294"
_TYPE_WORDS = code_types_by_word()  # "quyet dinh", "qd" -> ("QD", "QDI")
_NAMED_CODE_RE = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, _TYPE_WORDS), key=len, reverse=True)) + r")\s+(?:so\s+)?(\d{1,4})\b"
)
_MY_UNIT_RE = re.compile(
    r"\b(don vi|chi bo|dang bo|dang uy|co quan|phuong|xa)\s+(toi|minh|chung toi|cua toi|cua minh|em|chung em)\b"
)
# Yes/no tails carry no topic ("…, đúng hay sai?", "… có phải không?"): dropped for retrieval.
_TAIL_RE = re.compile(
    r"[\s,;:.-]*(?:(?:là\s+)?(?:đúng|sai)\s+(?:hay|hoặc)\s+(?:sai|đúng)|(?:có\s+)?(?:đúng|phải)\s+không)\s*[?.!]*\s*$",
    re.IGNORECASE,
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


@dataclass(frozen=True)
class AnalyzedQuery:
    """A question ready for retrieval."""

    original: str
    text: str  # normalised, with "đơn vị tôi" resolved and the follow-up rewritten
    expansions: tuple[str, ...] = ()
    codes: tuple[CodeRef, ...] = ()
    units: tuple[str, ...] = ()  # known units named in the question (canonical spelling)
    unknown_units: tuple[str, ...] = ()  # unit-like names the knowledge base does not know
    accented: bool = True
    rewritten: bool = False
    incidental: tuple[str, ...] = ()  # units and years a rule question names only in passing (left out)
    documents: tuple[str, ...] = ()  # stored documents named by title or issuer ("Theo Điều lệ Đảng")
    reference: str = ""  # the words that name them

    @property
    def topic_text(self) -> str:
        """The question without the words that name a document (they say where to look, not what)."""
        if not self.reference:
            return self.text
        return " ".join(self.text.replace(self.reference, " ", 1).split())

    @property
    def search_text(self) -> str:
        """What retrieval searches for: once the search is held to the documents the question
        names, the words naming them are in every passage there and only blur the ranking."""
        text = self.text
        if self.documents and self.reference and re.search(r"\w{2,}", self.topic_text):
            text = self.topic_text
        return " ".join((text, *self.expansions))


@dataclass
class Glossary:
    """Abbreviation ↔ expansion pairs, matched on folded text."""

    pairs: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def load(cls, extra: Path | None = None) -> Glossary:
        text = resources.files("knowledge").joinpath("data/glossary.tsv").read_text(encoding="utf-8")
        if extra is not None and extra.is_file():
            text += "\n" + extra.read_text(encoding="utf-8")
        pairs: list[tuple[str, str]] = []
        for line in text.splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            short, *longs = [nfc(p.strip()) for p in line.split("\t") if p.strip()]
            pairs.extend((short, long) for long in longs)
        return cls(pairs)

    def matches(self, question: str) -> list[tuple[str, str]]:
        """(abbreviation, expansion) pairs the question uses, in either form."""
        question = CODE_RE.sub(" ", nfc(question))  # "QU" inside "01-CTr/QU" is not an abbreviation
        folded = f" {fold(question)} "
        raw_words = set(re.findall(r"\w+", question))
        out: list[tuple[str, str]] = []
        for short, long in self.pairs:
            # abbreviations must be typed as such (upper case) unless they are 4+ letters long
            short_f = fold(short)
            typed = short in raw_words or short.upper() in raw_words or (
                len(short) >= 4 and f" {short_f} " in folded
            )
            if typed or re.search(rf"(?<!\w){re.escape(fold(long))}(?!\w)", folded):
                out.append((short, long))
        return out

    def expand(self, question: str) -> list[str]:
        """Expansions of abbreviations in the question and abbreviations of phrases in it."""
        folded = f" {fold(CODE_RE.sub(' ', nfc(question)))} "
        out: list[str] = []
        for short, long in self.matches(question):
            if f" {fold(long)} " not in folded:
                out.append(long)
            elif fold(short) not in folded.split():
                out.append(short)
        return list(dict.fromkeys(out))


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


def _unit_name(unit: str) -> str:
    words = fold(unit).split()
    return " ".join(words[1:]) if len(words) > 2 else " ".join(words)


def detect_units(question: str, known_units: Iterable[str]) -> list[str]:
    """Known units named in the question, accent-insensitively ("cu khoi" → "phường Cự Khối")."""
    folded = " " + " ".join(re.findall(r"\w+", fold(question))) + " "
    found = []
    for unit in known_units:
        full, name = " ".join(re.findall(r"\w+", fold(unit))), _unit_name(unit)
        if f" {full} " in folded or (len(name.split()) >= 2 and f" {name} " in folded):
            found.append(unit)
    # prefer the longest names when one contains another
    return [u for u in found if not any(u != v and fold(u) in fold(v) for v in found)]


def resolve_my_unit(question: str, unit: str | None) -> str:
    """Replace "đơn vị tôi" / "chi bộ mình" with the user's unit when one is set."""
    if not unit:
        return question
    folded = fold(question)
    m = _MY_UNIT_RE.search(folded)
    if not m:
        return question
    # map the folded match back onto the original string (folding keeps character offsets)
    start, end = m.span()
    if len(folded) == len(question):
        return question[:start] + unit + question[end:]
    return f"{question} ({unit})"


# A question about what happened or was found at a unit (or in a year) needs that unit (that
# year) in the answer; a question about a rule does not ("Đảng viên phường X chuyển sinh hoạt
# đảng cần hồ sơ gì?" is answered by the rule for every ward).
_FINDING_CUES = re.compile(
    r"\b(?:ket qua|kiem tra|giam sat|han che|khuyet diem|uu diem|ton tai|vi pham|ky luat|khac phuc|kien nghi"
    r"|xep loai|thanh tich|danh gia)\b"
)
_CONDITIONAL = re.compile(r"\b(?:thi|neu|truong hop|khi)\b")
YEAR = re.compile(r"(?:\b[Nn]ăm\s+)?(?<![\w/.-])(?:19|20)\d{2}(?![\w/.-])")


def asks_about_findings(text: str) -> bool:
    """True when the question asks what was found or done (results, shortcomings, discipline)."""
    folded = fold(text)
    return bool(_FINDING_CUES.search(folded)) and not _CONDITIONAL.search(folded)


def _strip_incidental(text: str, units: Sequence[str]) -> tuple[str, tuple[str, ...]]:
    """The question without named units and years it only mentions in passing (rule questions)."""
    removed: list[str] = []
    for unit in units:
        pattern = re.compile(re.escape(unit), re.IGNORECASE)
        if pattern.search(text):
            text = pattern.sub(" ", text, count=1)
            removed.append(unit)
    for m in list(YEAR.finditer(text)):
        removed.append(m.group(0))
    text = YEAR.sub(" ", text)
    return " ".join(text.split()), tuple(removed)


def analyze(
    question: str,
    *,
    glossary: Glossary,
    known_units: Sequence[str],
    history: Sequence[Turn] = (),
    my_unit: str | None = None,
    documents: DocumentNames | None = None,
) -> AnalyzedQuery:
    """Normalise, resolve the user's unit, rewrite follow-ups, expand and detect entities."""
    text = question_part(normalize(question).strip())
    text = resolve_my_unit(text, my_unit)
    rewritten = False
    if history and is_followup(text, history[-1].question):
        previous = history[-1]
        old_units = detect_units(previous.question, known_units) or list(previous.units)
        text = continue_from(text, previous, detect_units(text, known_units), old_units)
        rewritten = True
    text = _TAIL_RE.sub("", text) or text
    units = detect_units(text, known_units)
    unknown: list[str] = []
    for u in find_units(text, strict=False):
        if not any(fold(u) == fold(k) or fold(k) in fold(u) or fold(u) in fold(k) for k in known_units):
            unknown.append(u)
    incidental: tuple[str, ...] = ()
    if not asks_about_findings(text):
        text, incidental = _strip_incidental(text, unknown)
        unknown = []
    named = documents.find(text) if documents is not None else None
    return AnalyzedQuery(
        original=question,
        text=text,
        expansions=tuple(glossary.expand(text)),
        codes=tuple(detect_codes(text)),
        units=tuple(units),
        unknown_units=tuple(unknown),
        accented=has_diacritics(text),
        rewritten=rewritten,
        incidental=incidental,
        documents=named.doc_ids if named else (),
        reference=text[named.start : named.stop] if named else "",
    )


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
