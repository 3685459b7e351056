"""Lines to paragraphs: undo hard wrapping (PDF text, crawled markdown) and spot headings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from knowledge.text import fold

_TERMINAL = re.compile(r"""([.;:!?…]|\./\.|[.;:!?]["”’)\]*]+)\s*$""")
_PAGE_NUMBER = re.compile(r"^\s*\d{1,3}\s*$")
_TABLE_ROW = re.compile(r"^[^|]*\|[^|]*\|")  # "STT | Nội dung | Thời hạn": a text table keeps one row a line
_LIST_ITEM = re.compile(r"^\s*(?:[-+•*–—]\s|\(\d{1,2}\)|\d{1,2}\)\s|[a-zđ]\)\s|#|->)")
_ROMAN = r"(?:X{0,3})(?:IX|IV|V?I{0,3})"
_TOPICS = (
    r"Mục tiêu|Mục đích|Nhiệm vụ(?:,? (?:và )?giải pháp)?|Giải pháp|Ưu điểm|Hạn chế(?:,? (?:và )?khuyết điểm)?"
    r"|Khuyết điểm|Nguyên nhân|Kiến nghị|Đề xuất|Yêu cầu|Tổ chức thực hiện|Kết quả|Bài học kinh nghiệm"
)

# (kind, pattern). Order matters: the first match wins.
HEADINGS: list[tuple[str, re.Pattern[str]]] = [
    ("md", re.compile(r"^(?P<hashes>#{1,6})\s+(?P<rest>.*)$", re.S)),
    ("closing", re.compile(r"^Nơi nhận\s*:(?P<rest>.*)$", re.S)),
    ("phuluc", re.compile(r"^(?P<mark>(?:PHỤ LỤC|Phụ lục)(?:\s+(?:số\s+)?[0-9IVX]+[A-Z]?)?)(?:\s*$|\s*[.:\-–]\s*|\s+(?=[A-ZĐ]{2}))(?P<rest>.*)$", re.S)),
    ("phan", re.compile(r"^(?P<mark>(?:PHẦN|Phần)\s+(?:THỨ\s+[A-ZÀ-Ỹ]+|thứ\s+\w+|[IVX]+\b|\d+\b))[.:\-–]?\s*(?P<rest>.*)$", re.S)),
    ("chuong", re.compile(r"^(?P<mark>(?:CHƯƠNG|Chương)\s+(?:[IVXL]+|\d+))\b[.:\-–]?\s*(?P<rest>.*)$", re.S)),
    ("muc", re.compile(r"^(?P<mark>(?:MỤC|Mục)\s+(?:[IVXL]+|\d+))(?:\s*$|\s*[.:\-–]\s*|\s+(?=[A-ZĐ]{2}))(?P<rest>.*)$", re.S)),
    ("dieu", re.compile(r"^(?P<mark>Điều\s+\d+)\s*[.:]\s*(?P<rest>.*)$", re.S)),
    ("buoc", re.compile(r"^(?P<mark>Bước\s+\d+)\s*[:.]\s*(?P<rest>.*)$", re.S)),
    ("roman", re.compile(rf"^(?P<mark>(?=[IVX])(?:{_ROMAN}))\s*[.\-–]\s+(?P<rest>\S.*)$", re.S)),
    ("alpha", re.compile(r"^(?P<mark>[A-HĐ])\.\s+(?P<rest>[A-ZĐÀ-Ỹ][A-ZĐÀ-Ỹ ,]{3}.*)$", re.S)),
    ("num", re.compile(r"^(?P<mark>\d{1,2}(?:\.\d{1,2})*)(?:\.|(?<=\d\.\d)|(?<=\d\.\d\d)|-)\s+(?P<rest>\S.*)$", re.S)),
    ("paren", re.compile(r"^(?P<mark>\(\d{1,2}\))\s+(?P<rest>\S.*)$", re.S)),
    ("numparen", re.compile(r"^(?P<mark>\d{1,2}\))\s+(?P<rest>\S.*)$", re.S)),
    ("point", re.compile(r"^(?P<mark>[a-zđ]\))\s+(?P<rest>\S.*)$", re.S)),
    ("topic", re.compile(rf"^(?P<mark>(?:\d+\.\s*)?(?:{_TOPICS}))\s*:?\s*(?P<rest>[^.]{{0,60}})$", re.S | re.I)),
]


@dataclass(frozen=True)
class Heading:
    """A structural unit's start: its kind (``dieu``, ``num2``, ``md3``…), marker and title."""

    kind: str
    mark: str
    rest: str


@lru_cache(maxsize=65536)
def match_heading(line: str) -> Heading | None:
    """The structural unit a line starts, if any."""
    s = line.strip()
    if not s or not (s[0].isupper() or s[0].isdigit() or s[0] in "#(" or s[1:2] == ")"):
        return None
    for kind, pattern in HEADINGS:
        m = pattern.match(s)
        if not m:
            continue
        groups = m.groupdict()
        if kind == "md":
            return Heading(f"md{len(groups['hashes'])}", "", groups["rest"].strip())
        mark = groups.get("mark") or ""
        if kind == "num":
            kind = f"num{mark.count('.') + 1}"
        if kind == "topic" and s.endswith("."):
            continue
        return Heading(kind, mark.strip(), (groups.get("rest") or "").strip())
    return None


def _ends_sentence(line: str) -> bool:
    return bool(_TERMINAL.search(line))


def _starts_unit(line: str) -> bool:
    return bool(_LIST_ITEM.match(line)) or bool(_TABLE_ROW.match(line)) or match_heading(line) is not None


def _is_caps(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    return bool(letters) and all(not ch.islower() for ch in letters)


# Common compounds written with a spaced hyphen, which a hard wrap can put at a line start.
_KNOWN_COMPOUNDS = {("tri", "xa"), ("te", "xa"), ("hoa", "xa"), ("mac", "lenin"), ("ninh", "quoc"), ("phong", "an")}
_INLINE_COMPOUND = re.compile(r"(\w+) [-–] (\w+)")
_HYPHEN_START = re.compile(r"^[-–]\s+(\w+)")


def _compounds(lines: list[str]) -> set[tuple[str, str]]:
    """Syllable pairs the text itself joins with a spaced hyphen inside a line ("trị - xã")."""
    found = set(_KNOWN_COMPOUNDS)
    for line in lines:
        for m in _INLINE_COMPOUND.finditer(line.strip()[1:]):
            found.add((fold(m.group(1)), fold(m.group(2))))
    return found


def _broken_compound(prev: str, line: str, compounds: set[tuple[str, str]]) -> bool:
    """A line that starts "- xã hội" continuing "…các tổ chức chính trị": one word, not an item."""
    m = _HYPHEN_START.match(line)
    if not m or not m.group(1)[:1].islower() or _ends_sentence(prev) or prev.rstrip().endswith(":"):
        return False
    last = prev.rstrip().rsplit(" ", 1)[-1]
    return (fold(last), fold(m.group(1))) in compounds


def paragraphs(text: str) -> list[str]:
    """Reflow hard-wrapped lines into paragraphs; a lone page number line is dropped."""
    lines = text.split("\n")
    widths = sorted(len(line.strip()) for line in lines if line.strip())
    wide = widths[int(len(widths) * 0.8)] if widths else 80
    compounds = _compounds(lines)
    out: list[list[str]] = []
    blank_before = True
    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            blank_before = True
            continue
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if _PAGE_NUMBER.match(line) and nxt and out:
            continue  # a page number between two lines of running text
        if out and not blank_before and _broken_compound(out[-1][-1], line, compounds):
            out[-1].append(line)
        elif out and _continues(out[-1], line, blank_before, wide):
            out[-1].append(line)
        else:
            out.append([line])
        blank_before = False
    return [" ".join(p) for p in out]


def _continues(para: list[str], line: str, blank_before: bool, wide: int) -> bool:
    prev = para[-1]
    first = para[0]
    if _starts_unit(line) or first.startswith("#") or _ends_sentence(prev) or _TABLE_ROW.match(prev):
        return False
    if prev.rstrip().endswith("-----") or set(prev) <= set("-*_ "):
        return False
    starts_lower = line[:1].islower()
    if blank_before:
        return starts_lower  # a page break in the middle of a sentence
    if _is_caps(prev) and not _is_caps(line):
        return False  # an upper-case title line followed by body text
    if len(para) == 1 and not starts_lower and match_heading(first) and len(first) < max(0.8 * wide, 50):
        return False  # a short heading line followed by its body
    return True
