"""Word .docx (python-docx): paragraphs and table rows in document order, one per line."""

from __future__ import annotations

import io
import logging
import re
import zipfile

import docx
from docx.table import Table, _Row
from docx.text.paragraph import Paragraph

from knowledge.documents.loaders.base import Extracted, LoadLimits, too_complex
from knowledge.errors import CorruptDocumentError

log = logging.getLogger(__name__)


def extract(data: bytes, label: str, limits: LoadLimits = LoadLimits()) -> Extracted:
    """The document's lines (headings, paragraphs, table rows as "a | b | c") and its core title."""
    _check_package(data, label, limits)
    # python-docx raises zip, XML and key errors of many kinds on damaged files.
    try:
        document = docx.Document(io.BytesIO(data))
        lines = [line for block in document.iter_inner_content() for line in _block_lines(block)]
        title = document.core_properties.title
    except Exception as exc:  # noqa: BLE001 - see above
        log.info("%s: python-docx failed: %s", label, exc)
        if "huge" in str(exc).lower():  # lxml refuses one text node of 10 MB or more ("try XML_PARSE_HUGE")
            raise too_complex(label, "một đoạn chữ liền (hơn 10 MB)", "one run of text (over 10 MB)") from exc
        raise CorruptDocumentError(
            f"Tệp Word {label} bị hỏng hoặc không phải định dạng .docx, không đọc được.",
            english=f"The Word file {label} is damaged or not a .docx file and cannot be read.",
        ) from exc
    return Extracted("\n".join(lines), (title or "").strip() or None)


_ELEMENT = re.compile(rb"<w:(?:p|r|tc)[ >/]")
_MAX_PARTS = 10_000
_READ = 1 << 20


def _check_package(data: bytes, label: str, limits: LoadLimits) -> None:
    """Refuse a zip bomb before python-docx inflates it: unpacked sizes and element counts, streamed."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > _MAX_PARTS:
                raise too_complex(label, f"{len(infos):,} phần trong gói".replace(",", "."), f"{len(infos):,} parts in the package")
            if sum(i.file_size for i in infos) > limits.max_unpacked:
                raise too_complex(label, "dung lượng sau giải nén", "the unpacked size")
            names = {i.filename for i in infos}
            if "word/document.xml" not in names:
                return  # not a Word package: python-docx says so below
            elements, tail = 0, b""
            with zf.open("word/document.xml") as fh:  # reads at most the declared size
                while block := fh.read(_READ):
                    window = tail + block
                    elements += len(_ELEMENT.findall(window)) - len(_ELEMENT.findall(tail))
                    tail = window[-8:]
                    if elements > limits.max_elements:
                        raise too_complex(label, "số đoạn và phần tử", "the number of paragraphs and runs")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, RuntimeError, NotImplementedError) as exc:
        log.info("%s: not a readable zip: %s", label, exc)  # python-docx gives the user's message below
    except Exception as exc:  # noqa: BLE001 - zlib errors and friends: damaged, reported below
        if isinstance(exc, CorruptDocumentError):
            raise
        log.info("%s: zip check failed: %s", label, exc)


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
