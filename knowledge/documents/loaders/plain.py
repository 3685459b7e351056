"""Plain text and Markdown: decode UTF-8 / UTF-16 (BOM) / Windows-1258, never guess mojibake."""

from __future__ import annotations

import codecs
import unicodedata

from knowledge.documents.loaders.base import Extracted
from knowledge.errors import EncodingError
from knowledge.text import nfc

_TONES = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
_VOWELS = "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY"
# Every letter Vietnamese writes, precomposed, plus the typographic marks Word inserts.
_VIETNAMESE = {nfc(v + t) for v in _VOWELS for t in _TONES} | set("đĐ")
_ALLOWED_NON_ASCII = _VIETNAMESE | set("“”‘’–—…•«»°·×€§¨´µ¶")
# Letters that only Vietnamese text carries (a Latin-1 file would not).
_DISTINCTIVE = set("đĐăĂơƠưƯ") | {c for c in _VIETNAMESE if "\u0323" in unicodedata.normalize("NFD", c)}
# Double-encoded UTF-8 (UTF-8 bytes read as Windows-1252, saved again) starts with these pairs.
_MOJIBAKE_MARKS = ("Ã", "Ä‘", "Ä", "Æ°", "Æ¡", "á»", "áº")


def extract(data: bytes, label: str, ocr_language: str = "vie") -> Extracted:
    """The text of a .txt or .md file (Markdown is kept as written)."""
    return Extracted(decode_text(data, label))


def decode_text(data: bytes, label: str) -> str:
    """The file's text: UTF-8 (with or without BOM), UTF-16 with BOM, else Vietnamese Windows-1258."""
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[len(codecs.BOM_UTF8) :], "utf-8", label)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", label)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        legacy = _windows_1258(data)
        if legacy is None:
            raise _refusal(label) from None
        return legacy
    if _looks_double_encoded(text):
        raise _refusal(label)
    return text


def _strict(data: bytes, encoding: str, label: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise _refusal(label) from None


def _windows_1258(data: bytes) -> str | None:
    """The Windows-1258 reading, but only when it reads as Vietnamese."""
    if b"\x00" in data:
        return None
    try:
        text = nfc(data.decode("cp1258"))
    except UnicodeDecodeError:
        return None
    non_ascii = [ch for ch in text if ord(ch) > 127]
    if not non_ascii or not any(ch in _DISTINCTIVE for ch in non_ascii):
        return None
    known = sum(ch in _ALLOWED_NON_ASCII for ch in non_ascii)
    return text if known / len(non_ascii) >= 0.97 else None


def _looks_double_encoded(text: str) -> bool:
    hits = sum(text.count(mark) for mark in _MOJIBAKE_MARKS)
    return hits >= 3 and hits * 50 >= sum(ord(ch) > 127 for ch in text)


def _refusal(label: str) -> EncodingError:
    return EncodingError(
        f"Không nhận ra bảng mã của tệp {label}. Hãy lưu lại tệp dưới dạng UTF-8 rồi gửi lại.",
        english=f"Cannot tell the text encoding of {label}. Save it as UTF-8 and try again.",
    )
