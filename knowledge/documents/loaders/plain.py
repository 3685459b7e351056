"""Plain text and Markdown: decode UTF-8 / UTF-16 (BOM) / Windows-1258, never guess mojibake."""

from __future__ import annotations

import codecs
import unicodedata

from knowledge.documents.loaders.base import Extracted, LoadLimits
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


def extract(data: bytes, label: str, limits: LoadLimits = LoadLimits()) -> Extracted:
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
        decoded = _utf16_without_bom(data) or _windows_1258(data)
        if decoded is None:
            legacy = legacy_vietnamese(data)
            if legacy:
                raise _legacy_refusal(label, legacy) from None
            raise (_western_refusal(label) if western_european(data) else _refusal(label)) from None
        return decoded
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


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 saved without a byte-order mark: one byte of most ASCII characters is zero."""
    if len(data) < 8 or len(data) % 2:
        return None
    even, odd = data[0::2].count(0), data[1::2].count(0)
    half = len(data) // 2
    encoding = "utf-16-le" if odd > 0.3 * half and even < 0.05 * half else "utf-16-be" if even > 0.3 * half and odd < 0.05 * half else None
    if encoding is None:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    # what decodes must read as Vietnamese (or plain) text, not as CJK from misread bytes
    odd_chars = sum(1 for ch in text if ord(ch) > 0x2000 and ch not in _ALLOWED_NON_ASCII)
    return text if odd_chars <= 0.01 * len(text) else None


# The 8-bit Vietnamese encodings of the 1990s. Their upper-case letters depended on the font
# (.VnTime vs .VnTimeH), so no table converts them reliably: they are recognised and refused.
_TCVN3 = set(range(0xA1, 0xA8)) | set(range(0xA8, 0xAF)) | set(range(0xB5, 0xFF))
_VNI_MARKS = set(b"\xf8\xf9\xfb\xf5\xef\xe2\xea\xf4\xf6\xe1\xe0\xe5\xe3\xe4\xe9\xe8\xfa\xeb\xec\xed\xee\xf2\xf3\xf7"
                 b"\xd8\xd9\xdb\xd5\xcf\xc2\xca\xd4\xd6\xc1\xc0\xc5\xc3\xc4\xc9\xc8\xda\xcb\xcc\xcd\xce\xd2\xd3\xd7")
_ASCII_VOWELS = set(b"aeiouyAEIOUY")


def legacy_vietnamese(data: bytes) -> str | None:
    """"VNI" or "TCVN3" when the bytes look like text in one of those old encodings, else None."""
    high = [i for i, b in enumerate(data) if b >= 0x80]
    if len(high) < 10 or b"\x00" in data:
        return None
    letters = sum(1 for b in data if 0x41 <= b <= 0x7A)
    if letters < len(high):  # mostly binary, not text with some accented letters
        return None
    vni = sum(1 for i in high if (data[i] in _VNI_MARKS and i > 0 and data[i - 1] in _ASCII_VOWELS) or data[i] in (0xF1, 0xD1))
    if vni >= 0.85 * len(high):
        return "VNI"
    # ă â ê ô ơ ư đ without a tone have codes of their own, and Vietnamese writes them all the
    # time ("đảng", "được"); a Western (Latin-1) text has its accents in the same range but not these
    bases = sum(1 for i in high if 0xA1 <= data[i] <= 0xAE)
    if sum(1 for i in high if data[i] in _TCVN3) >= 0.95 * len(high) and bases >= 0.1 * len(high):
        return "TCVN3"
    return None


# The accented letters of Western European languages (Windows-1252 / Latin-1) and its marks.
_WESTERN = set("ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝßàáâãäåæçèéêëìíîïñòóôõöøùúûüýÿŒœŠšŽžŸ") | set("“”‘’–—…•«»°·€§")


def western_european(data: bytes) -> bool:
    """Whether the bytes read as Western European text in Windows-1252 / Latin-1 (not Vietnamese)."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    non_ascii = [ch for ch in text if ord(ch) > 127]
    return len(non_ascii) >= 3 and sum(ch in _WESTERN for ch in non_ascii) >= 0.95 * len(non_ascii)


def _western_refusal(label: str) -> EncodingError:
    return EncodingError(
        f"Tệp {label} dùng bảng mã Tây Âu (Latin-1/Windows-1252), không phải văn bản tiếng Việt. Nếu đây là "
        "văn bản tiếng Việt, hãy lưu lại dưới dạng UTF-8 rồi gửi lại.",
        english=f"{label} is in a Western European encoding (Latin-1/Windows-1252), not Vietnamese text. "
        "Save it as UTF-8 and try again.",
    )


def _legacy_refusal(label: str, which: str) -> EncodingError:
    return EncodingError(
        f"Tệp {label} dùng bảng mã {which} cũ, không chuyển đổi chính xác được. Hãy chuyển sang Unicode "
        "(Unikey: Công cụ chuyển mã) hoặc lưu lại dưới dạng UTF-8 rồi gửi lại.",
        english=f"{label} is in the old {which} encoding, which cannot be converted reliably. "
        "Convert it to Unicode (UTF-8) and try again.",
    )


def _looks_double_encoded(text: str) -> bool:
    hits = sum(text.count(mark) for mark in _MOJIBAKE_MARKS)
    return hits >= 3 and hits * 50 >= sum(ord(ch) > 127 for ch in text)


def _refusal(label: str) -> EncodingError:
    return EncodingError(
        f"Không nhận ra bảng mã của tệp {label}. Hãy lưu lại tệp dưới dạng UTF-8 rồi gửi lại.",
        english=f"Cannot tell the text encoding of {label}. Save it as UTF-8 and try again.",
    )
