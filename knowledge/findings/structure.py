"""A findings document as a walk of paragraphs, each with the headings above it read for meaning.

A heading may name a unit ("1. Đảng ủy phường An Phú", "I. ĐỐI VỚI ĐẢNG ỦY XÃ …", "Đối với Chi
bộ …"), a kind of finding ("a) Ưu điểm", "III. KIẾN NGHỊ"), a part with no findings ("I. MỤC
ĐÍCH, YÊU CẦU", "Khái quát chung"), or discipline. Numbered lines that are whole sentences are
list items, not titles. Table rows ("STT | Nội dung | Thời hạn") are kept as rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from knowledge.documents.reflow import match_heading, paragraphs
from knowledge.models import Kind
from knowledge.question.words import lexicon
from knowledge.text import fold
from knowledge.unit_names import CAP, UPPER

# A unit's name starts with one of these words, followed by a capitalised word or a unit word.
UNIT_WORDS = (
    r"(?:Đảng ủy|Đảng bộ|Chi bộ|Chi ủy|[Pp]hường|[Xx]ã|[Tt]hị trấn|Tòa án|Viện [Kk]iểm sát|(?:Tổng )?[Cc]ông ty|CTCP"
    r"|Bệnh viện|Trung tâm|Trường|Ban|Ủy ban|Văn phòng|[Cc]ơ quan|Sở|Phòng|Chi cục|Cục|Ngân hàng|Hợp tác xã"
    r"|Đồn|Kho bạc|Quận ủy|Huyện ủy|Thị ủy|Thành ủy|Tỉnh ủy|Hội)"
)
_NAME_NEXT = r"(?=" + CAP + r"|[0-9]|(?:phường|xã|thị trấn|quận|huyện|nhân dân|cổ phần|đa khoa|cơ sở)\b)"
UNIT_START_RE = re.compile(rf"{UNIT_WORDS}\s+{_NAME_NEXT}")
# Bodies that direct or follow up an inspection rather than being inspected.
BODY_RE = re.compile(
    r"(?:[Cc]ơ quan\s+)?(?:Ban Thường vụ|Thường trực|Ban Chấp hành|Ban Tổ chức|Ban Tuyên giáo(?: và Dân vận)?"
    r"|Ban Dân vận"
    r"|Ban Nội chính|Ban Kinh tế|Ủy ban Kiểm tra|Văn phòng|Đoàn kiểm tra|Đoàn giám sát)"
    r"(?:\s+(?:Quận|Huyện|Thị|Thành|Tỉnh)\s?(?:ủy|bộ)(?:\s+(?!Quận|Huyện)" + CAP + r"\w*){0,2})?"
)


def is_directing(name: str) -> bool:
    """A body that directs or follows an inspection up (Ban Thường vụ …, Ủy ban Kiểm tra …), not an
    inspected unit; also when what follows it is what it does ("Ban Thường vụ Quận ủy yêu cầu",
    "Đoàn kiểm tra số 2"), not the unit it belongs to ("Ban Thường vụ Đảng ủy phường A")."""
    name = " ".join(name.split()).rstrip(" .,")
    m = BODY_RE.match(name)
    return m is not None and (m.end() == len(name) or name[m.end() :].lstrip()[:1].islower())

_SKIP = re.compile(
    r"\b(muc dich|khai quat|dac diem|tinh hinh chung|can cu|thanh phan|noi dung (kiem tra|giam sat)|phuong phap"
    r"|thoi gian (kiem tra|giam sat)|nguyen nhan|bai hoc|phan cong)\b"
)
_KIND_CUES: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    ("yeu_cau", re.compile(
        r"\b(yeu cau|kien nghi|de nghi|khac phuc|giao trach nhiem|to chuc thuc hien|nhiem vu (trong )?thoi gian toi"
        r"|phuong huong|bien phap)\b")),
    ("han_che", re.compile(r"\b(han che|khuyet diem|ton tai|yeu kem|thieu sot|sai pham|vi pham)\b")),
    ("uu_diem", re.compile(r"\b(uu diem|ket qua dat duoc|mat lam duoc|diem manh|nhung viec lam duoc)\b")),
)
_DISCIPLINE = re.compile(r"\b(ky luat|dau hieu vi pham|xu ly vi pham)\b")
_LABEL = re.compile(
    r"^(?:[-+•]\s*)?(?P<label>Ưu điểm|Hạn chế(?:,?\s*(?:khuyết điểm|tồn tại))?|Khuyết điểm|Tồn tại(?:,?\s*hạn chế)?"
    r"|Yêu cầu(?: khắc phục)?|Kiến nghị|Đề nghị|Nhiệm vụ khắc phục|Biện pháp khắc phục|Nguyên nhân)"
    r"\s*:\s*(?P<rest>.*)$",
    re.S,
)
# a person's name: two to four capitalised syllables, not a post ("đ/c Phó Chủ tịch …", "đồng chí Bí thư …")
_POSTS = r"(?!(?:Phó|Chủ|Bí|Trưởng|Giám|Ủy|Thường|Đảng|Cán|Tổ|Cục|Vụ|Ban|Chánh|Thành|Các|Những)\b)"
NAME = _POSTS + CAP + r"\w*(?:\s+" + CAP + r"\w*){1,3}"
_PERSON = r"(?:đồng chí|Đồng chí|đ/c|Đ/c)\s+(?P<name>" + NAME + ")"
PERSON_RE = re.compile(_PERSON)
_DASH = re.compile(r"^[-+•–—*]\s+")
TABLE_ROW = re.compile(r"^[^|]*\|[^|]*\|")


def kind_of_title(title: str) -> Kind | None:
    """The kind of finding a heading or label announces, if one (a mixed "Ưu điểm, hạn chế" announces none)."""
    folded = fold(title)
    hits = [kind for kind, cue in _KIND_CUES if cue.search(folded)]
    if hits and hits[0] == "yeu_cau":
        return "yeu_cau"
    return hits[0] if len(hits) == 1 else None


def recase(text: str) -> str:
    """An upper-case heading in sentence case, names capitalised ("ĐẢNG ỦY XÃ TÂN HÒA" → "Đảng ủy xã Tân Hòa")."""
    keep_lower = {"đối", "với", "tại", "và", "của", "phường", "xã", "thị", "trấn", "quận", "huyện", "tỉnh", "ủy", "bộ"}
    words = text.lower().split()
    out = [w if w in keep_lower else w[:1].upper() + w[1:] for w in words]
    joined = " ".join(out)
    joined = re.sub(r"\b(Đảng|Chi) (ủy|bộ)\b", lambda m: f"{m.group(1)} {m.group(2)}", joined)
    return joined[:1].upper() + joined[1:] if not joined.lower().startswith(("đối với", "tại")) else joined


def is_caps(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 4 and not any(ch.islower() for ch in letters)


_RULE_TAIL = re.compile(r"\s*[-_=*–—]{2,}.*$")  # "Thạch Lỗi -----": the rule drawn under a title


def unit_span(text: str, start: int = 0) -> str | None:
    """The unit name starting at ``start`` up to a comma, a colon, a bracket, the end, or a word that
    goes on with the sentence ("và", "về việc …", "ngày 22/9", "đã …")."""
    m = UNIT_START_RE.match(text, start)
    if not m:
        return None
    tail = text[start:]
    cut = re.search(r"\s*(?:[,;:()]|\s+(?:và|về|để|theo|ngày|từ|trong|nhằm|đã|đang|sẽ|chưa|còn)\s+|\s+-\s+|\.(?:\s|$)|$)",
                    tail[m.end() - start :])
    name = tail[: (m.end() - start) + (cut.start() if cut else len(tail))].strip()
    name = _RULE_TAIL.sub("", name)  # a rule line under a title is no part of a name
    return name if 2 <= len(name.split()) <= 16 else None


# A party organisation named in running text: "Đảng ủy xã Đồng Lạc", "Chi bộ Trường THPT Yên Khê",
# "Đảng ủy Trung tâm Y tế huyện", "Ban Thường vụ Đảng ủy xã Thạch Lỗi" (the standing committee
# answers for its unit: the unit is named without it).
_PARTY_ORG = re.compile(
    r"(?<![\w])(?:(?:Ban Thường vụ|Ban Chấp hành|Thường trực|Chi ủy(?=\s+Chi bộ))\s+)?(?P<org>Đảng ủy|Đảng bộ|Chi bộ|Chi ủy)\s+"
)
_ADMIN_LEVEL = re.compile(
    r"(?:xã|phường|thị trấn|[Tt]hôn|[Bb]ản|[Ấấ]p|[Tt]ổ dân phố|[Kk]hu phố|[Tt]ổ|đặc khu)\s+(?=" + CAP + r"|số\s+\d)"
)
# lower-case words inside institution names, before the proper name goes on
_CONNECTOR = re.compile(
    r"(?:cơ sở|phổ thông|nhân dân|đa khoa|mầm non|tiểu học|dân tộc nội trú|dân tộc bán trú|bán trú|nội trú|y tế"
    r"|quân sự|công an"
    r"|đô thị|môi trường|thoát nước|cấp nước|công trình|chiếu sáng|cây xanh"
    r"|(?:tác )?xã(?: dịch vụ)?(?: nông nghiệp| thủy sản| tổng hợp| thương mại)?)"  # "Hợp tác xã dịch vụ nông nghiệp X"
    r"(?=\s+(?:" + CAP + r"|(?:huyện|quận|tỉnh|thị xã|thành phố)(?![\w])))"
)
_LEVEL_WORDS = frozenset({"huyện", "quận", "tỉnh", "xã", "phố"})
_NUMBERED = re.compile(r"số\s+\d+[A-Za-z]?")
_LOCAL_LEVEL = re.compile(r"\s+(?:huyện|quận|tỉnh|thị xã|thành phố)(?![\w])")
_NAME_WORD = re.compile(r"\s*([^\W_][\w]*)")


def _name_end(text: str, at: int) -> int:
    """Where a unit's own name starting at ``at`` ends: capitalised words and abbreviations, a
    lower-case syllable that completes a dictionary word with the capitalised one before it ("Y tế",
    "Đa khoa", "Quân sự"), and a trailing level word of the locality ("Trung tâm Y tế huyện")."""
    words = lexicon().accented
    end = at
    prev: str | None = None
    pos = at
    while True:
        m = _NAME_WORD.match(text, pos)
        if not m or (m.start(1) > pos and text[pos : m.start(1)].strip()):
            break
        word = m.group(1)
        if word[:1].isupper() or word[:1].isdigit() and prev is not None and prev.lower() == "số":
            end, prev, pos = m.end(1), word, m.end(1)
            continue
        nxt = _NAME_WORD.match(text, m.end(1))
        claimed = nxt is not None and f"{word.lower()}_{nxt.group(1).lower()}" in words  # "Bình sinh hoạt"
        if prev is not None and prev[:1].isupper() and f"{prev.lower()}_{word.lower()}" in words and not claimed:
            end, prev, pos = m.end(1), word, m.end(1)
            continue
        link = _CONNECTOR.match(text, m.start(1))
        if link and end > at:  # "Trường Trung học cơ sở Tân Lập", "Tòa án nhân dân Quận"
            end, prev, pos = link.end(), "", link.end()
            continue
        break
    level = _LOCAL_LEVEL.match(text, end)
    if level and end > at:
        after = _NAME_WORD.match(text, level.end())
        end = level.end()
        if after and after.group(1)[:1].isupper() and not text[level.end() : after.start(1)].strip():
            end = _name_end(text, after.start(1))
    return end


def issuing_unit(text: str) -> str | None:
    """The party organisation a document's header names as its issuer (the lowest one of the
    block: "ĐẢNG BỘ HUYỆN YÊN KHÊ / ĐẢNG ỦY XÃ ĐỒNG LẠC" → "Đảng ủy xã Đồng Lạc"), if any."""
    found = None
    for line in text.split("\n")[:14]:
        left = re.split(r"\s{3,}", line.strip())[0].replace("*", "").replace("ĐẢNG CỘNG SẢN VIỆT NAM", " ").strip()
        if not is_caps(left):
            continue
        units = party_units(recase(left))
        if units:
            found = units[-1][2]
    return found


_SUB_BODIES = {
    "ỦY BAN KIỂM TRA": "Ủy ban Kiểm tra", "BAN THƯỜNG VỤ": "Ban Thường vụ", "BAN CHẤP HÀNH": "Ban Chấp hành",
    "BAN TỔ CHỨC": "Ban Tổ chức",
}
_WORD_CAPS = f"[{UPPER}]+"
_PARENT = rf"(?:(?:HUYỆN|QUẬN|TỈNH|THÀNH|THỊ) ỦY|ĐẢNG ỦY(?: XÃ| PHƯỜNG| THỊ TRẤN)?)(?: {_WORD_CAPS}){{1,3}}?"
_SUB = "|".join(_SUB_BODIES)
_LINE = " ¶"  # where the header's lines met: a body's name never runs past the end of its line
# "HUYỆN ỦY YÊN KHÊ / ỦY BAN KIỂM TRA" (two lines, or two columns on one), or "ỦY BAN KIỂM TRA
# HUYỆN ỦY KHAU VAI" whose place name ends its line (never "… HUYỆN ỦY VỀ KẾT QUẢ …" of a title)
_AUTHOR = re.compile(
    rf"(?P<parent>{_PARENT})(?:{_LINE})? (?P<sub>{_SUB})\b"
    rf"|(?P<sub2>{_SUB})(?:{_LINE})? (?P<parent2>{_PARENT})(?={_LINE}|$)"
)


def issuing_body(text: str) -> str | None:
    """The body a document's header names as its author, with the committee it belongs to
    ("HUYỆN ỦY YÊN KHÊ / ỦY BAN KIỂM TRA" → "Ủy ban Kiểm tra Huyện ủy Yên Khê"); None without one.
    The header's two columns may come joined on one line (as stored passages hold them)."""
    lines = [" ".join(re.sub(r"[-*]{2,}|\*", " ", line.replace("ĐẢNG CỘNG SẢN VIỆT NAM", " ")).split())
             for line in text.replace("UỶ", "ỦY").split("\n")[:14]]
    head = (_LINE + " ").join(line for line in lines if line)
    m = _AUTHOR.search(head)
    if not m:
        return None
    sub, parent = (m.group("sub"), m.group("parent")) if m.group("sub") else (m.group("sub2"), m.group("parent2"))
    return f"{_SUB_BODIES[sub]} {recase(parent)}"


