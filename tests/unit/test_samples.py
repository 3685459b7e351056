"""The bundled samples the main job ingests: real documents, nothing else, right metadata."""

from knowledge.documents.loaders import SUPPORTED_SUFFIXES, load_file
from knowledge.documents.metadata import extract_metadata
from main import sample_dir


def test_samples_are_the_four_documents_with_their_codes_and_dates() -> None:
    files = sorted(p for p in sample_dir().iterdir() if p.suffix.lower() in SUPPORTED_SUFFIXES)
    assert len(files) == 4  # nothing but documents: notes about them live outside this folder
    metas = {f.stem: extract_metadata(load_file(f, max_bytes=10_000_000)) for f in files}
    by_code = {m.code: m.issue_date for m in metas.values() if m.code}
    assert by_code == {"294-QĐ/TW": "2025-05-26", "06-HD/TW": "2025-06-09"}
    seed = metas["long-bien_2017-08-15_kiem-tra-chuong-trinh-01-CTr-QU"]
    assert seed.issue_date == "2017-08-15" and "phường Cự Khối" in seed.units
