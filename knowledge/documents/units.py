"""Named units (wards, communes, courts, companies, party cells and committees) in a text.

Precision beats recall: these names become filter buttons, so only a keyword followed by a
proper name (capitalised words) counts; "xã, phường, đặc khu" or "chi bộ trực thuộc" do not.
"""

from __future__ import annotations

import re

from knowledge.text import fold
from knowledge.vocab import FUNCTION_WORDS

_WORD = r"[^\W\d_]+"  # one syllable; capitalisation is checked in code (regex ranges mix cases)
_LOWER_LEVEL = r"(?:quận|huyện|thị xã|thành phố|tỉnh)"

# (pattern for the keyword, canonical keyword, max name syllables, generic names to reject)
_ADMIN = [
    (r"[Pp]hường", "phường"),
    (r"[Xx]ã", "xã"),
    (r"[Tt]hị trấn", "thị trấn"),
    (r"[Đđ]ặc khu", "đặc khu"),
    (r"[Qq]uận", "quận"),
    (r"[Hh]uyện", "huyện"),
    (r"[Tt]hị xã", "thị xã"),
    (r"[Tt]hành phố", "thành phố"),
    (r"[Tt]ỉnh", "tỉnh"),
]
# Institutions with party cells of their own: schools, hospitals, centres.
_INSTITUTIONS = [
    (r"[Tt]rường", "Trường"),
    (r"[Bb]ệnh viện", "Bệnh viện"),
    (r"[Tt]rung tâm", "Trung tâm"),
]
_PARTY = [
    (r"[Cc]hi bộ", "chi bộ"),
    (r"[Đđ]ảng [uủ][ỷy]", "đảng ủy"),
    (r"[Đđ]ảng bộ", "đảng bộ"),
]
_COURTS = [
    (r"[Tt][òo][àa]? án nhân dân|T[òo]a án nhân dân", "Tòa án nhân dân"),
    (r"[Vv]iện [Kk]iểm sát nhân dân", "Viện kiểm sát nhân dân"),
]
_COMPANY = r"(?P<kw>CTCP|(?:[Tt]ổng )?[Cc]ông ty(?: cổ phần| TNHH(?: một thành viên| MTV)?| trách nhiệm hữu hạn(?: một thành viên)?)?)"

# Words that name a level or the Party itself, not a particular unit.
_GENERIC = {
    fold(w)
    for w in (
        "Thành phố", "Quận", "Huyện", "Tỉnh", "Trung ương", "Xã", "Phường", "Khối", "Cơ sở",
        "Đảng", "Nhà nước", "Đoàn", "Thị xã", "Thôn", "Tổ dân phố", "Việt Nam", "Ban", "Bộ",
    )
}
# A company name ends at a function word ("CTCP Khí công nghiệp Việt Nam và …"); any other
# lower-case word after a unit name means the name goes on ("Công an Trung ương").
_COMPANY_STOP = FUNCTION_WORDS
_FOLLOWERS = FUNCTION_WORDS
# Central bodies whose names have lower-case syllables; matched verbatim after a party keyword.
_KNOWN = (
    "Công an Trung ương", "Quân đội", "Quân ủy Trung ương", "Bộ Ngoại giao", "Chính phủ",
    "Quốc hội", "Mặt trận Tổ quốc Việt Nam", "Ngoài nước", "Các cơ quan Trung ương",
    "Khối các cơ quan Trung ương", "Khối doanh nghiệp Trung ương",
)
_KNOWN_RE = re.compile(
    r"(?<![\w])(?P<kw>[Đđ]ảng\s+[uủ][ỷy]|[Đđ]ảng\s+bộ)\s+(?P<name>"
    + "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in _KNOWN)
    + r")(?![\w])"
)


def _admin_pattern(kw: str, max_words: int, digits: bool) -> re.Pattern[str]:
    name = rf"{_WORD}(?:[ ]{_WORD}){{0,{max_words - 1}}}"
    if digits:
        name = rf"(?:{name}|\d{{1,3}})"
    return re.compile(rf"(?<![\w])(?:{kw})[ ](?P<name>{name})")


_PATTERNS: list[tuple[re.Pattern[str], str, bool]] = (
    [(_admin_pattern(kw, 4, True), canon, True) for kw, canon in _ADMIN]
    + [(_admin_pattern(kw, 5, False), canon, True) for kw, canon in _PARTY]

    + [
        (
            re.compile(
                rf"(?<![\w])(?:{kw})[ ](?P<name>(?:{_LOWER_LEVEL}[ ])?{_WORD}(?:[ ]{_WORD}){{0,4}})"
            ),
            canon,
            False,
        )
        for kw, canon in _COURTS
    ]
)
_COMPANY_RE = re.compile(rf"(?<![\w]){_COMPANY}[ ](?P<name>{_WORD}(?:[ ][^\s,.;:()\"“”]+){{0,8}})")
# Schools, hospitals and centres are named like companies: "Bệnh viện Đa khoa quận Hòa Bình".
_INSTITUTION_RE = re.compile(
    r"(?<![\w])(?P<kw>" + "|".join(kw for kw, _ in _INSTITUTIONS) + rf")[ ](?P<name>{_WORD}(?:[ ][^\s,.;:()\"“”]+){{0,8}})"
)