def unit_name(name: str) -> str:
    """A unit's name as a record shows it: no standing committee before it, no rule after it."""
    name = _RULE_TAIL.sub("", " ".join(name.split()))
    found = party_units(name)
    if found and found[0][1] == len(name) and re.match(r"(?:Ban|Thường|Chi ủy)", name):
        return found[0][2]
    return name


def party_units(text: str) -> list[tuple[int, int, str]]:
    """Party organisations named in a text: (start, end, name), the name without a standing
    committee before it; a bare "Đảng ủy xã" or a district's own committee is none."""
    out: list[tuple[int, int, str]] = []
    seen, straight, curly = 0, 0, 0  # quotation marks before the match, counted once over the text
    for m in _PARTY_ORG.finditer(text):
        gap = text[seen : m.start()]
        straight += gap.count('"')
        curly += gap.count("“") - gap.count("”")
        seen = m.start()
        if straight % 2 or curly > 0:
            continue  # inside quotation marks: the name of a model or a slogan, not a unit
        at = m.end()
        admin = _ADMIN_LEVEL.match(text, at)
        start = admin.end() if admin else at
        numbered = _NUMBERED.match(text, start) if admin else None
        if numbered:  # "Chi bộ Tổ dân phố số 4"
            end = numbered.end()
        elif not text[start : start + 1].isupper():
            continue
        else:
            end = _name_end(text, start)
        if end <= start:
            continue
        name = " ".join(f"{m.group('org')} {text[at:end]}".split())
        own = text[start:end].split()
        if not admin and (len(own) < 2 or not any(w[:1].isupper() or w in _LEVEL_WORDS for w in own[1:])):
            continue  # "Chi bộ Tổ …", "Đảng ủy Công ty": a kind of body, not its name
        out.append((m.start(), end, name))
    return out


