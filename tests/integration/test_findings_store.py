"""Findings records follow their document: replaced, deleted, rebuilt when missing, kept apart per version."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge.access import Viewer
from knowledge.findings import service as findings_service
from knowledge.services.compose import build_services
from knowledge.settings import KnowledgeSettings
from tests.fakes.embedder import HashEmbeddings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "findings"
NOTICE = "02_thong-bao-ket-luan_per-unit.txt"
DISCIPLINE = "06_quyet-dinh-ky-luat.txt"
COURT_Q = "Kết quả kiểm tra ở Tòa án nhân dân quận thế nào?"


def make(data: Path):
    return build_services(KnowledgeSettings(data_dir=data), embeddings=HashEmbeddings())


@pytest.fixture()
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in (NOTICE, DISCIPLINE):
        shutil.copy(FIXTURES / name, folder / name)
    return folder


def live_keys(s) -> set[tuple[str, str]]:
    return {(r.meta.doc_id, r.version) for r in s.store.documents()}


def test_records_are_stored_per_live_version_and_replaced_with_the_document(tmp_path: Path, docs: Path) -> None:
    s = make(tmp_path / "data")
    assert s.ingest.ingest_paths([docs]).ok
    assert (tmp_path / "data" / "findings.sqlite").is_file()
    assert set(s.findings.records.extracted()) == live_keys(s)  # written at commit, before any question
    assert "ngày 05 hằng tháng" in s.engine.answer(COURT_Q).text
    text = (docs / NOTICE).read_text(encoding="utf-8")
    start, end = text.index("2. Chi bộ Tòa án nhân dân quận Hòa Bình"), text.index("3. Đảng ủy Công ty")
    (docs / NOTICE).write_text(text[:start] + text[end:], encoding="utf-8")
    report = s.ingest.ingest_paths([docs / NOTICE], replace_same_code=True)
    assert [r.status for r in report.results] == ["replaced"]
    answer = s.engine.answer(COURT_Q)
    assert "ngày 05 hằng tháng" not in answer.text  # nothing survives from the replaced version
    assert "07/24 chi bộ" in s.engine.answer("Phường An Phú còn hạn chế gì?").text
    assert set(s.findings.records.extracted()) == live_keys(s)  # the old version's records were collected


def test_a_restored_version_brings_its_findings_back_and_restriction_sticks(tmp_path: Path, docs: Path) -> None:
    s = make(tmp_path / "data")
    s.ingest.ingest_paths([docs])
    doc_id = NOTICE.removesuffix(".txt")
    s.findings.restrict(doc_id, ["phường An Phú"])
    text = (docs / NOTICE).read_text(encoding="utf-8")
    start, end = text.index("2. Chi bộ Tòa án nhân dân quận Hòa Bình"), text.index("3. Đảng ủy Công ty")
    (docs / NOTICE).write_text(text[:start] + text[end:], encoding="utf-8")
    s.ingest.ingest_paths([docs / NOTICE], replace_same_code=True)
    assert s.store.document(doc_id).meta.restricted_units == ("Đảng ủy phường An Phú",)  # a new version stays closed
    admin = Viewer.admin()
    assert "ngày 05 hằng tháng" not in s.engine.answer(COURT_Q, viewer=admin).text
    s.admin.restore(doc_id)  # the first version again: its records are stored before it goes live
    assert "ngày 05 hằng tháng" in s.engine.answer(COURT_Q, viewer=admin).text
    assert s.store.document(doc_id).meta.restricted_units == ("Đảng ủy phường An Phú",)
    assert "ngày 05 hằng tháng" not in s.engine.answer(COURT_Q).text  # still closed to the public


def test_deleting_a_document_retires_its_findings(tmp_path: Path, docs: Path) -> None:
    s = make(tmp_path / "data")
    s.ingest.ingest_paths([docs])
    assert "Cảnh cáo" in s.engine.answer("Đồng chí Phạm Văn Khải bị kỷ luật hình thức gì?").text
    assert s.admin.delete(DISCIPLINE.removesuffix(".txt"))
    answer = s.engine.answer("Đồng chí Phạm Văn Khải bị kỷ luật hình thức gì?")
    assert "Cảnh cáo" not in answer.text and "Phạm Văn Khải" not in "".join(c.quote for c in answer.citations)
    assert {d for d, _ in s.findings.records.extracted()} == {NOTICE.removesuffix(".txt")}


def test_documents_ingested_without_records_get_them_from_their_chunks(tmp_path: Path, docs: Path) -> None:
    s = make(tmp_path / "data")
    s.ingest.before_live.clear()  # as in a data dir filled before findings existed
    s.ingest.ingest_paths([docs])
    assert s.findings.records.extracted() == {}
    again = make(tmp_path / "data")
    assert "07/24 chi bộ" in again.engine.answer("Phường An Phú còn hạn chế gì?").text
    assert set(again.findings.records.extracted()) == live_keys(again)


def test_a_failing_records_store_never_fails_an_ingest(tmp_path: Path, docs: Path, monkeypatch) -> None:
    s = make(tmp_path / "data")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(s.findings.records, "save", broken)
    assert s.ingest.ingest_paths([docs]).ok
    monkeypatch.undo()
    assert "07/24 chi bộ" in s.engine.answer("Phường An Phú còn hạn chế gì?").text  # rebuilt on first read


def test_a_newer_extractor_redoes_the_stored_records(tmp_path: Path, docs: Path, monkeypatch) -> None:
    s = make(tmp_path / "data")
    s.ingest.ingest_paths([docs])
    old = findings_service.EXTRACTOR_VERSION
    monkeypatch.setattr(findings_service, "EXTRACTOR_VERSION", old + 1)
    s.findings.records.set_alias("x", "x", None)  # any write moves the records' generation
    s.engine.answer("Phường An Phú còn hạn chế gì?")
    assert set(s.findings.records.extracted().values()) == {old + 1}


def test_admin_aliases_persist_in_the_data_dir(tmp_path: Path, docs: Path) -> None:
    s = make(tmp_path / "data")
    s.ingest.ingest_paths([docs])
    assert s.findings.add_alias("phường An Phú", "Phường AP") == "Đảng ủy phường An Phú"
    again = make(tmp_path / "data")
    assert again.findings.resolve_unit("Phường AP") == "Đảng ủy phường An Phú"
    assert "Phường AP" in again.findings.aliases("Đảng ủy phường An Phú")
    assert again.findings.remove_alias("Phường AP")
    assert make(tmp_path / "data").findings.resolve_unit("Phường AP") is None
