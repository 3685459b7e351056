"""The two districts written blind (tests/fixtures/findings_hoaphu, findings_ninhgiang), indexed
together with the fake embedder: a unit named by a shortened name, a directing body named beside
it, and a programme that is not stored but quoted by a review."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.eval.harness import load_corpus
from knowledge.services.compose import build_services
from knowledge.settings import KnowledgeSettings
from tests.fakes.embedder import HashEmbeddings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    s = build_services(
        KnowledgeSettings(data_dir=tmp_path_factory.mktemp("blind") / "data"), embeddings=HashEmbeddings()
    )
    s.ingest.ingest_documents(
        load_corpus(FIXTURES / "findings_hoaphu" / "docs") + load_corpus(FIXTURES / "findings_ninhgiang" / "docs")
    )
    return s


def test_a_unit_named_by_a_shortened_name_beside_the_body_that_inspected_it(services) -> None:
    a = services.engine.answer("bệnh viện quận bị BTV Quận ủy chỉ ra những khuyết điểm gì?")
    assert not a.declined and "12 danh mục vật tư y tế tiêu hao" in a.text
    b = services.engine.answer("Chi bộ THPT Nguyễn Trãi phải khắc phục những gì sau giám sát của UBKT, thời hạn ra sao?")
    assert not b.declined and "01 cuộc kiểm tra đảng viên trong học kỳ II" in b.text


def test_a_programme_not_stored_is_answered_from_the_review_that_quotes_it(services) -> None:
    a = services.engine.answer("Theo báo cáo sơ kết, Chương trình 09 đặt ra những chỉ tiêu chủ yếu nào?")
    assert not a.declined and "ít nhất 01 mô hình" in a.text