@dataclass(frozen=True)
class Title:
    """What a heading says: its kind of finding, unit, person, and whether its part holds findings."""

    text: str
    kind: Kind | None = None
    unit: str | None = None  # a unit the part is about
    person: str | None = None  # a party member the part is about ("… đối với đồng chí X")
    superior: bool = False  # the part is about a directing body (Ban Thường vụ…), not a unit
    skip: bool = False
    discipline: bool = False


def read_title(text: str) -> Title:
    """The meaning of one heading's text."""
    raw = " ".join(text.replace("*", "").split()).rstrip(" :")
    shown = recase(raw) if is_caps(raw) else raw
    folded = fold(shown)
    skip = bool(_SKIP.search(folded))
    if skip and {m.group(0) for m in _SKIP.finditer(folded)} == {"nguyen nhan"} and kind_of_title(shown) in (
        "han_che", "uu_diem"
    ):
        skip = False  # "Về hạn chế, khuyết điểm và nguyên nhân": the shortcomings come first
    if skip and re.search(r"\b(nhan xet|danh gia|ket qua|nhiem vu|giai phap|bien phap|khac phuc|vi pham)\b", folded):
        # "Nhận xét theo từng nội dung kiểm tra": what was found, content by content; "Nhiệm vụ,
        # thời gian và phân công": a plan's tasks, whoever they are given to
        skip = False
    if re.search(r"\bbieu quyet\b", folded):
        skip = True  # "Ý kiến của tổ chức đảng và kết quả biểu quyết": votes on a decision, not findings
    unit = person = None
    superior = False
    body = re.sub(r"^(?:[Đđ]ối với|[Tt]ại|[Ởở])\s+", "", shown)
    whole = unit_span(body)
    if whole and len(whole) >= len(body) - 1:
        unit = whole
    else:
        for m in re.finditer(r"\b(?:đối với|của|tại|ở)\s+", shown):
            pm = PERSON_RE.match(shown, m.end())
            if pm:
                person = pm.group("name")
                role = shown[pm.end() :]
                um = UNIT_START_RE.search(role)
                unit = unit_span(role, um.start()) if um else None
                break
            span = unit_span(shown, m.end())
            if span:
                unit = span
                break
    if unit and is_directing(unit):
        unit, superior = None, True
    return Title(
        shown, kind=None if skip else kind_of_title(shown), unit=unit, person=person, superior=superior, skip=skip,
        discipline=bool(_DISCIPLINE.search(folded)),
    )


