"""What every loader shares: the file label in messages, text clean-up, the final document."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from knowledge.errors import CorruptDocumentError, EmptyDocumentError
from knowledge.models import LoadedDocument
from knowledge.text import nfc, normalize, squash_whitespace


@dataclass(frozen=True)
class LoadLimits:
    """How much a file may cost before it is refused: bytes on disk, bytes unpacked, parsed elements.

    Checked before the expensive parse, so a zip or stream bomb is refused without being inflated.
    """

    max_bytes: int = 50 * 1_048_576
    max_unpacked: int = 50 * 1_048_576
    max_elements: int = 300_000
    ocr_language: str = "vie"


def too_complex(label: str, what: str, english: str) -> CorruptDocumentError:
    """The refusal for a file whose structure exceeds a limit (a bomb, or far beyond any real document)."""
    return CorruptDocumentError(
        f"Tệp {label} bị từ chối: {what} vượt giới hạn an toàn (có thể là tệp độc hại hoặc hỏng).",
        english=f"{label} was refused: {english} beyond the safety limit (a malicious or damaged file?).",
    )


@dataclass(frozen=True)
class Extracted:
    """What a format module found in a file, before normalisation."""

    text: str
    title: str | None = None
    ocr: bool = False


def file_label(name: str) -> str:
    """The bare file name, safe to show to a user (never a directory path)."""
    return PureWindowsPath(PurePosixPath(name).name).name or name


def clean_text(raw: str) -> str:
    """Normalised text with its line structure kept (one paragraph or heading per line)."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    return squash_whitespace(normalize(text))


MAX_LINE_CHARS = 100_000  # about 40 pages without a single line break: not a document
MAX_WORD_CHARS = 80  # no Vietnamese word, code or URL in a regulation is longer
_LONG_RUN = re.compile(rf"\S{{{MAX_WORD_CHARS},}}")
_NUMBERING = re.compile(r"(?:\d+[.)])+\d*")


def check_text_shape(text: str, label: str) -> None:
    """Refuse text that is not prose: a line of 100,000+ characters, or mostly space-less runs (binary, base64)."""
    if max((len(line) for line in text.split("\n")), default=0) > MAX_LINE_CHARS:
        raise CorruptDocumentError(
            f"Tệp {label} có một dòng dài hơn {MAX_LINE_CHARS:,} ký tự, không giống văn bản.".replace(",", "."),
            english=f"{label} has a line longer than {MAX_LINE_CHARS:,} characters; it is not a document.",
        )
    runs = [m.group(0) for m in _LONG_RUN.finditer(text)]
    junk = sum(len(run) for run in runs)
    if junk > 0.3 * len(text):
        numbering = [run for run in runs if _NUMBERING.fullmatch(run)]
        if len(numbering) * 2 > len(runs):  # "1.1.1.1.…": numbered items nested beyond reason
            levels = max(run.count(".") + run.count(")") for run in numbering)
            raise CorruptDocumentError(
                f"Tệp {label} đánh số mục lồng nhau tới {levels} cấp (1.1.1.…), không giống văn bản.",
                english=f"{label} numbers its items {levels} levels deep (1.1.1.…); it is not a document.",
            )
        raise CorruptDocumentError(
            f"Tệp {label} phần lớn là chuỗi ký tự không có khoảng trắng (dữ liệu nhị phân?), không giống văn bản.",
            english=f"{label} is mostly long runs without spaces (binary data?); it is not a document.",
        )


def build_document(name: str, source: str, data: bytes, fmt: str, found: Extracted) -> LoadedDocument:
    """The final LoadedDocument; refuses text that is empty or not prose after clean-up."""
    label = file_label(name)
    text = clean_text(found.text)
    if not text:
        raise EmptyDocumentError(
            f"Tệp {label} không có nội dung văn bản nào đọc được.",
            english=f"{label} contains no readable text.",
        )
    check_text_shape(text, label)
    title = clean_text(found.title).replace("\n", " ") if found.title else ""
    return LoadedDocument(
        doc_id=nfc(PurePosixPath(label).stem),
        source=source,
        text=text,
        fmt=fmt,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        title_hint=title or None,
        ocr=found.ocr,
    )
