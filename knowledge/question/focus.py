"""What a question asks: its content terms, the kind of answer it expects, its parts.

Terms keep their diacritics when the question has them: "Quận ủy" must not match "Quân ủy".
A syllable typed without marks matches any accented form of it ("quan uy" matches both), a
marked one only its own spelling. Abbreviations and their expansions are one term: "BTV" is
covered by "Ban Thường vụ" and the other way round.

The expected answer type ("bao lâu" → a duration, "bao nhiêu phần trăm" → a percentage,
"đồng chí nào" → a person's name) lets the engine decline when the passages it found talk
about the topic but never give what is asked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from knowledge.documents.units import find_units
from knowledge.question.thesaurus import Thesaurus
from knowledge.question.words import capitalised, group_words, lexicon, syllables, tails
from knowledge.text import fold, has_diacritics, without_markers
from knowledge.vocab import FOLDED_FUNCTION_WORDS, SURNAMES, is_function_word

# Question words and phrases: they say what kind of answer is wanted, not what it is about.
# Matched as whole phrases ("việc gì" yes, "làm việc trực tiếp" no), longest first.
_QUESTION_PHRASES = tuple(
    sorted(
        (
            "bao nhiêu phần trăm", "bao nhiêu tiền", "ngày tháng năm nào", "đồng chí nào", "ông bà nào",
            "bao nhiêu người", "mấy người", "bao nhiêu lần", "mấy lần",
            "như thế nào", "thế nào", "ra sao", "bao nhiêu", "bao lâu", "bao giờ", "khi nào", "lúc nào",
            "ở đâu", "tại đâu", "là gì", "những gì", "cái gì", "điều gì", "việc gì", "những ai", "là ai", "mấy",
            "ngày nào", "tháng nào", "năm nào", "tại sao", "vì sao", "làm sao", "có phải", "hay không",
            "được không", "phải không", "có không", "hay sao", "gì", "nào", "ai", "đâu", "sao", "không",
            "xin hỏi", "cho biết", "cho hỏi", "vui lòng",
            # "theo quy định (hiện hành), …": where to look, said of every rule
            "theo quy định hiện hành", "theo quy định",
            # "kiểm tra những đơn vị nào": the category names the kind of answer, not its topic
            "đơn vị nào", "đơn vị cơ sở nào", "đảng bộ nào", "đảng ủy nào", "chi bộ nào", "phường nào", "xã nào",
            "cơ quan nào", "doanh nghiệp nào", "công ty nào", "nơi nào", "tổ chức nào",
        ),
        key=lambda p: -len(p.split()),
    )
)
_PHRASES_FOLDED = tuple(tuple(fold(p).split()) for p in _QUESTION_PHRASES)
_PHRASES_ACCENTED = tuple(tuple(p.split()) for p in _QUESTION_PHRASES)

NUMBER_WORDS = (
    "một", "hai", "ba", "bốn", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười", "mươi", "mốt", "lăm",
    "trăm", "nghìn", "ngàn", "triệu", "tỷ", "nửa", "rưỡi",
)
_NUM = rf"(?:\d+(?:[.,]\d+)?|(?:{'|'.join(NUMBER_WORDS)})(?:\s+(?:{'|'.join(NUMBER_WORDS)}))*)"
_TIME_UNIT = r"(?:ngày(?:\s+làm\s+việc)?|tháng|năm|tuần|giờ|phút|quý|nhiệm\s+kỳ|kỳ)"

# What counts as evidence of each kind of answer, in a passage.
EVIDENCE: dict[str, re.Pattern[str]] = {
    "duration": re.compile(rf"{_NUM}\s+{_TIME_UNIT}\b|\b(?:ngay|kịp thời|thường xuyên|hằng\s+\w+|hàng\s+\w+|định kỳ)\b", re.I),
    "percent": re.compile(rf"\d+(?:[.,]\d+)?\s*%|{_NUM}\s+phần\s+trăm|{_NUM}\s+phần\s+{_NUM}|(?<![\d/])\d+/\d+(?![\d/])", re.I),
    "money": re.compile(
        rf"\d[\d.,]*\s*(?:đồng|VNĐ|VND|USD)\b(?!\s+chí)|{_NUM}\s+(?:triệu|nghìn|ngàn|tỷ)\s+đồng|lương\s+cơ\s+sở|mức\s+lương",
        re.I,
    ),
    "date": re.compile(
        r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|\bngày\s+\d{1,2}(?:\s+tháng\s+\d{1,2})?|\btháng\s+\d{1,2}(?:/\d{4}|\s+năm\s+\d{4})"
        r"|\bnăm\s+\d{4}\b|\bquý\s+[IV1-4]+\b|\b\d{1,2}/\d{4}\b"
        # a day named by what happens on it: "tính từ ngày chi bộ tổ chức lễ kết nạp", "kể từ ngày ký"
        r"|\b(?:kể\s+)?từ\s+(?:ngày|khi)\s+[^\W\d]",
        re.I,
    ),
    "number": re.compile(rf"\d|\b(?:{'|'.join(NUMBER_WORDS)})\b|\b(?:đa số|tất cả|toàn bộ)\b", re.I),
    "method": re.compile(r"\b(?:qua|thông qua|bằng cách|bằng hình thức|bằng phương pháp|trực tiếp|trực tuyến)\b", re.I),
}
# (answer type, folded cue). The first cue that matches a part wins.
_TYPE_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("percent", re.compile(r"\b(?:bao nhieu|may) phan tram\b|\bty le\b.*\bbao nhieu\b|%")),
    ("money", re.compile(
        r"\b(?:bao nhieu|may) (?:tien|dong)\b|\btri gia\b|\bgia tri bao nhieu\b|\bmuc tien\b"
        # "tiền thưởng … là bao nhiêu", "công tác phí bao nhiêu một ngày": an amount of money
        r"|\b(?:tien|kinh phi|cong tac phi|phu cap|tien luong|muc chi|tien thuong|thu lao)\b.*\bbao nhieu\b(?! phan tram)"
    )),
    ("duration", re.compile(r"\bbao lau\b|\bmay (?:ngay|thang|nam|tuan)\b|\bthoi han (?:la )?bao nhieu\b|\bbao nhieu (?:ngay|thang|nam|tuan)\b")),
    # not "khi nào": "được xóa tên khi nào?" asks in which case, not a date
    ("date", re.compile(r"\b(?:ngay|thang|nam) (?:thang nam )?nao\b|\btu ngay nao\b|\bthoi diem nao\b|\bthoi diem\b.*\bkhi nao\b")),
    ("person", re.compile(r"\bdong chi nao\b|\b(?:ong|ba) nao\b|\bho ten\b|\bten (?:la )?gi\b|\bla ai\b(?!.*\bco quan\b)")),
    ("number", re.compile(r"\bbao nhieu\b|\btoi da\b.*\bbao nhieu\b|\bso luong\b")),
    # "đoàn kiểm tra gồm những ai", "ai ký", "do ai quyết định": people or bodies, by name
    ("who", re.compile(r"\b(?:nhung|cac) ai\b|\bai (?:la|ky|quyet dinh|co tham quyen|chiu trach nhiem|phu trach)\b|\bdo ai\b")),
)
# "kiểm tra những đơn vị nào", "đảng bộ nào", "ở những phường nào", "tại đâu" (folded)
_ASKS_UNITS_RE = re.compile(
    r"\b(?:don vi|dang bo|dang uy|chi bo|phuong|xa|co quan|doanh nghiep|cong ty|noi)(?: co so)? nao\b"
    r"|\bnhung (?:don vi|dang bo|dang uy|chi bo|phuong|xa|co quan|doanh nghiep|noi(?! dung))\b"
    r"|\b(?:o|tai) dau\b"
)


# Questions that want a list, steps or a whole provision rather than one fact.
_LIST_CUES = re.compile(
    r"\bnhung (?:gi|nao|ai|loai|truong hop|dieu kien|tieu chuan|noi dung|nhiem vu|quyen|viec|buoc|giay to|ho so|mau|hinh thuc|diem|yeu cau)\b"
    r"|\bnhung \w+(?: \w+)? nao\b|\b(?:gom|bao gom) (?:nhung|cac|co)\b|\bgom nhung\b|\bcac (?:buoc|truong hop|dieu kien|tieu chuan|loai|hinh thuc)\b"
    r"|\b(?:dieu kien|tieu chuan|thu tuc|quy trinh|trinh tu|ho so|cac buoc|nhiem vu|quyen han|quyen|hinh thuc|nguyen tac|noi dung)\b.{0,40}\b(?:gi|nao|the nao|ra sao|gom)\b"
    r"|\b(?:the nao|ra sao|nhu the nao)\b|\blam gi\b|\bphai lam\b"
    r"|^(?:thu tuc|quy trinh|trinh tu|ho so|cac buoc|dieu kien|tieu chuan|nhiem vu|quyen han|hinh thuc)\b"
)
_ENUMERATION_CUES = re.compile(r"\b(?:gom|bao gom) (?:nhung|cac)\b|\bnhung (?:gi|noi dung|buoc|loai|giay to)\b|\bcac buoc\b")
# A list in a passage: a lead-in and items on the next lines, or items after ':' split by ';'.
_ENUMERATION = re.compile(r":\s*\n\s*(?:[-+•*–]|[a-zđ]\)|\(?\d{1,2}[.)])|:[^\n;]{3,};[^\n;]{3,};")
_PART_SPLIT = re.compile(r"\s*\?\s*|\s*;\s*|,\s*(?:va|con|dong thoi|nhung)\s+")


@dataclass(frozen=True)
class Term:
    """One thing the question names: alternatives, each a set of tokens that must all occur."""

    key: str
    alternatives: tuple[tuple[str, ...], ...]
    weight_key: str  # the folded token whose IDF weighs this term
    bigram: bool = False


@dataclass(frozen=True)
class Part:
    """One sub-question of a question ("…trong bao lâu, và … có phải … không?")."""

    text: str
    answer_type: str | None  # duration | percent | money | date | person | number | None
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class Focus:
    """What a question asks, ready for scoring passages."""

    text: str
    terms: tuple[Term, ...]
    parts: tuple[Part, ...]
    wants_list: bool
    accented: bool
    extra: tuple[Term, ...] = field(default=())  # expansions of abbreviations (no weight of their own)
    claim: bool = False  # the question states something to confirm rather than asks for it

    @property
    def answer_types(self) -> tuple[str, ...]:
        return tuple(p.answer_type for p in self.parts if p.answer_type)


@dataclass(frozen=True)
class Signature:
    """The tokens of a passage, accented and folded, with adjacent pairs; and the syllables that
    stand as words of their own or head a word (not only the tail of one, as "quyền" in "ủy quyền")."""

    accented: frozenset[str]
    folded: frozenset[str]
    heads: frozenset[str] = frozenset()
    folded_heads: frozenset[str] = frozenset()

    def has(self, token: str) -> bool:
        """Whether the passage holds a token (accented tokens match exactly, bare ones folded).

        A single syllable counts only where it is a word or the head of one; a pair of syllables
        ("kết_nạp") wherever the two stand side by side."""
        if "_" in token:
            return token in self.accented if fold_word(token) != token else token in self.folded
        return token in self.heads if fold_word(token) != token else token in self.folded_heads

    def covers(self, term: Term) -> bool:
        """Whether the passage holds one of the term's alternatives entirely."""
        return any(all(self.has(t) for t in alt) for alt in term.alternatives)


