"""Kill -9 anywhere: a real ingestion process is SIGKILLed mid-write; the store stays whole.

Two ways of choosing the moment: named points of the write path (the process announces the
point and waits to be killed, ``PARTY_TEST_PAUSE_AT``), and random delays into a longer run.
After each kill, ``--list``, the lexical index and the dense index agree, a question about the
document is answered from one complete version, and the next run removes the leftovers and
completes.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from knowledge.services.compose import build_services
from knowledge.settings import KnowledgeSettings
from tests.fakes.embedder import HashEmbeddings

ROOT = Path(__file__).resolve().parents[2]
V1, V2 = "họp định kỳ vào ngày mùng năm hằng tháng", "họp định kỳ vào ngày hai mươi hằng quý"


def body(version: str) -> str:
    items = "\n".join(f"{k}. Chi bộ số {k} {version}, báo cáo Đảng ủy phường về nội dung thứ {k}." for k in range(1, 40))
    return f"ĐẢNG ỦY PHƯỜNG PHÚC LỢI\nSố 07-KH/ĐU\nKẾ HOẠCH\nSinh hoạt chi bộ năm 2025\n{items}\n"


def start(data: Path, *argv: str | Path, pause: str | None = None, marker: Path | None = None) -> subprocess.Popen:
    env = {**os.environ, "COLUMNS": "200"}
    if pause:
        env.update(PARTY_TEST_PAUSE_AT=pause, PARTY_TEST_PAUSE_FILE=str(marker))
    cmd = [sys.executable, "-m", "tests.fakes.run_cli", *map(str, argv), "--data-dir", str(data)]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run(data: Path, *argv: str | Path) -> subprocess.CompletedProcess:
    proc = start(data, *argv)
    out, err = proc.communicate(timeout=300)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def check_whole(data: Path, *, expect_docs: int | None = None) -> dict[str, str]:
    """--list, the lexical index and the dense index agree; each document answers from one complete version."""
    listed = json.loads(run(data, "--list", "--json").stdout)
    services = build_services(KnowledgeSettings(data_dir=data), embeddings=HashEmbeddings())
    store = services.store
    catalogue = {r.meta.doc_id: r for r in store.documents()}
    assert {d["doc_id"]: d["version"] for d in listed} == {k: r.version for k, r in catalogue.items()}
    if expect_docs is not None:
        assert len(catalogue) == expect_docs
    rows = store.live_chunks()
    by_doc: dict[str, list] = {}
    for chunk, lex, _ in rows:
        by_doc.setdefault(chunk.doc_id, []).append(chunk)
        assert lex  # its lexical tokens are there
    for doc_id, rec in catalogue.items():
        chunks = by_doc.get(doc_id, [])
        assert len(chunks) == rec.chunks, doc_id  # complete
        assert {c.chunk_id.split("::")[1] for c in chunks} == {rec.version}  # one version
        got = store._chunks.get(ids=[c.chunk_id for c in chunks], include=["embeddings"])
        assert len(got["ids"]) == rec.chunks and all(len(v) for v in got["embeddings"])  # every vector present
    for chunk in rows[:: max(1, len(rows) // 10)]:
        vec = services.embeddings.embed_documents([chunk[0].text])[0]
        hits = [cid for cid, _ in store.dense_search(vec, 20)]
        assert chunk[0].chunk_id in hits
        assert all(catalogue[cid.split("::")[0]].version == cid.split("::")[1] for cid in hits)  # only live versions
    versions = {}
    if "ke-hoach-07" in catalogue:
        question = services.engine.frame("Chi bộ số 3 họp định kỳ vào ngày nào theo kế hoạch 07-KH/ĐU?")
        top = services.retriever.retrieve(question, k=8).results  # the passages an answer may quote
        quoted = " ".join(r.chunk.text for r in top)
        assert top and ((V1 in quoted) != (V2 in quoted))  # one version, never a mix
        versions["ke-hoach-07"] = "v1" if V1 in quoted else "v2"
    return versions


@pytest.fixture()
def seeded(tmp_path: Path) -> tuple[Path, Path]:
    data, folder = tmp_path / "data", tmp_path / "docs"
    folder.mkdir()
    (folder / "ke-hoach-07.txt").write_text(body(V1), encoding="utf-8")
    for i in range(3):
        (folder / f"khac-{i}.txt").write_text(
            f"THÔNG BÁO\nSố {20 + i}-TB/ĐU\n1. Nội dung\nĐảng ủy thông báo lịch tiếp dân số {i} của đồng chí Bí thư.\n",
            encoding="utf-8",
        )
    assert run(data, folder).returncode == 0
    return data, folder


@pytest.mark.parametrize("point", ["sweeping", "chunks-written", "archived", "flipped", "cleaned"])
def test_kill_at_each_point_of_the_write_path(seeded, tmp_path: Path, point: str) -> None:
    data, folder = seeded
    doc = folder / "ke-hoach-07.txt"
    if point == "sweeping":  # leave a leftover first, so that the sweep has work to be killed in
        doc.write_text(body(V2), encoding="utf-8")
        marker = tmp_path / "marker-0"
        proc = start(data, doc, "--replace-code", pause="chunks-written", marker=marker)
        _kill_when(proc, marker)
        doc.write_text(body(V1), encoding="utf-8")
    doc.write_text(body(V2), encoding="utf-8")
    marker = tmp_path / "marker"
    proc = start(data, doc, "--replace-code", pause=point, marker=marker)
    _kill_when(proc, marker)
    got = check_whole(data, expect_docs=4)
    assert got["ke-hoach-07"] == ("v2" if point in ("flipped", "cleaned") else "v1")
    rerun = run(data, doc, "--replace-code")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert check_whole(data, expect_docs=4)["ke-hoach-07"] == "v2"
    services = build_services(KnowledgeSettings(data_dir=data), embeddings=HashEmbeddings())
    assert services.store.remove_orphans() == 0  # the run swept what the kill left
    assert services.store._chunks.count() == sum(r.chunks for r in services.store.documents())


def _kill_when(proc: subprocess.Popen, marker: Path) -> None:
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def test_kill_at_random_moments_of_a_long_run(seeded, tmp_path: Path) -> None:
    data, folder = seeded
    big = tmp_path / "big"
    big.mkdir()
    for i in range(12):
        (big / f"bao-cao-{i}.txt").write_text(
            f"BÁO CÁO\nSố {100 + i}-BC/ĐU\n" + "\n".join(
                f"{k}. Kết quả kiểm tra chi bộ {i}-{k}: đảng viên thực hiện nghị quyết, đóng đảng phí đầy đủ." for k in range(1, 60)
            ), encoding="utf-8",
        )
    rng = random.Random(20251130)
    # how long a whole run takes on this machine, so that the kills land inside a run
    timing = tmp_path / "timing"
    shutil.copytree(data, timing)
    t0 = time.monotonic()
    assert run(timing, big).returncode == 0
    duration = time.monotonic() - t0
    survived = []
    for attempt in range(4):
        doc = folder / "ke-hoach-07.txt"
        doc.write_text(body(V2 if attempt % 2 == 0 else V1), encoding="utf-8")
        proc = start(data, big, doc, "--replace-code")
        time.sleep(rng.uniform(0.15, 0.85) * duration)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            survived.append(attempt)
        check_whole(data)
    rerun = run(data, big, folder, "--replace-code")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    check_whole(data, expect_docs=16)
    # Whether a random kill lands inside a run depends on the machine's load at that moment, so
    # it is not required here: the kills at signalled steps (the tests above) always land.
    print(f"random kills that landed mid-run: {len(survived)} of 4")
