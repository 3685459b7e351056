"""Unit names and the registry: one unit however it is written, never a neighbour; deadlines to dates."""

from __future__ import annotations

import pytest

from knowledge.findings.deadlines import bare_deadline, due_date, find_deadline, find_responsible
from knowledge.findings.registry import UnitRegistry
from knowledge.unit_names import complete_name, normal_key, unit_key, unit_like_phrases

SAI_DONG = ["Đảng ủy phường Sài Đồng", "phường Sài Đồng", "ĐU P. Sài Đồng", "dang uy phuong sai dong", "Phường Sài Đồng"]


@pytest.mark.parametrize("name", SAI_DONG)
def test_every_spelling_of_a_ward_is_one_key(name: str) -> None:
    assert unit_key(name) == "phuong sai dong"


def test_registry_makes_one_unit_of_all_spellings_and_resolves_each() -> None:
    registry = UnitRegistry([(n, None) for n in SAI_DONG[:3]] + [("phường Cự Khối", None)])
    assert [u.name for u in registry.units()] == ["phường Cự Khối", "Đảng ủy phường Sài Đồng"]
    for text in SAI_DONG + ["Kết quả kiểm tra ở ĐU P. Sài Đồng thế nào?"]:
        assert registry.resolve(text) == "Đảng ủy phường Sài Đồng", text
    assert registry.resolve("cu khoi") == "phường Cự Khối"


def test_a_longer_or_different_name_is_not_the_unit() -> None:
    registry = UnitRegistry([("Đảng ủy phường An Phú", None)])
    for text in ("phường An Phúc có hạn chế gì?", "Phường An Phú Đông có hạn chế gì?", "phường An"):
        assert registry.resolve(text) is None, text


def test_names_shortened_in_questions_find_their_unit() -> None:
    registry = UnitRegistry(
        [
            ("Chi bộ Tòa án nhân dân quận Hòa Bình", "quận Hòa Bình"),
            ("Đảng ủy Công ty Cổ phần Cơ khí Hòa Bình", "quận Hòa Bình"),
            ("Chi bộ Trường Trung học cơ sở Tân Lập", "quận Hòa Bình"),
            ("Đảng ủy phường Tân Lập", "quận Hòa Bình"),
            ("Chi bộ Bệnh viện Đa khoa quận Hòa Bình", "quận Hòa Bình"),
        ]
    )
    cases = {
        "TAND quận phải ban hành gì?": "Chi bộ Tòa án nhân dân quận Hòa Bình",
        "Kết quả kiểm tra ở Tòa án nhân dân quận thế nào?": "Chi bộ Tòa án nhân dân quận Hòa Bình",
        "Công ty Cơ khí phải kiểm điểm xong trước ngày nào?": "Đảng ủy Công ty Cổ phần Cơ khí Hòa Bình",
        "cong ty co khi hoa binh co uu diem gi": "Đảng ủy Công ty Cổ phần Cơ khí Hòa Bình",
        "Chi bộ Trường THCS Tân Lập được đánh giá thế nào?": "Chi bộ Trường Trung học cơ sở Tân Lập",
        "P. Tân Lập kết nạp được mấy đảng viên?": "Đảng ủy phường Tân Lập",
        "Chi bộ BV Đa khoa quận bị giám sát phát hiện gì?": "Chi bộ Bệnh viện Đa khoa quận Hòa Bình",
    }
    for question, unit in cases.items():
        assert [m.unit for m in registry.mentions(question)] == [unit], question


def test_a_name_cut_after_its_district_joins_only_the_unit_of_that_district() -> None:
    # The news report writes "Chi bộ Tòa án nhân dân quận"; the notice from the same district writes it in full.
    assert complete_name("Chi bộ Tòa án nhân dân quận", "quận Hòa Bình") == "Chi bộ Tòa án nhân dân quận Hòa Bình"
    registry = UnitRegistry(
        [
            ("Chi bộ Tòa án nhân dân quận", "quận Hòa Bình"),
            ("Chi bộ Tòa án nhân dân quận Hòa Bình", "quận Hòa Bình"),
            ("Tòa án nhân dân Quận", None),  # another district's court, district unknown: a unit of its own
        ]
    )
    assert sorted(u.name for u in registry.units()) == ["Chi bộ Tòa án nhân dân quận Hòa Bình", "Tòa án nhân dân Quận"]
    assert registry.resolve("Tòa án nhân dân Quận") == "Tòa án nhân dân Quận"
    assert normal_key("Công ty Cổ phần Cơ khí Hòa Bình") == normal_key("Công ty Cơ khí Hòa Bình")


