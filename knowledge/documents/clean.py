"""Page furniture and markup out of passages; clean lines for display.

At ingestion (``clean_paragraph``, ``is_furniture``): web-page furniture (view counters,
posting lines, photo captions, "Trang 3/12"), emphasis asterisks and ASCII arrows go; the
text a cadre reads is the document's own. Markdown heading marks stay in the stored text
because they carry the document's structure (the splitter and the answer outline read
them); ``for_display`` removes them from everything shown.
"""

from __future__ import annotations

import re

_FURNITURE = re.compile(
    r"^(?:"
    r"(?:Ngày đăng|Đăng ngày|Cập nhật|Ngày cập nhật)\s*:?\s*\d{1,2}/\d{1,2}/\d{2,4}.*"  # posting line
    r"|.*\bLượt (?:xem|đọc|truy cập)\s*:?\s*[\d.,]+\s*$"  # view counter
    r"|(?:Một số )?[Hh]ình ảnh\b.{0,80}$(?<![.;:])"  # photo block caption at the end of a news item
    r"|\(?Ảnh\s*(?:minh họa)?\s*:.{0,80}\)?"  # photo credit
    r"|Trang\s+\d{1,4}(?:\s*/\s*\d{1,4})?"  # page numbers
    r"|\d{1,3}"  # a page number left alone on its line
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|(?:In bài|Chia sẻ|Gửi bài|Bản in|Quay lại|Về đầu trang)(?:\s*[|/]\s*(?:In bài|Chia sẻ|Gửi bài|Bản in|Quay lại))*"
    r")\s*$",
    re.IGNORECASE,
)
# **bold**, *(emphasis)*, __x__ around text; a lone "*" line (the header separator) stays
_EMPHASIS = re.compile(r"(?<![\w*])\*{1,3}(?=\S)|(?<=\S)\*{1,3}(?![\w*])|(?<!\w)__(?=\S)|(?<=\S)__(?!\w)")
_ARROW_ITEM = re.compile(r"^(\s*#*\s*)->\s*")
_ARROW = re.compile(r"\s*-+>\s*")
_HEADING_MARKS = re.compile(r"^\s{0,3}#{1,6}\s+(?:->\s*)?")


def is_furniture(line: str) -> bool:
    """A web page's furniture line: a posting time, a view counter, a photo caption, a page number."""
    return bool(_FURNITURE.match(line.strip()))


def clean_paragraph(text: str) -> str:
    """A paragraph without emphasis markup and ASCII arrows ("A -> B" becomes "A → B")."""
    if text.strip() == "*":
        return text
    text = _EMPHASIS.sub("", text)
    text = _ARROW_ITEM.sub(r"\1", text)
    text = _ARROW.sub(" → ", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def for_display(text: str) -> str:
    """Stored text as a reader should see it: no markdown heading marks, one space between words."""
    lines = [_HEADING_MARKS.sub("", line) for line in text.split("\n")]
    return "\n".join(re.sub(r"[ \t]{2,}", " ", line).strip() for line in lines if line.strip())
