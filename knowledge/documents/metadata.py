"""Document-level metadata: own code, type, date, issuing body, title, replaced codes."""

from __future__ import annotations

import re

from knowledge.documents.codes import (
    code_str,
    parse_codes,
    parse_numeric_date,
    parse_vn_date,
    unique_codes,
)
from knowledge.documents.reflow import match_heading
from knowledge.documents.units import find_units
from knowledge.models import DocCode, DocumentMeta, LoadedDocument
from knowledge.text import CODE_RE, code_key, normalize_tones
from knowledge.vocab import doc_type_by_heading

_KINDS = doc_type_by_heading()  # "QUY ĐỊNH" -> "QĐ"
# Proper nouns to restore after lower-casing an upper-case title (longest first).
_PROPER = sorted(
    [
        "Đảng Cộng sản Việt Nam", "Điều lệ Đảng", "Ban Chấp hành Trung ương", "Bộ Chính trị",
        "Ban Bí thư", "Ban Tổ chức Trung ương", "Ban Tổ chức Thành ủy", "Ban Thường vụ",
        "Thành ủy", "Trung ương", "Huy hiệu Đảng", "Việt Nam", "Hà Nội", "Nhà nước",
        "Quốc hội", "Chính phủ", "Mặt trận Tổ quốc", "Đại hội đại biểu toàn quốc",
    ],
    key=len,
    reverse=True,
)
_PARTY_WORD = re.compile(r"\b(của|vào|trong|ngoài|toàn|về) đảng\b|\bđảng$")
_CURATED_DATE = re.compile(r"\(([^()]*)\)\s*$")
_SO_LINE = re.compile(r"^\s*Số\b")
_NUMBER_LINE = re.compile(r"^\s*Số\s*:?\s*\d*\s*-\s*[A-Za-zĐđ]+\s*/")  # not "Số hóa tài liệu…"
# the line a news page dates its item with: "Ngày đăng 28/03/2026", "Thứ Bảy, 26/09/2026 – 09:45",
# "Cập nhật: 05/10/2026", or the date and time alone ("26/09/2026 09:45")
_POSTED = re.compile(
    r"(?:Ngày đăng|Đăng ngày|Đăng lúc|Ngày cập nhật|Cập nhật|Thứ\s+(?:Hai|Ba|Tư|Năm|Sáu|Bảy|[2-7])|Chủ\s+[Nn]hật)"
    r"\s*[:,]?\s*(?:ngày\s+)?(\d{1,2}/\d{1,2}/\d{4})"
    r"|^\s*(\d{1,2}/\d{1,2}/\d{4})\s*[-–|,]?\s*\d{1,2}[:h]\d{2}",
    re.MULTILINE,
)


def _posted_date(m: re.Match[str]) -> str:
    return m.group(1) or m.group(2)
_PLACE_DATE = re.compile(r"[^\W\d_][^\n,]{0,30},\s*ngày[\s\S]{0,40}?năm\s*\d{4}")
_REPLACE = re.compile(
    r"(?:thay thế|bãi bỏ)\s+(?:các\s+|toàn bộ\s+)?(?:Quy định|Hướng dẫn|Quyết định|Nghị quyết|Chỉ thị|"
    r"Kết luận|Kế hoạch|Chương trình|Thông báo|Quy chế|văn bản)(?P<tail>[^;]{0,400}?)(?:;|\.\s|\.$|$)",
    re.IGNORECASE,
)
_SIGNED_FOR = re.compile(r"^\s*(?:T/M|TM\.?|T\.M\.?)\s+(?P<body>[A-ZĐÀ-Ỹ ]{3,80})\s*$", re.M)
_SUB_BODIES = ("BAN TỔ CHỨC", "BAN TUYÊN GIÁO VÀ DÂN VẬN", "BAN TUYÊN GIÁO", "BAN DÂN VẬN",
               "ỦY BAN KIỂM TRA", "UỶ BAN KIỂM TRA", "VĂN PHÒNG", "BAN NỘI CHÍNH")
_HEADER_LINES = 40


def _recase(caps: str) -> str:
    """An upper-case title or body name in ordinary Vietnamese capitalisation."""
    text = normalize_tones(" ".join(caps.split())).lower()
    for proper in _PROPER:
        text = re.sub(rf"(?<!\w){re.escape(proper.lower())}(?!\w)", proper, text)
    text = _PARTY_WORD.sub(lambda m: m.group(0)[:-4] + "Đảng", text)
    text = re.sub(
        r"\b((?:tỉnh|thành|quận|huyện) ủy|Thành ủy"
        r"|(?:đảng ủy|ủy ban nhân dân|hội đồng nhân dân) (?:phường|xã|thị trấn)) (\w+(?: \w+){0,2})$",
        lambda m: f"{m.group(1)} {m.group(2).title()}",
        text,
    )
    text = re.sub(r"\b(xi{0,3}|xiv|xv|i{1,3}|iv|v|vi{0,3}|ix)$", lambda m: m.group(1).upper(), text)
    text = re.sub(r"(?<!\w)\w+(?!\w)", lambda m: _ABBREVIATIONS.get(m.group(0), m.group(0)), text)
    text = re.sub(r"\b(quận|huyện|thị|tỉnh|thành) ủy\b(?= \w)", lambda m: f"{m.group(1).title()} ủy", text)
    return text[:1].upper() + text[1:]