def test_admin_edits_merge_rename_and_hide() -> None:
    names = [("Đảng ủy phường Sài Đồng", None), ("UBND phường Sài Đồng mới", None), ("Ban Chỉ đạo 35", None)]
    registry = UnitRegistry(
        names,
        [("UBND phường Sài Đồng mới", "Đảng ủy phường Sài Đồng"), ("Ban Chỉ đạo 35", None), ("ĐU SĐ", "Đảng ủy phường Sài Đồng")],
    )
    assert [u.name for u in registry.units()] == ["Đảng ủy phường Sài Đồng"]
    assert registry.resolve("ĐU SĐ") == "Đảng ủy phường Sài Đồng"
    renamed = UnitRegistry(names[:1], [("Đảng ủy phường Sài Đồng", "Đảng ủy phường Sài Đồng (quận Long Biên)")])
    assert [u.name for u in renamed.units()] == ["Đảng ủy phường Sài Đồng (quận Long Biên)"]
    assert renamed.resolve("phường Sài Đồng") == "Đảng ủy phường Sài Đồng (quận Long Biên)"


def test_unit_like_phrases_catch_units_nobody_registered() -> None:
    assert unit_like_phrases("Kết quả kiểm tra phường Phúc Đồng năm 2018 ra sao?") == ["phường Phúc Đồng"]
    assert unit_like_phrases("ĐU P. Hòa Xuân còn hạn chế gì") == ["Đảng ủy phường Hòa Xuân"]
    assert unit_like_phrases("Các chi bộ trực thuộc cần làm gì?") == []


@pytest.mark.parametrize(
    ("sentence", "deadline", "due"),
    [
        ("Rà soát nguồn…, hoàn thành trước ngày 30/6/2026; giao đồng chí X", "trước ngày 30/6/2026", "2026-06-30"),
        ("Tổ chức sinh hoạt bổ sung, hoàn thành trong quý III/2026.", "trong quý III/2026", "2026-09-30"),
        ("báo cáo Ban Thường vụ Quận ủy trong tháng 10/2026.", "trong tháng 10/2026", "2026-10-31"),
        ("bảo đảm kết nạp ít nhất 11 đảng viên mới trong năm 2026.", "trong năm 2026", "2026-12-31"),
        ("Khắc phục tình trạng nể nang, thực hiện từ kỳ đánh giá năm 2026.", "từ kỳ đánh giá năm 2026", None),
        ("Chấn chỉnh việc ghi biên bản sinh hoạt chi bộ.", None, None),
        ("Ban hành chương trình kiểm tra, giám sát năm 2026.", None, None),  # a year named, no deadline set
    ],
)
def test_deadlines_as_written_and_the_day_they_fall_due(sentence: str, deadline: str | None, due: str | None) -> None:
    assert find_deadline(sentence) == deadline
    assert due_date(deadline) == due


def test_table_cells_and_responsible_people() -> None:
    assert [bare_deadline(c) for c in ("30/6/2026", "Quý IV/2026", "Thường xuyên", "Đảng ủy phường An Phú")] == [
        "30/6/2026", "Quý IV/2026", "Thường xuyên", None,
    ]
    assert due_date("Thường xuyên") is None and due_date("trước ngày 15/6", issued="2026-01-12") == "2026-06-15"
    text = "Rà soát nguồn, hoàn thành trước ngày 30/6/2026; giao đồng chí Nguyễn Thị Mai, Bí thư Đảng ủy phường trực tiếp chỉ đạo."
    assert find_responsible(text) == "đồng chí Nguyễn Thị Mai, Bí thư Đảng ủy phường"