@lru_cache(maxsize=1 << 17)
def fold_word(word: str) -> str:
    """``fold`` for one syllable or token, memoised (a corpus has a few thousand distinct ones)."""
    return fold(word)


@lru_cache(maxsize=1 << 15)
def signature(text: str) -> Signature:
    """The accented and folded token sets of a text, with bigrams ("kiểm_tra"); memoised per text."""
    syls = syllables(text)
    acc = set(syls) | {f"{a}_{b}" for a, b in zip(syls, syls[1:])}
    folded_syls = [fold_word(s) for s in syls]
    fol = set(folded_syls) | {f"{a}_{b}" for a, b in zip(folded_syls, folded_syls[1:])}
    heads = {s for s, tail in zip(syls, tails(syls)) if not tail}
    return Signature(frozenset(acc), frozenset(fol), frozenset(heads), frozenset(fold_word(s) for s in heads))


_PHRASES_BY_FIRST: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
for _acc, _fol in zip(_PHRASES_ACCENTED, _PHRASES_FOLDED):
    _PHRASES_BY_FIRST.setdefault(_fol[0], []).append((_acc, _fol))


def _question_word_mask(syls: Sequence[str]) -> list[bool]:
    """True for syllables that belong to a question phrase ("bao lâu", "như thế nào", "gì")."""
    mask = [False] * len(syls)
    folded = [fold_word(x) for x in syls]
    for i in range(len(syls)):
        if mask[i]:
            continue
        for acc, fol in _PHRASES_BY_FIRST.get(folded[i], ()):  # longest phrases first
            n = len(acc)
            window = syls[i : i + n]
            if len(window) < n:
                continue
            # a marked syllable must match the phrase's spelling, a bare one its folded form
            if all(w == a if fw != w else fw == f for w, a, fw, f in zip(window, acc, folded[i : i + n], fol)):
                for j in range(i, i + n):
                    mask[j] = True
                break
    return mask


