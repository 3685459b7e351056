"""The lexical index saved with the store: a restart loads it and answers exactly as a rebuild does.

A damaged, foreign or stale file is never used (the index is rebuilt), and a save that cannot be
written never fails a question.
"""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from knowledge.search.persisted import KEEP, IndexFiles
from knowledge.search.retrieval import HybridRetriever
from knowledge.services.compose import Services, build_services
from knowledge.settings import KnowledgeSettings
from tests.fakes.embedder import HashEmbeddings

SAMPLES = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "samples"
QUESTIONS = [
    "Đoàn kiểm tra Chương trình 01-CTr/QU đã kiểm tra bao nhiêu đảng ủy cơ sở?",
    "doan kiem tra gom nhung ai",  # no diacritics: the restored question feeds the word and dense legs
    "Thời gian dự bị của đảng viên là bao lâu?",
    "Quy định 294 hướng dẫn gì về kết nạp lại đảng viên?",  # a document named by code
    "Phường Mậu Hưu có những hạn chế, khuyết điểm gì?",  # a unit
    "dang vien du bi co quyen bieu quyet khong",
    "Hồ sơ đề nghị kết nạp đảng viên gồm những gì?",
]
RETRIEVAL_LOG = "knowledge.search.retrieval"
EVENT = re.compile(r"lexical index of generation \d+ (built|loaded)")


def open_services(data: Path) -> Services:
    """A fresh engine on the data dir, as a restarted bot builds it (nothing in memory)."""
    return build_services(KnowledgeSettings(data_dir=data), embeddings=HashEmbeddings())


def retrievals(services: Services) -> list[tuple]:
    """Everything a retrieval hands on, per question: passages with their scores, the evidence of
    every well-ranked passage and the dense leg's statistics."""
    out = []
    for q in QUESTIONS:
        r = services.engine.retrieve(q)
        out.append((
            r.frame,
            [(s.chunk, s.score, s.lexical, s.dense) for s in r.results],
            dict(r.signals),
            r.dense_stats,
        ))
    return out


def index_events(caplog: pytest.LogCaptureFixture) -> list[str]:
    """How each snapshot since the last clear was made: "built" or "loaded"."""
    found = (EVENT.match(rec.getMessage()) for rec in caplog.records if rec.name == RETRIEVAL_LOG)
    return [m.group(1) for m in found if m]


def ingest_samples(root: Path) -> Path:
    """A data dir holding the sample documents, written by an ingest (no reader has run yet)."""
    folder = root / "docs"
    shutil.copytree(SAMPLES, folder)
    services = open_services(root / "data")
    assert all(r.status == "added" for r in services.ingest.ingest_paths([folder]).results)
    return root / "data"


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    return ingest_samples(tmp_path)


@pytest.fixture()
def caplog_info(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger=RETRIEVAL_LOG)
    caplog.set_level(logging.INFO, logger="knowledge.search.persisted")
    return caplog


def saved_file(services: Services) -> Path:
    return services.retriever.files.path(services.store.generation())


def test_a_restarted_engine_loads_the_saved_index_and_retrieves_exactly_the_same(
    data: Path, caplog_info: pytest.LogCaptureFixture
) -> None:
    first = open_services(data)
    built = retrievals(first)
    assert index_events(caplog_info) == ["built"]
    assert saved_file(first).is_file()

    caplog_info.clear()
    restarted = open_services(data)
    loaded = retrievals(restarted)
    assert index_events(caplog_info) == ["loaded"]
    assert loaded == built
    assert any(results for _, results, _, _ in loaded)  # the questions do find passages
    a, b = first.retriever.snapshot(), restarted.retriever.snapshot()
    assert (a.chunks, a.docs, a.units, a.codes, a.index_of) == (b.chunks, b.docs, b.units, b.codes, b.index_of)
    for token in ("kiem", "kiem_tra", "294-qđ/tw", "khong_co_dau_nay"):
        assert a.folded.idf(token) == b.folded.idf(token)
    assert first.engine.answer(QUESTIONS[0]).text == restarted.engine.answer(QUESTIONS[0]).text


def damage_truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def damage_flip_a_byte(path: Path) -> None:
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 3] ^= 0xFF  # inside a member's data: its CRC no longer matches
    path.write_bytes(bytes(raw))


def damage_empty(path: Path) -> None:
    path.write_bytes(b"")


def damage_not_a_zip(path: Path) -> None:
    path.write_text("không phải chỉ mục", encoding="utf-8")


def damage_holds_a_pickle(path: Path) -> None:
    np.savez(path, header=np.array([{"format": 1}], dtype=object))  # never unpickled: refused


def damage_another_collection(path: Path) -> None:
    with np.load(path, allow_pickle=False) as z:
        members = {name: z[name] for name in z.files}
    header = bytes(members["header"]).replace(b'"collection": "party_docs"', b'"collection": "other_docs"')
    members["header"] = np.frombuffer(header, dtype=np.uint8)
    with open(path, "wb") as fh:
        np.savez(fh, **members)


@pytest.mark.parametrize(
    "damage",
    [damage_truncate, damage_flip_a_byte, damage_empty, damage_not_a_zip, damage_holds_a_pickle, damage_another_collection],
)
def test_a_damaged_or_foreign_file_is_ignored_and_rebuilt(data: Path, damage, caplog_info: pytest.LogCaptureFixture) -> None:
    first = open_services(data)
    built = retrievals(first)
    path = saved_file(first)
    damage(path)

    caplog_info.clear()
    restarted = open_services(data)
    assert retrievals(restarted) == built
    assert index_events(caplog_info) == ["built"]
    # the rebuild saved a good file again: the next start loads it
    caplog_info.clear()
    assert retrievals(open_services(data)) == built
    assert index_events(caplog_info) == ["loaded"]


