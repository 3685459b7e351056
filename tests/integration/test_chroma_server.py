"""Server mode: the same ingest and answer path against a real ``chroma run`` on 127.0.0.1.

CI starts the server (``PARTY_CHROMA_SERVER``); run alone, the ``chroma_server`` fixture in
tests/conftest.py starts one. Each test has its own collection, so they share the server.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from knowledge.services.compose import build_services
from knowledge.settings import KnowledgeSettings
from tests.fakes.embedder import HashEmbeddings

SAMPLES = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "samples"
SEED = SAMPLES / "long-bien_2017-08-15_kiem-tra-chuong-trinh-01-CTr-QU.txt"

pytestmark = [pytest.mark.slow, pytest.mark.chroma_server]


def _settings(server: tuple[str, int], data_dir: Path) -> KnowledgeSettings:
    host, port = server
    return KnowledgeSettings(
        data_dir=data_dir, chroma_host=host, chroma_port=port, collection=f"test-{uuid.uuid4().hex[:12]}"
    )


def test_ingest_and_answer_through_a_chroma_server(chroma_server: tuple[str, int], tmp_path: Path) -> None:
    settings = _settings(chroma_server, tmp_path / "data")
    services = build_services(settings, embeddings=HashEmbeddings())
    assert services.ingest.ingest_paths([SEED]).ok
    assert services.ingest.ingest_paths([SEED]).results[0].status == "unchanged"
    assert not (tmp_path / "data" / "chroma").exists()  # nothing was written locally
    answer = services.engine.answer("Đoàn kiểm tra Chương trình 01-CTr/QU đã kiểm tra bao nhiêu đảng ủy cơ sở?")
    assert "04" in answer.text and answer.citations
    # a second client sees the same knowledge base
    other = build_services(settings, embeddings=HashEmbeddings())
    assert [d.doc_id for d in other.engine.documents()] == [SEED.stem]


def test_a_second_worker_answers_from_what_the_first_ingested(chroma_server: tuple[str, int], tmp_path: Path) -> None:
    """Two bot workers on one Chroma server: each keeps its own lexical index, rebuilt when the store moves."""
    settings = _settings(chroma_server, tmp_path / "data")
    first = build_services(settings, embeddings=HashEmbeddings())
    second = build_services(settings, embeddings=HashEmbeddings())
    question = "Đoàn kiểm tra Chương trình 01-CTr/QU đã kiểm tra bao nhiêu đảng ủy cơ sở?"
    assert second.engine.answer(question).declined  # empty knowledge base: nothing to quote yet

    assert first.ingest.ingest_paths([SEED]).ok
    answer = second.engine.answer(question)
    assert "04" in answer.text and answer.citations

    assert first.ingest.delete(SEED.stem)
    assert second.engine.answer(question).declined  # and a deletion reaches it too