# A person a case names by their given name ("đồng chí Hùng", "chị Mai", "Ông Tư"): who it is says
# nothing of the rule. A full name ("đồng chí Nguyễn Huy Thắng") is how documents name people: kept.
_TITLES = r"(?:đồng chí|dong chi|đ/c|anh|chị|chi|ông|ong|bà|ba|bác|bac|cô|co|chú|chu|cháu|chau|em|cụ|cu)"
_NAME = re.compile(rf"(?<!\w)((?i:{_TITLES}))\s+([A-ZĐ][^\W\d_]*)(?![\w])(?!\s+[A-ZĐ])")
_NOT_NAMES = frozenset(fold(w) for w in (
    "Đảng", "Nhà", "Nước", "Ban", "Bộ", "Chi", "Thành", "Quận", "Huyện", "Tỉnh", "Trung", "Ủy", "Văn", "Hội", "Đoàn",
    "Bí", "Phó", "Trưởng", "Chủ", "Giám", "Tổ", "Cục", "Sở", "Phòng", "Công", "Tòa", "Viện", "Trường",
))


def without_names(text: str) -> str:
    """The text with the given names of people it tells of left out (their title kept): "chị Mai" → "chị"."""

    def drop(m: re.Match[str]) -> str:
        name = m.group(2)
        if not name[0].isupper() or fold(name.split()[0]) in _NOT_NAMES:
            return m.group(0)
        return m.group(1)

    return _NAME.sub(drop, text)


