"""Vietnamese normalisation: NFC, one tone placement, folding, document codes as tokens."""

import unicodedata

import pytest

from knowledge.search.lexical import folded_tokens, word_tokens
from knowledge.text import code_key, fold, has_diacritics, normalize, tokens
from knowledge.vocab import is_function_word


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [("hoà", "hòa"), ("thuỷ", "thủy"), ("khoá XIII", "khóa XIII"), ("Uỷ ban", "Ủy ban"), ("tuỳ", "tùy"),
     ("THUỶ", "THỦY"), ("hoàng", "hoàng"), ("quá", "quá"), ("già", "già"), ("người", "người"), ("khuỷu", "khuỷu")],
)
def test_tone_marks_have_one_placement(variant: str, canonical: str) -> None:
    assert normalize(variant) == canonical


def test_decomposed_input_becomes_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Đảng ủy phường Cự Khối")
    assert normalize(decomposed) == "Đảng ủy phường Cự Khối"
    assert unicodedata.is_normalized("NFC", normalize(decomposed))


def test_both_spellings_match_after_normalisation() -> None:
    assert normalize("Ban Chấp hành Đảng bộ khoá XIII") == normalize("Ban Chấp hành Đảng bộ khóa XIII")


def test_fold_removes_diacritics_and_maps_d() -> None:
    assert fold("Đoàn kiểm tra gồm những ai") == "doan kiem tra gom nhung ai"
    assert not has_diacritics("doan kiem tra gom nhung ai")
    assert has_diacritics("Đoàn kiểm tra")


def test_document_codes_are_single_tokens() -> None:
    toks = tokens("Thực hiện Quyết định số 271-QĐ/QU và Chương trình 01-CTr/QU")
    assert "271-qd/qu" in toks and "1-ctr/qu" in toks
    assert "qu" not in toks
    assert code_key("01-CTr/QU") == code_key("1-CTr/QU") == code_key("01 - CTr/QU")


def test_folded_tokens_match_typed_without_diacritics() -> None:
    doc = set(folded_tokens("Đoàn kiểm tra Chương trình 01-CTr/QU"))
    query = set(folded_tokens("doan kiem tra chuong trinh 01-ctr/qu"))
    assert query <= doc
    assert "kiem_tra" in doc  # bigrams separate "kiểm tra" from "tra cứu"


def test_word_tokens_keep_compounds_and_codes() -> None:
    toks = word_tokens("Đoàn kiểm tra Chương trình 01-CTr/QU đã tiến hành kiểm tra")
    assert "kiểm_tra" in toks and "chương_trình" in toks and "1-ctr/qu" in toks


@pytest.mark.parametrize("particle", ["rồi", "ạ", "nhỉ", "đấy", "nữa", "chăng"])
def test_particles_of_spoken_questions_are_function_words(particle: str) -> None:
    """"Bị đưa ra khỏi Đảng rồi thì …": a particle is not a word the documents must hold (it used
    to count as a quarter of that question's weight, none of it found)."""
    assert is_function_word(particle)


@pytest.mark.parametrize("typed", ["roi", "thoi", "lam", "nua", "day"])
def test_a_bare_syllable_a_content_word_shares_stays_content(typed: str) -> None:
    """Typed without marks, "roi" may be "rời" (khỏi nơi cư trú), "thoi" "thời" (gian), "lam"
    "làm", "nua" "nửa", "day" "đầy" (đủ): they count as content."""
    assert not is_function_word(typed)


def test_thoi_of_the_documents_is_a_content_word() -> None:
    """"thôi giữ chức vụ", "thôi tham gia cấp ủy", "thôi việc": a verb of the documents, not a particle."""
    assert not is_function_word("thôi")
