"""Ingestion into a real Chroma store: idempotence, replacement, atomicity, bad input."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge.embeddings.model import embedding_name
from knowledge.services.compose import build_services
from knowledge.settings import KnowledgeSettings
from knowledge.store.chroma import DENSE_SEARCH_EF
from tests.fakes.embedder import HashEmbeddings

SEED = "long-bien_2017-08-15_kiem-tra-chuong-trinh-01-CTr-QU.txt"
SAMPLES = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "samples"


@pytest.fixture()
def services(tmp_path: Path):
    return build_services(KnowledgeSettings(data_dir=tmp_path / "data"), embeddings=HashEmbeddings())


@pytest.fixture()
def seed(tmp_path: Path) -> Path:
    target = tmp_path / "docs" / SEED
    target.parent.mkdir()
    shutil.copy(SAMPLES / SEED, target)
    return target


def test_ingest_then_unchanged_then_replaced(services, seed: Path) -> None:
    first = services.ingest.ingest_paths([seed])
    assert [r.status for r in first.results] == ["added"]
    chunks = services.store.doc_chunks(seed.stem)
    assert len(chunks) == first.results[0].chunks > 1
    assert services.ingest.ingest_paths([seed]).results[0].status == "unchanged"

    seed.write_text(seed.read_text(encoding="utf-8") + "\n\n6. Báo cáo kết quả về Ban Thường vụ Quận ủy trước ngày 30/9/2017.\n", encoding="utf-8")
    refused = services.ingest.ingest_paths([seed]).results[0]  # the same document, changed: never silently
    assert refused.status == "failed" and seed.stem in refused.reason and "--replace-code" in refused.reason
    assert "30/9/2017" not in " ".join(c.text for c in services.store.doc_chunks(seed.stem))
    again = services.ingest.ingest_paths([seed], replace_same_code=True)
    assert again.results[0].status == "replaced"
    texts = " ".join(c.text for c in services.store.doc_chunks(seed.stem))
    assert "trước ngày 30/9/2017" in texts
    # the old version's chunks are gone: only one version is live and stored
    versions = {c.chunk_id.split("::")[1] for c in services.store.doc_chunks(seed.stem)}
    assert len(versions) == 1
    assert services.store.remove_orphans() == 0


class ExplodingEmbeddings(HashEmbeddings):
    """Fails halfway through a document, like a model crash or an out-of-memory kill."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        raise RuntimeError("model crashed")


def test_failure_mid_document_leaves_the_store_as_it_was(tmp_path: Path, seed: Path) -> None:
    settings = KnowledgeSettings(data_dir=tmp_path / "data")
    good = build_services(settings, embeddings=HashEmbeddings())
    good.ingest.ingest_paths([seed])
    before = [(c.chunk_id, c.text) for c in good.store.doc_chunks(seed.stem)]

    seed.write_text(seed.read_text(encoding="utf-8").replace("04 đảng ủy", "05 đảng ủy"), encoding="utf-8")
    bad = build_services(settings, embeddings=ExplodingEmbeddings())
    report = bad.ingest.ingest_paths([seed], replace_same_code=True)
    assert report.results[0].status == "failed"
    after = [(c.chunk_id, c.text) for c in good.store.doc_chunks(seed.stem)]
    assert after == before


def test_crash_after_writing_chunks_but_before_commit_is_invisible(services, seed: Path, monkeypatch) -> None:
    services.ingest.ingest_paths([seed])
    before = services.engine.answer("Đoàn kiểm tra đã kiểm tra bao nhiêu đảng ủy cơ sở?")
    docs_collection = services.store._docs
    original = docs_collection.upsert

    def crash(*args, **kwargs):
        if kwargs.get("metadatas") and kwargs["metadatas"][0].get("kind") == "document":
            raise RuntimeError("power cut at the commit point")
        return original(*args, **kwargs)

    monkeypatch.setattr(docs_collection, "upsert", crash)
    seed.write_text(seed.read_text(encoding="utf-8").replace("04 đảng ủy", "07 đảng ủy"), encoding="utf-8")
    report = services.ingest.ingest_paths([seed], replace_same_code=True)
    assert report.results[0].status == "failed"
    monkeypatch.setattr(docs_collection, "upsert", original)
    texts = " ".join(c.text for c in services.store.doc_chunks(seed.stem))
    assert "07 đảng ủy" not in texts and "04 đảng ủy" in texts
    after = services.engine.answer("Đoàn kiểm tra đã kiểm tra bao nhiêu đảng ủy cơ sở?")
    assert after.text == before.text