# "người" before a noun that already names a person is a classifier ("người đảng viên" is "đảng
# viên"); before anything else it is a word of its own ("người vào Đảng", "người giới thiệu").
_PERSON_NOUNS = frozenset({("dang", "vien"), ("can", "bo"), ("doan", "vien"), ("cong", "chuc"), ("quan", "chung")})


def _classifiers(syls: Sequence[str]) -> list[int]:
    folded = [fold_word(s) for s in syls]
    return [i for i in range(len(syls) - 2) if folded[i] == "nguoi" and (folded[i + 1], folded[i + 2]) in _PERSON_NOUNS]


def _word_tokens(syls: Sequence[str]) -> tuple[str, ...]:
    """The tokens a passage must hold for a word to be there: its syllable, or its adjacent pairs."""
    if len(syls) == 1:
        return (syls[0],)
    return tuple(f"{a}_{b}" for a, b in zip(syls, syls[1:]))


def question_terms(text: str, *, keep_accents: bool = True, thesaurus: Thesaurus | None = None) -> list[Term]:
    """The content words of a question, numbers and codes included, one term each.

    A word of several syllables ("kết nạp", "đảng viên") is one term that a passage covers only
    with its syllables side by side; a one-syllable word ("quyền") is covered only where it is not
    the tail of another word ("ủy quyền"). A phrase the thesaurus knows ("vào Đảng") is one term
    that the documents' word ("kết nạp") covers as well.
    """
    text = without_names(text)
    syls = syllables(text)
    caps = capitalised(text)
    if not keep_accents:
        syls = [fold(s) for s in syls]
    asked = _question_word_mask(syls)
    content = [not q and not is_function_word(s) for s, q in zip(syls, asked)]
    for i in _classifiers(syls):
        content[i] = False
    terms: dict[str, Term] = {}
    taken: set[int] = set()
    for syn in thesaurus.find(syls, accented=keep_accents) if thesaurus is not None else ():
        span = syls[syn.start : syn.stop]
        if any(asked[syn.start : syn.stop]):
            continue
        said = _word_tokens(span)
        meant = [_word_tokens(m if keep_accents else [fold(x) for x in m]) for m in map(syllables, syn.alternatives)]
        key = "_".join(fold(x) for x in span)
        long = len(span) > 1 or any(len(m) > 1 or "_" in m[0] for m in meant)
        terms.setdefault(key, Term(key, (said, *meant), fold(meant[0][0]), bigram=long))
        taken.update(range(syn.start, syn.stop))
    for a, b in group_words(syls, folded=not keep_accents, names=caps if len(caps) == len(syls) else None):
        if any(i in taken for i in range(a, b)) or not any(content[a:b]) or any(asked[a:b]):
            continue
        word = syls[a:b]
        tokens = _word_tokens(word)
        key = "_".join(word)
        terms.setdefault(key, Term(key, (tokens,), fold(tokens[0]), bigram=len(word) > 1))
    return list(terms.values())


