"""Document codes (``294-QĐ/TW``) and Vietnamese dates found in free text."""

from __future__ import annotations

import re

from knowledge.models import DocCode
from knowledge.text import canonical_code, code_key

_TYPE = r"[A-ZĐ][A-Za-zĐđ]{0,5}"
_ISSUER = r"[A-ZĐ][A-ZĐ]{0,11}(?:-[A-ZĐ]{1,10})?"
_DASH = r"[ \t]*[-–—‐][ \t]*"
# A numbered code; spaces and en/em dashes around the hyphen occur in real documents.
_CODE_RE = re.compile(
    rf"(?<![\w/.\-–])(?P<num>\d{{1,5}}){_DASH}(?P<type>{_TYPE})[ \t]*/[ \t]*(?P<issuer>{_ISSUER})(?![\w/])"
)
# The header of a document whose number was left blank for the signer: "Số      - HD/BTCTU".
_BLANK_RE = re.compile(
    rf"\bSố[ \t.…_]*[-–—‐][ \t]*(?P<type>{_TYPE})[ \t]*/[ \t]*(?P<issuer>{_ISSUER})(?![\w/])"
)
# Form numbers look like codes ("Mẫu 01- TTr/BXDĐ") but are not documents.
_FORM_BEFORE = re.compile(r"[Mm]ẫu(?:\s+số)?\s*$")

_DATE_VN = re.compile(
    r"ngày(?P<d>[\s.…_]*\d{1,2}|[\s.…_]*)\s*tháng\s*(?P<m>\d{1,2})\s*năm\s*(?P<y>\d{4})", re.IGNORECASE
)
_DATE_NUM = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?![\d/])")
_MONTH_NUM = re.compile(r"tháng\s+(\d{1,2})/(\d{4})(?![\d/])", re.IGNORECASE)


def parse_codes(text: str) -> list[DocCode]:
    """Every document code in a text, in order of appearance (repeats included)."""
    found: list[tuple[int, DocCode]] = []
    for m in _CODE_RE.finditer(text):
        if _FORM_BEFORE.search(text[max(0, m.start() - 12) : m.start()]):
            continue
        num, typ, issuer = m.group("num"), m.group("type"), m.group("issuer")
        found.append((m.start(), DocCode(num, typ, issuer, m.group(0))))
    for m in _BLANK_RE.finditer(text):
        found.append((m.start(), DocCode(None, m.group("type"), m.group("issuer"), m.group(0))))
    return [code for _, code in sorted(found, key=lambda item: item[0])]


def code_str(code: DocCode) -> str:
    """Canonical spelling of a parsed code (``01-CTr/QU``; ``HD/BTCTU`` when the number is blank)."""
    return canonical_code(code.number, code.type, code.issuer)


def unique_codes(text: str, *, exclude: str | None = None) -> tuple[str, ...]:
    """Canonical numbered codes named in a text, de-duplicated in order."""
    skip = code_key(exclude) if exclude else None
    seen: set[str] = set()
    out: list[str] = []
    for code in parse_codes(text):
        if code.number is None:
            continue
        canon = code_str(code)
        key = code_key(canon)
        if key != skip and key not in seen:
            seen.add(key)
            out.append(canon)
    return tuple(out)


def iso_date(day: str | int | None, month: str | int, year: str | int) -> str | None:
    """ISO date, or ``YYYY-MM`` when the day is unknown; None for impossible values."""
    m, y = int(month), int(year)
    if not 1 <= m <= 12 or not 1900 <= y <= 2100:
        return None
    if day is None or str(day).strip() == "":
        return f"{y:04d}-{m:02d}"
    d = int(day)
    return f"{y:04d}-{m:02d}-{d:02d}" if 1 <= d <= 31 else None


def parse_vn_date(text: str) -> str | None:
    """The first "ngày 26 tháng 5 năm 2025" (day may be blank) in a text, as ISO."""
    for m in _DATE_VN.finditer(text):
        day = re.sub(r"[\s.…_]", "", m.group("d"))
        iso = iso_date(day or None, m.group("m"), m.group("y"))
        if iso:
            return iso
    return None


def parse_numeric_date(text: str) -> str | None:
    """The first "26/5/2025" (or "tháng 11/2025") in a text, as ISO."""
    m = _DATE_NUM.search(text)
    mm = _MONTH_NUM.search(text)
    if m and (not mm or m.start() < mm.start()):
        return iso_date(m.group(1), m.group(2), m.group(3))
    if mm:
        return iso_date(None, mm.group(1), mm.group(2))
    return None