def test_same_code_replaces_older_document_when_asked(services, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    body = "QUẬN ỦY LONG BIÊN\nSố 01-CTr/QU\nLong Biên, ngày 10 tháng 3 năm 2016\nCHƯƠNG TRÌNH\nNâng cao năng lực lãnh đạo\n1. Mục tiêu\nXây dựng đảng bộ trong sạch, vững mạnh.\n"
    (folder / "ctr01-ban-cu.txt").write_text(body, encoding="utf-8")
    services.ingest.ingest_paths([folder / "ctr01-ban-cu.txt"])
    (folder / "ctr01-ban-moi.txt").write_text(body.replace("trong sạch", "trong sạch, toàn diện"), encoding="utf-8")
    refused = services.ingest.ingest_paths([folder / "ctr01-ban-moi.txt"]).results[0]
    assert refused.status == "failed" and "01-CTr/QU" in refused.reason and "ctr01-ban-cu" in refused.reason
    assert {r.meta.doc_id for r in services.store.documents()} == {"ctr01-ban-cu"}  # never added as a duplicate
    (folder / "ctr01-ban-moi.txt").write_text(body + "2. Nhiệm vụ\nĐổi mới phương thức lãnh đạo.\n", encoding="utf-8")
    replaced = services.ingest.ingest_paths([folder / "ctr01-ban-moi.txt"], replace_same_code=True)
    assert replaced.results[0].status == "replaced" and replaced.results[0].doc_id == "ctr01-ban-cu"
    assert {r.meta.doc_id for r in services.store.documents()} == {"ctr01-ban-cu"}
    assert "Đổi mới phương thức" in " ".join(c.text for c in services.store.doc_chunks("ctr01-ban-cu"))
    assert [v.live for v in services.admin.history("ctr01-ban-cu")] == [True, False]  # the old text is kept


def test_bad_files_fail_with_a_reason_and_good_files_still_go_in(services, seed: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "rong.txt").write_bytes(b"")
    (bad / "hong.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (bad / "bang.xlsx").write_bytes(b"PK\x03\x04")
    (bad / "latin.txt").write_bytes(bytes(range(128, 256)) * 20)
    services.settings.max_file_mb = 0.01
    (bad / "lon.txt").write_text("Điều 1. Nội dung. " * 2000, encoding="utf-8")
    report = services.ingest.ingest_paths(
        [bad / "rong.txt", bad / "hong.pdf", bad / "bang.xlsx", bad / "latin.txt", bad / "lon.txt", bad / "khong-co.txt"]
    )
    by_id = {r.doc_id: r for r in report.results}
    for doc_id in ("rong", "hong", "bang", "latin", "lon", "khong-co"):
        assert by_id[doc_id].status == "failed", doc_id
        assert by_id[doc_id].reason, doc_id
        assert str(tmp_path) not in by_id[doc_id].reason  # no full paths in messages
    assert "MB" in by_id["lon"].reason
    assert not report.ok
    assert services.store.documents() == []


def test_good_files_go_in_next_to_bad_ones(services, seed: Path, tmp_path: Path) -> None:
    (tmp_path / "rong.txt").write_bytes(b"   \n")
    report = services.ingest.ingest_paths([seed, tmp_path / "rong.txt"])
    statuses = {r.doc_id: r.status for r in report.results}
    assert statuses == {seed.stem: "added", "rong": "failed"}
    assert [r.meta.doc_id for r in services.store.documents()] == [seed.stem]


def test_delete(services, seed: Path) -> None:
    services.ingest.ingest_paths([seed])
    assert services.admin.delete(seed.stem)
    assert services.store.documents() == []
    assert services.store.doc_chunks(seed.stem) == []
    assert not services.admin.delete(seed.stem)


def test_the_catalogue_an_admin_sees_is_current_the_moment_a_write_commits(services, seed: Path) -> None:
    """/tailieu and /thongke read engine.documents(): no question needs to come first."""
    assert services.engine.documents() == []
    services.engine.answer("Đoàn kiểm tra gồm những ai?")  # the engine has read the (empty) store once
    services.ingest.ingest_paths([seed])
    assert [d.doc_id for d in services.engine.documents()] == [seed.stem]
    services.admin.delete(seed.stem)
    assert services.engine.documents() == []


def test_lexical_index_follows_the_store(services, seed: Path) -> None:
    assert services.engine.answer("Đoàn kiểm tra gồm những ai?").declined
    services.ingest.ingest_paths([seed])
    assert not services.engine.answer("Đoàn kiểm tra Chương trình 01-CTr/QU gồm những ai?").declined
    services.admin.delete(seed.stem)
    assert services.engine.answer("Đoàn kiểm tra Chương trình 01-CTr/QU gồm những ai?").declined


def test_admin_sets_the_code_a_pdf_left_blank(services, tmp_path: Path) -> None:
    doc = tmp_path / "huongdan.txt"
    doc.write_text(
        "THÀNH ỦY HÀ NỘI\nBAN TỔ CHỨC\nSố      - HD/BTCTU\nHà Nội, ngày      tháng 11 năm 2025\nHƯỚNG DẪN\n"
        "Nghiệp vụ công tác tổ chức đảng\n1. Thành lập tổ chức đảng\nCó từ 03 đảng viên chính thức trở lên.\n",
        encoding="utf-8",
    )
    first = services.ingest.ingest_paths([doc])
    assert first.results[0].meta.code is None and first.results[0].meta.issue_date == "2025-11"
    fixed = services.ingest.ingest_paths([doc], code="02-HD/BTCTU")
    assert fixed.results[0].status == "replaced"
    assert services.store.document("huongdan").meta.code == "02-HD/BTCTU"
    answer = services.engine.answer("Thành lập tổ chức đảng cần có từ bao nhiêu đảng viên chính thức?")
    assert answer.citations and answer.citations[0].code == "02-HD/BTCTU"
    assert services.retriever.codes_for(services.engine.frame("Hướng dẫn 02 nói gì?")) == ["02-HD/BTCTU"]
    bad = services.ingest.ingest_paths([doc], code="hai")
    assert bad.results[0].status == "failed" and "không hợp lệ" in bad.results[0].reason
    assert services.store.document("huongdan").meta.code == "02-HD/BTCTU"  # left as it was


def _loaded(name: str, text: str):
    from knowledge.documents.loaders import load_bytes

    return load_bytes(name, text.encode("utf-8"), max_bytes=1 << 20)


BULK = [
    ("kh-01.txt", "KẾ HOẠCH\nSố 01-KH/ĐU\n1. Mục tiêu\nNâng cao chất lượng sinh hoạt chi bộ hằng tháng ở các chi bộ trực thuộc."),
    ("kh-02.txt", "KẾ HOẠCH\nSố 02-KH/ĐU\n1. Nhiệm vụ\nKiểm tra việc thu, nộp đảng phí của đảng viên trong năm 2025 tại các chi bộ."),
    ("kh-03.txt", "KẾ HOẠCH\nSố 03-KH/ĐU\n1. Yêu cầu\nTổng kết công tác phát triển đảng viên mới và báo cáo trước ngày 15/12/2025."),
]


def test_bulk_ingest_commits_a_group_with_one_catalogue_write(services, monkeypatch) -> None:
    calls: list[int] = []
    original = services.store._docs.upsert

    def counting(*args, **kwargs):
        if kwargs.get("metadatas") and kwargs["metadatas"][0].get("kind") == "document":
            calls.append(sum(md.get("kind") == "document" for md in kwargs["metadatas"]))
        return original(*args, **kwargs)

    monkeypatch.setattr(services.store._docs, "upsert", counting)
    docs = [_loaded(n, t) for n, t in BULK] + [_loaded("kh-01.txt", BULK[0][1])]  # a repeated doc_id
    results = services.ingest.ingest_documents(docs)
    assert sorted((r.doc_id, r.status) for r in results) == [
        ("kh-01", "added"), ("kh-01", "failed"), ("kh-02", "added"), ("kh-03", "added")
    ]
    assert calls == [3]  # one flip for the whole group (with the generation in the same write)
    assert {r.meta.code for r in services.store.documents()} == {"01-KH/ĐU", "02-KH/ĐU", "03-KH/ĐU"}
    again = services.ingest.ingest_documents([_loaded("kh-02.txt", BULK[1][1] + " Bổ sung.")])
    assert [r.status for r in again] == ["replaced"]
    assert services.store.remove_orphans() == 0  # the old version went with the commit


def test_a_failed_bulk_commit_changes_nothing_then_good_documents_go_in_one_by_one(services, monkeypatch) -> None:
    services.ingest.ingest_documents([_loaded(*BULK[0])])
    before = [(c.chunk_id, c.text) for c in services.store.doc_chunks("kh-01")]
    original = services.store._docs.upsert

    def refuse_kh03(*args, **kwargs):
        if "kh-03" in (kwargs.get("ids") or []):
            raise RuntimeError("disk full")
        return original(*args, **kwargs)

    monkeypatch.setattr(services.store._docs, "upsert", refuse_kh03)
    changed = [_loaded("kh-01.txt", BULK[0][1] + " Sửa đổi."), _loaded(*BULK[1]), _loaded(*BULK[2])]
    results = {r.doc_id: r for r in services.ingest.ingest_documents(changed)}
    assert results["kh-01"].status == "replaced" and results["kh-02"].status == "added"
    assert results["kh-03"].status == "failed" and "kh-03" in results["kh-03"].reason
    monkeypatch.setattr(services.store._docs, "upsert", original)
    assert services.store.document("kh-03") is None
    assert "Sửa đổi" in " ".join(c.text for c in services.store.doc_chunks("kh-01"))
    assert before != [(c.chunk_id, c.text) for c in services.store.doc_chunks("kh-01")]
    assert services.store.remove_orphans() == 0  # kh-03's written chunks were cleaned up


def test_the_bulk_commit_is_all_or_nothing(services, monkeypatch) -> None:
    from knowledge.errors import StoreError

    services.ingest.ingest_documents([_loaded(*BULK[0])])
    before = {r.meta.doc_id: r.version for r in services.store.documents()}
    prepared = [services.ingest.prepare(_loaded(n, t + " Lần hai.")) for n, t in BULK]
    pending = [services.ingest._pending(p, services.ingest.embeddings.embed_documents(p.passages)) for p in prepared]
    monkeypatch.setattr(services.store._docs, "upsert", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("cut")))
    with pytest.raises(StoreError):
        services.store.commit_documents(pending)
    monkeypatch.undo()
    assert {r.meta.doc_id: r.version for r in services.store.documents()} == before
    assert services.store.remove_orphans() == 0


def test_leftovers_written_after_the_last_count_do_not_crowd_out_live_hits(services, seed: Path) -> None:
    """The collection's size is counted once per generation; a crashed writer's chunks added since
    (no generation bump) rank first here and must still leave k live hits."""
    services.ingest.ingest_paths([seed])
    store = services.store
    query = services.embeddings.embed_query("Đoàn kiểm tra gồm những ai?")
    k = 5
    assert len(store.dense_search(query, k)) == k  # counts the collection and caches the count
    live = store.doc_chunks(seed.stem)
    leftovers = [f"{seed.stem}::crashed-version::{i:05d}" for i in range(40)]
    store._chunks.add(
        ids=leftovers,
        embeddings=[list(query)] * len(leftovers),  # nearer to the question than any live chunk
        metadatas=[{"doc_id": seed.stem, "version": "crashed-version", "position": i} for i in range(40)],
        documents=["leftover"] * len(leftovers),
    )
    hits = store.dense_search(query, k)
    assert len(hits) == k and all(cid in {c.chunk_id for c in live} for cid, _ in hits)


def _ef_search(services) -> int:
    chunks = services.store._h.collection(services.settings.collection)
    return int(chunks.configuration_json["hnsw"]["ef_search"])


def test_the_vector_search_is_wide_enough_to_be_exact(services, seed: Path) -> None:
    """A narrow HNSW search gave approximate neighbours that changed from one process to the next."""
    services.ingest.ingest_paths([seed])
    assert _ef_search(services) == DENSE_SEARCH_EF


def test_a_store_made_with_the_narrow_search_gets_the_wide_one_when_opened(tmp_path: Path) -> None:
    settings = KnowledgeSettings(data_dir=tmp_path / "data")
    made = (
        "import chromadb, sys; c = chromadb.PersistentClient(path=sys.argv[1]); "
        "c.get_or_create_collection(sys.argv[2], embedding_function=None, "
        "metadata={'hnsw:space': 'cosine', 'embedding_model': sys.argv[3]})"
    )
    name = embedding_name(HashEmbeddings())
    subprocess.run([sys.executable, "-c", made, str(settings.chroma_dir), settings.collection, name], check=True)
    assert _ef_search(build_services(settings, embeddings=HashEmbeddings())) == DENSE_SEARCH_EF