def expansion_terms(pairs: Iterable[tuple[str, str]]) -> list[Term]:
    """An abbreviation and its expansion as one term ("btv" or "ban_thường"+"thường_vụ")."""
    out: list[Term] = []
    for short, long in pairs:
        s = fold(short)
        long_syls = syllables(long)
        long_alt = tuple(f"{a}_{b}" for a, b in zip(long_syls, long_syls[1:])) or tuple(long_syls)
        out.append(Term(s, ((s,), long_alt), fold(long_alt[0]) if long_alt else s))
        out.append(Term(fold(long), (long_alt, (s,)), long_alt[0] if long_alt else s, bigram=True))
    return out


def _asks_how_many(part: str, folded: str) -> bool:
    """"mấy lần", "mấy người": typed with marks, "mấy" itself; without them, "may" before a noun
    and the end of the question ("may lan?"), never "bộ máy thế nào"."""
    if has_diacritics(part):
        return bool(re.search(r"\bmấy\b", part.lower()))
    return bool(re.search(r"\bmay\b(?! the\b)(?= \w+\s*(?:nao\b|\?|$))", folded))


def answer_type(part: str) -> str | None:
    """The kind of answer a (sub-)question wants, when it is a specific kind."""
    folded = fold(part)
    for kind, cue in _TYPE_CUES:
        if cue.search(folded) or (kind == "number" and _asks_how_many(part, folded)):
            return kind
    if _ASKS_UNITS_RE.search(folded):
        return "units"  # "kiểm tra những đơn vị nào": the answer names units
    if re.search(r"\bbang (?:cach|hinh thuc|phuong phap|phuong thuc) nao\b", folded):
        return "method"  # "kiểm tra bằng cách nào": the answer says how ("qua xem xét hồ sơ…")
    if _ENUMERATION_CUES.search(folded):
        return "list"  # "gồm những nội dung gì": the answer enumerates
    return None


def wants_list(question: str) -> bool:
    """True when the question asks for a list, steps, conditions, or how something is done."""
    return bool(_LIST_CUES.search(fold(question)))


_CUE_IN_PART = re.compile(r"\b(?:bao nhieu|bao lau|bao gio|khi nao|nao|gi|ai|dau|the nao|ra sao|khong)\b")


