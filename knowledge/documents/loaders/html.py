"""Saved web pages: the article's text (trafilatura), without menus, sidebars and footers."""

from __future__ import annotations

import datetime
import re
import string

import trafilatura
from lxml.html import HtmlElement
from trafilatura.settings import Document

from knowledge.documents.loaders.base import Extracted, LoadLimits, too_complex
from knowledge.errors import CorruptDocumentError

_TAG = re.compile(rb"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(/?)>")
_VOID = {b"area", b"base", b"br", b"col", b"embed", b"hr", b"img", b"input", b"link", b"meta", b"source", b"track", b"wbr",
         b"p", b"li", b"td", b"tr", b"th", b"option"}  # void, or often left unclosed: never counted as nesting
MAX_DEPTH = 250  # libxml2 drops whatever is nested deeper than 256 levels


def _check_markup(data: bytes, label: str, limits: LoadLimits) -> None:
    """Refuse absurd nesting or element counts before parsing (the parser would silently drop the text)."""
    depth = elements = 0
    for m in _TAG.finditer(data):
        name = m.group(2).lower()
        elements += 1
        if elements > limits.max_elements:
            raise too_complex(label, "số thẻ HTML", "the number of HTML tags")
        if m.group(1):
            depth = max(0, depth - 1)
        elif not m.group(3) and name not in _VOID:
            depth += 1
            if depth > MAX_DEPTH:
                raise too_complex(label, f"độ sâu lồng thẻ HTML (hơn {MAX_DEPTH} cấp)", f"HTML nesting deeper than {MAX_DEPTH} levels")


def extract(data: bytes, label: str, limits: LoadLimits = LoadLimits()) -> Extracted:
    """The article text (one paragraph or list item per line) and the page's title."""
    _check_markup(data, label, limits)
    tree = trafilatura.load_html(data)
    if tree is None:
        raise CorruptDocumentError(
            f"Không đọc được trang web {label}.",
            english=f"Cannot parse the web page {label}.",
        )
    meta = trafilatura.extract_metadata(tree)
    title = _title(tree, meta)
    _number_ordered_lists(tree)
    text = trafilatura.extract(
        tree,
        output_format="txt",
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        include_formatting=False,
        deduplicate=False,
    )
    if not text or not text.strip():
        # Very short pages: trafilatura's own baseline, then every visible text node.
        text = trafilatura.baseline(tree)[1] or trafilatura.html2txt(tree)
    return Extracted(_with_date_line(text or "", meta), title)


def _with_date_line(text: str, meta: Document | None) -> str:
    """Keep the publication date, which trafilatura drops with the page furniture around it."""
    if not text or meta is None or not meta.date:
        return text
    try:
        day = datetime.date.fromisoformat(str(meta.date)[:10])
    except ValueError:
        return text
    shown = f"{day:%d/%m/%Y}"
    if shown in text:
        return text
    first, _, rest = text.partition("\n")
    if meta.title and first.strip() == str(meta.title).strip():
        return f"{first}\nNgày đăng {shown}\n{rest}"  # under the headline, where the page had it
    return f"Ngày đăng {shown}\n{text}"


def _title(tree: HtmlElement, meta: Document | None) -> str | None:
    if meta is not None and meta.title:
        return str(meta.title)
    found = tree.findtext(".//title")
    return found.strip() if found and found.strip() else None


def _number_ordered_lists(tree: HtmlElement) -> None:
    """Turn <ol> items into numbered paragraphs so "1.", "2." (or "a)", "b)") survive extraction."""
    for ol in list(tree.iter("ol")):
        start_attr = ol.get("start", "1")
        start = int(start_attr) if start_attr.isdigit() else 1
        lettered = ol.get("type") in ("a", "A")
        items = [li for li in ol if isinstance(li.tag, str) and li.tag == "li"]
        for offset, li in enumerate(items):
            n = start + offset
            marker = f"{string.ascii_lowercase[(n - 1) % 26]})" if lettered else f"{n}."
            li.text = f"{marker} {li.text or ''}"
            li.tag = "p"
        ol.tag = "div"
