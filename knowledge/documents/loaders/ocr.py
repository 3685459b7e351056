"""Tesseract OCR through its command-line tools: pdftoppm renders pages, tesseract reads them."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from knowledge.errors import CorruptDocumentError, OCRUnavailableError

RENDER_DPI = 300
PAGE_TIMEOUT_S = 180


def available(language: str = "vie") -> bool:
    """True when pdftoppm, tesseract and every requested language model ("vie", "vie+eng") exist."""
    if shutil.which("tesseract") is None or shutil.which("pdftoppm") is None:
        return False
    try:
        out = subprocess.run(
            ["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    installed = {line.strip() for line in out.splitlines()[1:]}
    return all(lang in installed for lang in language.split("+"))


def unavailable_error(label: str, language: str) -> OCRUnavailableError:
    """The refusal shown when a scanned PDF arrives on a machine without Tesseract."""
    return OCRUnavailableError(
        f"Tệp {label} là bản scan (không có lớp chữ) nên cần nhận dạng ký tự (OCR), nhưng máy chủ "
        f"chưa cài Tesseract với gói ngôn ngữ '{language}' (tesseract-ocr, tesseract-ocr-vie, poppler-utils).",
        english=f"{label} is a scanned PDF without a text layer and needs OCR, but Tesseract with the "
        f"'{language}' language (tesseract-ocr, tesseract-ocr-vie, poppler-utils) is not installed.",
    )


def ocr_pdf_pages(data: bytes, pages: list[int], label: str, language: str = "vie") -> dict[int, str]:
    """The OCR text of the given 1-based pages of a PDF."""
    results: dict[int, str] = {}
    with tempfile.TemporaryDirectory(prefix="kb-ocr-") as tmp:
        pdf = Path(tmp) / "in.pdf"
        pdf.write_bytes(data)
        for page in pages:
            prefix = Path(tmp) / f"p{page}"
            _run(
                ["pdftoppm", "-r", str(RENDER_DPI), "-gray", "-png", "-singlefile",
                 "-f", str(page), "-l", str(page), str(pdf), str(prefix)],
                label,
            )
            results[page] = _run(
                ["tesseract", f"{prefix}.png", "stdout", "-l", language, "--psm", "3"], label
            )
    return results


def _run(cmd: list[str], label: str) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=PAGE_TIMEOUT_S, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        raise CorruptDocumentError(
            f"Không nhận dạng được chữ trong tệp scan {label}.",
            english=f"OCR failed on the scanned file {label} ({type(exc).__name__}).",
        ) from exc
    return done.stdout.decode("utf-8", errors="replace")
