"""Unit names: a normal form, alias keys, and where known units are mentioned in free text.

"Đảng ủy phường Sài Đồng", "phường Sài Đồng", "ĐU P. Sài Đồng" and "dang uy phuong sai dong"
all reduce to the key ``phuong sai dong``: abbreviations are expanded, diacritics folded and the
party-organisation prefix (đảng ủy, đảng bộ, chi bộ) dropped, since a ward's party committee and
the ward are one unit for a cadre. Matching works on whole folded syllables, so "phường An Phú"
never matches inside "phường An Phúc".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from knowledge.text import fold, nfc

UPPER = "A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
CAP = f"[{UPPER}]"  # one capital letter (a range such as À-Ỹ would take lower-case letters too)

# Abbreviations written in unit names and questions, expanded before folding (ĐU folds to "du",
# which is also "dự": the expansion must see the original letters).
_ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    (r"ĐU", "Đảng ủy"),
    (r"ĐB", "Đảng bộ"),
    (r"CB(?=\s+" + CAP + ")", "Chi bộ"),
    (r"[Pp]\.\s*", "phường "),
    (r"[Xx]\.\s*(?=" + CAP + ")", "xã "),
    (r"[Qq]\.\s*(?=" + CAP + ")", "quận "),
    (r"[Hh]\.\s*(?=" + CAP + ")", "huyện "),
    (r"TAND|[Tt]and", "Tòa án nhân dân"),
    (r"VKSND|[Vv]ksnd", "Viện kiểm sát nhân dân"),
    (r"BVĐK|BVDK|[Bb]vdk", "Bệnh viện Đa khoa"),
    (r"BV|[Bb]v", "Bệnh viện"),
    (r"TTYT|[Tt]tyt", "Trung tâm Y tế"),
    (r"PTDTNT|[Pp]tdtnt", "Phổ thông dân tộc nội trú"),
    (r"PTDTBT|[Pp]tdtbt", "Phổ thông dân tộc bán trú"),
    (r"PTDT|[Pp]tdt", "Phổ thông dân tộc"),
    (r"BĐBP|BDBP", "Bộ đội Biên phòng"),
    (r"BP(?=\s+" + CAP + ")", "Biên phòng"),
    (r"TYT|[Tt]yt", "Trạm Y tế"),
    (r"THPT|[Tt]hpt", "Trung học phổ thông"),
    (r"THCS|[Tt]hcs", "Trung học cơ sở"),
    (r"CTCP|[Cc]tcp", "Công ty cổ phần"),
    (r"CTy|Cty|cty", "Công ty"),
    (r"TNHH|[Tt]nhh", "trách nhiệm hữu hạn"),
    (r"MTV", "một thành viên"),
    (r"QLDA|[Qq]lda", "quản lý dự án"),
    (r"BQLDA", "Ban Quản lý dự án"),
    (r"BQL", "Ban Quản lý"),
    (r"ĐTXD|ĐT&XD", "đầu tư xây dựng"),
    (r"HTX|[Hh]tx", "Hợp tác xã"),
    (r"UBND|[Uu]bnd", "Ủy ban nhân dân"),
    (r"UBKT|[Uu]bkt", "Ủy ban Kiểm tra"),
    (r"BTV|[Bb]tv", "Ban Thường vụ"),
    (r"BTC", "Ban Tổ chức"),
    (r"HĐND|HDND|[Hh]dnd", "Hội đồng nhân dân"),
    (r"MTTQ|[Mm]ttq", "Mặt trận Tổ quốc"),
    (r"Đ/c|đ/c|Đ/C", "đồng chí"),
)
_ABBR_RE = [
    (re.compile(rf"(?<![\w/])(?:{pat})" + ("" if pat.endswith(r"\s*") or pat.endswith(")") else r"(?![\w])")), rep)
    for pat, rep in _ABBREVIATIONS
]

PARTY_PREFIXES = (("dang", "uy"), ("dang", "bo"), ("chi", "bo"), ("chi", "uy"))
_COMMITTEES = (("ban", "thuong", "vu"), ("ban", "chap", "hanh"), ("thuong", "truc"))
_LEVELS = (("quan",), ("huyen",), ("thi", "xa"), ("thanh", "pho"), ("tinh",))
_ADMIN_HEADS = {"phuong", "xa", "thi", "quan", "huyen", "tinh", "thanh"}
_LEGAL_FORMS = (("co", "phan"), ("trach", "nhiem", "huu", "han"), ("mot", "thanh", "vien"), ("tnhh",), ("mtv",))
# Words that cannot continue a name: a shortened name ("Công ty Cơ khí phải …") must end on one.
FUNCTION_WORDS = frozenset(
    "da duoc bi co con chua khong phai can thi la o tai ve cua va voi trong theo den tu nhu sao nao gi "
    "nhung cac moi van se dang de do nay kia ay ra khi bao may ai hay hoac nen cung ket kiem giam khac "
    "yeu thuc danh".split()
)
_TOKEN_RE = re.compile(r"[0-9a-z]+")


def expand_abbreviations(text: str) -> str:
    """The text with unit abbreviations written out (ĐU → Đảng ủy, P. → phường, TAND → Tòa án nhân dân)."""
    out = nfc(text)
    for pattern, repl in _ABBR_RE:
        out = pattern.sub(repl, out)
    return out


def name_tokens(text: str) -> tuple[str, ...]:
    """Folded syllables of a name or question, abbreviations expanded."""
    return tuple(_TOKEN_RE.findall(fold(expand_abbreviations(text))))


def strip_party_prefix(tokens: Sequence[str]) -> tuple[str, ...]:
    """The name without a leading đảng ủy / đảng bộ / chi bộ (kept when nothing else is left)."""
    toks = tuple(tokens)
    for committee in _COMMITTEES:  # "Ban Thường vụ Đảng ủy xã X" answers for the unit "xã X"
        n = len(committee)
        if toks[:n] == committee and toks[n : n + 2] in PARTY_PREFIXES and len(toks) > n + 2:
            toks = toks[n:]
            break
    for prefix in PARTY_PREFIXES:
        if toks[: len(prefix)] == prefix and len(toks) > len(prefix):
            rest = toks[len(prefix) :]
            if rest[:2] == ("co", "so") and len(rest) > 2:  # "Đảng bộ cơ sở phường X"
                rest = rest[2:]
            return rest
    return toks


def unit_key(name: str) -> str:
    """The matching key of a unit name: folded, abbreviations expanded, party prefix dropped."""
    return " ".join(strip_party_prefix(name_tokens(name)))


def normal_key(name: str, locality: str | None = None) -> str:
    """The key every name of one unit shares: ``unit_key`` without a company's legal form, and a
    name cut after its level word ("… quận") completed with the document's own district."""
    toks = list(strip_party_prefix(name_tokens(complete_name(name, locality))))
    if toks[:2] == ["cong", "ty"]:
        for form in _LEGAL_FORMS:
            for i in range(2, len(toks) - len(form) + 1):
                if tuple(toks[i : i + len(form)]) == form:
                    del toks[i : i + len(form)]
                    break
    return " ".join(toks)