def _proper_prefix(raw: str) -> str:
    """The leading capitalised words of a name (digits allowed only as the whole name)."""
    if raw.isdigit():
        return raw
    out: list[str] = []
    for i, word in enumerate(raw.split(" ")):
        if word[:1].isupper() or (i == 0 and word in ("quận", "huyện", "tỉnh", "thị", "thành")):
            out.append(word)
        elif out and out[-1] in ("thị", "thành") and word in ("xã", "phố"):
            out.append(word)
        else:
            break
    while out and not out[-1][:1].isupper():
        out.pop()
    return " ".join(out)


def _ends_cleanly(text: str, end: int) -> bool:
    """True when the name is not cut short: punctuation, the end, or a function word follows."""
    nxt = re.match(r"\s+([^\W\d_]+)", text[end : end + 24])
    if not nxt:
        return True
    word = nxt.group(1)
    return word[:1].isupper() or word.lower() in _FOLLOWERS


def _company_name(raw: str) -> str:
    words = raw.split(" ")
    if not words[0][:1].isupper():
        return ""
    out = [words[0]]
    for word in words[1:]:
        if word.lower() in _COMPANY_STOP or not re.fullmatch(r"[^\W_][\w&-]*", word):
            break
        out.append(word)
    while len(out) > 1 and out[-1][:1].islower():  # a name ends on a proper word
        out.pop()
    return " ".join(out)


# One pass finds where a keyword starts; the specific patterns only run there (speed).
_ANY_KEYWORD = re.compile(
    r"(?<![\w])(?:[Pp]hường|[Xx]ã|[Tt]hị trấn|[Đđ]ặc khu|[Qq]uận|[Hh]uyện|[Tt]hị xã|[Tt]hành phố|[Tt]ỉnh"
    r"|[Tt]rường|[Bb]ệnh viện|[Tt]rung tâm|[Cc]hi bộ|[Đđ]ảng\s+(?:[uủ][ỷy]|bộ)"
    r"|[Tt][òo][àa]? án|[Vv]iện [Kk]iểm|CTCP|[Tt]ổng [Cc]ông ty|[Cc]ông ty)"
)


def find_units(text: str, *, strict: bool = True) -> tuple[str, ...]:
    """Unit names in canonical spelling ("phường Sài Đồng"), de-duplicated in order.

    ``strict`` (documents) drops a name that may go on with lower-case syllables; a question
    ("đảng viên phường Phúc Lợi chuyển sinh hoạt…") ends the name at its last capital.
    """
    found: list[tuple[int, str]] = []
    starts = [m.start() for m in _ANY_KEYWORD.finditer(text)]
    if not starts:
        return ()
    known_spans: list[tuple[int, int]] = []
    for m in filter(None, (_KNOWN_RE.match(text, i) for i in starts)):
        canon = "đảng ủy" if fold(m.group("kw")).startswith("dang u") else "đảng bộ"
        found.append((m.start(), f"{canon} {' '.join(m.group('name').split())}"))
        known_spans.append((m.start(), m.end()))
    for pattern, canon, check_generic in _PATTERNS:
        for m in filter(None, (pattern.match(text, i) for i in starts)):
            if any(a <= m.start() < b for a, b in known_spans):
                continue
            name = _proper_prefix(m.group("name"))
            if not name or len(name.split(" ")[-1]) < 2:
                continue
            if strict and not _ends_cleanly(text, m.start("name") + len(name)):
                continue
            if check_generic and fold(name) in _GENERIC:
                continue
            found.append((m.start(), f"{canon} {name}"))
    for m in filter(None, (_COMPANY_RE.match(text, i) for i in starts)):
        kw = m.group("kw")
        kw = kw if kw == "CTCP" else kw[0].upper() + kw[1:]
        name = _company_name(m.group("name"))
        if name:
            found.append((m.start(), f"{kw} {name}"))
    for m in filter(None, (_INSTITUTION_RE.match(text, i) for i in starts)):
        canon = next(c for kw, c in _INSTITUTIONS if re.fullmatch(kw, m.group("kw")))
        name = _company_name(m.group("name"))
        if name:
            found.append((m.start(), f"{canon} {name}"))
            known_spans.append((m.start(), m.start() + len(m.group("kw")) + 1 + len(name)))
    seen: set[str] = set()
    out: list[str] = []
    for start, unit in sorted(found, key=lambda item: item[0]):
        key = fold(unit)
        # "quận Hòa Bình" inside "Bệnh viện Đa khoa quận Hòa Bình" is part of that name, not a unit
        if any(a < start < b for a, b in known_spans):
            continue
        if key not in seen:
            seen.add(key)
            out.append(unit)
    return tuple(out)
