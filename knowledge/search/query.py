"""Query understanding: abbreviations both ways, document codes, units, follow-ups."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from knowledge.models import DocumentMeta, Turn
from knowledge.text import CODE_RE, code_key, fold, has_diacritics, nfc, normalize

# "Quyết định 271", "quy định số 294", "chương trình 01", "hướng dẫn 06", "QĐ 294"
_TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "quyet dinh": ("QD", "QDI"),
    "quy dinh": ("QD", "QDI"),
    "qd": ("QD", "QDI"),
    "qdi": ("QDI", "QD"),
    "chuong trinh": ("CTR",),
    "ctr": ("CTR",),
    "huong dan": ("HD",),
    "hd": ("HD",),
    "ke hoach": ("KH",),
    "kh": ("KH",),
    "nghi quyet": ("NQ",),
    "nq": ("NQ",),
    "chi thi": ("CT",),
    "ket luan": ("KL",),
    "thong bao": ("TB",),
    "bao cao": ("BC",),
}
_NAMED_CODE_RE = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, _TYPE_WORDS), key=len, reverse=True)) + r")\s+(?:so\s+)?(\d{1,4})\b"
)
_UPPER = "A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
# A unit keyword followed by a capitalised name: "phường Phúc Đồng", "Công ty Cổ phần X".
_NAMED_UNIT_RE = re.compile(
    r"\b((?i:phường|xã|thị trấn|quận|huyện|thị xã|tỉnh|thành phố|chi bộ|đảng bộ|đảng ủy|công ty|CTCP|"
    r"tòa án nhân dân|viện kiểm sát nhân dân|trường|bệnh viện))\s+"
    rf"((?:[{_UPPER}0-9]\w*)(?:\s+[{_UPPER}0-9]\w*)*)",
)
_MY_UNIT_RE = re.compile(
    r"\b(don vi|chi bo|dang bo|dang uy|co quan|phuong|xa)\s+(toi|minh|chung toi|cua toi|cua minh|em|chung em)\b"
)
# Yes/no tails carry no topic ("…, đúng hay sai?", "… có phải không?"): dropped for retrieval.
_TAIL_RE = re.compile(
    r"[\s,;:.-]*(?:(?:là\s+)?(?:đúng|sai)\s+(?:hay|hoặc)\s+(?:sai|đúng)|(?:có\s+)?(?:đúng|phải)\s+không)\s*[?.!]*\s*$",
    re.IGNORECASE,
)
_FOLLOWUP_RE = re.compile(
    r"^(con|vay|the|va|thi|neu vay|con ve)\b|\b(thi sao|the nao|ra sao|nua|do|nay|ay|kia)\s*\??$"
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

    @property
    def search_text(self) -> str:
        return " ".join((self.text, *self.expansions))


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

    def expand(self, question: str) -> list[str]:
        """Expansions of abbreviations in the question and abbreviations of phrases in it."""
        question = CODE_RE.sub(" ", nfc(question))  # "QU" inside "01-CTr/QU" is not an abbreviation
        folded = f" {fold(question)} "
        raw_words = set(re.findall(r"\w+", question))
        out: list[str] = []
        for short, long in self.pairs:
            # abbreviations must be typed as such (upper case) unless they are 4+ letters long
            short_f = fold(short)
            typed = short in raw_words or short.upper() in raw_words or (
                len(short) >= 4 and f" {short_f} " in folded
            )
            if typed and f" {fold(long)} " not in folded:
                out.append(long)
            elif re.search(rf"(?<!\w){re.escape(fold(long))}(?!\w)", folded) and short_f not in folded.split():
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
    folded = f" {fold(question)} "
    found = []
    for unit in known_units:
        full, name = fold(unit), _unit_name(unit)
        if f" {full} " in folded or (len(name.split()) >= 2 and f" {name} " in folded):
            found.append(unit)
    # prefer the longest names when one contains another
    return [u for u in found if not any(u != v and fold(u) in fold(v) for v in found)]


def named_units(question: str) -> list[str]:
    """Unit-like names in a question (keyword + capitalised name), known to the KB or not."""
    out = []
    for m in _NAMED_UNIT_RE.finditer(nfc(question)):
        name = m.group(2)
        if name[:1].isupper() or name[:1].isdigit():
            out.append(f"{m.group(1)} {name}")
    return out


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


# "kiểm tra những đơn vị nào", "đảng bộ nào", "ở những phường nào", "tại đâu" (folded)
_ASKS_UNITS_RE = re.compile(
    r"\b(?:don vi|dang bo|dang uy|chi bo|phuong|xa|co quan|doanh nghiep|cong ty|noi)(?: co so)? nao\b"
    r"|\bnhung (?:don vi|dang bo|dang uy|chi bo|phuong|xa|co quan|doanh nghiep|noi)\b"
    r"|\b(?:o|tai) dau\b"
)


def asks_for_units(question: str) -> bool:
    """True when the question asks which units (wards, party committees, companies…)."""
    return bool(_ASKS_UNITS_RE.search(fold(question)))


def is_followup(question: str) -> bool:
    """A short question that leans on the previous turn ("còn phường Cự Khối thì sao?")."""
    folded = fold(question).strip(" ?.!")
    return len(folded.split()) <= 8 and bool(_FOLLOWUP_RE.search(folded))


def rewrite_followup(question: str, history: Sequence[Turn], known_units: Sequence[str]) -> str | None:
    """Heuristic standalone rewrite of a follow-up using the last turn, or None."""
    if not history or not is_followup(question):
        return None
    previous = history[-1].question
    new_units = detect_units(question, known_units)
    old_units = detect_units(previous, known_units) or list(history[-1].units)
    if new_units and old_units:
        rewritten = previous
        for old in old_units:
            pattern = re.compile(re.escape(old), re.IGNORECASE)
            if pattern.search(rewritten):
                rewritten = pattern.sub(new_units[0], rewritten, count=1)
                return rewritten
        return f"{previous} {new_units[0]}"
    core = re.sub(r"^(còn|vậy|thế|và|thì)\s+", "", nfc(question).strip(), flags=re.IGNORECASE)
    core = re.sub(r"\s*(thì sao|thế nào|ra sao)\s*\??$", "", core, flags=re.IGNORECASE)
    return f"{previous} {core}".strip()


def analyze(
    question: str,
    *,
    glossary: Glossary,
    known_units: Sequence[str],
    unit_finder: object | None = None,
    history: Sequence[Turn] = (),
    my_unit: str | None = None,
) -> AnalyzedQuery:
    """Normalise, resolve the user's unit, rewrite follow-ups, expand and detect entities."""
    text = normalize(question).strip()
    text = resolve_my_unit(text, my_unit)
    rewritten = rewrite_followup(text, history, known_units)
    if rewritten:
        text = rewritten
    text = _TAIL_RE.sub("", text) or text
    units = detect_units(text, known_units)
    unknown: list[str] = []
    candidates = named_units(text) + (list(unit_finder(text)) if callable(unit_finder) else [])
    for u in dict.fromkeys(candidates):
        if not any(fold(u) == fold(k) or fold(k) in fold(u) or fold(u) in fold(k) for k in known_units):
            unknown.append(u)
    return AnalyzedQuery(
        original=question,
        text=text,
        expansions=tuple(glossary.expand(text)),
        codes=tuple(detect_codes(text)),
        units=tuple(units),
        unknown_units=tuple(unknown),
        accented=has_diacritics(text),
        rewritten=rewritten is not None,
    )


def documents_for_codes(codes: Sequence[CodeRef], docs: Sequence[DocumentMeta]) -> list[str]:
    """Ids of stored documents whose own code matches one of the references."""
    return [d.doc_id for d in docs if any(ref.matches(d.code) for ref in codes)]
