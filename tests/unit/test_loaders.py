"""Loaders: every supported format becomes clean Vietnamese text with its lines, or a clear refusal."""

from __future__ import annotations

import codecs
import csv
import functools
import hashlib
import importlib.util
import io
import os
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

from knowledge.documents.loaders import SUPPORTED_SUFFIXES, load_bytes, load_file, ocr
from knowledge.documents.loaders.base import clean_text
from knowledge.errors import (
    CorruptDocumentError,
    DocumentTooLargeError,
    EmptyDocumentError,
    EncodingError,
    KnowledgeError,
    OCRUnavailableError,
    UnsupportedFormatError,
)
from knowledge.models import LoadedDocument
from knowledge.text import fold
from tests.hostile.generate import cp1258  # Windows-1258: base letter plus a combining tone

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "loaders"
MB = 1_048_576

SAMPLE = (
    "Chương II\n"
    "ĐẢNG VIÊN\n"
    "Điều 5. Đảng viên phải thực hiện nghiêm túc nghị quyết của Đảng.\n"
    "1. Chi bộ họp thường kỳ mỗi tháng một lần.\n"
    "a) Đảng ủy cơ sở kiểm tra, giám sát; Ủy ban kiểm tra hòa giải.\n"
)


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def assert_user_message(err: KnowledgeError, name: str, *, hidden: str | None = None) -> None:
    """Short Vietnamese message naming the file, an English twin, and no directory path."""
    assert name in err.message and name in err.english
    assert err.english != err.message
    assert len(err.message) < 300
    if hidden:
        assert hidden not in err.message and hidden not in err.english


# --- the public surface ----------------------------------------------------------------------


def test_supported_suffixes_are_the_documented_formats() -> None:
    assert SUPPORTED_SUFFIXES == frozenset({".txt", ".md", ".html", ".htm", ".pdf", ".docx"})


def test_upload_metadata_describes_the_raw_bytes() -> None:
    data = SAMPLE.encode("utf-8")
    name = unicodedata.normalize("NFD", "Quy định số 5.txt")  # macOS sends decomposed names

    doc = load_bytes(name, data, max_bytes=MB)

    assert doc.doc_id == "Quy định số 5" and unicodedata.is_normalized("NFC", doc.doc_id)
    assert doc.source == name
    assert (doc.fmt, doc.size, doc.ocr) == ("txt", len(data), False)
    assert doc.sha256 == hashlib.sha256(data).hexdigest()


def test_upload_name_with_a_client_directory_keeps_only_the_file_name() -> None:
    doc = load_bytes("C:\\Users\\an\\Tai lieu\\huong-dan.md", SAMPLE.encode(), max_bytes=MB)
    assert doc.doc_id == "huong-dan" and doc.fmt == "md"


# --- plain text and Markdown -----------------------------------------------------------------


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: s.encode("utf-8"),
        lambda s: s.encode("utf-8-sig"),
        lambda s: s.encode("utf-16"),  # with BOM
        lambda s: codecs.BOM_UTF16_BE + s.replace("\n", "\r\n").encode("utf-16-be"),
        cp1258,
        lambda s: s.encode("utf-16-le"),  # no BOM: recognised by its zero bytes, checked to read as Vietnamese
        lambda s: s.encode("utf-16-be"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom-crlf", "windows-1258", "utf-16-le-no-bom", "utf-16-be-no-bom"],
)
def test_text_files_in_every_vietnamese_encoding_read_the_same(encode) -> None:
    doc = load_bytes("dieu-le.txt", encode(SAMPLE), max_bytes=MB)
    assert lines(doc.text) == lines(SAMPLE)


def test_text_keeps_structure_lines_and_canonical_spelling() -> None:
    messy = unicodedata.normalize("NFD", "Điều 5.\tQuy định   chung\r\n\r\n\r\n\r\n1. Hoà   thuỷ\u200b\r\na) khoá")
    doc = load_bytes("x.txt", messy.encode(), max_bytes=MB)
    assert doc.text.splitlines() == ["Điều 5. Quy định chung", "", "1. Hòa thủy", "a) khóa"]