def test_after_a_write_the_older_generation_file_is_not_used(
    data: Path, tmp_path: Path, caplog_info: pytest.LogCaptureFixture
) -> None:
    running = open_services(data)
    running.retriever.snapshot()
    old_gen = running.store.generation()
    old_file = saved_file(running)
    question = "Kế hoạch 99-KH/ĐU về phong trào trồng cây xanh giao nhiệm vụ gì?"
    assert not any(s.chunk.doc_id == "trong-cay" for s in running.engine.retrieve(question).results)

    new = tmp_path / "new" / "trong-cay.txt"
    new.parent.mkdir()
    new.write_text(
        "ĐẢNG ỦY PHƯỜNG PHÚC LỢI\nSố 99-KH/ĐU\nKẾ HOẠCH\nphát động phong trào trồng cây xanh\n\n"
        "1. Mỗi chi bộ trồng 50 cây xanh trong quý III.\n2. Đoàn thanh niên chăm sóc cây xanh.\n",
        encoding="utf-8",
    )
    writer = open_services(data)
    assert writer.ingest.ingest_paths([new]).results[0].status == "added"
    assert writer.store.generation() > old_gen

    # a stale file put where the new generation's belongs is refused too (its catalogue is older)
    stale = running.retriever.files.path(writer.store.generation())
    shutil.copy(old_file, stale)
    caplog_info.clear()
    restarted = open_services(data)
    hits = restarted.engine.retrieve(question).results
    assert hits and hits[0].chunk.doc_id == "trong-cay"
    assert index_events(caplog_info) == ["built"]
    # the running engine moves to the new generation as well
    assert running.engine.retrieve(question).results[0].chunk.doc_id == "trong-cay"


def test_a_file_of_another_store_at_the_same_generation_is_not_used(
    data: Path, tmp_path: Path, caplog_info: pytest.LogCaptureFixture
) -> None:
    """A store emptied and filled again reaches the same generation numbers: its old file must not answer."""
    first = open_services(data)
    first.retriever.snapshot()
    refilled = ingest_samples(tmp_path / "refilled")  # the same files ingested again, into a new store
    services = open_services(refilled)
    assert services.store.generation() == first.store.generation()
    target = services.retriever.files.path(services.store.generation())
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(saved_file(first), target)

    caplog_info.clear()
    assert services.retriever.snapshot().chunks
    assert index_events(caplog_info) == ["built"]
    assert any("another store" in r.getMessage() for r in caplog_info.records)


class CommitWhileReading:
    """The store as a reader sees it when a writer commits just after the reader read the passages."""

    def __init__(self, store, commit) -> None:
        self._store, self._commit = store, commit

    def __getattr__(self, name: str):
        return getattr(self._store, name)

    def live_chunks(self):
        rows = self._store.live_chunks()
        self._commit()
        return rows


def test_an_index_built_while_a_commit_lands_is_not_saved(data: Path, tmp_path: Path) -> None:
    new = tmp_path / "late.txt"
    new.write_text("ĐẢNG ỦY PHƯỜNG PHÚC LỢI\nSố 77-KH/ĐU\nKẾ HOẠCH\nnội dung đến muộn\n", encoding="utf-8")
    writer = open_services(data)
    before = writer.store.generation()
    reader = HybridRetriever(
        CommitWhileReading(writer.store, lambda: writer.ingest.ingest_paths([new])), HashEmbeddings()  # type: ignore[arg-type]
    )
    snap = reader.snapshot()
    assert snap.generation == before and "late" not in {c.doc_id for c in snap.chunks}  # as read, labelled as read
    assert not reader.files.path(before).exists()  # not saved: its reads may straddle the commit
    assert writer.store.generation() > before
    assert "late" in {c.doc_id for c in reader.snapshot().chunks}  # the next question moves on


def test_only_the_newest_files_are_kept(data: Path, tmp_path: Path) -> None:
    services = open_services(data)
    folder = tmp_path / "new"
    folder.mkdir()
    for n in range(KEEP + 2):
        path = folder / f"ke-hoach-{n}.txt"
        path.write_text(f"ĐẢNG ỦY PHƯỜNG PHÚC LỢI\nSố {n + 10}-KH/ĐU\nKẾ HOẠCH\nnội dung số {n}\n", encoding="utf-8")
        services.ingest.ingest_paths([path])
        services.retriever.snapshot()
    files = sorted(p.name for p in services.retriever.files.folder.iterdir())
    assert len(files) == KEEP
    assert services.retriever.files.path(services.store.generation()).name in files


def test_a_save_that_cannot_be_written_never_fails_a_question(data: Path, caplog_info: pytest.LogCaptureFixture) -> None:
    expected = retrievals(open_services(data))
    shutil.rmtree(data / "lexical")
    (data / "lexical").write_text("a file where the folder should be: nothing can be written there", encoding="utf-8")

    caplog_info.clear()
    unwritable = open_services(data)
    assert retrievals(unwritable) == expected
    assert index_events(caplog_info) == ["built"]
    assert any(r.levelno == logging.WARNING and "could not save" in r.getMessage() for r in caplog_info.records)


def test_a_save_that_would_fill_the_disk_is_skipped(data: Path, caplog_info: pytest.LogCaptureFixture) -> None:
    services = open_services(data)
    tight = IndexFiles(data / "lexical", services.settings.collection, min_free_bytes=1 << 62)  # more than any disk
    retriever = HybridRetriever(services.store, services.embeddings, files=tight)
    assert retriever.snapshot().chunks
    assert not (data / "lexical").exists() or not any((data / "lexical").iterdir())
    assert any(r.levelno == logging.WARNING and "not saved" in r.getMessage() for r in caplog_info.records)
