"""File bytes -> normalised text, one small module per format (txt, md, html, pdf, docx).

``load_file`` serves the admin CLI, ``load_bytes`` a Telegram upload; both check the size
limit first, refuse empty or unreadable files with a Vietnamese message naming only the file,
and keep the document's line breaks for the structure-aware splitter.
"""

from __future__ import annotations

import importlib
from dataclasses import replace
from pathlib import Path, PurePosixPath

from knowledge.documents.loaders.base import Extracted, LoadLimits, build_document, file_label
from knowledge.errors import CorruptDocumentError, DocumentTooLargeError, EmptyDocumentError, UnsupportedFormatError
from knowledge.models import LoadedDocument

# suffix -> (fmt, module); modules are imported on first use (pypdf, trafilatura are not light).
_FORMATS = {
    ".txt": ("txt", "plain"),
    ".md": ("md", "plain"),
    ".html": ("html", "html"),
    ".htm": ("html", "html"),
    ".pdf": ("pdf", "pdf"),
    ".docx": ("docx", "word"),
}
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(_FORMATS)

__all__ = ["SUPPORTED_SUFFIXES", "LoadLimits", "load_bytes", "load_file"]


def _limits(limits: LoadLimits | None, max_bytes: int | None, ocr_language: str | None) -> LoadLimits:
    limits = limits or LoadLimits()
    if max_bytes is not None:
        limits = replace(limits, max_bytes=max_bytes)
    if ocr_language is not None:
        limits = replace(limits, ocr_language=ocr_language)
    return limits


def load_file(
    path: Path, *, max_bytes: int | None = None, ocr_language: str | None = None, limits: LoadLimits | None = None
) -> LoadedDocument:
    """Read a file from disk and turn it into normalised text (``limits`` bound size and parsing work)."""
    path = Path(path)
    limits = _limits(limits, max_bytes, ocr_language)
    label = file_label(path.name)
    _format_of(label)
    try:
        _check_size(path.stat().st_size, limits.max_bytes, label)
        data = path.read_bytes()
    except OSError as exc:
        raise CorruptDocumentError(
            f"Không mở được tệp {label} (tệp không tồn tại hoặc không có quyền đọc).",
            english=f"Cannot open {label} (missing or not readable).",
        ) from exc
    return _load(label, str(path), data, limits)


def load_bytes(
    name: str, data: bytes, *, max_bytes: int | None = None, ocr_language: str | None = None, limits: LoadLimits | None = None
) -> LoadedDocument:
    """Turn an uploaded file's bytes (``name`` is its file name) into normalised text."""
    return _load(file_label(name), name, data, _limits(limits, max_bytes, ocr_language))


def _load(label: str, source: str, data: bytes, limits: LoadLimits) -> LoadedDocument:
    fmt, module = _format_of(label)
    _check_size(len(data), limits.max_bytes, label)
    if not data.strip():
        raise EmptyDocumentError(f"Tệp {label} trống.", english=f"{label} is empty.")
    extract = importlib.import_module(f"{__name__}.{module}").extract
    found: Extracted = extract(data, label, limits)
    return build_document(label, source, data, fmt, found)


def _format_of(label: str) -> tuple[str, str]:
    suffix = PurePosixPath(label).suffix.lower()
    if suffix not in _FORMATS:
        raise UnsupportedFormatError(
            f"Chưa hỗ trợ loại tệp {suffix or '(không có đuôi)'} ({label}). "
            "Hãy gửi tệp .pdf, .docx, .txt, .md hoặc .html.",
            english=f"Unsupported file type {suffix or '(none)'} ({label}); send .pdf, .docx, .txt, .md or .html.",
        )
    return _FORMATS[suffix]


def _check_size(size: int, max_bytes: int, label: str) -> None:
    if size > max_bytes:
        got, limit = _size(size), _size(max_bytes)
        raise DocumentTooLargeError(
            f"Tệp {label} quá lớn ({got.replace('.', ',')}; giới hạn {limit.replace('.', ',')}).",
            english=f"{label} is too large ({got}; the limit is {limit}).",
        )


def _size(n: int) -> str:
    if n >= 1_048_576:
        return f"{n / 1_048_576:.1f} MB"
    return f"{n // 1024} KB" if n >= 1024 else f"{n} B"