def test_markdown_is_kept_as_written() -> None:
    md = "# Chương I\n\n## Điều 1. Đảng viên\n\n- Chi bộ sinh hoạt định kỳ\n"
    doc = load_bytes("so-tay.md", md.encode(), max_bytes=MB)
    assert doc.fmt == "md" and lines(doc.text) == lines(md)


@pytest.mark.parametrize(
    "data",
    [
        "Grüße aus München, Straße für ½ Stück".encode("cp1252"),
        "Привет, это не вьетнамский текст".encode("cp1251"),
        SAMPLE.encode("utf-8").decode("cp1252", errors="replace").encode("utf-8"),  # double-encoded
        SAMPLE.encode("utf-8").replace(b"\n", b"\n\xe9", 1),  # one stray Latin-1 byte in UTF-8
    ],
    ids=["latin", "cyrillic", "double-encoded", "broken-utf8"],
)
def test_undecodable_text_is_refused_not_turned_into_mojibake(data: bytes) -> None:
    with pytest.raises(EncodingError) as info:
        load_bytes("van-ban.txt", data, max_bytes=MB)
    assert_user_message(info.value, "van-ban.txt")
    assert "UTF-8" in info.value.message


# --- HTML ------------------------------------------------------------------------------------


def test_saved_news_page_keeps_the_article_and_drops_the_page_furniture(corpus_dir: Path) -> None:
    seed = (corpus_dir / "long-bien_2017-08-15_kiem-tra-chuong-trinh-01-CTr-QU.txt").read_text("utf-8")
    seed_lines = lines(clean_text(seed))
    title, body = seed_lines[1], seed_lines[3:]  # category, title, date line, paragraphs

    doc = load_file(FIXTURES / "long-bien-article.html", max_bytes=MB)
    got = lines(doc.text)

    assert doc.fmt == "html" and doc.title_hint == title
    assert got[0] == title
    for paragraph in body:
        assert paragraph in got  # each paragraph on its own line, verbatim
    numbered = [line for line in got if line[:2] in {"1.", "2.", "3.", "4.", "5."}]
    assert [line[:2] for line in numbered] == ["1.", "2.", "3.", "4.", "5."]
    assert "15/08/2017" in doc.text  # the publication date survives
    page = (FIXTURES / "long-bien-article.html").read_text("utf-8")
    for furniture in ("Giới thiệu chung", "Thủ tục hành chính", "Tin cùng chuyên mục", "Bản quyền thuộc",
                      "Số 1 Vạn Hạnh", "Chia sẻ", "Đăng nhập", "Tìm kiếm", "Lịch tiếp công dân"):
        assert furniture in page and furniture not in doc.text


def test_html_ordered_lists_keep_their_numbers_and_letters() -> None:
    filler = "Nội dung hướng dẫn chi tiết về công tác tổ chức đảng và đảng viên ở cơ sở. " * 3
    page = f"""<html><head><title>Hướng dẫn</title></head><body>
      <nav><a href="/">Trang chủ</a> <a href="/lh">Liên hệ</a></nav>
      <article><h1>Hướng dẫn</h1><p>{filler}</p>
        <ol><li>Chi bộ họp thường kỳ.</li><li><b>Đảng ủy</b> kiểm tra.</li></ol>
        <ol type="a" start="3"><li>Điểm thứ ba.</li></ol>
        <p>{filler}</p></article></body></html>"""
    got = lines(load_bytes("hd.htm", page.encode(), max_bytes=MB).text)
    assert "1. Chi bộ họp thường kỳ." in got
    assert "2. Đảng ủy kiểm tra." in got
    assert "c) Điểm thứ ba." in got


def test_tiny_html_page_still_gives_its_text() -> None:
    page = "<html><body><p>Thông báo: chi bộ họp ngày 5/9.</p></body></html>"
    assert "chi bộ họp ngày 5/9" in load_bytes("tb.html", page.encode(), max_bytes=MB).text


def test_html_without_any_text_is_empty() -> None:
    page = "<html><head><script>var a = 1;</script></head><body><img src='a.png'></body></html>"
    with pytest.raises(EmptyDocumentError) as info:
        load_bytes("anh.html", page.encode(), max_bytes=MB)
    assert_user_message(info.value, "anh.html")


