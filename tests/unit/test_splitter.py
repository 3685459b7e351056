"""Splitting along the document's own units, on short strings and real corpus documents."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge.documents.clean import clean_paragraph, is_furniture
from knowledge.documents.metadata import extract_metadata
from knowledge.documents.reflow import paragraphs
from knowledge.documents.splitter import breadcrumb, passage_text, split_document
from knowledge.models import Chunk, LoadedDocument
from knowledge.text import normalize

MAX = 1100


def _doc(text: str, doc_id: str = "d") -> LoadedDocument:
    return LoadedDocument(doc_id, f"{doc_id}.txt", normalize(text), "txt", "0" * 64, len(text))


def _split(doc: LoadedDocument, **kw: int) -> list[Chunk]:
    return split_document(doc, extract_metadata(doc), **kw)


def _squash(text: str, *, original: bool = False) -> str:
    # A lone page-number line directly followed by running text is dropped on purpose.
    if original:
        text = re.sub(r"(?m)^[ \t]*\d{1,3}[ \t]*\n(?=[ \t]*\S)", "", text)
    return re.sub(r"\s+", "", text)


def _load(corpus_dir: Path, stem: str) -> LoadedDocument:
    return _doc((corpus_dir / f"{stem}.txt").read_text(encoding="utf-8"), stem)


def test_furniture_and_markup_leave_the_passages() -> None:
    text = (
        "Tin bài\nNgày đăng 15/08/2017 | 16:33 | Lượt xem: 804\n\n"
        "Ví dụ: *(48 tháng) *là thời gian; trình tự: Chào cờ -> Tuyên bố lý do.\n"
        "Phối hợp với Mặt trận Tổ quốc và các tổ chức chính trị\n- xã hội ở cơ sở.\n\n"
        "Một số hình ảnh kiểm tra tại các đơn vị"
    )
    doc = _doc(text, "tin")
    passage = "\n".join(c.text for c in split_document(doc, extract_metadata(doc)))
    assert "Lượt xem" not in passage and "Một số hình ảnh" not in passage
    assert "*" not in passage and "->" not in passage and "Chào cờ → Tuyên bố lý do" in passage
    assert "các tổ chức chính trị - xã hội ở cơ sở." in passage  # one line, not a list item


def test_reflows_hard_wrapped_lines() -> None:
    text = "Điều 6. Hình thức kết nối, chia\nsẻ dữ liệu\n\n1. Việc kết nối được thực\nhiện qua:\na) Tích hợp."
    chunks = _split(_doc(text))
    assert chunks[0].text.startswith("Điều 6. Hình thức kết nối, chia sẻ dữ liệu\n1. Việc kết nối được thực hiện qua:")


def test_long_clause_is_cut_on_sentences_with_the_same_path() -> None:
    sentence = "Đảng viên phải chấp hành nghiêm chỉnh nghị quyết của Đảng. "
    text = "Điều 2. Nhiệm vụ\n1. " + sentence * 40 + "\n2. Ngắn."
    chunks = _split(_doc(text), max_chars=400)
    first = [c for c in chunks if c.section_path[:2] == ("Điều 2. Nhiệm vụ", "Khoản 1")]
    assert len(first) >= 6
    assert all(len(c.text) <= 400 and c.text.rstrip().endswith(".") for c in chunks)


def test_never_merges_two_articles() -> None:
    text = "Chương I\nĐẢNG VIÊN\nĐiều 1.\nNgắn một.\nĐiều 2.\nNgắn hai.\nChương II\nĐiều 3.\nBa."
    chunks = _split(_doc(text))
    for chunk in chunks:
        assert len(re.findall(r"(?m)^Điều \d+\.", chunk.text)) <= 1
    assert chunks[-1].text.startswith("Chương II\nĐiều 3.")
    assert chunks[-1].section_path == ("Chương II", "Điều 3")


def test_short_siblings_merge_under_their_parent() -> None:
    text = "Điều 5. Thẩm quyền\n1. Một.\n2. Hai.\n3. Ba.\nĐiều 6. Khác\nNội dung."
    chunks = _split(_doc(text))
    assert chunks[0].section_path == ("Điều 5. Thẩm quyền", "Khoản 1–3")
    assert "3. Ba." in chunks[0].text and "Điều 6" not in chunks[0].text


def test_breadcrumb_and_passage_text() -> None:
    doc = _doc("Số 12-QĐ/TW\nQUY ĐỊNH\nVỀ THỬ\nChương II\nĐiều 5. Thẩm quyền xử lý\n1. " + "Nội dung dài. " * 30)
    meta = extract_metadata(doc)
    chunk = next(c for c in split_document(doc, meta) if "Khoản 1" in c.section_path)
    assert breadcrumb(meta, chunk) == "12-QĐ/TW › Chương II › Điều 5. Thẩm quyền xử lý › Khoản 1"
    assert passage_text(meta, chunk) == f"{breadcrumb(meta, chunk)}\n{chunk.text}"


@pytest.fixture(scope="module")
def corpus(corpus_dir: Path) -> dict[str, list[Chunk]]:
    return {p.stem: _split(_load(corpus_dir, p.stem), max_chars=MAX) for p in sorted(corpus_dir.glob("*.txt"))}


def test_every_corpus_chunk_fits_and_text_is_reproduced(corpus_dir: Path, corpus: dict[str, list[Chunk]]) -> None:
    manifest = (corpus_dir / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
    assert set(corpus) == {line.split("\t")[0].removesuffix(".txt") for line in manifest if line.strip()}
    for stem, chunks in corpus.items():
        assert [c.position for c in chunks] == list(range(len(chunks)))
        assert all(0 < len(c.text) <= MAX for c in chunks), stem
        original = _load(corpus_dir, stem).text
        # everything but web-page furniture and markup is kept, in order
        kept = [clean_paragraph(par) for par in paragraphs(original) if not is_furniture(par)]
        assert _squash("".join(c.text for c in chunks)) == _squash("".join(kept)), stem


def test_294_chunks_never_hold_two_points(corpus: dict[str, list[Chunk]]) -> None:
    chunks = corpus["294-QD-TW_2025-05-26_thi-hanh-dieu-le-dang"]
    for chunk in chunks:
        tops = re.findall(r"(?m)^\d{1,2}\. ", chunk.text)
        assert len(tops) <= 1, chunk.text[:200]
    point_4 = next(c for c in chunks if c.text.startswith("4. Điều 5"))
    assert point_4.section_path[0].startswith("4. Điều 5: Về thời hạn")
    assert chunks[0].section_path == () and "Căn cứ Điều lệ Đảng" in chunks[0].text


def test_dieu_le_articles_and_clauses(corpus: dict[str, list[Chunk]]) -> None:
    chunks = corpus["DieuLeDang_2011-01-19_Dai-hoi-XI"]
    for chunk in chunks:
        assert len(re.findall(r"(?m)^Điều \d+\.", chunk.text)) <= 1
    dieu_1 = [c for c in chunks if "Điều 1" in c.section_path]
    assert dieu_1 and dieu_1[0].section_path[0] == "Chương I"
    assert any(c.section_path[:2] == ("Chương V", "Điều 21") for c in chunks)


def test_so_tay_breadcrumbs_follow_markdown_headings(corpus: dict[str, list[Chunk]]) -> None:
    chunks = corpus["sotay-tcd-dv-hanoi_phan1"]
    step = next(c for c in chunks if "Tham mưu tổ chức lễ ra mắt" in c.text)
    assert step.section_path[0] == "I. THÀNH LẬP TỔ CHỨC ĐẢNG"
    assert step.section_path[1].startswith("2. Quy trình")
    assert step.section_path[2].startswith("Bước 03:")


def test_seed_article_keeps_paragraphs_and_items_whole(corpus_dir: Path, corpus: dict[str, list[Chunk]]) -> None:
    stem = "long-bien_2017-08-15_kiem-tra-chuong-trinh-01-CTr-QU"
    chunks = corpus[stem]
    texts = [c.text for c in chunks]
    for para in _load(corpus_dir, stem).text.split("\n\n"):
        para = " ".join(para.split())
        if para and not is_furniture(para):
            assert any(para in " ".join(t.split()) for t in texts), para[:60]
    joined = "\n".join(texts)
    assert "Lượt xem" not in joined and "Một số hình ảnh" not in joined  # page furniture is not content
    items = [c for c in chunks if re.match(r"\d\. ", c.text)]
    assert [c.text[:2] for c in items] == ["1.", "2.", "3.", "4.", "5."]
    first = next(c for c in chunks if "phường Sài Đồng" in c.text)
    assert "phường Cự Khối" in first.units and "01-CTr/QU" in first.codes