def complete_name(name: str, locality: str | None) -> str:
    """"Chi bộ Tòa án nhân dân quận" + locality "quận Hòa Bình" → "Chi bộ Tòa án nhân dân quận Hòa Bình"."""
    if not locality:
        return name
    words = name.split()
    loc = locality.split()
    level_len = 2 if fold(" ".join(loc[:2])) in ("thi xa", "thanh pho") else 1
    level, place = loc[:level_len], loc[level_len:]
    if len(words) > level_len + 1 and place and fold(" ".join(words[-level_len:])) == fold(" ".join(level)):
        head = name_tokens(" ".join(words[:-level_len]))
        if head and head[0] not in _ADMIN_HEADS and not (len(head) <= 3 and head[-1] in _ADMIN_HEADS):
            return f"{name} {' '.join(place)}"
    return name


def _last_level(toks: tuple[str, ...]) -> int | None:
    for i in range(len(toks) - 2, 0, -1):
        for level in _LEVELS:
            if toks[i : i + len(level)] == level and 1 <= len(toks) - i - len(level) <= 3:
                return i
    return None


def key_variants(name: str) -> tuple[tuple[str, ...], ...]:
    """Token sequences that name this unit in running text, longest first.

    Besides the key itself: a body named after its district may drop the district's name or
    the whole locality ("Tòa án nhân dân quận Hòa Bình" → "… quận", "Tòa án nhân dân"), and a
    company its legal form ("Công ty Cổ phần Cơ khí Hòa Bình" → "Công ty Cơ khí Hòa Bình").
    """
    key = strip_party_prefix(name_tokens(name))
    out = [key]
    if key and key[0] not in _ADMIN_HEADS:
        level = _last_level(key)
        if level is not None and level >= 2:
            lvl_len = next(len(lv) for lv in _LEVELS if key[level : level + len(lv)] == lv)
            out.append(key[: level + lvl_len])
            out.append(key[:level])
    if key[:2] == ("cong", "ty"):
        short = list(key)
        for form in _LEGAL_FORMS:
            for i in range(2, len(short) - len(form) + 1):
                if tuple(short[i : i + len(form)]) == form:
                    del short[i : i + len(form)]
                    break
        if len(short) >= 3 and tuple(short) != key:
            out.append(tuple(short))
    seen: list[tuple[str, ...]] = []
    for v in out:
        if v and v not in seen:
            seen.append(v)
    return tuple(sorted(seen, key=len, reverse=True))


