"""Our pyvi_segment gives exactly pyvi's own segmentation (it only computes features faster)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyvi import ViTokenizer

from knowledge.search.lexical import pyvi_segment, word_tokens

SAMPLES = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "samples"

TRICKY = [
    "",
    "   ",
    "Đoàn kiểm tra gồm những ai?",
    "doan kiem tra gom nhung ai",
    "ỦY BAN KIỂM TRA TRUNG ƯƠNG thi hành kỷ luật đảng viên.",
    "Quy định số 294-QĐ/TW ngày 26/5/2025 ... về thi hành Điều lệ Đảng ==> xem Điều 9.",
    "Tp. Hà Nội, ThS. Nguyễn Văn A, email: a.b@hanoi.gov.vn, http://dangcongsan.vn/x",
    "1.234,5 triệu đồng; 12.000 đảng viên; Mục 1.2.3.",
    "Hoà và hòa; Thuỷ và thủy",
]


def test_same_output_as_pyvi_on_tricky_strings() -> None:
    for text in TRICKY:
        assert pyvi_segment(text) == ViTokenizer.tokenize(text), repr(text)


def test_same_output_as_pyvi_on_the_bundled_documents() -> None:
    lines = [
        line
        for path in sorted(SAMPLES.glob("*"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert len(lines) > 500
    for line in lines[::3]:  # every third line of four real documents
        assert pyvi_segment(line) == ViTokenizer.tokenize(line), line


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Đoàn kiểm tra Quận ủy", ["đoàn", "kiểm_tra", "quận_ủy"]), ("theo 01-CTr/QU.", ["theo", "1-ctr/qu"])],
)
def test_word_tokens_keep_codes_whole(text: str, expected: list[str]) -> None:
    assert word_tokens(text) == expected
