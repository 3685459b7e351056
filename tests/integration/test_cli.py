"""The admin CLI (``python ingest.py``) end to end, with the fake embedder."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest

from knowledge.cli import main as cli_main
from tests.fakes.embedder import HashEmbeddings

SAMPLES = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "samples"
SEED = "long-bien_2017-08-15_kiem-tra-chuong-trinh-01-CTr-QU.txt"


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # rich folds table cells in a narrow console


def run(capsys: pytest.CaptureFixture[str], data: Path, *argv: str | Path) -> tuple[int, str]:
    code = cli_main([*map(str, argv), "--data-dir", str(data)], embeddings=HashEmbeddings())
    return code, capsys.readouterr().out


@pytest.fixture()
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(SAMPLES / SEED, folder / SEED)
    (folder / "kh-05.md").write_text(
        "# KẾ HOẠCH\n\nSố 05-KH/ĐU\n\n## 1. Mục tiêu\n\nNâng cao chất lượng sinh hoạt chi bộ hằng tháng "
        "ở các chi bộ trực thuộc Đảng ủy phường Phúc Lợi.\n",
        encoding="utf-8",
    )
    return folder


def test_good_files_go_in_and_each_bad_file_gets_one_line(capsys, tmp_path: Path, docs: Path, monkeypatch) -> None:
    monkeypatch.setenv("KB_MAX_FILE_MB", "0.2")
    (docs / "rong.txt").write_text("   \n", encoding="utf-8")
    (docs / "hong.pdf").write_bytes(b"%PDF-1.7 this is not really a pdf")
    (docs / "qua-lon.txt").write_text("Đảng viên. " * 30_000, encoding="utf-8")
    odd = tmp_path / "ghi-chu.xyz"
    odd.write_text("không phải tài liệu", encoding="utf-8")
    code, out = run(capsys, tmp_path / "data", docs, odd, tmp_path / "khong-co.txt")
    assert code == 1
    for name in ("rong.txt", "hong.pdf", "qua-lon.txt", "ghi-chu.xyz", "khong-co.txt"):
        assert re.search(rf"✗ {re.escape(name)}: \S", out), name
    assert "đã thêm 2" in out and "LỖI 5" in out
    assert "01-CTr/QU" not in out.split("Kết quả")[0]  # nothing printed before the table
    code, out = run(capsys, tmp_path / "data", "--list")
    assert code == 0
    assert "kh-05" in out and "05-KH/ĐU" in out and SEED.removesuffix(".txt") in out
    assert not re.search(r"\brong\b|qua-lon|\bhong\b", out)  # nothing half-ingested


def test_a_second_run_changes_nothing(capsys, tmp_path: Path, docs: Path) -> None:
    assert run(capsys, tmp_path / "data", docs)[0] == 0
    code, out = run(capsys, tmp_path / "data", docs)
    assert code == 0
    assert "không đổi 2" in out and "đã thêm" not in out


def test_dry_run_shows_chunks_and_metadata_and_writes_nothing(capsys, tmp_path: Path, docs: Path) -> None:
    code, out = run(capsys, tmp_path / "data", docs / "kh-05.md", "--dry-run")
    assert code == 0
    assert "thử (không ghi)" in out
    assert "tiêu đề: Kế hoạch\n" in out and "số hiệu: 05-KH/ĐU | loại: KH" in out and "cơ quan: —" in out
    assert "05-KH/ĐU › KẾ HOẠCH › 1. Mục tiêu" in out
    assert "phường Phúc Lợi" in out  # the unit it names
    code, out = run(capsys, tmp_path / "data", "--list")
    assert "kh-05" not in out


def test_delete_and_code(capsys, tmp_path: Path, docs: Path) -> None:
    data = tmp_path / "data"
    assert run(capsys, data, docs)[0] == 0
    code, out = run(capsys, data, "--delete", "kh-05", "--delete", "khong-co")
    assert code == 1
    assert "Đã xóa kh-05" in out and "Không có tài liệu khong-co" in out
    assert run(capsys, data, docs, "--code", "02-HD/BTCTU")[0] == 2  # --code needs exactly one file
    blank = docs / "huong-dan.txt"
    blank.write_text("THÀNH ỦY HÀ NỘI\nSố    -HD/BTCTU\nHƯỚNG DẪN\n1. Thủ tục kết nạp đảng viên.\n", encoding="utf-8")
    code, out = run(capsys, data, blank, "--code", "02-HD/BTCTU")
    assert code == 0 and "02-HD/BTCTU" in out


@pytest.mark.shared
def test_the_corpus_goes_in_with_the_codes_and_dates_its_manifest_gives(capsys, tmp_path: Path, corpus_dir: Path) -> None:
    """Done-when of issue 2: every .txt of ../shared/corpus with its code and date; then unchanged."""
    files = sorted(corpus_dir.glob("*.txt"))
    code, out = run(capsys, tmp_path / "data", *files)
    assert code == 0, out
    from knowledge.services.compose import build_services
    from knowledge.settings import KnowledgeSettings

    store = build_services(KnowledgeSettings(data_dir=tmp_path / "data"), embeddings=HashEmbeddings()).store
    got = {r.meta.doc_id: r.meta for r in store.documents()}
    with open(corpus_dir / "MANIFEST.tsv", encoding="utf-8") as fh:
        manifest = {Path(row["file"]).stem: row["first_line"] for row in csv.DictReader(fh, delimiter="\t")}
    assert set(got) == set(manifest) == {f.stem for f in files}
    for doc_id, first_line in manifest.items():
        # the manifest's first line starts with the document's own code when it has one
        m = re.match(r"(\d+-[^\s/]+/[^\s]+) —", first_line)
        assert got[doc_id].code == (m.group(1) if m else None), doc_id
        # the file name carries the issue date (YYYY-MM-DD or YYYY-MM) when the document has one
        d = re.search(r"_(\d{4}-\d{2}(?:-\d{2})?)_", doc_id)
        assert got[doc_id].issue_date == (d.group(1) if d else None), doc_id
    code, out = run(capsys, tmp_path / "data", *files)
    assert code == 0 and f"không đổi {len(files)}" in out


# --- issue 9 items 1, 2 and 7: identity, versions, output that reads well anywhere ----------


CHARTER = (
    "ĐIỀU LỆ ĐẢNG CỘNG SẢN VIỆT NAM\nChương I\nĐẢNG VIÊN\nĐiều 1. Đảng viên Đảng Cộng sản Việt Nam là chiến sĩ "
    "cách mạng trong đội tiên phong của giai cấp công nhân.\nĐiều 6. Đảng viên đóng đảng phí theo quy định của "
    "Trung ương.\nChương II\nNGUYÊN TẮC TỔ CHỨC\nĐiều 9. Đảng tổ chức theo nguyên tắc tập trung dân chủ.\n"
)


def test_a_one_line_draft_with_the_charters_file_name_never_replaces_it(capsys, tmp_path: Path) -> None:
    data, a, b = tmp_path / "data", tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    name = "DieuLeDang_2011-01-19_Dai-hoi-XI.txt"
    (a / name).write_text(CHARTER, encoding="utf-8")
    assert run(capsys, data, a / name)[0] == 0
    (b / name).write_text("Đảng viên phải đóng đảng phí 5% thu nhập.\n", encoding="utf-8")
    code, out = run(capsys, data, b / name)
    assert code == 0 and "lưu thành DieuLeDang_2011-01-19_Dai-hoi-XI-" in out
    code, out = run(capsys, data, "--list", "--json")
    docs = {d["doc_id"]: d for d in json.loads(out)}
    assert len(docs) == 2 and docs["DieuLeDang_2011-01-19_Dai-hoi-XI"]["chunks"] >= 2  # the Charter is intact


def test_identical_content_is_already_there_and_the_same_document_needs_replace_code(capsys, tmp_path: Path, docs: Path) -> None:
    data = tmp_path / "data"
    assert run(capsys, data, docs)[0] == 0
    copy = tmp_path / "ban-sao.txt"
    shutil.copy(docs / SEED, copy)
    code, out = run(capsys, data, copy)
    assert code == 0 and "đã có: giống hệt" in out and SEED.removesuffix(".txt") in out
    again = tmp_path / "ban-sua.md"
    again.write_text((docs / "kh-05.md").read_text(encoding="utf-8") + "\n## 2. Nhiệm vụ\n\nHọp chi bộ đúng kỳ.\n", encoding="utf-8")
    code, out = run(capsys, data, again)
    assert code == 1 and re.search(r"✗ ban-sua\.md: trùng số hiệu 05-KH/ĐU với tài liệu đã lưu kh-05; .*--replace-code", out)
    code, out = run(capsys, data, again, "--replace-code")
    assert code == 0 and "đã thay" in out
    code, out = run(capsys, data, "--list")
    assert "ban-sua" not in out and "kh-05" in out  # a new version of kh-05, not a second document


def test_history_restore_and_delete_keep_every_version(capsys, tmp_path: Path, docs: Path) -> None:
    data = tmp_path / "data"
    assert run(capsys, data, docs)[0] == 0
    md = docs / "kh-05.md"
    original = md.read_text(encoding="utf-8")
    md.write_text(original.replace("hằng tháng", "hằng quý"), encoding="utf-8")
    assert run(capsys, data, md, "--replace-code")[0] == 0
    code, out = run(capsys, data, "--history", "kh-05", "--json")
    versions = json.loads(out)
    assert code == 0 and [v["live"] for v in versions] == [True, False]
    old = versions[1]["version"]
    code, out = run(capsys, data, "--restore", f"kh-05@{old[:6]}")
    assert code == 0 and "khôi phục" in out
    from knowledge.services.compose import build_services
    from knowledge.settings import KnowledgeSettings

    services = build_services(KnowledgeSettings(data_dir=data), embeddings=HashEmbeddings())
    assert "hằng tháng" in " ".join(c.text for c in services.store.doc_chunks("kh-05"))
    answer = services.engine.answer("Sinh hoạt chi bộ theo kế hoạch 05-KH/ĐU tổ chức như thế nào?")
    assert answer.citations and all("hằng quý" not in c.quote for c in answer.citations)  # only the live version
    code, out = run(capsys, data, "--delete", "kh-05")
    assert code == 0 and "--restore kh-05" in out
    assert "kh-05" not in run(capsys, data, "--list")[1]
    assert run(capsys, data, "--restore", "kh-05")[0] == 0
    assert "kh-05" in run(capsys, data, "--list")[1]


def test_every_write_from_the_cli_is_in_the_admin_log_the_bot_exports(capsys, tmp_path: Path, docs: Path) -> None:
    from knowledge.state import STATE_FILE, State
    from knowledge.state.audit import CLI_USER

    data = tmp_path / "data"
    assert run(capsys, data, docs, "--dry-run")[0] == 0
    assert run(capsys, data, "--list")[0] == 0
    assert not (data / STATE_FILE).exists()  # reading and a dry run are no admin actions
    assert run(capsys, data, docs)[0] == 0
    md = docs / "kh-05.md"
    md.write_text(md.read_text(encoding="utf-8").replace("hằng tháng", "hằng quý"), encoding="utf-8")
    assert run(capsys, data, md, "--replace-code")[0] == 0
    assert run(capsys, data, docs, "--restrict", "kh-05")[0] == 0
    assert run(capsys, data, "--unrestrict", "kh-05")[0] == 0
    assert run(capsys, data, "--delete", "kh-05")[0] == 0
    assert run(capsys, data, "--restore", "kh-05")[0] == 0
    state = State.open(data / STATE_FILE)
    try:
        log = list(reversed(state.audit.admin_actions()))
        data_csv, n = state.audit.export_admin_bytes()
    finally:
        state.close()
    assert {user for _, user, _, _ in log} == {CLI_USER} and n == len(log)
    actions = [action for _, _, action, _ in log]
    assert actions == ["cli added", "cli added", "cli replaced", "cli restrict", "cli unrestrict", "cli delete",
                       "cli restore"]
    assert all("ingest.py" in detail for *_, detail in log) and "kh-05" in log[2][3]
    assert "cli replaced" in data_csv.decode("utf-8-sig")


def test_list_never_wraps_ids_or_codes_when_piped(capsys, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    folder = tmp_path / "in"
    folder.mkdir()
    long_id = "QD-2025-11-19_quy-dinh-ve-phong-luu-tru-cua-dang-cong-san-viet-nam-rat-dai"
    (folder / f"{long_id}.txt").write_text("QUY ĐỊNH\nSố 383-QĐ/TW\n1. Phạm vi\nPhông lưu trữ Đảng.\n", encoding="utf-8")
    assert run(capsys, tmp_path / "data", folder)[0] == 0
    code, out = run(capsys, tmp_path / "data", "--list")
    lines = out.splitlines()
    assert lines[1].split()[:2] == ["doc_id", "số"]
    assert any(line.startswith(long_id) and "383-QĐ/TW" in line for line in lines)


def test_every_skipped_file_in_a_folder_gets_one_line(capsys, tmp_path: Path, docs: Path) -> None:
    (docs / "bang-tinh.xlsx").write_bytes(b"PK\x03\x04")
    (docs / "anh.jpg").write_bytes(b"\xff\xd8\xff")
    (docs / "vong").symlink_to(docs, target_is_directory=True)
    (docs / "hong.txt").symlink_to(docs / "khong-co-that.txt")
    code, out = run(capsys, tmp_path / "data", docs)
    assert code == 0  # skipping is not failing
    for name in ("bang-tinh.xlsx", "anh.jpg", "vong", "hong.txt"):
        assert len(re.findall(rf"– {re.escape(name)}: \S", out)) == 1, name
    assert "đã thêm 2" in out


def test_nfd_and_nfc_twins_never_overwrite_each_other(capsys, tmp_path: Path) -> None:
    import unicodedata

    folder = tmp_path / "in"
    folder.mkdir()
    name = "Quy định số 5.txt"
    (folder / unicodedata.normalize("NFC", name)).write_text("QUY ĐỊNH\n1. Chi bộ họp mỗi tháng một lần.\n", encoding="utf-8")
    (folder / unicodedata.normalize("NFD", name)).write_text("HƯỚNG DẪN\n1. Đảng viên đóng đảng phí hằng tháng.\n", encoding="utf-8")
    assert run(capsys, tmp_path / "data", folder)[0] == 0
    for _ in range(2):  # and a second run changes nothing
        code, out = run(capsys, tmp_path / "data", "--list", "--json")
        assert len(json.loads(out)) == 2
        assert "không đổi 2" in run(capsys, tmp_path / "data", folder)[1]


def test_main_q_prints_only_the_answer(tmp_path: Path) -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    data = tmp_path / "data"
    code = "import sys, main; from tests.fakes.embedder import HashEmbeddings; import knowledge.services.compose as c; " \
           "orig = c.build_services; c.build_services = lambda s, **k: orig(s, embeddings=HashEmbeddings()); sys.exit(main.main(sys.argv[1:]))"
    cmd = [sys.executable, "-c", code, "--data-dir", str(data), "-q", "Đoàn kiểm tra gồm những ai?"]
    env = {k: v for k, v in __import__("os").environ.items() if k != "BOT_TOKEN"}
    first = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=600, env=env)
    assert first.returncode == 0, first.stderr
    second = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=600, env=env)
    assert second.returncode == 0 and second.stdout == first.stdout
    assert second.stdout.lstrip().startswith(("Đoàn kiểm tra", "Theo")) or "Nguồn:" in second.stdout
    assert "Nạp" not in second.stdout and "Kết quả" not in second.stdout and "?" not in second.stdout.splitlines()[0][:2]
    assert second.stderr.strip() == ""  # nothing needed ingesting


def test_restricted_documents_from_the_cli(capsys, tmp_path: Path) -> None:
    notice = Path(__file__).resolve().parents[1] / "fixtures" / "findings" / "02_thong-bao-ket-luan_per-unit.txt"
    data = tmp_path / "data"
    code, _ = run(capsys, data, notice, "--restricted")
    assert code == 0
    assert restricted_units(data, notice.stem) == (
        "Đảng ủy phường An Phú", "Đảng ủy phường Đông Hải", "Chi bộ Tòa án nhân dân quận Hòa Bình",
        "Đảng ủy Công ty Cổ phần Cơ khí Hòa Bình",
    )
    code, out = run(capsys, data, notice, "--restricted-to", "phường An Phú")  # unchanged file: no re-embedding
    assert code == 0 and "không đổi" in out and "chỉ đơn vị được xem — Đảng ủy phường An Phú." in out
    assert restricted_units(data, notice.stem) == ("Đảng ủy phường An Phú",)
    code, out = run(capsys, data, "--unrestrict", notice.stem)
    assert code == 0 and "công khai" in out and restricted_units(data, notice.stem) == ()
    code, out = run(capsys, data, "--list")
    assert "(công khai)" in out
    code, out = run(capsys, data, "--restrict", "khong-co")
    assert code == 1 and "Không có tài liệu khong-co" in out


def restricted_units(data: Path, doc_id: str) -> tuple[str, ...]:
    from knowledge.services.compose import build_services
    from knowledge.settings import KnowledgeSettings

    record = build_services(KnowledgeSettings(data_dir=data), embeddings=HashEmbeddings()).store.document(doc_id)
    assert record is not None
    return record.meta.restricted_units


def test_data_dir_that_is_a_file_is_one_line_and_exit_2(capsys, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "data.txt"
    not_a_folder.write_text("x", encoding="utf-8")
    code, out = run(capsys, not_a_folder, "--list")
    assert code == 2
    assert "không phải là thư mục" in out and "Traceback" not in out and len(out.strip().splitlines()) == 1


def test_ids_with_at_and_double_colon_are_restored_and_found_by_dense_search(capsys, tmp_path: Path) -> None:
    """The delete message suggests "--restore ID": it must work whatever the id holds; and a
    chunk id is split from its end, so "::" in a doc_id does not hide it from the dense leg."""
    folder = tmp_path / "docs"
    folder.mkdir()
    text = (SAMPLES / SEED).read_text(encoding="utf-8")
    (folder / "ban@2026.txt").write_text(text, encoding="utf-8")
    (folder / "so::tay.md").write_text("# SỔ TAY\n\nHướng dẫn lập hồ sơ đảng viên mới theo mẫu 2-KNĐ.\n", encoding="utf-8")
    data = tmp_path / "data"
    assert run(capsys, data, folder)[0] == 0
    code, out = run(capsys, data, "--delete", "ban@2026")
    assert code == 0 and "--restore ban@2026" in out
    code, out = run(capsys, data, "--restore", "ban@2026")
    assert code == 0 and "ban@2026" in out
    assert "ban@2026" in run(capsys, data, "--list")[1]

    from knowledge.services.compose import build_services
    from knowledge.settings import KnowledgeSettings

    services = build_services(KnowledgeSettings(data_dir=data), embeddings=HashEmbeddings())
    vector = services.embeddings.embed_query("Hướng dẫn lập hồ sơ đảng viên mới theo mẫu 2-KNĐ")
    hits = services.store.dense_search(vector, 20)
    assert any(cid.startswith("so::tay::") for cid, _ in hits)
