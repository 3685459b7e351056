"""The bundled samples the main job ingests: four real documents, one labelled fictional report, right metadata."""

from knowledge.documents.loaders import SUPPORTED_SUFFIXES, load_file
from knowledge.documents.metadata import extract_metadata
from main import sample_dir


def test_samples_are_the_five_documents_with_their_codes_and_dates() -> None:
    files = sorted(p for p in sample_dir().iterdir() if p.suffix.lower() in SUPPORTED_SUFFIXES)
    assert len(files) == 5  # nothing but documents: notes about them live outside this folder
    metas = {f.stem: extract_metadata(load_file(f, max_bytes=10_000_000)) for f in files}
    by_code = {m.code: m.issue_date for m in metas.values() if m.code}
    assert by_code == {"294-QĐ/TW": "2025-05-26", "06-HD/TW": "2025-06-09", "27-TB/QU": "2025-09-22"}
    seed = metas["long-bien_2017-08-15_kiem-tra-chuong-trinh-01-CTr-QU"]
    assert seed.issue_date == "2017-08-15" and "phường Cự Khối" in seed.units


def test_the_fictional_report_says_so_in_its_title_and_yields_per_unit_findings() -> None:
    from knowledge.findings.document import extract_document

    path = sample_dir() / "mau-hu-cau_2025-09-22_thong-bao-ket-luan-kiem-tra-27-TB-QU.txt"
    doc = load_file(path, max_bytes=10_000_000)
    meta = extract_metadata(doc)
    assert "HƯ CẤU" in meta.title  # every citation of it shows it is invented
    found = extract_document(doc.text, meta)
    assert found.inspected == ("Đảng ủy phường Bến Nguyệt", "Đảng ủy phường Cẩm Tú", "Đảng ủy Công ty TNHH Dệt may Vân Khê")
    remedies = [f for f in found.findings if f.unit == "Đảng ủy phường Bến Nguyệt" and f.kind == "yeu_cau"]
    assert [f.deadline for f in remedies] == ["trước ngày 31/10/2025", "trong quý IV/2025", None]
