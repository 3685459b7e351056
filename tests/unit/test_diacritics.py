"""Diacritic restoration learnt from the documents' own text."""

from knowledge.search.diacritics import DiacriticRestorer

TEXTS = [
    "Đoàn kiểm tra Chương trình 01-CTr/QU đã tiến hành kiểm tra 04 đảng ủy cơ sở gồm: phường Sài Đồng, phường Cự Khối.",
    "Trưởng đoàn kiểm tra do đồng chí Nguyễn Huy Thắng. Thành phần Đoàn gồm những đồng chí sau.",
    "Đảng viên dự bị có quyền như đảng viên chính thức, trừ quyền biểu quyết, ứng cử và bầu cử, không có ngoại lệ.",
    "Dự án đầu tư công; đoàn thanh niên; đoạn văn bản.",
]


def test_restores_marks_from_document_vocabulary() -> None:
    r = DiacriticRestorer(TEXTS)
    assert r.restore("doan kiem tra gom nhung ai") == "đoàn kiểm tra gồm những ai"
    assert r.restore("dang vien du bi co quyen bieu quyet khong") == "đảng viên dự bị có quyền biểu quyết không"
    assert r.restore("phuong Sai Dong") == "phường Sài Đồng"


def test_unknown_syllables_and_punctuation_are_kept() -> None:
    r = DiacriticRestorer(TEXTS)
    assert r.restore("xyz kiem tra?") == "xyz kiểm tra?"
    assert r.restore("") == ""
