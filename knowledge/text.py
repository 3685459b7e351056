"""Vietnamese text normalisation: NFC, one tone-mark placement, diacritic folding, tokens.

Stored text keeps its diacritics (we show it verbatim); matching uses the folded form so that
"doan kiem tra" finds "Đoàn kiểm tra". Tone marks are moved to one canonical placement
(the traditional one: hòa, thủy, khóa, ủy) so that the two spellings in circulation match.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền, sắc, ngã, hỏi, nặng
_MODIFIED = set("ăâêôơưĂÂÊÔƠƯ")
_VOWELS = set("aăâeêioôơuưyAĂÂEÊIOÔƠUƯY")
_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)

# A party or state document code: 01-CTr/QU, 294-QĐ/TW, 02-HD/BTCTU, 33/2024/QH15, 24-QĐi/TW.
CODE_RE = re.compile(
    r"(?<![\w/])(\d{1,4})\s?-\s?([A-Za-zĐđ]{1,6})\s?/\s?([A-Za-zĐđ]{1,10}(?:-[A-Za-zĐđ]{1,10})?)(?![\w])"
)
LAW_CODE_RE = re.compile(r"(?<![\w/])(\d{1,4})/(\d{4})/([A-Za-zĐđ]{1,6}\d{0,3}(?:-[A-Za-zĐđ]{1,6})?)(?![\w-])")


def nfc(text: str) -> str:
    """Unicode NFC form."""
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=1 << 16)  # a document has a few thousand distinct syllables
def _place_tone(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    tone = next((ch for ch in decomposed if ch in _TONES), None)
    if tone is None:
        return word
    base = nfc("".join(ch for ch in decomposed if ch not in _TONES))
    lower = base.lower()
    start = 0
    # "qu" and "gi" (before another vowel) belong to the initial consonant.
    if lower.startswith("qu"):
        start = 2
    elif lower.startswith("gi") and len(lower) > 2 and lower[2] in "aăâeêoôơuưy":
        start = 2
    vowel_idx = [i for i in range(start, len(base)) if base[i] in _VOWELS]
    if not vowel_idx:
        vowel_idx = [i for i in range(len(base)) if base[i] in _VOWELS]
        if not vowel_idx:
            return word
    # the vowel cluster is the first contiguous run of vowels
    cluster = [vowel_idx[0]]
    for i in vowel_idx[1:]:
        if i == cluster[-1] + 1:
            cluster.append(i)
        else:
            break
    modified = [i for i in cluster if base[i] in _MODIFIED]
    if modified:
        target = modified[-1]  # ươ -> tone on ơ
    elif len(cluster) >= 3:
        target = cluster[1]
    elif len(cluster) == 2:
        ends_with_consonant = cluster[-1] < len(base) - 1
        target = cluster[1] if ends_with_consonant else cluster[0]
    else:
        target = cluster[0]
    return nfc(base[:target] + base[target] + tone + base[target + 1 :])


def normalize_tones(text: str) -> str:
    """Put every syllable's tone mark on its canonical vowel (hoà -> hòa, thuỷ -> thủy)."""
    return _WORD_RE.sub(lambda m: _place_tone(m.group(0)), text)


def normalize(text: str) -> str:
    """NFC, canonical tone placement, no BOM, no zero-width or control characters."""
    text = nfc(text).replace("\ufeff", "").replace("\u200b", "").replace("\u00a0", " ")
    # category C (control, format, private use, unassigned) becomes a space; \n and \t stay
    bad = {ord(ch): " " for ch in set(text) if ch not in "\n\t" and unicodedata.category(ch)[0] == "C"}
    if bad:
        text = text.translate(bad)
    return normalize_tones(text)


def fold(text: str) -> str:
    """Lower-case, strip every diacritic and map đ to d: "Đoàn Kiểm Tra" -> "doan kiem tra"."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return stripped.replace("đ", "d")


def has_diacritics(text: str) -> bool:
    """True when the text carries Vietnamese marks (a hint the user typed with a keyboard IME)."""
    return fold(text) != text.lower()


def canonical_code(number: str | None, doc_type: str, issuer: str) -> str:
    """Canonical spelling of a document code: no leading zeros lost, Đ kept, e.g. 01-CTr/QU."""
    num = f"{number}-" if number else ""
    return f"{num}{doc_type}/{issuer}"


def code_key(code: str) -> str:
    """A matching key for a code: folded, upper-case, number without leading zeros."""
    m = CODE_RE.search(nfc(code))
    if not m:
        return fold(code).upper().replace(" ", "")
    return f"{int(m.group(1))}-{fold(m.group(2)).upper()}/{fold(m.group(3)).upper()}"


def code_token(code: str) -> str:
    """The single lexical token a document code becomes (folded, lower, no leading zeros)."""
    return code_key(code).lower()


_TOKEN_RE = re.compile(r"\w+", re.UNICODE)


def tokens(text: str, *, folded: bool = True) -> list[str]:
    """Syllable tokens with document codes kept whole (``01-ctr/qu``)."""
    text = nfc(text)
    out: list[str] = []
    pos = 0
    for m in CODE_RE.finditer(text):
        out.extend(_plain_tokens(text[pos : m.start()], folded))
        out.append(code_token(m.group(0)))
        pos = m.end()
    out.extend(_plain_tokens(text[pos:], folded))
    return out


def _plain_tokens(text: str, folded: bool) -> list[str]:
    text = fold(text) if folded else text.lower()
    return _TOKEN_RE.findall(text)


def squash_whitespace(text: str) -> str:
    """Collapse runs of spaces and tabs, keep paragraph breaks."""
    text = re.sub(r"[ \t\f\v]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# A sentence ends at . ! ? … or ; followed by a capital, a digit or an opening quote/bracket,
# or at a line break; "TP. Hà Nội", "v.v. Các", "Đ. Nguyễn" are not sentence ends.
_SENTENCE_END = re.compile(r"(?<=[.!?…;])\s+(?=[\"“(\[]?[A-ZĐÀ-Ỹ0-9])|\n+")
_ABBREV_END = re.compile(r"(?:\b[A-ZĐ]{1,3}|\bTP|\bNXB|\bv\.v|\btr|\bĐ|\bSt)\.$")
_MARKER_ONLY = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*|[a-zđ]|[IVXL]+)\.$")


def split_sentences(text: str) -> list[str]:
    """Sentences (and list items, one per line) of a text, whitespace-trimmed, never empty."""
    out: list[str] = []
    for part in _SENTENCE_END.split(text):
        part = part.strip()
        if not part:
            continue
        if out and (_ABBREV_END.search(out[-1]) or _MARKER_ONLY.match(out[-1])):
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part)
    return out


_LIST_MARKER = re.compile(r"(?m)^\s*(?:\d{1,2}(?:\.\d{1,2})*[.)]|[a-zđ]\)|\(\d{1,2}\)|[-+•*])\s+")


def without_markers(text: str) -> str:
    """The text without the numbering or bullets that open its lines ("1.", "a)", "-"): a list
    item's number is not a number the text gives."""
    return _LIST_MARKER.sub("", text)