# --- PDF: the real corpus --------------------------------------------------------------------


def _pdf_twins(corpus_dir: Path) -> dict[str, Path]:
    with (corpus_dir / "MANIFEST.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return {row["source"].rsplit(":", 1)[1]: corpus_dir / row["file"] for row in rows if row["source"].endswith(".pdf")}


@pytest.fixture(scope="module")
def real_pdf(corpus_dir: Path) -> Callable[[str], LoadedDocument]:
    """Loads a corpus PDF once per test module (pypdf needs a few seconds per document)."""
    return functools.cache(lambda name: load_file(corpus_dir / "pdf" / name, max_bytes=50 * MB))


@pytest.mark.parametrize("pdf_name", ["quydinh294.pdf", "huongdan06.pdf", "huongdan.pdf", "huongdan21.pdf"])
def test_real_pdfs_read_like_their_text_twins(corpus_dir: Path, real_pdf, pdf_name: str) -> None:
    twin = _pdf_twins(corpus_dir)[pdf_name]
    expected = lines(clean_text(twin.read_text("utf-8")))[1:]  # the twin starts with a summary line

    doc = real_pdf(pdf_name)
    got = lines(doc.text)

    assert doc.fmt == "pdf" and not doc.ocr and doc.doc_id == pdf_name.removesuffix(".pdf")
    assert got[:8] == expected[:8]  # the letterhead: issuer, number, place and date
    got_set = set(got)
    assert sum(line in got_set for line in expected) / len(expected) > 0.98
    assert abs(len(doc.text) - len("\n".join(expected))) / len(doc.text) < 0.02
    date_line = next(line for line in expected if "Hà Nội, ngày" in line)
    assert date_line in got


def test_decree_294_keeps_its_number_and_date(real_pdf) -> None:
    doc = real_pdf("quydinh294.pdf")
    assert "Số 294-QĐ/TW" in doc.text
    assert "Hà Nội, ngày 26 tháng 5 năm 2025" in doc.text
    assert "Điều 1" in doc.text and "1.1.1." in doc.text


def test_truncated_pdf_is_reported_as_damaged(corpus_dir: Path) -> None:
    data = (corpus_dir / "pdf" / "huongdan21.pdf").read_bytes()
    with pytest.raises(CorruptDocumentError) as info:
        load_bytes("huongdan21.pdf", data[: len(data) // 2], max_bytes=50 * MB)
    assert_user_message(info.value, "huongdan21.pdf")


def test_password_protected_pdf_is_refused(corpus_dir: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.add_page(PdfReader(corpus_dir / "pdf" / "huongdan21.pdf").pages[0])
    writer.encrypt(user_password="mat-khau", owner_password="chu-so-huu", algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(CorruptDocumentError) as info:
        load_bytes("bi-mat.pdf", buf.getvalue(), max_bytes=MB)
    assert_user_message(info.value, "bi-mat.pdf")
    assert "mật khẩu" in info.value.message


def test_pdf_with_only_an_owner_password_is_read(corpus_dir: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.add_page(PdfReader(corpus_dir / "pdf" / "quydinh294.pdf").pages[0])
    writer.encrypt(user_password="", owner_password="chu-so-huu", algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)
    assert "Số 294-QĐ/TW" in load_bytes("han-che.pdf", buf.getvalue(), max_bytes=MB).text


def test_garbage_with_a_pdf_name_is_damaged() -> None:
    with pytest.raises(CorruptDocumentError) as info:
        load_bytes("gia.pdf", b"%PDF-1.7\nnot really a pdf\n" * 20, max_bytes=MB)
    assert_user_message(info.value, "gia.pdf")


# --- PDF: scans and OCR ----------------------------------------------------------------------

SCANNED = FIXTURES / "scanned-vi.pdf"
needs_ocr = pytest.mark.skipif(not ocr.available("vie"), reason="tesseract with the 'vie' model is not installed")


@needs_ocr
def test_scanned_pdf_is_read_with_vietnamese_ocr() -> None:
    spec = importlib.util.spec_from_file_location("make_scanned_pdf", FIXTURES / "make_scanned_pdf.py")
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)

    doc = load_file(SCANNED, max_bytes=MB)

    assert doc.ocr and doc.fmt == "pdf"
    got_words = set(fold(doc.text).split())
    wanted = {w for line in generator.LINES for w in fold(line).split()}
    assert len(wanted & got_words) / len(wanted) > 0.85
    for key in ("dang", "cong", "san", "viet", "nam", "dieu", "5.", "kiem", "tra"):
        assert key in got_words
    assert any(line.startswith("Điều 5.") for line in doc.text.splitlines())  # diacritics, not just folds


def test_scanned_pdf_without_ocr_is_refused_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "available", lambda language="vie": False)
    with pytest.raises(OCRUnavailableError) as info:
        load_file(SCANNED, max_bytes=MB)
    assert_user_message(info.value, "scanned-vi.pdf", hidden=str(FIXTURES))
    assert "OCR" in info.value.message and "Tesseract" in info.value.message
    assert "vie" in info.value.message


def test_blank_pdf_is_never_returned_as_empty_text(monkeypatch: pytest.MonkeyPatch) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    writer.write(buf)
    data = buf.getvalue()

    monkeypatch.setattr(ocr, "available", lambda language="vie": False)
    with pytest.raises(OCRUnavailableError):
        load_bytes("trang-trang.pdf", data, max_bytes=MB)
    monkeypatch.undo()
    if ocr.available("vie"):
        with pytest.raises(EmptyDocumentError):
            load_bytes("trang-trang.pdf", data, max_bytes=MB)


# --- Word ------------------------------------------------------------------------------------


def _docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = "Quy định về công tác kiểm tra"
    document.add_heading("Chương II", level=1)
    document.add_heading("Điều 5. Nhiệm vụ của chi bộ", level=2)
    document.add_paragraph("1. Chi bộ họp thường kỳ mỗi tháng một lần.")
    table = document.add_table(rows=3, cols=3)
    for row, values in zip(table.rows, [("STT", "Đơn vị", "Số đảng viên"), ("1", "Phường Sài Đồng", "120"),
                                        ("2", "Phường Cự Khối", "85")]):
        for cell, value in zip(row.cells, values):
            cell.text = value
    merged = document.add_table(rows=1, cols=3)
    merged.cell(0, 0).merge(merged.cell(0, 1)).text = "Tổng cộng"
    merged.cell(0, 2).text = "205"
    document.add_paragraph("a) Đảng ủy cơ sở kiểm tra, giám sát.")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_docx_keeps_headings_paragraphs_and_table_rows_in_order() -> None:
    doc = load_bytes("quy-dinh.docx", _docx_bytes(), max_bytes=MB)
    assert doc.fmt == "docx" and doc.title_hint == "Quy định về công tác kiểm tra"
    assert lines(doc.text) == [
        "Chương II",
        "Điều 5. Nhiệm vụ của chi bộ",
        "1. Chi bộ họp thường kỳ mỗi tháng một lần.",
        "STT | Đơn vị | Số đảng viên",
        "1 | Phường Sài Đồng | 120",
        "2 | Phường Cự Khối | 85",
        "Tổng cộng | 205",
        "a) Đảng ủy cơ sở kiểm tra, giám sát.",
    ]


@pytest.mark.parametrize(
    "data",
    [b"PK\x03\x04 this is not a zip archive at all", b"plain text renamed to docx"],
    ids=["broken-zip", "not-a-zip"],
)
def test_damaged_docx_is_refused(data: bytes) -> None:
    with pytest.raises(CorruptDocumentError) as info:
        load_bytes("hong.docx", data, max_bytes=MB)
    assert_user_message(info.value, "hong.docx")


def test_truncated_docx_is_refused() -> None:
    data = _docx_bytes()
    with pytest.raises(CorruptDocumentError):
        load_bytes("cat.docx", data[: len(data) // 2], max_bytes=MB)


# --- limits and file-system errors -----------------------------------------------------------


def test_oversized_file_is_refused_before_it_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "rat-lon.pdf"
    big.write_bytes(b"%PDF-1.7\n" + b"0" * 5000)

    def no_reading(self: Path) -> bytes:
        raise AssertionError("the whole file was read before its size was checked")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    with pytest.raises(DocumentTooLargeError) as info:
        load_file(big, max_bytes=1024)
    assert_user_message(info.value, "rat-lon.pdf", hidden=str(tmp_path))


def test_oversized_upload_is_refused() -> None:
    with pytest.raises(DocumentTooLargeError) as info:
        load_bytes("to.txt", b"a" * (2 * MB + 1), max_bytes=2 * MB)
    assert_user_message(info.value, "to.txt")
    assert "2,0 MB" in info.value.message


@pytest.mark.parametrize("name", ["rong.txt", "rong.md", "rong.html", "rong.pdf", "rong.docx"])
@pytest.mark.parametrize("data", [b"", b" \n\t\r\n"], ids=["zero-bytes", "whitespace"])
def test_empty_files_are_refused_in_every_format(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(EmptyDocumentError) as info:
        load_file(path, max_bytes=MB)
    assert_user_message(info.value, name, hidden=str(tmp_path))


def test_text_that_is_only_invisible_characters_is_empty() -> None:
    with pytest.raises(EmptyDocumentError):
        load_bytes("an.txt", "\ufeff\u200b \u00a0\n\x07".encode(), max_bytes=MB)


@pytest.mark.parametrize("name", ["bang.xlsx", "cu.doc", "anh.jpg", "khong-duoi"])
def test_unknown_formats_are_refused(name: str) -> None:
    with pytest.raises(UnsupportedFormatError) as info:
        load_bytes(name, b"something", max_bytes=MB)
    assert_user_message(info.value, name)
    assert ".pdf" in info.value.message and ".docx" in info.value.message


def test_missing_file_is_a_clear_error_without_the_path(tmp_path: Path) -> None:
    with pytest.raises(CorruptDocumentError) as info:
        load_file(tmp_path / "khong-co.pdf", max_bytes=MB)
    assert_user_message(info.value, "khong-co.pdf", hidden=str(tmp_path))


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "khoa.txt"
    path.write_text(SAMPLE, encoding="utf-8")
    path.chmod(0)
    try:
        with pytest.raises(CorruptDocumentError) as info:
            load_file(path, max_bytes=MB)
        assert_user_message(info.value, "khoa.txt", hidden=str(tmp_path))
    finally:
        path.chmod(0o600)


def test_a_directory_named_like_a_document_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "thu-muc.txt"
    folder.mkdir()
    with pytest.raises(CorruptDocumentError) as info:
        load_file(folder, max_bytes=MB)
    assert_user_message(info.value, "thu-muc.txt", hidden=str(tmp_path))


def test_each_refusal_names_its_real_reason() -> None:
    """A Western European file is not "TCVN3", deep numbering is not "binary data", a stream bomb
    is not "an incomplete download"; the old Vietnamese encodings are still recognised."""
    from tests.hostile.generate import deflate_bomb, pdf, tcvn3

    def refusal(name: str, data: bytes) -> str:
        with pytest.raises(KnowledgeError) as caught:
            load_bytes(name, data)
        return caught.value.message

    western = "Résumé du café: l'élève à l'école. Déjà vu, garçon; Größe, Übung.\n".encode("cp1252") * 5
    assert "Tây Âu" in refusal("ghi-chu.txt", western) and "TCVN3" not in refusal("ghi-chu.txt", western)
    vietnamese = "Đảng viên phải đóng đảng phí theo quy định của Trung ương; chi bộ họp mỗi tháng một lần.\n" * 5
    assert "TCVN3" in refusal("cu.txt", tcvn3(vietnamese))
    deep = "".join(f"{'1.' * i}1. Mục\n" for i in range(1, 400)).encode()
    assert "lồng nhau tới 400 cấp" in refusal("muc-luc.txt", deep)
    assert "nhị phân" in refusal("b64.txt", ("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo" * 5 + "\n").encode() * 20)
    bomb = refusal("bom.pdf", pdf([["x"]], compress=deflate_bomb(100 << 20)))
    assert "vượt giới hạn an toàn" in bomb and "tải về chưa hết" not in bomb
