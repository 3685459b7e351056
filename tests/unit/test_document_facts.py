"""Who signed a document, from its signature block."""

from __future__ import annotations

from knowledge.answer.document_facts import asks_signer, signer_fact
from knowledge.models import DocumentMeta

META = DocumentMeta(doc_id="294", title="Quy định thi hành Điều lệ Đảng", code="294-QĐ/TW")


def test_a_two_syllable_name_under_the_signers_title_is_the_signer() -> None:
    closing = ["Nơi nhận:", "- Lưu Văn phòng Trung ương Đảng.", "T/M BAN CHẤP HÀNH TRUNG ƯƠNG", "TỔNG BÍ THƯ", "Tô Lâm"]
    fact = signer_fact(META, closing)
    assert fact is not None and "Tô Lâm" in fact and "TỔNG BÍ THƯ" in fact


def test_a_place_name_without_a_title_above_is_not_a_signer() -> None:
    assert signer_fact(META, ["Nơi nhận:", "- Lưu VP.", "Hà Nội"]) is None


def test_signer_questions_with_and_without_diacritics() -> None:
    assert asks_signer("Ai ký Quy định 294?") and asks_signer("quy dinh 294 do ai ky")
    assert not asks_signer("Ai chịu trách nhiệm ký biên bản kiểm phiếu?")
