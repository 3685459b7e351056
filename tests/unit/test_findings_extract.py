"""Extraction from every fixture layout matches what the documents say (``expected_records.json``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.findings.evaluate import Tally, extract_path, score_folder

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "findings"
SEED = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "samples" / (
    "long-bien_2017-08-15_kiem-tra-chuong-trinh-01-CTr-QU.txt"
)
LAYOUTS = {
    "01_chuong-trinh_05-CTr-QU.txt": "programme",
    "02_thong-bao-ket-luan_per-unit.txt": "one heading per unit, a) b) c)",
    "03_bao-cao-ket-qua-giam-sat_by-topic.txt": "by topic, units inside sentences",
    "04_ke-hoach-khac-phuc_table.txt": "remedy text table",
    "05_tin-bai-kiem-tra.txt": "news report",
    "06_quyet-dinh-ky-luat.txt": "discipline",
}


@pytest.fixture(scope="module")
def scores() -> dict[str, dict[str, Tally]]:
    # the held-out documents are never read here: they judge generalisation once, at the end
    return score_folder(FIXTURES, FIXTURES / "expected_records.json", only=LAYOUTS)


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_every_expected_record_is_found_with_its_unit_kind_and_deadline(scores, name: str) -> None:
    total = Tally()
    for tally in scores[name].values():
        total.add(tally)
    assert total.expected > 0
    assert total.misses == [], LAYOUTS[name]
    assert total.found == total.expected and total.fields_ok == total.expected


@pytest.mark.parametrize("name", [n for n, layout in LAYOUTS.items() if layout != "programme"])
def test_extracted_records_are_mostly_what_the_ground_truth_lists(scores, name: str) -> None:
    total = Tally()
    for kind, tally in scores[name].items():
        if kind != "programme":
            total.add(tally)
    # the rest are genuine statements the ground truth leaves out (collective remarks, follow-up duties)
    assert total.precision is not None and total.precision >= 0.65, (name, total.precision)


def test_a_finding_naming_two_units_belongs_to_each() -> None:
    found = extract_path(FIXTURES / "03_bao-cao-ket-qua-giam-sat_by-topic.txt").findings
    late = [f.unit for f in found if "chưa ban hành kế hoạch thực hiện Chương trình 05-CTr/QU đúng thời hạn" in f.text]
    assert sorted(late) == ["Chi bộ Bệnh viện Đa khoa quận Hòa Bình", "Đảng ủy phường Tân Lập"]


def test_a_unit_whose_conclusion_is_deferred_gets_no_finding() -> None:
    ex = extract_path(FIXTURES / "02_thong-bao-ket-luan_per-unit.txt")
    assert "Đảng ủy phường Đông Hải" in ex.inspected
    assert not [f for f in ex.findings if f.unit == "Đảng ủy phường Đông Hải"]


def test_regulations_and_readmes_yield_nothing() -> None:
    assert extract_path(FIXTURES / "README.md").doc_kind == "none"
    rules = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "samples"
    for path in rules.glob("*.txt"):
        if "kiem-tra" in path.name or "ket-luan" in path.name:
            continue
        assert extract_path(path).empty, path.name


def test_the_seed_news_report_names_its_four_units_and_shared_findings() -> None:
    ex = extract_path(SEED)
    assert ex.doc_kind == "news" and ex.programme == "01-CTr/QU"
    assert ex.inspected == ("phường Sài Đồng", "phường Cự Khối", "Tòa án nhân dân Quận", "CTCP Khí công nghiệp Việt Nam")
    kinds = {f.kind for f in ex.findings}
    assert kinds == {"uu_diem", "han_che", "yeu_cau"}
    assert all(f.scope == "collective" and f.unit is None for f in ex.findings)  # the article names no unit per finding
    assert any("nghị quyết chuyên đề song chưa chú trọng" in f.text for f in ex.findings if f.kind == "han_che")
