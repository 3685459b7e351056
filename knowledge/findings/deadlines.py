"""Deadlines and responsible people in Vietnamese remedy texts, and the date a deadline falls due.

A deadline is kept as written ("trước ngày 30/6/2026", "trong quý III/2026", "Thường xuyên");
``due_date`` turns it into the last day it allows, when it names one, for reminders.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from knowledge.unit_names import CAP

_DATE = r"(?:\d{1,2}/\d{1,2}/\d{4}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4})"
_QUARTER = r"[Qq]uý\s+(?:I{1,3}|IV|[1-4])\s*(?:/|năm)\s*\d{4}"
_MONTH = r"[Tt]háng\s+\d{1,2}\s*(?:/|năm)\s*\d{4}"
_HALF = r"6\s+tháng\s+(?:đầu|cuối)\s+năm\s+\d{4}"
_YEAR = r"năm\s+\d{4}"

# Phrases that set a deadline inside a sentence (the first that matches wins, left to right).
_INLINE = re.compile(
    r"(?:(?:hoàn thành|xong|thực hiện|báo cáo)\s+)?"
    r"(?P<phrase>"
    rf"(?:trước|chậm nhất(?:\s+là)?|đến hết|đến|hạn chót|trong thời hạn đến|xong trước)\s+(?:ngày\s+)?{_DATE}"
    rf"|(?:trước|chậm nhất(?:\s+là)?|đến hết|trong)\s+(?:{_QUARTER}|{_MONTH}|{_HALF}|{_YEAR})"
    rf"|(?:trước|chậm nhất(?:\s+là)?|đến hết)\s+(?:ngày\s+)?\d{{1,2}}/\d{{1,2}}(?!/)"
    r"|từ\s+(?:kỳ|đợt|năm|quý)\s+[^,;.()]{0,40}?\d{4}"
    r"|(?:trong (?:thời hạn |vòng )?|chậm nhất(?: là)? |không quá )"
    r"(?:\d{1,3}|một|hai|ba|bốn|năm|sáu|mười|mười lăm) (?:ngày|tháng)(?: làm việc)?"
    r"(?: kể từ [^,;.()]{0,60})?"
    r"|ngay sau khi (?:nhận được|có|ban hành|kết thúc)(?:\s+(?!và\b)[^\s,;.()]+){0,4}"
    r"|trước khi (?:tổng kết|sơ kết|đánh giá|kiểm điểm)(?:\s+(?!và\b)[^\s,;.()]+){0,4}"
    r")",
)
# A whole cell or a labelled line that is only a deadline ("30/6/2026", "Quý IV/2026", "Thường xuyên").
_BARE = re.compile(
    rf"^\s*(?:{_DATE}|{_QUARTER}|{_MONTH}|{_HALF}|(?:[Tt]rong\s+)?{_YEAR}|[Nn]ăm\s+\d{{4}}|[Tt]hường xuyên"
    r"|[Hh]ằng (?:tháng|quý|năm)"
    rf"|(?:[Tt]rước|[Cc]hậm nhất(?:\s+là)?|[Đđ]ến hết|[Tt]rong)\s+.+)\s*\.?\s*$"
)
_LABEL = re.compile(
    r"^\s*(?:[-+•]\s*)?\(?\s*(?:Thời hạn(?:\s+(?:hoàn thành|thực hiện|khắc phục))?"
    r"|Thời gian(?:\s+(?:hoàn thành|thực hiện))?|Hạn)"
    r"\s*:\s*(?P<value>.+?)\s*\)?\s*\.?\s*$",
    re.IGNORECASE,
)
_RESPONSIBLE_LABEL = re.compile(
    r"^\s*(?:[-+•]\s*)?(?:Người chịu trách nhiệm|Người phụ trách|Trách nhiệm|Phụ trách|Chịu trách nhiệm|Phân công"
    r"|Người chủ trì|Chủ trì|Người thực hiện|Đơn vị chủ trì)"
    r"\s*:\s*(?P<value>.+?)\s*\.?\s*$",
    re.IGNORECASE,
)
_NAME = CAP + r"\w*(?:\s+" + CAP + r"\w*){1,3}"
# "giao đồng chí Nguyễn Thị Mai, Bí thư Đảng ủy phường trực tiếp chỉ đạo"
_RESPONSIBLE = re.compile(
    rf"(?:giao|do|đồng chí)?\s*(?P<who>(?:đồng chí|Đồng chí|đ/c|Đ/c)\s+{_NAME}(?:\s*,\s*[^;.()]{{3,80}}?)?)"
    r"\s+(?:trực tiếp\s+)?(?:chỉ đạo|phụ trách|chịu trách nhiệm|chủ trì|theo dõi)"
)


def find_deadline(text: str) -> str | None:
    """The deadline phrase a sentence sets ("hoàn thành trước ngày 30/6/2026" → "trước ngày 30/6/2026")."""
    m = _INLINE.search(text)
    return " ".join(m.group("phrase").split()) if m else None


def bare_deadline(cell: str) -> str | None:
    """A table cell or value that is a deadline by itself, as written; None otherwise."""
    cell = " ".join(cell.split()).rstrip(".")
    return cell if cell and _BARE.match(cell) and len(cell) <= 60 else None


def deadline_line(line: str) -> str | None:
    """The value of a "Thời hạn (hoàn thành): …" line, if the line is one."""
    m = _LABEL.match(line)
    return m.group("value") if m else None


def responsible_line(line: str) -> str | None:
    """The value of a "Người chịu trách nhiệm: …" line, if the line is one."""
    m = _RESPONSIBLE_LABEL.match(line)
    return m.group("value") if m else None


# "đồng chí Phó Bí thư Thường trực Đảng ủy xã chịu trách nhiệm chỉ đạo": a post, no name
_RESPONSIBLE_POST = re.compile(
    r"(?P<who>(?:đồng chí|Đồng chí|đ/c|Đ/c)\s+" + CAP + r"[^;.()]{2,80}?)"
    r"\s+(?:trực tiếp\s+)?(?:chỉ đạo|phụ trách|chịu trách nhiệm|chủ trì|theo dõi)"
)


def find_responsible(text: str) -> str | None:
    """The person a remedy is given to ("giao đồng chí X, Bí thư … trực tiếp chỉ đạo"), as written."""
    m = _RESPONSIBLE.search(text) or _RESPONSIBLE_POST.search(text)
    if not m:
        return None
    who = " ".join(m.group("who").split()).rstrip(" ,")
    return who


_ROMAN_Q = {"I": 1, "II": 2, "III": 3, "IV": 4}


def due_date(deadline: str | None, *, issued: str | None = None) -> str | None:
    """The last day a deadline allows, ISO; None when it names no day ("Thường xuyên", "từ kỳ …").

    ``issued`` (ISO) supplies the year of a date written without one ("trước ngày 15/6").
    """
    if not deadline:
        return None
    d = deadline.strip()
    low = d.lower()
    if low.startswith("từ "):
        return None
    if low.startswith("ngay sau khi"):  # at once: due from the day the document is issued
        return issued if issued and re.match(r"\d{4}-\d{2}-\d{2}$", issued) else None
    if low.startswith("trước khi") and not re.search(r"\d{4}", d):
        return None
    m = re.search(r"(\d{1,2})/(\d{1,2})/(\d{4})", d) or re.search(r"(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", d)
    if m:
        return _iso(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    m = re.search(r"quý\s+(I{1,3}|IV|[1-4])\s*(?:/|năm)\s*(\d{4})", d, re.IGNORECASE)
    if m:
        q = _ROMAN_Q.get(m.group(1).upper()) or int(m.group(1))
        year = int(m.group(2))
        return _iso(year, 3 * q, calendar.monthrange(year, 3 * q)[1])
    m = re.search(r"tháng\s+(\d{1,2})\s*(?:/|năm)\s*(\d{4})", d, re.IGNORECASE)
    if m and "6 tháng" not in low:
        year, month = int(m.group(2)), int(m.group(1))
        return _iso(year, month, calendar.monthrange(year, max(1, min(12, month)))[1]) if 1 <= month <= 12 else None
    m = re.search(r"6\s+tháng\s+(đầu|cuối)\s+năm\s+(\d{4})", d, re.IGNORECASE)
    if m:
        return _iso(int(m.group(2)), 6, 30) if m.group(1).lower() == "đầu" else _iso(int(m.group(2)), 12, 31)
    m = re.search(r"năm\s+(\d{4})", d, re.IGNORECASE)
    if m:
        return _iso(int(m.group(1)), 12, 31)
    m = re.search(r"(\d{1,3}|một|hai|ba|bốn|năm|sáu|mười lăm|mười) (ngày|tháng)( làm việc)? kể từ", low)
    if m and issued and re.match(r"\d{4}-\d{2}-\d{2}$", issued):  # "chậm nhất 30 ngày kể từ ngày nhận …"
        return _after(date.fromisoformat(issued), _NUMBER_WORDS.get(m.group(1)) or int(m.group(1)), m.group(2),
                      working=bool(m.group(3)))
    m = re.search(r"(\d{1,2})/(\d{1,2})(?!/)", d)
    if m and issued and re.match(r"\d{4}", issued):
        year = int(issued[:4])
        day, month = int(m.group(1)), int(m.group(2))
        iso = _iso(year, month, day)
        if iso and iso < issued:
            iso = _iso(year + 1, month, day)
        return iso
    return None


_NUMBER_WORDS = {"một": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6, "mười": 10, "mười lăm": 15}


def _after(start: date, n: int, unit: str, *, working: bool) -> str:
    """The day ``n`` days (working days: Monday to Friday) or months after ``start``: counted from
    the document's own date, the earliest day it can be received, so never later than due."""
    if unit == "tháng":
        month = start.month - 1 + n
        year, month = start.year + month // 12, month % 12 + 1
        return date(year, month, min(start.day, calendar.monthrange(year, month)[1])).isoformat()
    day = start
    left = n
    while left > 0:
        day = date.fromordinal(day.toordinal() + 1)
        if not working or day.weekday() < 5:
            left -= 1
    return day.isoformat()


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None