def split_parts(question: str) -> list[str]:
    """The sub-questions of a question that asks several things at once."""
    folded = fold(question)
    pieces: list[tuple[int, int]] = []
    pos = 0
    for m in _PART_SPLIT.finditer(folded):
        pieces.append((pos, m.start()))
        pos = m.end()
    pieces.append((pos, len(folded)))
    # "… trong thời hạn bao lâu, cấp trên phải giải quyết trong bao lâu": commas between clauses
    # that each ask something separate sub-questions too
    spans: list[tuple[int, int]] = []
    for start, stop in pieces:
        cut = start
        for comma in re.finditer(r",\s*|\s+va\s+", folded[start:stop]):
            left = folded[cut : start + comma.start()]
            nxt = re.compile(r",|\s+va\s+").search(folded, start + comma.end(), stop)
            right = folded[start + comma.end() : nxt.start() if nxt else stop]
            if _CUE_IN_PART.search(left) and _CUE_IN_PART.search(right) and len(right.split()) >= 3:
                spans.append((cut, start + comma.start()))
                cut = start + comma.end()
        spans.append((cut, stop))
    parts = [question[a:b].strip(" ,.;:") for a, b in spans]
    parts = [p for p in parts if len(p.split()) >= 2]
    return parts or [question.strip()]


def analyze_focus(
    text: str,
    *,
    expansions: Iterable[tuple[str, str]] = (),
    accented: bool = True,
    thesaurus: Thesaurus | None = None,
) -> Focus:
    """Terms (words, abbreviations with their expansions, cadres' words with the documents'),
    parts and answer types of a question."""
    terms = question_terms(text, keep_accents=accented, thesaurus=thesaurus)
    extra = expansion_terms(expansions)
    # an abbreviation in the question is matched by its expansion too
    by_key = {fold(t.key): t for t in extra}
    terms = [by_key.get(t.key, t) if not t.bigram else t for t in terms]
    pieces = split_parts(text)
    part_terms = [
        [by_key.get(t.key, t) if not t.bigram else t for t in question_terms(p, keep_accents=accented, thesaurus=thesaurus)]
        for p in pieces
    ]
    for k in range(1, len(part_terms)):
        # "nhật ký … lưu trữ bao lâu và gồm những nội dung gì": a sub-question that leaves its
        # subject out takes it from the first one
        if len(part_terms[k]) < 2:
            known = {t.key for t in part_terms[k]}
            part_terms[k] += [t for t in part_terms[0] if t.key not in known]
    parts = tuple(Part(p, answer_type(p), tuple(ts)) for p, ts in zip(pieces, part_terms))
    return Focus(text, tuple(terms), parts, wants_list(text), accented, tuple(extra))


def term_weight(term: Term, idf: Callable[[str], float], unknown: float) -> float:
    """How much a term matters: its IDF; a word no document has weighs ``unknown`` (the most),
    a pair no document has weighs what its syllables weigh on average; pairs count 0.7."""
    w = idf(term.weight_key)
    if w <= 0:
        if term.bigram:
            parts = [idf(p) or unknown for p in term.weight_key.split("_")]
            w = sum(parts) / len(parts)
        else:
            w = unknown
    return w * (0.7 if term.bigram else 1.0)


def coverage(terms: Sequence[Term], sig: Signature, weight: Callable[[Term], float]) -> float:
    """The weighted share of terms a passage covers."""
    total = got = 0.0
    for t in terms:
        w = weight(t)
        total += w
        if sig.covers(t):
            got += w
    return got / total if total else 0.0


_NAME_WORD = re.compile(r"[^\W\d_]+")
# A body named as the one who acts: "Ban Bí thư", "Ủy ban Kiểm tra Trung ương", "Chánh Văn phòng…"
_BODY = re.compile(
    r"\b(?:Ban|Bộ|Ủy ban|Văn phòng|Chánh Văn phòng|Thường trực|Hội đồng|Đảng ủy|Chi bộ|Quận ủy|Thành ủy|Tỉnh ủy"
    r"|Huyện ủy|Trưởng đoàn|Phó đoàn|Trưởng ban|Phó trưởng ban|Bí thư|Phó Bí thư|cấp ủy|chi ủy)\b"
)


