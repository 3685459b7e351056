"""Property tests (hypothesis) for the Vietnamese normaliser and the structure-aware splitter."""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge.documents.loaders.base import clean_text
from knowledge.documents.splitter import split_document
from knowledge.models import DocumentMeta, LoadedDocument
from knowledge.text import fold, normalize

VIET = "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXY"
TONES = "\u0300\u0301\u0303\u0309\u0323"
syllable = st.builds(
    lambda base, tone, form: unicodedata.normalize(form, unicodedata.normalize("NFD", base) + tone),
    st.text(VIET, min_size=1, max_size=6), st.sampled_from(["", *TONES]), st.sampled_from(["NFC", "NFD"]),
)
viet_text = st.lists(syllable, min_size=0, max_size=40).map(" ".join)
any_text = st.text(max_size=200)


@given(any_text)
def test_normalize_is_idempotent_nfc_and_free_of_control_characters(s: str) -> None:
    out = normalize(s)
    assert normalize(out) == out
    assert unicodedata.is_normalized("NFC", out)
    assert not any(unicodedata.category(ch)[0] == "C" and ch not in "\n\t" for ch in out)


@given(viet_text)
def test_nfd_and_nfc_spellings_normalise_and_fold_alike(s: str) -> None:
    nfd, nfc = unicodedata.normalize("NFD", s), unicodedata.normalize("NFC", s)
    assert normalize(nfd) == normalize(nfc)
    assert fold(nfd) == fold(nfc) == fold(normalize(s))


@given(viet_text)
def test_fold_strips_every_mark_and_is_idempotent(s: str) -> None:
    folded = fold(s)
    assert fold(folded) == folded
    assert folded.isascii()
    assert fold(s.upper()) == folded


heading = st.sampled_from(["Chương I", "Chương II", "Mục 1", "Điều 1.", "Điều 2. Quy định chung", "1.", "2.", "1.1.", "a)", "b)", "I.", "II."])
line = st.one_of(heading, viet_text.filter(bool), st.builds(lambda h, t: f"{h} {t}", heading, viet_text))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(line, min_size=1, max_size=60), st.integers(120, 1500))
def test_splitter_keeps_every_word_in_order_within_bounds(lines: list[str], max_chars: int) -> None:
    text = clean_text("\n".join(lines))
    if not text:
        return
    doc = LoadedDocument("d", "d.txt", text, "txt", "0" * 64, len(text))
    chunks = split_document(doc, DocumentMeta("d", "D"), max_chars=max_chars, min_chars=max_chars // 4, max_path_chars=120)
    assert chunks and [c.position for c in chunks] == list(range(len(chunks)))
    assert " ".join(c.text for c in chunks).split() == text.split()  # nothing lost, added or reordered
    for c in chunks:
        assert c.text.strip() and len(c.text) <= max_chars
        assert len(c.section) <= 120
