"""Server mode: the same ingest and answer path against a real ``chroma run`` on 127.0.0.1.

CI starts the server (``PARTY_CHROMA_SERVER``); run alone, the ``chroma_server`` fixture in
tests/conftest.py starts one. Each test has its own collection, so they share the server.
The test that kills a server mid-ingest starts its own.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from knowledge.services.compose import build_services
from knowledge.settings import KnowledgeSettings
from tests.fakes.embedder import HashEmbeddings

SAMPLES = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "samples"
SEED = SAMPLES / "long-bien_2017-08-15_kiem-tra-chuong-trinh-01-CTr-QU.txt"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _settings(server: tuple[str, int], data_dir: Path) -> KnowledgeSettings:
    host, port = server
    return KnowledgeSettings(
        data_dir=data_dir, chroma_host=host, chroma_port=port, collection=f"test-{uuid.uuid4().hex[:12]}"
    )


@pytest.mark.slow
@pytest.mark.chroma_server
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


@pytest.mark.slow
@pytest.mark.chroma_server
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

    assert first.admin.delete(SEED.stem)
    assert second.engine.answer(question).declined  # and a deletion reaches it too


def test_an_unreachable_chroma_server_is_one_clear_line(tmp_path: Path) -> None:
    port = _free_port()  # nothing listens there
    env = {**os.environ, "KB_CHROMA_HOST": "127.0.0.1", "KB_CHROMA_PORT": str(port), "COLUMNS": "300"}
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-m", "tests.fakes.run_cli", str(SEED), "--data-dir", str(tmp_path / "data")],
        cwd=root, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 2
    out = (done.stdout + done.stderr).strip()
    assert "Traceback" not in out and len(out.splitlines()) == 1, out
    assert f"127.0.0.1:{port}" in out and "Chroma" in out


@pytest.mark.slow
def test_a_server_that_dies_mid_ingest_is_one_clear_line(tmp_path: Path) -> None:
    exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    if not Path(exe).exists():
        pytest.skip("the chroma CLI is not installed")
    port = _free_port()
    proc = subprocess.Popen([exe, "run", "--path", str(tmp_path / "srv"), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        settings = KnowledgeSettings(data_dir=tmp_path / "data", chroma_host="127.0.0.1", chroma_port=port)
        services = build_services(settings, embeddings=HashEmbeddings())
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    from knowledge.errors import StoreError

    with pytest.raises(StoreError) as info:
        services.ingest.ingest_paths([SEED])
    assert f"127.0.0.1:{port}" in info.value.message and "\n" not in info.value.message
