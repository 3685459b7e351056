"""The bot's engine and ``ingest.py`` on one data dir in two processes; two ingests at once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from knowledge.services.compose import build_services
from knowledge.settings import KnowledgeSettings
from tests.fakes.embedder import HashEmbeddings

ROOT = Path(__file__).resolve().parents[2]


def cli(data: Path, *argv: str | Path, wait: bool = True) -> subprocess.Popen | subprocess.CompletedProcess:
    """Run the admin CLI (fake embedder) in its own process."""
    cmd = [sys.executable, "-m", "tests.fakes.run_cli", *map(str, argv), "--data-dir", str(data)]
    env = {**os.environ, "COLUMNS": "200"}
    if wait:
        return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def doc(folder: Path, name: str, code: str, body: str) -> Path:
    path = folder / name
    path.write_text(f"ĐẢNG ỦY PHƯỜNG PHÚC LỢI\nSố {code}\nKẾ HOẠCH\n{body}\n", encoding="utf-8")
    return path


def dense_doc_ids(services, question: str) -> list[str]:
    vec = services.embeddings.embed_query(question)
    return [cid.split("::")[0] for cid, _ in services.store.dense_search(vec, 10)]


def test_a_running_engine_answers_from_documents_another_process_ingests(tmp_path: Path) -> None:
    data, folder = tmp_path / "data", tmp_path / "docs"
    folder.mkdir()
    first = doc(folder, "kh-01.txt", "01-KH/ĐU", "1. Mục tiêu\nTổ chức hội nghị sơ kết công tác dân vận trong quý hai.")
    assert cli(data, first).returncode == 0
    bot = build_services(KnowledgeSettings(data_dir=data), embeddings=HashEmbeddings())  # the long-running reader
    assert not bot.engine.answer("Hội nghị sơ kết công tác dân vận tổ chức khi nào?").declined

    second = doc(folder, "kh-02.txt", "02-KH/ĐU", "1. Nhiệm vụ\nKiểm tra việc thu nộp đảng phí của chi bộ khu dân cư số 7.")
    assert cli(data, second).returncode == 0
    deadline = time.monotonic() + 120  # a bound on waiting for the event, not a speed target
    question = "Kiểm tra việc thu nộp đảng phí của chi bộ khu dân cư số 7"
    while "kh-02" not in dense_doc_ids(bot, question) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert dense_doc_ids(bot, question)[0] == "kh-02"  # the dense leg sees the new document
    answer = bot.engine.answer(question + " là nhiệm vụ của kế hoạch nào?")
    assert answer.citations and answer.citations[0].doc_id == "kh-02"

    first.write_text(first.read_text(encoding="utf-8").replace("quý hai", "quý ba, tại hội trường phường"), encoding="utf-8")
    replaced = cli(data, first, "--replace-code")
    assert replaced.returncode == 0, replaced.stdout + replaced.stderr
    answer = bot.engine.answer("Kế hoạch 01-KH/ĐU: hội nghị sơ kết công tác dân vận tổ chức khi nào?")
    quoted = " ".join(c.quote for c in answer.citations)
    assert "quý ba" in quoted and "quý hai" not in quoted
    hits = bot.store.dense_search(bot.embeddings.embed_query("hội nghị sơ kết công tác dân vận quý ba"), 10)
    live = bot.store.document("kh-01").version
    assert hits and all(cid.split("::")[1] == live for cid, _ in hits if cid.startswith("kh-01::"))


def test_two_ingests_at_once_lose_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    folders = []
    for p in range(2):
        folder = tmp_path / f"in{p}"
        folder.mkdir()
        for i in range(8):
            body = "\n".join(
                f"{k}. Nội dung {k} của tài liệu {p}-{i}: chi bộ số {p * 100 + i} họp ngày {k} tháng {i + 1}." for k in range(1, 30)
            )
            doc(folder, f"tl-{p}-{i}.txt", f"{p * 10 + i + 1}-KH/ĐU", body)
        folders.append(folder)
    procs = [cli(data, f, wait=False) for f in folders]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    fresh = build_services(KnowledgeSettings(data_dir=data), embeddings=HashEmbeddings())
    docs = fresh.store.documents()
    assert len(docs) == 16
    assert fresh.store.generation() == 16  # every commit counted
    rows = fresh.store.live_chunks()
    assert len(rows) == sum(d.chunks for d in docs)
    got = fresh.store._chunks.get(ids=[c.chunk_id for c, _, _ in rows], include=["embeddings"])
    assert len(got["ids"]) == len(rows) and all(v is not None and len(v) for v in got["embeddings"])
    assert fresh.store._chunks.count() == len(rows)  # no leftovers
    for chunk, _, _ in rows[::7]:  # every chunk's vector is in the index
        vec = fresh.embeddings.embed_documents([chunk.text])[0]
        found = [cid for cid, _ in fresh.store.dense_search(vec, 50)]
        assert chunk.chunk_id in found