@dataclass(frozen=True)
class Mention:
    """A known unit named in a text: which one, and the token span it covers."""

    unit: str
    start: int
    end: int
    exact: bool  # the whole name (or a listed variant), not a shortened prefix


@dataclass(frozen=True)
class _Word:
    token: str
    capital: bool
    after_punct: bool  # punctuation separates it from the previous word
    start: int  # offsets in the abbreviation-expanded text
    end: int


def _expanded_words(text: str) -> tuple[str, list[_Word]]:
    expanded = expand_abbreviations(text)
    out: list[_Word] = []
    pos = 0
    for m in re.finditer(r"[^\W_]+", expanded):
        gap = expanded[pos : m.start()]
        raw = m.group(0)
        for tok in _TOKEN_RE.findall(fold(raw)):
            out.append(
                _Word(tok, raw[:1].isupper(), bool(re.search(r"[,.;:()!?\"“”]", gap)) or not out, m.start(), m.end())
            )
        pos = m.end()
    return expanded, out


def _words(text: str) -> list[_Word]:
    return _expanded_words(text)[1]


def _continues_name(words: list[_Word], end: int, accented: bool) -> bool:
    """True when the word after a match carries the name on (so the match is another unit)."""
    if end >= len(words) or words[end].after_punct:
        return False
    nxt = words[end]
    if accented:
        return nxt.capital
    return False


def find_mentions(text: str, units: Mapping[str, Iterable[tuple[str, ...]]]) -> list[Mention]:
    """Known units named in a text, left to right, longest match first where names overlap.

    ``units`` maps each canonical name to its key variants (``key_variants``). A shortened name
    ("Công ty Cơ khí") counts only when it is at least four syllables long, fits exactly one
    unit, and is followed by a word that cannot continue a name.
    """
    words = _words(text)
    toks = [w.token for w in words]
    accented = fold(text) != nfc(text).lower()
    cands: list[tuple[float, Mention]] = []
    prefixes: dict[tuple[int, int], set[str]] = {}
    for unit, variants in units.items():
        full = max((len(v) for v in variants), default=0)
        for variant in variants:
            n = len(variant)
            if n == 0:
                continue
            for i in range(len(toks) - n + 1):
                if tuple(toks[i : i + n]) == variant and not _continues_name(words, i + n, accented):
                    # a unit's own full name beats another unit's shortened form of the same words
                    cands.append((n + (0.25 if n == full else 0.0), Mention(unit, i, i + n, True)))
            for p in range(n - 1, 3, -1):
                head = variant[:p]
                for i in range(len(toks) - p + 1):
                    if tuple(toks[i : i + p]) != head:
                        continue
                    nxt = i + p
                    if nxt < len(toks) and not words[nxt].after_punct and toks[nxt] not in FUNCTION_WORDS:
                        continue
                    prefixes.setdefault((i, nxt), set()).add(unit)
    for (i, j), owners in prefixes.items():
        if len(owners) == 1:
            cands.append((j - i - 0.5, Mention(next(iter(owners)), i, j, False)))
    cands.sort(key=lambda c: (-c[0], c[1].start))
    taken: list[Mention] = []
    for _, m in cands:
        if any(m.start < t.end and t.start < m.end for t in taken):
            continue
        taken.append(m)
    return sorted(taken, key=lambda m: m.start)


def _core_length(name: tuple[str, ...]) -> int:
    """How many words a name has without a company's legal form ("TNHH MTV" says nothing of which one)."""
    legal = {tok for form in _LEGAL_FORMS for tok in form}
    return max(1, sum(1 for tok in name if tok not in legal))


