"""A full disk fails fast with one clear line and leaves the previous version answering (a real tmpfs)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge.errors import StoreError
from knowledge.services.compose import build_services
from knowledge.settings import KnowledgeSettings
from tests.fakes.embedder import HashEmbeddings

ROOT = Path(__file__).resolve().parents[2]
V1, V2 = "họp vào ngày mùng năm hằng tháng", "họp vào ngày hai mươi hằng quý"


def body(version: str, n: int = 60) -> str:
    items = "\n".join(f"{k}. Chi bộ số {k} {version}; báo cáo Đảng ủy phường nội dung số {k} đúng hạn." for k in range(1, n))
    return f"ĐẢNG ỦY PHƯỜNG PHÚC LỢI\nSố 07-KH/ĐU\nKẾ HOẠCH\n{items}\n"


@pytest.fixture()
def small_disk(tmp_path: Path):
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def fill(disk: Path, leave: int) -> Path:
    """Fill the disk until ``leave`` bytes are free."""
    filler = disk / "filler.bin"
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    with open(filler, "wb") as fh:
        fh.truncate(0)
        block = b"\0" * (1 << 20)
        remaining = max(0, free - leave)
        while remaining > 0:
            n = fh.write(block[: min(len(block), remaining)])
            remaining -= n
    return filler


def cli(data: Path, *argv: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "tests.fakes.run_cli", *map(str, argv), "--data-dir", str(data)]
    return subprocess.run(cmd, cwd=ROOT, env={**os.environ, "COLUMNS": "300", **(env or {})},
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("precheck", [True, False], ids=["refused-up-front", "chroma-hits-enospc"])
def test_full_disk_fails_fast_and_the_previous_version_answers(small_disk: Path, tmp_path: Path, precheck: bool) -> None:
    data = small_disk / "data"
    doc = tmp_path / "ke-hoach-07.txt"
    doc.write_text(body(V1), encoding="utf-8")
    env = {"KB_MIN_FREE_DISK_MB": "1" if precheck else "0"}
    assert cli(data, doc, env=env).returncode == 0
    reader = build_services(KnowledgeSettings(data_dir=data), embeddings=HashEmbeddings())
    filler = fill(small_disk, leave=(512 << 10) if precheck else (96 << 10))
    doc.write_text(body(V2, n=400), encoding="utf-8")
    if not precheck:
        env["PARTY_TEST_NO_SPACE_CHECK"] = "1"
    done = cli(data, doc, "--replace-code", env=env)  # raises TimeoutExpired if it hangs
    assert done.returncode == 1
    lines = [line for line in done.stdout.splitlines() if "ke-hoach-07" in line and "✗" in line]
    assert len(lines) == 1 and "đĩa" in lines[0] and "đầy" in lines[0], done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    question = reader.engine.frame("Chi bộ số 3 họp vào ngày nào theo kế hoạch 07-KH/ĐU?")  # while the disk is full
    top = reader.retriever.retrieve(question, k=8).results  # the passages an answer may quote
    quoted = " ".join(r.chunk.text for r in top)
    assert top and V1 in quoted and V2 not in quoted
    filler.unlink()
    again = cli(data, doc, "--replace-code", env={"KB_MIN_FREE_DISK_MB": "1"})
    assert again.returncode == 0, again.stdout + again.stderr
    fresh = build_services(KnowledgeSettings(data_dir=data), embeddings=HashEmbeddings())
    assert V2 in " ".join(c.text for c in fresh.store.doc_chunks("ke-hoach-07"))
    assert fresh.store.remove_orphans() == 0


def test_a_completely_full_disk_is_the_one_disk_full_line_and_a_reader_lives_through_it(
    small_disk: Path, tmp_path: Path
) -> None:
    data = small_disk / "data"
    doc = tmp_path / "ke-hoach-07.txt"
    doc.write_text(body(V1), encoding="utf-8")
    env = {"KB_MIN_FREE_DISK_MB": "0"}
    assert cli(data, doc, env=env).returncode == 0
    reader = build_services(KnowledgeSettings(data_dir=data, min_free_disk_mb=0), embeddings=HashEmbeddings())
    question = "Chi bộ số 3 họp vào ngày nào theo kế hoạch 07-KH/ĐU?"
    assert V1 in reader.engine.answer(question).text
    filler = fill(small_disk, leave=0)
    other = tmp_path / "ke-hoach-08.txt"
    other.write_text(body(V2).replace("07-KH", "08-KH"), encoding="utf-8")
    for argv in ([other], ["--list"], [doc, "--replace-code"]):  # a new process cannot even open the store
        done = cli(data, *argv, env=env)
        assert done.returncode == 2 and "Traceback" not in done.stdout + done.stderr, argv
        assert "đĩa" in done.stdout + done.stderr and "đầy" in done.stdout + done.stderr, argv
    with pytest.raises(StoreError, match="đầy"):  # the running reader's own write: the epoch file fails first
        reader.ingest.ingest_paths([other])
    assert V1 in reader.engine.answer(question).text  # reads go on while the disk is full
    filler.unlink()
    doc.write_text(body(V2), encoding="utf-8")
    assert cli(data, doc, "--replace-code", env=env).returncode == 0  # raises TimeoutExpired if it hangs
    assert V2 in reader.engine.answer(question).text  # the reader picks up the write once space is back
