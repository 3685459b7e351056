"""PDF: the text layer (pypdf), with Tesseract OCR for pages that are only scanned images."""

from __future__ import annotations

import io
import logging

from pypdf import PasswordType, PdfReader
from pypdf import errors as pdf_errors

from knowledge.documents.loaders import ocr
from knowledge.documents.loaders.base import Extracted, LoadLimits, too_complex
from knowledge.errors import CorruptDocumentError

log = logging.getLogger(__name__)
_EOF_WINDOW = 1024  # where a whole file has its last %%EOF (what pypdf's strict mode demands)


def extract(data: bytes, label: str, limits: LoadLimits = LoadLimits()) -> Extracted:
    """The document's text (pages in order), its metadata title, and whether OCR was used."""
    pages, title = _text_layer(data, label, limits)
    scanned = [n for n, text in enumerate(pages, start=1) if not any(ch.isalpha() for ch in text)]
    if not scanned:
        return Extracted(_join(pages), title)
    if not ocr.available(limits.ocr_language):
        if len(scanned) == len(pages):
            raise ocr.unavailable_error(label, limits.ocr_language)
        log.warning("%s: %d scanned page(s) skipped, OCR is not installed", label, len(scanned))
        return Extracted(_join(pages), title)
    for n, text in ocr.ocr_pdf_pages(data, scanned, label, limits.ocr_language).items():
        pages[n - 1] = text
    return Extracted(_join(pages), title, ocr=True)


def max_pages(limits: LoadLimits) -> int:
    """Most pages read from one PDF (a 300,000-element budget is 3,000 pages)."""
    return max(1, limits.max_elements // 100)


def _text_layer(data: bytes, label: str, limits: LoadLimits) -> tuple[list[str], str | None]:
    if b"%%EOF" not in data[-_EOF_WINDOW:]:
        # pypdf rebuilds a cut-off file, or falls back to an earlier revision of an
        # incrementally saved one, and quietly returns part of it; a citation tool must not
        # index half a document as if it were whole.
        raise _damaged(label)
    # pypdf raises many exception types on damaged files (PdfReadError, ValueError, KeyError,
    # zlib errors...); every one of them means the same thing to the user.
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise CorruptDocumentError(
                f"Tệp {label} được đặt mật khẩu; hãy gỡ mật khẩu rồi gửi lại.",
                english=f"{label} is password-protected; remove the password and try again.",
            )
        if len(reader.pages) > max_pages(limits):
            raise too_complex(label, f"{len(reader.pages):,} trang".replace(",", "."), f"{len(reader.pages):,} pages")
        pages, total = [], 0
        for page in reader.pages:
            _check_page_content(page, label)
            text = page.extract_text() or ""
            total += len(text)
            if total > limits.max_unpacked:  # pypdf caps each stream; this caps the sum
                raise too_complex(label, "lượng chữ giải nén", "the amount of text")
            pages.append(text)
        title = reader.metadata.title if reader.metadata else None
    except CorruptDocumentError:
        raise
    except _LIMIT_ERRORS as exc:  # pypdf stopped decompressing a stream past its own cap: a bomb
        raise too_complex(label, "một luồng dữ liệu nén khi giải nén", "a compressed stream, once unpacked,") from exc
    except Exception as exc:  # noqa: BLE001 - see above
        log.info("%s: pypdf failed: %s", label, exc)
        raise _damaged(label) from exc
    if not pages:
        raise CorruptDocumentError(
            f"Tệp PDF {label} không có trang nào.", english=f"The PDF {label} has no pages."
        )
    return pages, _useful_title(title)


# pypdf 6 and later name the decompression cap's refusal; earlier ones have no such class
_LIMIT_ERRORS: tuple[type[Exception], ...] = tuple(
    e for e in (getattr(pdf_errors, "LimitReachedError", None),) if isinstance(e, type)
)
MAX_PAGE_CONTENT = 8 * 1_048_576  # a dense text page draws with ~100 KB of operators


def _check_page_content(page: object, label: str) -> None:
    """Refuse a page whose drawing operators inflate beyond any real page (a stream bomb) before parsing them."""
    contents = page.get("/Contents")  # type: ignore[attr-defined]
    if contents is None:
        return
    contents = contents.get_object()
    streams = [c.get_object() for c in contents] if isinstance(contents, list) else [contents]
    total = 0
    for stream in streams:
        total += len(stream.get_data())  # pypdf caps each decompression (75 MB)
        if total > MAX_PAGE_CONTENT:
            raise too_complex(label, "nội dung giải nén của một trang", "one page's unpacked content")


def _damaged(label: str) -> CorruptDocumentError:
    return CorruptDocumentError(
        f"Tệp PDF {label} bị hỏng hoặc không đầy đủ (có thể tải về chưa hết), không đọc được.",
        english=f"The PDF {label} is damaged or truncated (perhaps an incomplete download) and cannot be read.",
    )


def _useful_title(title: object) -> str | None:
    """The metadata title, unless it is a word processor's placeholder."""
    if not isinstance(title, str) or not title.strip():
        return None
    title = title.strip()
    if title.lower().startswith("microsoft word - ") or title.lower() in {"untitled", "document"}:
        return None
    return title


def _join(pages: list[str]) -> str:
    return "\n\n".join(page.strip("\n") for page in pages)