def shortened_mentions(text: str, units: Mapping[str, Iterable[tuple[str, ...]]]) -> list[Mention]:
    """The one unit a question names by a shortened name: words of its name in their order, some
    left out, that keep either its first two words or its last two ("bệnh viện quận" for "Bệnh
    viện Đa khoa quận Hòa Phú", "trường Nguyễn Trãi" for "Trường THPT Nguyễn Trãi", "công ty môi
    trường" for "Công ty TNHH MTV Môi trường đô thị Hòa Phú"); three words at least, or two of a
    name of three, and two fifths of the name without its legal form. Every unit that fits: a
    caller takes it only when one does (for questions: a document names its units in full)."""
    toks = [w.token for w in _words(text)]
    fits: list[Mention] = []
    for unit, variants in units.items():
        name = max(variants, key=len, default=())
        if len(name) < 3:
            continue
        for i in range(len(toks)):
            if toks[i] not in name:
                continue
            j, k = i, name.index(toks[i])
            start = k
            while j < len(toks) and toks[j] in name[k:]:
                k = name.index(toks[j], k) + 1
                j += 1
            while j > i + 1 and toks[j - 1] in FUNCTION_WORDS:
                j -= 1  # "bệnh viện có …": a function word of the question that a name happens to hold
                k = name.index(toks[j - 1], start) + 1
            said = toks[i:j]
            ends = said[:2] == list(name[:2]) or said[-2:] == list(name[-2:])
            enough = len(said) >= 3 or (len(said) == 2 and len(name) == 3)
            if ends and enough and len(said) / _core_length(name) >= 0.4:
                fits.append(Mention(unit, i, j, False))
                break
    return fits


def swap_mention(text: str, units: Mapping[str, Iterable[tuple[str, ...]]], new: str) -> str | None:
    """The text with its first mention of a known unit replaced by ``new`` (abbreviations written out)."""
    mentions = find_mentions(text, units)
    if not mentions:
        return None
    expanded, words = _expanded_words(text)
    m = mentions[0]
    return expanded[: words[m.start].start] + new + expanded[words[m.end - 1].end :]


def remove_mentions(text: str, units: Mapping[str, Iterable[tuple[str, ...]]]) -> str:
    """The text (abbreviations written out) without the units it names: what is left is the topic."""
    expanded, words = _expanded_words(text)
    for m in reversed(find_mentions(text, units)):
        expanded = expanded[: words[m.start].start] + " " + expanded[words[m.end - 1].end :]
    return expanded


_HEADS = (
    ("dang", "uy"), ("dang", "bo"), ("chi", "bo"), ("phuong",), ("xa",), ("thi", "tran"), ("cong", "ty"),
    ("benh", "vien"), ("truong",), ("toa", "an", "nhan", "dan"), ("trung", "tam"),
    ("vien", "kiem", "sat", "nhan", "dan"),
)


def unit_like_phrases(text: str) -> list[str]:
    """Phrases that look like a unit's name ("phường Bình Minh"), known to us or not, as written.

    With diacritics the name is the run of capitalised words after a unit word; without
    them, at most three syllables up to a function word or a number.
    """
    expanded, words = _expanded_words(text)
    accented = fold(text) != nfc(text).lower()
    out: list[str] = []
    i = 0
    while i < len(words):
        head = next((h for h in _HEADS if tuple(w.token for w in words[i : i + len(h)]) == h), None)
        if head is None:
            i += 1
            continue
        j = i + len(head)
        while True:  # "Đảng ủy phường X": the unit word after the party word starts the name
            more = next((h for h in _HEADS if tuple(w.token for w in words[j : j + len(h)]) == h), None)
            if more is None:
                break
            j += len(more)
        name: list[str] = []
        while j < len(words) and len(name) < 6:
            w = words[j]
            if name and w.after_punct:
                break
            if accented:
                if not (w.capital or w.token.isdigit()) or (name and w.token.isdigit() and not name[-1].isdigit()):
                    break
            elif w.token in FUNCTION_WORDS or (name and w.token.isdigit()) or len(name) == 3:
                break
            name.append(w.token)
            j += 1
        if name:
            out.append(expanded[words[i].start : words[j - 1].end])
        i = max(j, i + 1)
    return out