# abbreviations an upper-case title keeps as they are ("ĐOÀN GIÁM SÁT CỦA BTV THỊ ỦY …")
_ABBREVIATIONS = {
    a.lower(): a
    for a in "BTV BCH UBKT UBND HĐND MTTQ UVTV ĐU TW THPT THCS TNHH MTV CTCP CTTĐT TAND VKSND".split()
}


def _is_caps(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    return bool(letters) and not any(ch.islower() for ch in letters)


def _curated(first: str) -> dict[str, str | None]:
    """Fields of the curated first line "CODE — Title (Body, date)" of the corpus files."""
    out: dict[str, str | None] = {}
    if " — " not in first:
        return out
    parts = [p.strip() for p in first.split(" — ")]
    codes = parse_codes(parts[0])
    if codes and parts[0].startswith(codes[0].raw):
        out["code"] = code_str(codes[0])
        parts = parts[1:]
    tail = _CURATED_DATE.search(parts[-1])
    if tail:
        inner = tail.group(1)
        out["date"] = parse_numeric_date(inner)
        body = inner.split(",")[0].strip()
        if body.startswith(("Ban", "Bộ", "Đại hội", "Thành ủy", "Quận ủy", "Tỉnh ủy")):
            out["body"] = body
        parts[-1] = parts[-1][: tail.start()].strip()
    titles = []
    for part in parts:
        part = re.sub(r"^\(không số hiệu\)\s*", "", part)
        if part.startswith("Ban ") and "body" not in out:
            out["body"] = part
        elif part:
            titles.append(part)
    if titles:
        out["title"] = " — ".join(titles)
    return out


def _header_code(lines: list[str]) -> DocCode | None:
    for line in lines[:_HEADER_LINES]:
        if _SO_LINE.match(line):
            codes = parse_codes(line)
            if codes:
                return codes[0]
    return None


def _title_case(line: str) -> str:
    """A title line as a sentence: an upper-case line recased, its document codes as written
    ("KẾT LUẬN KIỂM TRA VIỆC THỰC HIỆN CHƯƠNG TRÌNH SỐ 05-CTr/QU": the "r" of a code is no reason
    to keep the rest in capitals)."""
    codes = [m.group(0) for m in CODE_RE.finditer(line)]
    masked = line
    for n, code in enumerate(codes):
        masked = masked.replace(code, f"§{n}§", 1)
    if not _is_caps(masked):
        return line
    out = _recase(masked)
    for n, code in enumerate(codes):
        out = out.replace(f"§{n}§", code, 1)
    return out


def _kind_and_title(lines: list[str]) -> tuple[str | None, str | None]:
    for i, line in enumerate(lines[:_HEADER_LINES]):
        word = " ".join(line.replace("*", "").split())
        title_lines: list[str] = []
        if word not in _KINDS:
            # "THÔNG BÁO KẾT QUẢ GIÁM SÁT CHUYÊN ĐỀ": the kind and the title's first words on one line
            kind = next((k for k in _KINDS if word.startswith(k + " ")), None)
            if kind is None or not _is_caps(word) or len(word.split()) > 16:
                continue
            title_lines.append(word[len(kind) + 1 :])
            word = kind
        for nxt in lines[i + 1 : i + 8]:
            nxt = nxt.replace("*", "").strip()
            if not nxt and title_lines:
                break  # a blank line ends the title: what follows is the body
            if not nxt or _NUMBER_LINE.match(nxt):  # "Số 05-KH/ĐU" (or "Số   -HD/BTCTU") under the kind word
                continue
            if title_lines and len(nxt) > 160 and nxt.endswith((".", ":")):
                break  # a body paragraph right under the title, with no blank line between
            head = match_heading(nxt)
            # "KẾT QUẢ KIỂM TRA …" under "BÁO CÁO" is the title going on, not a "Kết quả" section
            if nxt.startswith(("-", "(", "Căn cứ", "Xét")) or (head and not (head.kind == "topic" and _is_caps(nxt))):
                break
            if title_lines and nxt.startswith("Thực hiện"):
                break
            title_lines.append(nxt)
            if len(title_lines) == 4:
                break
        rest = " ".join(" ".join(_title_case(t) for t in title_lines).split())
        kind_word = word[0] + word[1:].lower()
        if not rest:
            return _KINDS[word], kind_word
        if not re.match(r"(Điều lệ|Đảng|Ban|Bộ|Quy định|Hướng dẫn)\b", rest):
            rest = rest[:1].lower() + rest[1:]
        return _KINDS[word], f"{kind_word} {rest}"
    return None, None


def _issuing_body(lines: list[str], text: str) -> str | None:
    signed = list(_SIGNED_FOR.finditer(text))
    if signed:
        return _recase(signed[-1].group("body"))
    header: list[str] = []
    for line in lines[:12]:
        s = line.replace("*", "").strip()
        if not s or set(s) <= set("*-"):
            continue
        if not header and not _is_caps(s):
            continue  # a title line above the header block
        if s.startswith("ĐẢNG CỘNG SẢN") or _SO_LINE.match(s) or not _is_caps(s) or s in _KINDS:
            break
        header.append(s)
    if not header:
        return None
    joined = " ".join(" ".join(header).split())
    for sub in _SUB_BODIES:
        if joined.endswith(sub) and joined != sub:
            parent = joined[: -len(sub)].strip()
            parent = "TRUNG ƯƠNG" if parent == "BAN CHẤP HÀNH TRUNG ƯƠNG" else parent
            return _recase(f"{sub} {parent}")
    return _recase(joined)


_SITE_LINE = re.compile(r"[>›»|]|^(?:Trang chủ|Cổng thông tin|Trang thông tin|CỔNG THÔNG TIN|TRANG THÔNG TIN)")


def _news_title(lines: list[str]) -> str | None:
    for i, line in enumerate(lines[:15]):
        if _POSTED.search(line):
            before = [x.strip() for x in lines[:i] if x.strip()]
            if before and not _SITE_LINE.search(before[-1]):
                return _title_case(before[-1])
            # the headline under the date when the line above it is the site or its breadcrumb
            after = next((x.strip() for x in lines[i + 1 : i + 4] if x.strip()), "")
            if after and len(after) <= 200 and not after.endswith((".", ":")):
                return _title_case(after)
            return _title_case(before[-1]) if before else None
    return None


def _replaced(text: str, own: str | None) -> tuple[str, ...]:
    out: list[str] = []
    for m in _REPLACE.finditer(text):
        for code in unique_codes(m.group("tail"), exclude=own):
            if code not in out:
                out.append(code)
    return tuple(out)


_MD_MARKUP = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?)")