def names_a_person(text: str) -> bool:
    """A person's name: a family name followed by one to three capitalised syllables ("Hà Thị Bích Loan")."""
    words = list(_NAME_WORD.finditer(text))
    for i, m in enumerate(words[:-1]):
        if m.group(0).title() not in SURNAMES or not m.group(0)[0].isupper():
            continue
        run = 0
        for nxt, prev in zip(words[i + 1 : i + 4], words[i : i + 3]):
            w = nxt.group(0)
            if not w[0].isupper() or text[prev.end() : nxt.start()].strip():
                break
            run += 1
        # "Hà Nội", "Lê nin": a family name and one more capital is a name only after a title
        if run >= 2 or (run == 1 and re.search(r"(?:đồng chí|đ/c|ông|bà)\s*$", text[: m.start()], re.IGNORECASE)):
            return True
    return False


def has_evidence(kind: str, text: str) -> bool:
    """Whether a passage gives an answer of this kind (a duration, a percentage, a date…)."""
    if kind == "list":
        return bool(_ENUMERATION.search(text))
    text = without_markers(text)  # "1." numbering an item is not a number given
    if kind == "person":
        return names_a_person(text)
    if kind == "who":
        return names_a_person(text) or bool(_BODY.search(text))
    if kind == "units":
        return bool(find_units(text))
    pattern = EVIDENCE.get(kind)
    return bool(pattern and pattern.search(text))


_PEOPLE = ("nguoi", "dang vien", "dong chi", "can bo", "cong chuc", "vien chuc", "quan chung", "hoc sinh", "cong nhan")
# "bao nhiêu / mấy <thing>", never "số mấy" / "số bao nhiêu" (which number: a code, not a count)
_HOW_MANY = re.compile(r"(?<!\bso )\b(?:bao nhieu|may)\s+(\w+)(?:\s+(\w+))?([^?,;]*)")
_NUMBER_BEFORE = r"\b\d+(?:[.,]\d+)?(?:\s*/\s*\d+)?\s+"


def count_not_given(question: str, text: str) -> str | None:
    """The thing a "bao nhiêu / mấy <thing> <qualifier>" question counts, when no sentence of
    ``text`` gives a number of that thing with most of the qualifier's words; else None.

    The thing is the dictionary word after the question word ("đảng viên", "hộ", "lần"); the
    qualifier is what follows it ("được xếp loại hoàn thành xuất sắc nhiệm vụ"): "21 đảng viên
    phụ trách 146 hộ" counts members, but not the ones asked about.
    """
    folded = fold(question)
    m = _HOW_MANY.search(folded)
    if m is None or m.group(1) in ("tien", "phan"):  # money and percentages are checked apart
        return None
    if m.group(0).startswith("may") and not _asks_how_many(question, folded):  # "bộ máy", not "mấy"
        return None
    first, second, rest = m.group(1), m.group(2), m.group(3)
    if second and f"{first}_{second}" in lexicon().folded:
        thing, tail = f"{first} {second}", rest
    else:
        thing, tail = first, f" {second or ''}{rest}"
    qualifier = {w for w in re.findall(r"\w+", tail) if w not in FOLDED_FUNCTION_WORDS and not w.isdigit()}
    nouns = _PEOPLE if thing in _PEOPLE else (thing,)  # "bao nhiêu người": "4 đảng viên" counts people
    counted = re.compile(_NUMBER_BEFORE + "(?:" + "|".join(map(re.escape, nouns)) + r")\b")
    lines = fold(without_markers(text)).split("\n")
    for i, line in enumerate(lines):
        if not counted.search(line):
            continue
        # the qualifier may sit in the line's heading ("1. Về mô hình "Dân vận khéo"" above "… 19 mô hình")
        words = set(re.findall(r"\w+", line)) | (set(re.findall(r"\w+", lines[i - 1])) if i else set())
        if len(qualifier) < 2 or len(qualifier & words) * 2 >= len(qualifier):
            return None
    return _accented(question, thing) or thing


def _accented(question: str, folded_words: str) -> str | None:
    """The question's own spelling of some folded words ("dang vien" -> "đảng viên")."""
    words = question.split()
    n = len(folded_words.split())
    for i in range(len(words) - n + 1):
        piece = " ".join(words[i : i + n])
        if fold(piece).strip("?,.;:") == folded_words:
            return piece.strip("?,.;:")
    return None
