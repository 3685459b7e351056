"""DocumentAdmin on IngestService: preview, then add / replace / cancel; versions; before-live hooks."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from knowledge.errors import KnowledgeError, NotFoundError
from knowledge.services.compose import build_services
from knowledge.services.protocols import DocumentAdmin
from knowledge.settings import KnowledgeSettings
from tests.fakes.embedder import HashEmbeddings

CHARTER = (
    "ĐIỀU LỆ ĐẢNG CỘNG SẢN VIỆT NAM\nChương I\nĐẢNG VIÊN\nĐiều 1. Đảng viên Đảng Cộng sản Việt Nam là chiến sĩ "
    "cách mạng trong đội tiên phong của giai cấp công nhân.\nĐiều 6. Đảng viên đóng đảng phí theo quy định của "
    "Trung ương.\nChương II\nNGUYÊN TẮC TỔ CHỨC\nĐiều 9. Đảng tổ chức theo nguyên tắc tập trung dân chủ.\n"
)
PLAN = "ĐẢNG ỦY PHƯỜNG PHÚC LỢI\nSố 05-KH/ĐU\nPhúc Lợi, ngày 03 tháng 3 năm 2025\nKẾ HOẠCH\n1. Mục tiêu\nNâng cao chất lượng sinh hoạt chi bộ hằng tháng.\n"


def make(tmp_path: Path, **settings):
    return build_services(KnowledgeSettings(data_dir=tmp_path / "data", **settings), embeddings=HashEmbeddings())


def test_the_admin_service_is_a_document_admin(tmp_path: Path) -> None:
    import inspect

    admin = make(tmp_path).admin
    for name in ("preview_bytes", "confirm", "cancel", "history", "restore", "delete"):
        want = inspect.signature(getattr(DocumentAdmin, name))
        got = inspect.signature(getattr(type(admin), name))
        assert list(got.parameters) == list(want.parameters), name


def test_preview_writes_nothing_then_add_then_identical_is_already_there(tmp_path: Path) -> None:
    s = make(tmp_path)
    p = s.admin.preview_bytes("ke-hoach.txt", PLAN.encode())
    assert s.store.documents() == [] and s.store.generation() == 0
    assert p.doc_id == "ke-hoach" and p.meta.code == "05-KH/ĐU" and p.chunks >= 1 and "sinh hoạt chi bộ" in p.excerpt
    assert p.matches == () and len(p.token) <= 32 and p.token.isascii() and p.expires_at > time.time()
    assert s.admin.confirm(p.token, "add").status == "added"
    with pytest.raises(NotFoundError):
        s.admin.confirm(p.token, "add")  # a preview is used once
    again = s.admin.preview_bytes("ban-sao.txt", PLAN.encode())
    assert again.identical is not None and again.identical.doc_id == "ke-hoach"


def test_cancel_leaves_no_trace_and_previews_survive_a_restart(tmp_path: Path) -> None:
    s = make(tmp_path)
    p = s.admin.preview_bytes("ke-hoach.txt", PLAN.encode())
    kept = s.admin.preview_bytes("dieu-le.txt", CHARTER.encode())
    assert s.admin.cancel(p.token) and not s.admin.cancel(p.token)
    assert not list((tmp_path / "data" / "previews").glob(f"{p.token}*"))
    restarted = make(tmp_path)  # another process would see the same files
    assert restarted.admin.confirm(kept.token, "add").status == "added"
    assert [d.meta.doc_id for d in restarted.store.documents()] == ["dieu-le"]


def test_previews_expire_and_are_bounded(tmp_path: Path) -> None:
    s = make(tmp_path, preview_ttl_s=0.2, previews_max=3)
    p = s.admin.preview_bytes("ke-hoach.txt", PLAN.encode())
    time.sleep(0.3)
    with pytest.raises(NotFoundError):
        s.admin.confirm(p.token, "add")
    s = make(tmp_path, previews_max=3)
    tokens = [s.admin.preview_bytes(f"k{i}.txt", (PLAN + f"\n{i}. Thêm.\n").encode()).token for i in range(5)]
    assert len(list((tmp_path / "data" / "previews").glob("*.json"))) == 3
    assert not s.admin.cancel(tokens[0]) and s.admin.cancel(tokens[-1])


def test_a_draft_under_the_charters_file_name_is_never_offered_as_its_replacement(tmp_path: Path) -> None:
    s = make(tmp_path)
    name = "DieuLeDang_2011-01-19_Dai-hoi-XI.txt"
    charter_id = name[:-4]
    s.admin.confirm(s.admin.preview_bytes(name, CHARTER.encode()).token, "add")
    draft_bytes = "Đảng viên phải đóng đảng phí 5% thu nhập.\n".encode()
    draft = s.admin.preview_bytes(name, draft_bytes)
    assert [m.reason for m in draft.matches] == ["same_name"] and draft.doc_id != charter_id
    assert draft.replaceable == () and [m.doc_id for m in draft.same_name] == [charter_id]
    with pytest.raises(KnowledgeError):
        s.admin.confirm(draft.token, "replace", charter_id)  # a file name alone is no licence to replace
    added = s.admin.confirm(draft.token, "add")
    assert added.status == "added" and added.doc_id != charter_id
    assert len(s.store.doc_chunks(charter_id)) >= 2
    again = s.admin.preview_bytes(name, draft_bytes)  # the draft again: already stored, nothing to offer
    assert again.identical is not None and again.identical.doc_id == added.doc_id and again.replaceable == ()


def test_a_reissue_is_offered_as_a_replacement_with_its_changes_and_the_old_version_comes_back(tmp_path: Path) -> None:
    s = make(tmp_path)
    name = "DieuLeDang_2011-01-19_Dai-hoi-XI.txt"
    charter_id = name[:-4]
    s.admin.confirm(s.admin.preview_bytes(name, CHARTER.encode()).token, "add")
    amended = CHARTER.replace("theo quy định của Trung ương", "bằng 1% thu nhập hằng tháng, theo quy định của Trung ương")
    reissue = s.admin.preview_bytes("dieu-le-sua-doi.txt", amended.encode())
    assert reissue.identical is None and [m.doc_id for m in reissue.replaceable] == [charter_id]
    change = reissue.replaceable[0]
    assert change.reason == "similar_text" and change.added == change.removed == 1
    assert s.admin.confirm(reissue.token, "replace").status == "replaced"
    live = " ".join(c.text for c in s.store.doc_chunks(charter_id))
    assert "1% thu nhập" in live
    assert [v.live for v in s.admin.history(charter_id)] == [True, False]
    assert s.admin.restore(charter_id).status == "restored"
    answer = s.engine.answer("Đảng viên đóng đảng phí theo quy định của ai?")
    assert answer.citations and all("1% thu nhập" not in c.quote for c in answer.citations)
    assert any("quy định của Trung ương" in c.quote for c in answer.citations)


def test_the_pdf_of_a_stored_text_is_offered_as_a_replacement_never_added(tmp_path: Path) -> None:
    s = make(tmp_path)
    s.admin.confirm(s.admin.preview_bytes("05-KH-DU.txt", PLAN.encode()).token, "add")
    other_form = PLAN.replace("\n1. Mục tiêu\n", "\n\n1.  Mục tiêu\n").encode("utf-16")  # same text, other bytes
    p = s.admin.preview_bytes("ke-hoach-05.txt", other_form)
    assert p.identical is None and [(m.doc_id, m.reason) for m in p.replaceable] == [("05-KH-DU", "same_code")]
    refused = s.ingest.ingest_bytes("ke-hoach-05.txt", other_form)
    assert refused.status == "failed" and "05-KH-DU" in refused.reason
    with pytest.raises(KnowledgeError):
        s.admin.confirm(p.token, "replace", "some-other-doc")
    assert s.admin.confirm(p.token, "replace").doc_id == "05-KH-DU"
    assert [d.meta.doc_id for d in s.store.documents()] == ["05-KH-DU"]


def test_two_different_documents_with_one_file_name_get_distinct_ids(tmp_path: Path) -> None:
    s = make(tmp_path)
    first = s.ingest.ingest_bytes("huongdan.txt", PLAN.encode())
    second = s.ingest.ingest_bytes("huongdan.txt", CHARTER.encode())
    assert first.status == second.status == "added" and first.doc_id != second.doc_id
    assert len(s.store.documents()) == 2


def test_before_live_hooks_see_the_version_before_readers_do_and_can_veto(tmp_path: Path) -> None:
    s = make(tmp_path)
    seen = []

    def record(version) -> None:
        assert s.store.document(version.doc_id) is None or s.store.document(version.doc_id).version != version.version
        seen.append((version.doc_id, version.version, len(version.chunks), version.chunks[0].section is not None))

    s.ingest.before_live.append(record)
    added = s.ingest.ingest_bytes("ke-hoach.txt", PLAN.encode())
    assert seen == [("ke-hoach", s.store.document("ke-hoach").version, added.chunks, True)]
    assert s.store.document("ke-hoach").version == __import__("hashlib").sha256(PLAN.encode()).hexdigest()[:16]

    def veto(version) -> None:
        raise KnowledgeError("findings không lưu được", english="findings failed")

    s.ingest.before_live.append(veto)
    result = s.ingest.ingest_bytes("dieu-le.txt", CHARTER.encode())
    assert result.status == "failed" and s.store.document("dieu-le") is None
    assert s.store.remove_orphans() == 0


def test_a_restricted_upload_is_written_restricted_to_the_units_its_preview_names(tmp_path: Path) -> None:
    notice = (Path(__file__).resolve().parents[1] / "fixtures/findings/02_thong-bao-ket-luan_per-unit.txt").read_bytes()
    s = make(tmp_path)
    p = s.admin.preview_bytes("112-TB-QU.txt", notice)
    assert "Đảng ủy phường An Phú" in p.concerned and "Chi bộ Tòa án nhân dân quận Hòa Bình" in p.concerned
    assert make(tmp_path).ingest.previews.load(p.token)[0].concerned == p.concerned  # kept with the preview
    assert s.admin.confirm(p.token, "add", restricted=True).status == "added"
    assert s.store.document("112-TB-QU").meta.restricted_units == p.concerned  # with the document, not after
    plain = s.admin.preview_bytes("ke-hoach.txt", PLAN.encode())
    assert s.admin.confirm(plain.token, "add").status == "added"
    assert s.store.document("ke-hoach").meta.restricted_units == ()