def _plain(line: str) -> str:
    """A header line without markdown markup (``# KẾ HOẠCH`` -> ``KẾ HOẠCH``, ``**Số**`` -> ``Số``)."""
    return _MD_MARKUP.sub("", line).replace("**", "").replace("__", "")


def extract_metadata(doc: LoadedDocument) -> DocumentMeta:
    """Code, type, date, issuing body, title, replaced and cited codes, units of a document."""
    text = doc.text
    lines = [_plain(line) for line in text.split("\n")] if doc.fmt == "md" else text.split("\n")
    first = next((line.strip() for line in lines if line.strip()), "")
    curated = _curated(first)
    header = _header_code(lines)
    kind, body_title = _kind_and_title(lines)

    number = doc_type = issuer = code = None
    if header is not None:
        number, doc_type, issuer = header.number, header.type, header.issuer
    if curated.get("code"):
        cur = parse_codes(curated["code"] or "")[0]
        if header is None or header.number is None or code_key(code_str(cur)) == code_key(code_str(header)):
            number, doc_type, issuer = cur.number, cur.type, cur.issuer
    if number is not None and doc_type and issuer:
        code = code_str(DocCode(number, doc_type, issuer, ""))
    if doc_type is None:
        doc_type = kind

    head_text = "\n".join(lines[:_HEADER_LINES])
    place_date = _PLACE_DATE.search(head_text)
    posted = _POSTED.search(head_text)
    news_title = _news_title(lines)
    issue_date = (
        (parse_vn_date(place_date.group(0)) if place_date else None)
        or curated.get("date")
        or (parse_numeric_date(_posted_date(posted)) if posted else None)
    )
    if doc_type is None and news_title:
        doc_type = "Tin bài"
    if doc_type is None and re.search(r"\bSổ tay\b", first):
        doc_type = "Sổ tay"

    title = (
        curated.get("title")
        or body_title
        or news_title
        or doc.title_hint
        or _first_meaningful(lines)
        or doc.doc_id
    )
    return DocumentMeta(
        doc_id=doc.doc_id,
        title=title,
        code=code,
        number=number,
        doc_type=doc_type,
        issuer=issuer,
        issue_date=issue_date,
        issuing_body=curated.get("body") or _issuing_body(lines, text),
        replaces=_replaced(text, code),
        units=find_units(text),
        mentions=unique_codes(text, exclude=code),
    )


def _first_meaningful(lines: list[str]) -> str | None:
    for line in lines:
        s = " ".join(line.replace("#", " ").replace("*", " ").split())
        if len(s) >= 12 and sum(ch.isalpha() for ch in s) >= 8:
            return s[:200]
    return None
