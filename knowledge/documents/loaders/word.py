"""Word .docx (python-docx): paragraphs and table rows in document order, one per line."""

from __future__ import annotations

import io
import logging

import docx
from docx.table import Table, _Row
from docx.text.paragraph import Paragraph

from knowledge.documents.loaders.base import Extracted
from knowledge.errors import CorruptDocumentError

log = logging.getLogger(__name__)


def extract(data: bytes, label: str, ocr_language: str = "vie") -> Extracted:
    """The document's lines (headings, paragraphs, table rows as "a | b | c") and its core title."""
    # python-docx raises zip, XML and key errors of many kinds on damaged files.
    try:
        document = docx.Document(io.BytesIO(data))
        lines = [line for block in document.iter_inner_content() for line in _block_lines(block)]
        title = document.core_properties.title
    except Exception as exc:  # noqa: BLE001 - see above
        log.info("%s: python-docx failed: %s", label, exc)
        raise CorruptDocumentError(
            f"Tệp Word {label} bị hỏng hoặc không phải định dạng .docx, không đọc được.",
            english=f"The Word file {label} is damaged or not a .docx file and cannot be read.",
        ) from exc
    return Extracted("\n".join(lines), (title or "").strip() or None)


def _block_lines(block: Paragraph | Table) -> list[str]:
    if isinstance(block, Paragraph):
        return [block.text]
    return [_row_line(row) for row in block.rows]


def _row_line(row: _Row) -> str:
    """One table row; merged cells (the same cell repeated) appear once."""
    seen: list[object] = []  # merged cells share one <w:tc> element
    texts: list[str] = []
    for cell in row.cells:
        if any(cell._tc is tc for tc in seen):
            continue
        seen.append(cell._tc)
        texts.append(" ".join(cell.text.split()))
    return " | ".join(texts)