@dataclass(frozen=True)
class Node:
    """One paragraph of the body with the headings above it (outermost first)."""

    text: str
    role: str  # title | item | prose | row | label
    titles: tuple[Title, ...] = ()
    label: Title | None = None  # "Ưu điểm: …" / "Đối với Đảng ủy xã X: …" at the start of the paragraph
    index: int = 0
    heading_kind: str = ""  # the heading kind of a title or numbered item (num1, point, roman…)
    mark: str = ""  # its marker ("3.", "b)", "II.")


@dataclass
class _Frame:
    kind: str
    title: Title | None


@dataclass
class Walk:
    """The body of a document as nodes, plus whether it has titled sections at all."""

    nodes: list[Node] = field(default_factory=list)
    has_titles: bool = False
    preamble: list[str] = field(default_factory=list)  # paragraphs before the first title


_ANNEX = re.compile(r"^\(?\s*(?:Kèm theo|Ban hành kèm theo)\s+(?:Quyết định|Thông báo|Kết luận|Báo cáo|Kế hoạch)\b")


def walk(text: str, paras: Sequence[str] | None = None) -> Walk:
    """Paragraphs with their heading context; stops at "Nơi nhận".

    ``paras``: the paragraphs when they are known already (a stored document's chunks hold one
    paragraph a line); otherwise the text is reflowed into paragraphs here.
    """
    paras = list(paras) if paras is not None else paragraphs(text)
    out = Walk()
    stack: list[_Frame] = []
    label: Title | None = None
    closing, last = False, ""
    for i, para in enumerate(paras):
        p = para.strip()
        if not p:
            continue
        if re.match(r"^Nơi nhận\s*:", p):
            closing = True  # the distribution list and the signature: nothing to read …
            continue
        if closing:
            # … unless an annex follows ("NỘI DUNG VI PHẠM …" / "(Kèm theo Quyết định số …)")
            if not _ANNEX.match(p):
                last = p
                continue
            closing, stack, label = False, [], None
            if not out.has_titles:
                out.preamble = []  # a body with no headings is content, not the preamble of the annex's
            if is_caps(last) and len(last) <= 250:
                stack.append(_Frame("annex", read_title(last)))
                out.nodes.append(Node(last, "title", _titles(stack), None, i, "annex", ""))
            continue
        head = match_heading(p)
        if TABLE_ROW.match(p):
            out.nodes.append(Node(p, "row", _titles(stack), label, i))
            continue
        if head is not None and head.kind not in ("dieu",):
            rest = head.rest if head.kind != "topic" else f"{head.mark} {head.rest}".strip()
            title_like = bool(rest) and len(rest) <= 250 and not rest.rstrip().endswith((".", ";", ".)"))
            kind = head.kind
            cut = next((j for j in range(len(stack) - 1, -1, -1) if stack[j].kind == kind), None)
            if cut is not None:
                del stack[cut:]
            if title_like:
                title = read_title(rest)
                stack.append(_Frame(kind, title))
                label = None
                if not out.has_titles:
                    out.has_titles = True
                out.nodes.append(Node(p, "title", _titles(stack), None, i, kind, head.mark))
            else:
                stack.append(_Frame(kind, None))
                out.nodes.append(Node(rest, "item", _titles(stack), label, i, kind, head.mark))
            continue
        lm = _LABEL.match(p) or _general_label(p)
        if lm:
            label = read_title(lm.group("label"))
            if lm.group("rest").strip():
                out.nodes.append(Node(lm.group("rest").strip(), "label", _titles(stack), label, i))
            continue
        um = re.match(r"^(?P<lead>[Đđ]ối với|ĐỐI VỚI|[Tt]ại)?\s*(?P<unit>[^:]{4,120}?)\s*:\s*(?P<rest>.*)$", p, re.S)
        if um and (um.group("lead") or is_caps(um.group("unit"))):
            name = recase(um.group("unit")) if is_caps(um.group("unit")) else um.group("unit")
            span = unit_span(name)
            if span and len(span) >= len(name) - 1:
                label = Title(name, unit=None if is_directing(span) else span, superior=is_directing(span))
                if um.group("rest").strip():
                    out.nodes.append(Node(um.group("rest").strip(), "label", _titles(stack), label, i))
                continue
        if _DASH.match(p):
            out.nodes.append(Node(_DASH.sub("", p), "item", _titles(stack), label, i, "dash"))
            continue
        if not out.has_titles:
            out.preamble.append(p)
        out.nodes.append(Node(p, "prose", _titles(stack), label, i))
    return out


def _general_label(paragraph: str) -> re.Match[str] | None:
    """A short lead such as "Tồn tại, yếu kém:" or "Kiến nghị, đề xuất:" that names a kind of finding (or a cause)."""
    m = re.match(r"^(?:[-+•]\s*)?(?P<label>[^:;.()]{3,60}?)\s*:\s*(?P<rest>.*)$", paragraph, re.S)
    if not m or len(m.group("label").split()) > 8:
        return None
    title = read_title(m.group("label"))
    return m if (title.kind or title.skip) else None


def _titles(stack: list[_Frame]) -> tuple[Title, ...]:
    return tuple(f.title for f in stack if f.title is not None)
